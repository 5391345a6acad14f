package dev.tollgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

/**
 * Turns the pipeline's stream (OpenAI chunks and usage reports) into Anthropic's server-sent events, frame by frame
 * as chunks arrive: {@code message_start}, then per content block {@code content_block_start},
 * {@code content_block_delta}s and {@code content_block_stop} (text, or one {@code tool_use} block per OpenAI tool
 * call index), then {@code message_delta} with the stop reason and cumulative usage, and {@code message_stop}.
 * State lives per subscription (see {@link #translate}).
 */
final class MessagesStreamTranslator {

    private final JsonMapper json;
    private final String messageId;
    private final Supplier<String> model;

    private boolean started;
    private int nextBlock;
    private int openBlock = -1;
    private boolean openIsText;
    /** OpenAI tool-call index → Anthropic content-block index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    /** The id of the call each tool block of {@link #toolBlocks} carries, by the same index. */
    private final Map<Integer, String> toolIds = new HashMap<>();
    private @Nullable String finishReason;
    private @Nullable String stopSequence;
    private @Nullable TokenUsage usage;

    MessagesStreamTranslator(JsonMapper json, String messageId, Supplier<String> model) {
        this.json = json;
        this.messageId = messageId;
        this.model = model;
    }

    /** The SSE frames for a stream of events; a fresh translator per subscription. */
    static Flux<byte[]> translate(Flux<ChatStreamEvent> events, JsonMapper json, String messageId,
            Supplier<String> model) {
        return translate(events, json, messageId, model, null);
    }

    /**
     * @param billed the usage the call is billed for, which {@code message_delta} reports (the provider's, or a count
     *     where it reported none, which may be counted off the event loop); null for the last usage the stream
     *     reported
     */
    static Flux<byte[]> translate(Flux<ChatStreamEvent> events, JsonMapper json, String messageId,
            Supplier<String> model, @Nullable Supplier<Mono<TokenUsage>> billed) {
        return Flux.defer(() -> {
            MessagesStreamTranslator translator = new MessagesStreamTranslator(json, messageId, model);
            return events.concatMapIterable(translator::on)
                .concatWith(Flux.defer(() -> (billed != null ? billed.get() : Mono.just(translator.lastUsage()))
                    .flatMapIterable(translator::end)));
        });
    }

    List<byte[]> on(ChatStreamEvent event) {
        List<byte[]> frames = new ArrayList<>(3);
        if (event instanceof ChatStreamEvent.Usage report) {
            usage = report.usage();
            start(frames);
        }
        else if (event instanceof ChatStreamEvent.Chunk chunk) {
            start(frames);
            if (chunk.stopSequence() != null) {
                stopSequence = chunk.stopSequence();
            }
            for (JsonNode choice : chunk.chunk().path("choices")) {
                if (choice.path("index").asInt(0) == 0) {
                    delta(choice.path("delta"), frames);
                    if (choice.path("finish_reason").isString()) {
                        finishReason = choice.path("finish_reason").stringValue();
                    }
                }
            }
        }
        return frames;
    }

    private TokenUsage lastUsage() {
        TokenUsage last = usage;
        return last != null ? last : TokenUsage.NONE;
    }

    /** The frames that close the message once the pipeline's stream has completed, billed for this usage. */
    List<byte[]> end(TokenUsage billed) {
        List<byte[]> frames = new ArrayList<>(4);
        start(frames);
        closeBlock(frames);
        ObjectNode delta = json.createObjectNode();
        delta.put("type", "message_delta");
        MessagesResponseTranslator.stop(delta.putObject("delta"),
                MessagesResponseTranslator.finishWithTools(finishReason, !toolBlocks.isEmpty()), stopSequence);
        MessagesResponseTranslator.usage(delta.putObject("usage"), billed);
        frames.add(frame("message_delta", delta));
        frames.add(frame("message_stop", json.createObjectNode().put("type", "message_stop")));
        return frames;
    }

    private void start(List<byte[]> frames) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode event = json.createObjectNode();
        event.put("type", "message_start");
        ObjectNode message = event.putObject("message");
        message.put("id", messageId);
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model.get());
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        MessagesResponseTranslator.usage(message.putObject("usage"), usage != null ? usage : TokenUsage.NONE);
        frames.add(frame("message_start", event));
    }

    private void delta(JsonNode delta, List<byte[]> frames) {
        for (String field : List.of("content", "refusal")) {
            JsonNode text = delta.path(field);
            if (text.isString() && !text.stringValue().isEmpty()) {
                if (openBlock < 0 || !openIsText) {
                    ObjectNode block = json.createObjectNode().put("type", "text").put("text", "");
                    openBlock(block, true, frames);
                }
                ObjectNode textDelta = json.createObjectNode().put("type", "text_delta")
                    .put("text", text.stringValue());
                frames.add(blockDelta(openBlock, textDelta));
            }
        }
        JsonNode calls = delta.path("tool_calls");
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            // As StreamedAnswer reads them: a call without an index is the one at its place in the delta, and a call
            // with an id of its own is a new call even at an index already used (servers that number every call 0).
            int index = call.path("index").asInt(i);
            String id = call.path("id").asString(null);
            Integer block = toolBlocks.get(index);
            if (block != null && id != null && !id.equals(toolIds.get(index))) {
                block = null;
            }
            if (block == null) {
                ObjectNode toolUse = json.createObjectNode();
                toolUse.put("type", "tool_use");
                toolUse.put("id", call.path("id").asString(messageId + "_tool_" + index));
                toolUse.put("name", call.path("function").path("name").asString());
                toolUse.putObject("input");
                block = openBlock(toolUse, false, frames);
                toolBlocks.put(index, block);
                toolIds.put(index, toolUse.path("id").stringValue());
            }
            String arguments = call.path("function").path("arguments").asString("");
            if (!arguments.isEmpty()) {
                ObjectNode jsonDelta = json.createObjectNode().put("type", "input_json_delta")
                    .put("partial_json", arguments);
                frames.add(blockDelta(block, jsonDelta));
            }
        }
    }

    private int openBlock(ObjectNode contentBlock, boolean text, List<byte[]> frames) {
        closeBlock(frames);
        openBlock = nextBlock++;
        openIsText = text;
        ObjectNode event = json.createObjectNode();
        event.put("type", "content_block_start");
        event.put("index", openBlock);
        event.set("content_block", contentBlock);
        frames.add(frame("content_block_start", event));
        return openBlock;
    }

    private void closeBlock(List<byte[]> frames) {
        if (openBlock >= 0) {
            frames.add(frame("content_block_stop",
                    json.createObjectNode().put("type", "content_block_stop").put("index", openBlock)));
            openBlock = -1;
        }
    }

    private byte[] blockDelta(int index, ObjectNode delta) {
        ObjectNode event = json.createObjectNode();
        event.put("type", "content_block_delta");
        event.put("index", index);
        event.set("delta", delta);
        return frame("content_block_delta", event);
    }

    private byte[] frame(String event, ObjectNode data) {
        return frame(json, event, data);
    }

    /** One event as Anthropic writes it: {@code event: <name>\ndata: <json>\n\n}. */
    static byte[] frame(JsonMapper json, String event, ObjectNode data) {
        return ("event: " + event + "\ndata: " + json.writeValueAsString(data) + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
    }

}
