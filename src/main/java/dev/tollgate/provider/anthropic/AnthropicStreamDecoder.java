package dev.tollgate.provider.anthropic;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.SseEvent;
import dev.tollgate.provider.UpstreamException;

/**
 * Decodes one Anthropic message stream into OpenAI chunks and usage reports. Stateful, so one instance per
 * subscription: it remembers the message id and model from {@code message_start}, which content block is which
 * tool call, and the usage so far.
 * <ul>
 * <li>{@code message_start}: usage (input and cache counts), then the role chunk.</li>
 * <li>{@code content_block_start} of a {@code tool_use}: a tool-call chunk with id and name; its
 * {@code input_json_delta}s follow as argument fragments with the same OpenAI {@code index}.</li>
 * <li>{@code text_delta}: a content chunk. Thinking, signature and citation deltas have no OpenAI counterpart.</li>
 * <li>{@code message_delta}: the finish chunk, then usage. Its usage is cumulative and merged over
 * {@code message_start}'s, field by field.</li>
 * <li>{@code content_block_stop} of a {@code tool_use} whose input came in no fragment (a tool without
 * parameters): the arguments {@code {}}, which OpenAI sends and a client parses (an empty string is not JSON).</li>
 * <li>{@code ping}, other {@code content_block_stop}s, unknown events: nothing.</li>
 * <li>{@code error}: an {@link UpstreamException}.</li>
 * </ul>
 */
final class AnthropicStreamDecoder {

    private final JsonMapper json;
    private final String provider;
    private final Clock clock;
    private final AnthropicErrorMapper errors;

    private String id = "";
    private String model = "";
    private long created;
    private AnthropicUsage usage = AnthropicUsage.NONE;
    /** Anthropic content-block index → OpenAI tool-call index (0, 1, … in order of appearance). */
    private final Map<Integer, Integer> toolCallIndexes = new HashMap<>();
    /** The OpenAI tool-call indexes that have had an argument fragment. */
    private final Set<Integer> toolCallsWithArguments = new HashSet<>();
    private boolean ended;
    /** What message_start opens the answer with (its usage, the role), until the answer itself starts. */
    private @Nullable List<ChatStreamEvent> opening;

    AnthropicStreamDecoder(JsonMapper json, String provider, Clock clock) {
        this.json = json;
        this.provider = provider;
        this.clock = clock;
        this.errors = new AnthropicErrorMapper(json, provider);
    }

    /**
     * Decodes a stream of Anthropic events with a fresh decoder per subscription. A stream that ends without
     * {@code message_stop} was cut short and ends with an error.
     */
    static Flux<ChatStreamEvent> decode(Flux<SseEvent> events, JsonMapper json, String provider,
            Clock clock) {
        return Flux.defer(() -> {
            AnthropicStreamDecoder decoder = new AnthropicStreamDecoder(json, provider, clock);
            return events.concatMapIterable(event -> decoder.decode(event.event(), event.data()))
                // The answer is whole once message_stop came: a connection cut after it, or an error event after it,
                // does not turn the answer the client already has into a broken one.
                .onErrorResume(error -> decoder.ended() ? Mono.empty() : Mono.error(error))
                .concatWith(Mono.defer(() -> decoder.ended() ? Mono.empty()
                        : Mono.error(UpstreamException.malformed(provider,
                                "a stream that ended before message_stop"))));
        });
    }

    /** Whether {@code message_stop} arrived: a stream that ends without it was cut short. */
    boolean ended() {
        return ended;
    }

    List<ChatStreamEvent> decode(@Nullable String eventName, byte @Nullable [] data) {
        if (ended || SseEvent.isBlank(data)) {
            return List.of();
        }
        JsonNode event;
        try {
            event = json.readTree(data);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a stream event that is not JSON");
        }
        String type = event.path("type").isString() ? event.path("type").stringValue()
                : eventName != null ? eventName : "";
        List<ChatStreamEvent> decoded = switch (type) {
            case "message_start" -> messageStart(event.path("message"));
            case "content_block_start" -> blockStart(blockIndex(event), event.path("content_block"));
            case "content_block_delta" -> blockDelta(blockIndex(event), event.path("delta"));
            case "content_block_stop" -> blockStop(blockIndex(event));
            case "message_delta" -> messageDelta(event);
            case "message_stop" -> {
                ended = true;
                yield List.of();
            }
            case "error" -> throw errors.decodeEvent(event);
            // ping, and events added after this was written (Anthropic's versioning policy)
            default -> List.of();
        };
        // Sent once the answer starts, whatever its first block (a thinking block decodes to nothing here, yet a client
        // that left during it got the opening, and is billed for its prompt).
        if (opening == null || decoded.isEmpty() && !ended && !type.startsWith("content_block")
                && !type.equals("message_delta")) {
            return decoded;
        }
        List<ChatStreamEvent> opened = new ArrayList<>(opening.size() + decoded.size());
        opened.addAll(opening);
        opened.addAll(decoded);
        opening = null;
        return opened;
    }

