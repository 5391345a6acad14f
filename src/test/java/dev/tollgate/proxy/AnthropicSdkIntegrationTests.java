package dev.tollgate.proxy;

import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official Anthropic Java SDK talks to Tollgate's {@code /v1/messages} as it would to Anthropic, changing only the
 * base URL and key, whether the model behind is Anthropic's or OpenAI's. Response validation is on, so an answer
 * missing a field the SDK requires fails the test.
 */
@IntegrationTest
class AnthropicSdkIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String CLAUDE = "anthropic/claude-sonnet-4-5";

    private static final String GPT = "openai/gpt-4o-mini";

    // Read up front: the fake answers on a Netty event loop, where BlockHound forbids file reads.
    private static final String MESSAGE = JSON.writeValueAsString(JSON.readTree(
            Fixtures.text("anthropic/message-recording.json")).get(0).path("response").path("body"));

    @Autowired
    WebTestClient webClient;

    @Autowired
    DatabaseClient db;

    @LocalServerPort
    int port;

    final FakeUpstream upstream = FakeUpstream.shared();

    AnthropicClient anthropic;

    @BeforeEach
    void setUp() {
        upstream.reset();
        String key = DashboardUser.signUp(webClient).createKey("anthropic-sdk");
        anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port).apiKey(key).maxRetries(0)
            .responseValidation(true).build();
    }

    @Test
    void aMessageFromAnAnthropicModel() {
        upstream.enqueue(FakeReply.json(200, MESSAGE));

        Message message = anthropic.messages().create(params(CLAUDE).build());

        assertThat(message.id()).startsWith("gen-");
        assertThat(message.model().asString()).isEqualTo(CLAUDE);
        assertThat(message.content()).hasSize(1);
        assertThat(message.content().get(0).text().orElseThrow().text())
            .isEqualTo("{\"product_name\": \"Green Tea\", \"price\": 5.50, \"quantity\": 2}");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(249);
        assertThat(message.usage().outputTokens()).isEqualTo(26);
        assertThat(upstream.takeRequest().json().path("max_tokens").asInt()).isEqualTo(1024);
        assertLogged(message.id(), 249, 26);
    }

    @Test
    void aMessageFromAnOpenAiModel() {
        Message message = anthropic.messages().create(params(GPT).system("You are a text parser.").build());

        assertThat(message.model().asString()).isEqualTo(GPT);
        assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("six");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(33);
        assertThat(message.usage().outputTokens()).isEqualTo(10);
        assertThat(upstream.takeRequest().json().path("messages").get(0).path("role").stringValue())
            .isEqualTo("system");
        assertLogged(message.id(), 33, 10);
    }

    @Test
    void aStreamedToolUseFromAnAnthropicModel() {
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-tool-use.sse"));

        Message message = stream(params(CLAUDE).addTool(weatherTool()).build());

        assertThat(message.content()).hasSize(2);
        assertThat(message.content().get(0).text().orElseThrow().text())
            .isEqualTo("I'll check the current weather in Paris for you.");
        ToolUseBlock toolUse = message.content().get(1).toolUse().orElseThrow();
        assertThat(toolUse.id()).isEqualTo("toolu_01NRLabsLyVHZPKxbKvkfSMn");
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat(toolUse._input().convert(Map.class)).isEqualTo(Map.of("location", "Paris"));
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(message.usage().inputTokens()).isEqualTo(377);
        assertThat(message.usage().outputTokens()).isEqualTo(65);
        assertLogged(message.id(), 377, 65);
    }

    @Test
    void aStreamFromAnOpenAiModel() {
        Message message = stream(params(GPT).build());

        assertThat(message.id()).startsWith("gen-");
        assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("{\"");
        assertThat(message.stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(message.usage().inputTokens()).isEqualTo(79);
        assertThat(message.usage().outputTokens()).isEqualTo(1);
        assertLogged(message.id(), 79, 1);
    }

    @Test
    void cacheCountsComeBackAsAnthropicReportedThem() {
        // The live stream with its zero cache counts changed (no recording has non-zero ones).
        upstream.enqueue(FakeReply.sse(Fixtures.text("anthropic/stream-live.sse")
            .replace("\"cache_creation_input_tokens\":0", "\"cache_creation_input_tokens\":300")
            .replace("\"cache_read_input_tokens\":0", "\"cache_read_input_tokens\":2000")));

        Message message = stream(params(CLAUDE).build());

        assertThat(message.usage().inputTokens()).isEqualTo(135);
        assertThat(message.usage().cacheReadInputTokens()).contains(2000L);
        assertThat(message.usage().cacheCreationInputTokens()).contains(300L);
        assertThat(message.usage().outputTokens()).isEqualTo(10);
        Map<String, Object> row = new RequestLog(db).row(message.id());
        assertThat(row.get("prompt_tokens")).isEqualTo(2435);
        assertThat(row.get("cached_tokens")).isEqualTo(2000);
        assertThat(row.get("cache_write_tokens")).isEqualTo(300);
    }

    @Test
    void aToolRoundTripWithAnOpenAiModel() {
        upstream.enqueue(FakeReply.sseFixture("openai/stream-tool-call.sse"));
        MessageCreateParams first = params(GPT).addUserMessage("what's the weather in NYC?").addTool(weatherTool())
            .build();

        Message call = stream(first);

        ToolUseBlock toolUse = call.content().stream().flatMap(block -> block.toolUse().stream()).findFirst()
            .orElseThrow();
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat(toolUse._input().convert(Map.class)).isEqualTo(Map.of("city", "New York City"));
        assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
        JsonNode firstSent = upstream.takeRequest().json();
        assertThat(firstSent.path("tools").get(0).path("function").path("name").stringValue()).isEqualTo("get_weather");

        anthropic.messages().create(first.toBuilder().addMessage(call.toParam())
            .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                .toolUseId(toolUse.id()).content("22C, cloudy").build())))
            .build());

        JsonNode messages = upstream.takeRequest().json().path("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        assertThat(assistant.path("tool_calls").get(0).path("id").stringValue()).isEqualTo(toolUse.id());
        assertThat(JSON.readTree(assistant.path("tool_calls").get(0).path("function").path("arguments").stringValue()))
            .isEqualTo(JSON.readTree("{\"city\":\"New York City\"}"));
        assertThat(messages.get(messages.size() - 1)).isEqualTo(JSON.readTree("""
                {"role":"tool","tool_call_id":"%s","content":"22C, cloudy"}""".formatted(toolUse.id())));
    }

    private Message stream(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> events = anthropic.messages().createStreaming(params)) {
            events.stream().forEach(accumulator::accumulate);
        }
        Message message = accumulator.message();
        message.validate();
        message.content().forEach(ContentBlock::validate);
        return message;
    }

    private void assertLogged(String generationId, long input, long output) {
        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(((Number) row.get("prompt_tokens")).longValue()).isEqualTo(input);
        assertThat(((Number) row.get("completion_tokens")).longValue()).isEqualTo(output);
        assertThat(row.get("usage_source")).isEqualTo("upstream");
    }

    private static MessageCreateParams.Builder params(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(1024).addUserMessage("Hello");
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("The weather now")
            .inputSchema(Tool.InputSchema.builder()
                .properties(JsonValue.from(Map.of("location", Map.of("type", "string"))))
                .build())
            .build();
    }

}
