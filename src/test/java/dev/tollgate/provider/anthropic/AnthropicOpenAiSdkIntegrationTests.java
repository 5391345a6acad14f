package dev.tollgate.provider.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;

import static org.assertj.core.api.Assertions.assertThat;

/** The official OpenAI Java SDK calls an {@code anthropic/*} model through Tollgate as if it were an OpenAI one. */
@IntegrationTest
class AnthropicOpenAiSdkIntegrationTests {

    private static final String MODEL = "anthropic/claude-sonnet-4-5";

    // Read up front: the fake answers on a Netty event loop, where BlockHound forbids file reads.
    private static final String MESSAGE = AnthropicResponseMapperTests.recordedMessage();

    @Autowired
    WebTestClient webClient;

    @Autowired
    DatabaseClient db;

    @LocalServerPort
    int port;

    OpenAIClient openai;

    final FakeUpstream upstream = FakeUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
        String key = DashboardUser.signUp(webClient).createKey("openai-sdk");
        openai = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0)
            .responseValidation(true).build();
    }

    @Test
    void aCompletionComesBackWithItsTextAndUsage() {
        upstream.enqueue(FakeReply.json(200, MESSAGE));

        ChatCompletion completion = openai.chat().completions().create(ChatCompletionCreateParams.builder()
            .model(MODEL).addSystemMessage("Extract orders.").addUserMessage("2 Green Tea at $5.50").build());

        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.choices().get(0).message().content())
            .contains("{\"product_name\": \"Green Tea\", \"price\": 5.50, \"quantity\": 2}");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(249);
        assertThat(usage.completionTokens()).isEqualTo(26);
        Map<String, Object> row = new RequestLog(db).row(completion.id());
        assertThat(row.get("prompt_tokens")).isEqualTo(249);
        assertThat(row.get("completion_tokens")).isEqualTo(26);
    }

    @Test
    void aStreamedToolCallComesBackChunkByChunkWithItsUsage() {
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-tool-use.sse"));
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Weather in Paris?")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunks::add);
        }

        StringBuilder text = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (ChatCompletionChunk chunk : chunks) {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                text.append(choice.delta().content().orElse(""));
                for (ChatCompletionChunk.Choice.Delta.ToolCall call : choice.delta().toolCalls().orElse(List.of())) {
                    assertThat(call.index()).isZero();
                    call.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::name)
                        .ifPresent(names::add);
                    call.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments)
                        .ifPresent(arguments::append);
                }
            }
        }
        assertThat(text.toString()).isEqualTo("I'll check the current weather in Paris for you.");
        assertThat(names).containsExactly("get_weather");
        assertThat(arguments.toString().replace(" ", "")).isEqualTo("{\"location\":\"Paris\"}");
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
            .contains(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS);
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(377);
        assertThat(usage.completionTokens()).isEqualTo(65);
        Map<String, Object> row = new RequestLog(db).row(chunks.get(0).id());
        assertThat(row.get("prompt_tokens")).isEqualTo(377);
        assertThat(row.get("completion_tokens")).isEqualTo(65);
    }

}
