package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

/**
 * A stream's answer put back together, for the response cache: each choice's role, text, refusal and tool calls
 * (their arguments joined in order), its finish reason, and the provider's last usage. Only for calls that asked for
 * the cache, and only up to a size: past it the parts are dropped, so that a stream's memory stays flat however long
 * it runs. An answer with anything else in it (log probabilities, reasoning, annotations) is not kept, and a kept
 * answer with such things is not replayed as a stream: streamed and whole calls share their entries, and neither
 * may get less than a fresh call would.
 */
final class StreamedAnswer {

    /** What a message or a delta may hold for the answer to be kept or replayed: these, and empty members. */
    private static final Set<String> CARRIED = Set.of("role", "content", "refusal", "tool_calls");

    private final int expectedChoices;
    private final long maxChars;
    private final TreeMap<Integer, Choice> choices = new TreeMap<>();
    private @Nullable TokenUsage usage;
    private @Nullable String stopSequence;
    private @Nullable String id;
    private @Nullable String systemFingerprint;
    private long created;
    private long chars;
    private boolean dropped;

    /**
     * @param expectedChoices how many choices the call asked for ({@code n}): an answer missing one is not kept
     * @param maxChars past this much text, the parts are dropped and the answer is not kept
     */
    StreamedAnswer(int expectedChoices, long maxChars) {
        this.expectedChoices = expectedChoices;
        this.maxChars = maxChars;
    }

    void add(ChatStreamEvent event) {
        if (dropped) {
            return;
        }
        if (event instanceof ChatStreamEvent.Usage reported) {
            usage = reported.usage();
            return;
        }
        ChatStreamEvent.Chunk chunk = (ChatStreamEvent.Chunk) event;
        if (chunk.stopSequence() != null) {
            stopSequence = chunk.stopSequence();
        }
        ObjectNode tree = chunk.readTree();
        if (id == null) {
            id = tree.path("id").asString(null);
            created = tree.path("created").asLong(0);
        }
        if (systemFingerprint == null && tree.path("system_fingerprint").isString()) {
            systemFingerprint = tree.path("system_fingerprint").stringValue();
        }
        for (JsonNode choice : tree.path("choices")) {
            if (!carriedOnly(choice.path("delta")) || !isEmpty(choice.path("logprobs"))) {
                dropped = true;
                choices.clear();
                return;
            }
            add(choices.computeIfAbsent(choice.path("index").asInt(0), index -> new Choice()), choice);
        }
        if (chars > maxChars) {
            dropped = true;
            choices.clear();
        }
    }

