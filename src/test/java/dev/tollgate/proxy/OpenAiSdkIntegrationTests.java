package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The official OpenAI Java SDK talks to Tollgate as it would to OpenAI, changing only the base URL and key. */
@IntegrationTest
class OpenAiSdkIntegrationTests {

    @Autowired
    WebTestClient webClient;

    @LocalServerPort
    int port;

    OpenAIClient openai;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
        String key = DashboardUser.signUp(webClient).createKey("sdk");
        openai = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0)
            .build();
    }

    @Test
    void aCompletionComesBackWithItsTextAndUsage() {
        ChatCompletion completion = openai.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("openai/gpt-4o-mini")
            .addUserMessage("How many letters are in the word Python?")
            .build());

        assertThat(completion.id()).startsWith("gen-");
        assertThat(completion.model()).isEqualTo("openai/gpt-4o-mini");
        assertThat(completion.choices().get(0).message().content()).contains("six");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(33);
        assertThat(usage.completionTokens()).isEqualTo(10);
    }

    @Test
    void aStreamComesBackChunkByChunkWithItsUsage() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
            .model("openai/gpt-4o-mini")
            .addUserMessage("Say hi")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }

        String text = chunks.stream()
            .flatMap(chunk -> chunk.choices().stream())
            .map(choice -> choice.delta().content().orElse(""))
            .reduce("", String::concat);
        assertThat(text).isEqualTo("{\"");
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(79);
        assertThat(usage.completionTokens()).isEqualTo(1);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.model()).isEqualTo("openai/gpt-4o-mini"));
    }

}
