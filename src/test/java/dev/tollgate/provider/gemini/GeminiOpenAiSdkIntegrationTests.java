package dev.tollgate.provider.gemini;

import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The official OpenAI Java SDK talks to Gemini models through Tollgate as it would to OpenAI. */
@IntegrationTest
class GeminiOpenAiSdkIntegrationTests {

    @Autowired
    WebTestClient webClient;

    @LocalServerPort
    int port;

    final FakeUpstream upstream = FakeUpstream.shared();

    OpenAIClient openai;

    @BeforeEach
    void setUp() {
        upstream.reset();
        String key = DashboardUser.signUp(webClient).createKey("sdk");
        openai = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0)
            .build();
    }

    @Test
    void aCompletionFromGeminiComesBackWithItsTextAndUsage() {
        upstream.enqueue(FakeReply.fixture(200, "gemini/generate-content.json"));

        ChatCompletion completion = openai.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("google/gemini-2.5-flash")
            .addSystemMessage("Answer briefly.")
            .addUserMessage("Where is Google's headquarters?")
            .build());

        assertThat(completion.id()).startsWith("gen-");
        assertThat(completion.model()).isEqualTo("google/gemini-2.5-flash");
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(
                text -> assertThat(text).contains("Mountain View"));
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(7);
        assertThat(usage.completionTokens()).isEqualTo(22);
    }

    @Test
    void aToolCallFromGeminiIsATypedToolCall() {
        upstream.enqueue(FakeReply.json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather",
                 "args":{"city":"Paris"}}}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":5,"totalTokenCount":35}}"""));

        ChatCompletion completion = openai.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("google/gemini-2.5-flash")
            .addUserMessage("Weather in Paris?")
            .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                    .build())
                .build()).build())
            .build());

        ChatCompletionMessageToolCall call = completion.choices().get(0).message().toolCalls().orElseThrow().get(0);
        assertThat(call.asFunction().function().name()).isEqualTo("get_weather");
        assertThat(call.asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(completion.choices().get(0).finishReason())
            .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void aStreamFromGeminiComesBackChunkByChunkWithItsUsage() {
        upstream.enqueue(FakeReply.sseFixture("gemini/stream-text.sse"));
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder()
                    .model("google/gemini-2.5-flash")
                    .addUserMessage("What is the capital of Wyoming?")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
            stream.stream().forEach(chunks::add);
        }

        String text = chunks.stream()
            .flatMap(chunk -> chunk.choices().stream())
            .map(choice -> choice.delta().content().orElse(""))
            .reduce("", String::concat);
        assertThat(text).isEqualTo("The capital of Wyoming is **Cheyenne**.\n");
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(7);
        assertThat(usage.completionTokens()).isEqualTo(10);
    }

    @Test
    void embeddingsFromGeminiComeBackAsFloats() {
        upstream.enqueue(FakeReply.json(200, """
                {"embeddings":[{"values":[0.0125,-0.5,0.25]},{"values":[1.0,0.0,-0.75]}]}"""),
                FakeReply.json(200, "{\"totalTokens\": 9}"));

        CreateEmbeddingResponse response = openai.embeddings().create(EmbeddingCreateParams.builder()
            .model("google/gemini-embedding-001")
            .inputOfArrayOfStrings(List.of("The food was delicious", "and the waiter was kind"))
            .dimensions(3)
            .build());

        assertThat(response.model()).isEqualTo("google/gemini-embedding-001");
        assertThat(response.data()).hasSize(2);
        assertThat(response.data().get(0).embedding()).containsExactly(0.0125f, -0.5f, 0.25f);
        assertThat(response.data().get(1).index()).isEqualTo(1);
        assertThat(response.data().get(1).embedding()).containsExactly(1.0f, 0.0f, -0.75f);
        assertThat(response.usage().promptTokens()).isEqualTo(9);
        assertThat(upstream.takeRequest().json().at("/requests/0/outputDimensionality").asInt()).isEqualTo(3);
    }

}
