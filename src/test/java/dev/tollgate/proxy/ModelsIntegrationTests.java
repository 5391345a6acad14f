package dev.tollgate.proxy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class ModelsIntegrationTests {

    @Autowired
    WebTestClient client;

    @Test
    void theCatalogListsTheContractsModelsWithPricesPerToken() {
        for (String path : new String[] { "/v1/models", "/api/v1/models" }) {
            JsonNode body = JsonMapper.builder().build().readTree(client.get().uri(path).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody());

            assertThat(body.path("object").stringValue()).isEqualTo("list");
            assertThat(body.path("data").valueStream().map(model -> model.path("id").stringValue()))
                .contains("openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash",
                        "mistral/mistral-small-latest");
            JsonNode mini = body.path("data").valueStream()
                .filter(model -> model.path("id").stringValue().equals("openai/gpt-4o-mini"))
                .findFirst().orElseThrow();
            assertThat(mini.path("pricing").path("prompt").stringValue()).isEqualTo("0.00000015");
            assertThat(mini.path("pricing").path("completion").stringValue()).isEqualTo("0.0000006");
            assertThat(mini.path("context_length").asInt()).isEqualTo(128000);
            assertThat(mini.path("owned_by").stringValue()).isEqualTo("openai");
            assertThat(mini.path("pricing").has("audio")).as("audio at the input price").isFalse();
            JsonNode flash = body.path("data").valueStream()
                .filter(model -> model.path("id").stringValue().equals("google/gemini-2.5-flash"))
                .findFirst().orElseThrow();
            assertThat(flash.path("pricing").path("audio").stringValue()).isEqualTo("0.000001");
            assertThat(flash.path("pricing").has("audio_output")).as("audio output at the output price").isFalse();
            JsonNode spoken = body.path("data").valueStream()
                .filter(model -> model.path("id").stringValue().equals("openai/gpt-4o-audio-preview"))
                .findFirst().orElseThrow();
            assertThat(spoken.path("pricing").path("audio").stringValue()).isEqualTo("0.00004");
            assertThat(spoken.path("pricing").path("audio_output").stringValue()).isEqualTo("0.00008");
        }
    }

}