    /** The content block an event is about: an int, or absent (the first); anything else is a broken stream. */
    private int blockIndex(JsonNode event) {
        JsonNode index = event.path("index");
        if (index.isMissingNode()) {
            return 0;
        }
        if (!index.isIntegralNumber() || !index.canConvertToInt()) {
            throw UpstreamException.malformed(provider, "a content block event whose index is not an integer");
        }
        return index.asInt();
    }

    private List<ChatStreamEvent> messageStart(JsonNode message) {
        id = message.path("id").asString("");
        model = message.path("model").asString("");
        created = clock.instant().getEpochSecond();
        usage = usage.merge(message.path("usage"), provider);
        ObjectNode delta = json.createObjectNode().put("role", "assistant").put("content", "");
        // Usage first: a client of Tollgate's Messages API wants the input count in its own message_start. Held until
        // the answer itself starts (its first content block): an overloaded_error right after message_start (Anthropic
        // sends them so) is then retried or sent to the next route, where the opening, relayed, would have committed
        // the call to this one.
        opening = List.of(new ChatStreamEvent.Usage(usage.toTokenUsage()), chunk(delta, null));
        return List.of();
    }

    private List<ChatStreamEvent> blockStart(int index, JsonNode block) {
        String type = block.path("type").asString("");
        if ("tool_use".equals(type)) {
            int toolIndex = toolCallIndexes.size();
            toolCallIndexes.put(index, toolIndex);
            ObjectNode call = json.createObjectNode();
            call.put("index", toolIndex);
            call.put("id", block.path("id").asString(""));
            call.put("type", "function");
            call.putObject("function").put("name", block.path("name").asString("")).put("arguments", "");
            ObjectNode delta = json.createObjectNode();
            delta.putArray("tool_calls").add(call);
            return List.of(chunk(delta, null));
        }
        if ("text".equals(type) && !block.path("text").asString("").isEmpty()) {
            return List.of(chunk(json.createObjectNode().put("content", block.path("text").asString("")), null));
        }
        return List.of();
    }

    private List<ChatStreamEvent> blockDelta(int index, JsonNode delta) {
        switch (delta.path("type").asString("")) {
            case "text_delta" -> {
                String text = delta.path("text").asString("");
                return text.isEmpty() ? List.of() : List.of(chunk(json.createObjectNode().put("content", text), null));
            }
            case "input_json_delta" -> {
                Integer toolIndex = toolCallIndexes.get(index);
                String fragment = delta.path("partial_json").asString("");
                // Anthropic's first fragment is often empty; OpenAI's first tool chunk already carried "".
                if (toolIndex == null || fragment.isEmpty()) {
                    return List.of();
                }
                toolCallsWithArguments.add(toolIndex);
                return List.of(arguments(toolIndex, fragment));
            }
            default -> {
                return List.of();
            }
        }
    }

    private List<ChatStreamEvent> blockStop(int index) {
        Integer toolIndex = toolCallIndexes.get(index);
        if (toolIndex == null || toolCallsWithArguments.contains(toolIndex)) {
            return List.of();
        }
        return List.of(arguments(toolIndex, "{}"));
    }

    private ChatStreamEvent arguments(int toolIndex, String fragment) {
        ObjectNode call = json.createObjectNode();
        call.put("index", toolIndex);
        call.putObject("function").put("arguments", fragment);
        ObjectNode out = json.createObjectNode();
        out.putArray("tool_calls").add(call);
        return chunk(out, null);
    }

    private List<ChatStreamEvent> messageDelta(JsonNode event) {
        List<ChatStreamEvent> events = new ArrayList<>(2);
        JsonNode stopReason = event.path("delta").path("stop_reason");
        String finishReason = AnthropicStopReasons.finishReason(
                stopReason.isString() ? stopReason.stringValue() : null);
        if (finishReason != null) {
            events.add(chunk(json.createObjectNode(), finishReason)
                .stoppedBy(AnthropicStopReasons.stopSequence(event.path("delta"))));
        }
        if (event.path("usage").isObject()) {
            usage = usage.merge(event.path("usage"), provider);
            events.add(new ChatStreamEvent.Usage(usage.toTokenUsage()));
        }
        return events;
    }

    private ChatStreamEvent.Chunk chunk(ObjectNode delta, @Nullable String finishReason) {
        ObjectNode chunk = json.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        }
        else {
            choice.put("finish_reason", finishReason);
        }
        return new ChatStreamEvent.Chunk(chunk);
    }

}
