package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.RelayedChunk;
import dev.tollgate.provider.SseEvent;
import dev.tollgate.provider.UpstreamException;

/**
 * Decodes one SSE {@code data} payload of an OpenAI stream. Usage arrives as a snapshot on the final chunk (whose
 * {@code choices} is empty) when {@code include_usage} was asked for; some compatible servers put it on the last
 * content chunk instead, so it is split off wherever it appears. Stateless: one instance serves every stream.
 */
final class OpenAiStreamDecoder {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final JsonMapper json;
    private final OpenAiChunkScanner scanner;
    private final String provider;

    OpenAiStreamDecoder(JsonMapper json, String provider) {
        this.json = json;
        this.scanner = new OpenAiChunkScanner(json);
        this.provider = provider;
    }

    /**
     * What one stream has shown of its end: OpenAI's {@code [DONE]}, or every choice's {@code finish_reason} (for a
     * compatible server that leaves {@code [DONE]} out). A stream that ends cleanly without either was cut short, and
     * used to be relayed as a whole answer ending in {@code [DONE]}, its call recorded as completed; with {@code n}
     * answers, so was one cut after the first of them finished.
     */
    static final class Ending {

        private final int choices;
        private @Nullable Set<Integer> finished;
        private boolean seen;
        /** [DONE] came: nothing after it is read, and the connection ending badly after it breaks nothing. */
        private boolean done;

        /** @param choices how many answers the stream carries ({@code n}) */
        Ending(int choices) {
            this.choices = Math.max(1, choices);
        }

        /** For the {@code n} of the request: 1 when it has none. */
        static Ending of(JsonNode request) {
            return new Ending(request.path("n").asInt(1));
        }

        private void noteFinishes(ChatStreamEvent.Chunk chunk) {
            if (chunk.finishReason() == null) {
                return;
            }
            if (choices == 1) {
                seen = true;
                return;
            }
            // Rare (n > 1): the chunk is read again as a tree to see which of the choices finished.
            Set<Integer> done = finished == null ? finished = new HashSet<>() : finished;
            for (JsonNode choice : chunk.readTree().path("choices")) {
                if (choice.path("finish_reason").isString()) {
                    done.add(choice.path("index").asInt(0));
                }
            }
            seen = done.size() >= choices;
        }
    }

    /** {@link #decode(byte[])}, noting the stream's end as it shows. */
    List<ChatStreamEvent> decode(byte @Nullable [] bytes, Ending ending) {
        if (ending.done) {
            return List.of();
        }
        if (SseEvent.isMarker(bytes, DONE)) {
            ending.seen = true;
            ending.done = true;
            return List.of();
        }
        List<ChatStreamEvent> events = decode(bytes);
        for (int i = 0; i < events.size() && !ending.seen; i++) {
            if (events.get(i) instanceof ChatStreamEvent.Chunk chunk) {
                ending.noteFinishes(chunk);
            }
        }
        return events;
    }

    /**
     * The stream's events, then nothing once the stream showed its end, or the error of a stream cut short. A
     * connection that ends badly after [DONE] (cut before the body's last bytes) leaves the answer whole.
     */
    Flux<ChatStreamEvent> ended(Flux<ChatStreamEvent> events, Ending ending) {
        return events.onErrorResume(error -> ending.done ? Flux.empty() : Flux.error(error))
            .concatWith(Mono.defer(() -> ending.seen ? Mono.empty()
                : Mono.error(UpstreamException.malformed(provider, "a stream that ended before [DONE]"))));
    }

    List<ChatStreamEvent> decode(byte @Nullable [] bytes) {
        if (SseEvent.isBlank(bytes) || SseEvent.isMarker(bytes, DONE)) {
            return List.of();
        }
        JsonNode node;
        try {
            // Most chunks are relayed as the provider's bytes; only the rest are read as a tree.
            RelayedChunk relayed = scanner.scan(bytes);
            if (relayed != null) {
                return List.of(new ChatStreamEvent.Chunk(relayed));
            }
            node = json.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a stream event that is not JSON");
        }
        if (!(node instanceof ObjectNode chunk)) {
            throw UpstreamException.malformed(provider, "a stream event that is not a JSON object");
        }
        if (chunk.has("error")) {
            JsonNode message = chunk.path("error").path("message");
            throw UpstreamException.fromStatus(provider, 502, message.isString() ? message.stringValue() : null, null);
        }
        JsonNode usage = chunk.remove("usage");
        boolean hasChoices = chunk.path("choices").isArray() && !chunk.path("choices").isEmpty();
        if (usage != null && usage.isObject()) {
            ChatStreamEvent.Usage usageEvent = new ChatStreamEvent.Usage(OpenAiUsage.from(usage, provider));
            return hasChoices ? List.of(new ChatStreamEvent.Chunk(chunk), usageEvent) : List.of(usageEvent);
        }
        return hasChoices ? List.of(new ChatStreamEvent.Chunk(chunk)) : List.of();
    }

}