    private void add(Choice choice, JsonNode delivered) {
        JsonNode delta = delivered.path("delta");
        if (delta.path("role").isString()) {
            choice.role = delta.path("role").stringValue();
        }
        choice.content = append(choice.content, delta.path("content"));
        choice.refusal = append(choice.refusal, delta.path("refusal"));
        JsonNode calls = delta.path("tool_calls");
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            ToolCall tool = choice.tools.computeIfAbsent(call.path("index").asInt(i), index -> new ToolCall());
            if (call.path("id").isString()) {
                tool.id = call.path("id").stringValue();
            }
            if (call.path("type").isString()) {
                tool.type = call.path("type").stringValue();
            }
            tool.name = append(tool.name, call.path("function").path("name"));
            tool.arguments = append(tool.arguments, call.path("function").path("arguments"));
        }
        if (delivered.path("finish_reason").isString()) {
            choice.finishReason = delivered.path("finish_reason").stringValue();
        }
    }

    private @Nullable StringBuilder append(@Nullable StringBuilder to, JsonNode piece) {
        if (!piece.isString()) {
            return to;
        }
        chars += piece.stringValue().length();
        return (to == null ? new StringBuilder() : to).append(piece.stringValue());
    }

    /**
     * The whole answer, as a provider would have sent it unstreamed; null unless the stream ended as a whole answer
     * does: every choice finished, the provider's usage reported, and nothing dropped for size.
     */
    @Nullable ChatCompletion completion(JsonMapper json) {
        TokenUsage reported = usage;
        // Distinct indexes, as many as asked for, from 0 to n - 1: each of 0 .. n - 1 once.
        if (dropped || reported == null || choices.size() != expectedChoices || choices.firstKey() != 0
                || choices.lastKey() != expectedChoices - 1) {
            return null;
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("id", id == null ? "chatcmpl-cached" : id);
        answer.put("object", "chat.completion");
        answer.put("created", created);
        if (systemFingerprint != null) {
            // A hit shows the provider's, as a whole answer kept shows it.
            answer.put("system_fingerprint", systemFingerprint);
        }
        ArrayNode list = answer.putArray("choices");
        for (Map.Entry<Integer, Choice> entry : choices.entrySet()) {
            Choice choice = entry.getValue();
            if (choice.finishReason == null) {
                return null;
            }
            ObjectNode message = json.createObjectNode();
            message.put("role", choice.role == null ? "assistant" : choice.role);
            // An answer of tool calls alone has no content, as a whole answer has none (not "").
            boolean noText = choice.content == null || choice.content.isEmpty() && !choice.tools.isEmpty();
            message.put("content", noText ? null : choice.content.toString());
            if (choice.refusal != null) {
                message.put("refusal", choice.refusal.toString());
            }
            if (!choice.tools.isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall tool : choice.tools.values()) {
                    ObjectNode call = calls.addObject();
                    call.put("id", tool.id);
                    call.put("type", tool.type == null ? "function" : tool.type);
                    call.putObject("function")
                        .put("name", tool.name == null ? "" : tool.name.toString())
                        .put("arguments", tool.arguments == null ? "" : tool.arguments.toString());
                }
            }
            ObjectNode written = list.addObject();
            written.put("index", entry.getKey());
            written.set("message", message);
            written.put("finish_reason", choice.finishReason);
        }
        return new ChatCompletion(answer, reported).stoppedBy(stopSequence);
    }

    /**
     * Whether a kept answer can be replayed as a stream without losing anything: its messages hold nothing but what
     * {@link #replay} sends (empty members aside: OpenAI's answers carry {@code "annotations":[]}), and no choice has
     * log probabilities.
     */
    static boolean replayable(ObjectNode answer) {
        for (JsonNode choice : answer.path("choices")) {
            if (!carriedOnly(choice.path("message")) || !isEmpty(choice.path("logprobs"))
                    || !choice.path("finish_reason").isString()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A kept answer as a stream: its usage first (as Anthropic's stream gives it, for {@code /v1/messages}'
     * {@code message_start}), then for each choice a chunk with all its text and tool calls and one with its finish
     * reason. What clients and {@code /v1/messages}' translation read from a provider's stream. Only for an answer
     * that is {@link #replayable}.
     */
    static Flux<ChatStreamEvent> replay(ObjectNode answer, TokenUsage usage, @Nullable String stopSequence,
            JsonMapper json) {
        List<ChatStreamEvent> events = new ArrayList<>();
        events.add(new ChatStreamEvent.Usage(usage));
        JsonNode choices = answer.path("choices");
        for (int i = 0; i < choices.size(); i++) {
            JsonNode choice = choices.get(i);
            JsonNode message = choice.path("message");
            ObjectNode delta = json.createObjectNode();
            delta.put("role", message.path("role").asString("assistant"));
            if (message.path("content").isString()) {
                delta.put("content", message.path("content").stringValue());
            }
            if (message.path("refusal").isString()) {
                delta.put("refusal", message.path("refusal").stringValue());
            }
            JsonNode calls = message.path("tool_calls");
            if (calls.isArray() && !calls.isEmpty()) {
                ArrayNode indexed = delta.putArray("tool_calls");
                for (int k = 0; k < calls.size(); k++) {
                    ObjectNode call = indexed.addObject().put("index", k);
                    call.setAll((ObjectNode) calls.get(k).deepCopy());
                }
            }
            int index = choice.path("index").asInt(i);
            events.add(new ChatStreamEvent.Chunk(chunk(answer, index, delta, null, json)));
            ChatStreamEvent.Chunk finish = new ChatStreamEvent.Chunk(chunk(answer, index, json.createObjectNode(),
                    choice.path("finish_reason").stringValue(), json));
            events.add(i == choices.size() - 1 ? finish.stoppedBy(stopSequence) : finish);
        }
        return Flux.fromIterable(events);
    }

    private static boolean carriedOnly(JsonNode message) {
        for (String name : message.propertyNames()) {
            if (!CARRIED.contains(name) && !isEmpty(message.get(name))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEmpty(@Nullable JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return true;
        }
        if (value.isString()) {
            return value.stringValue().isEmpty();
        }
        return value.isContainer() && value.isEmpty();
    }

    private static ObjectNode chunk(ObjectNode answer, int index, ObjectNode delta, @Nullable String finishReason,
            JsonMapper json) {
        ObjectNode chunk = json.createObjectNode();
        chunk.put("id", answer.path("id").asString("chatcmpl-cached"));
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", answer.path("created").asLong(0));
        chunk.put("model", answer.path("model").asString(""));
        if (answer.path("system_fingerprint").isString()) {
            chunk.set("system_fingerprint", answer.get("system_fingerprint"));
        }
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        return chunk;
    }

    private static final class Choice {

        private @Nullable String role;
        private @Nullable StringBuilder content;
        private @Nullable StringBuilder refusal;
        private final Map<Integer, ToolCall> tools = new TreeMap<>();
        private @Nullable String finishReason;
    }

    private static final class ToolCall {

        private @Nullable String id;
        private @Nullable String type;
        private @Nullable StringBuilder name;
        private @Nullable StringBuilder arguments;
    }

}
