package dev.tollgate.provider.gemini;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.SseEvent;
import dev.tollgate.provider.UpstreamException;

/**
 * Decodes the events of one {@code streamGenerateContent?alt=sse} stream into OpenAI chunks. Gemini's SSE has data
 * lines only and no {@code [DONE]}: the stream ends with the body, after every candidate asked for ({@code n}) has had
 * an event carrying its {@code finishReason}. Each
 * event repeats the cumulative {@code usageMetadata}, so each becomes a usage report and the last one wins. A function
 * call arrives whole in one part and becomes one tool-call delta. Holds per-stream state (role sent, tool-call
 * indexes): create one per stream.
 */
final class GeminiStreamDecoder {

    private final GeminiResponseMapper responses;
    private final GeminiErrorMapper errors;
    private final JsonMapper json;
    private final String provider;
    private final long created = System.currentTimeMillis() / 1000;
    private final Map<Integer, CandidateState> candidates = new HashMap<>();
    private final int expected;
    private int finished;

    GeminiStreamDecoder(JsonMapper json, String provider, GeminiResponseMapper responses, GeminiErrorMapper errors) {
        this(json, provider, responses, errors, 1);
    }

    /** @param expected the candidates asked for ({@code n}): the stream has ended once each of them has finished */
    GeminiStreamDecoder(JsonMapper json, String provider, GeminiResponseMapper responses, GeminiErrorMapper errors,
            int expected) {
        this.expected = Math.max(1, expected);
        this.json = json;
        this.provider = provider;
        this.responses = responses;
        this.errors = errors;
    }

    /** The whole stream: each event's data decoded in order, and a check at the end that it finished. */
    Flux<ChatStreamEvent> decode(Flux<byte[]> data) {
        return data.concatMapIterable(this::decode).concatWith(Flux.defer(() -> Flux.fromIterable(end())));
    }

    List<ChatStreamEvent> decode(byte @Nullable [] data) {
        if (SseEvent.isBlank(data)) {
            return List.of();
        }
        GeminiResponse event = responses.readEvent(data);
        if (event.error() != null) {
            throw errors.fromStreamError(event.error());
        }
        if (event.candidateList().isEmpty() && event.promptFeedback() != null
                && event.promptFeedback().blockReason() != null) {
            throw responses.noCandidates(event);
        }
        List<ChatStreamEvent> decoded = new ArrayList<>(2);
        ArrayNode choices = json.createArrayNode();
        for (int i = 0; i < event.candidateList().size(); i++) {
            ObjectNode choice = choice(event.candidateList().get(i), i);
            if (choice != null) {
                choices.add(choice);
            }
        }
        // The usage first: Gemini's first event already counts the prompt, and a client of Tollgate's Messages API
        // wants that count in its message_start, which the first chunk opens (as Anthropic's own stream gives it).
        if (event.usageMetadata() != null) {
            decoded.add(new ChatStreamEvent.Usage(GeminiUsage.from(event.usageMetadata(), provider)));
        }
        if (!choices.isEmpty()) {
            ObjectNode chunk = json.createObjectNode();
            chunk.put("id", event.responseId() != null ? event.responseId() : "");
            chunk.put("object", "chat.completion.chunk");
            chunk.put("created", created);
            chunk.put("model", event.modelVersion() != null ? event.modelVersion() : "");
            chunk.set("choices", choices);
            decoded.add(new ChatStreamEvent.Chunk(chunk));
        }
        return decoded;
    }

    /**
     * Called when the body has ended: a stream that never said how it finished (how each of its candidates did) was
     * cut short, even if the connection closed cleanly.
     */
    List<ChatStreamEvent> end() {
        if (finished < expected) {
            throw UpstreamException.malformed(provider, "a stream that ended before its finish reason");
        }
        return List.of();
    }

    private @Nullable ObjectNode choice(GeminiResponse.Candidate candidate, int position) {
        int index = candidate.index() != null ? candidate.index() : position;
        CandidateState state = candidates.computeIfAbsent(index, key -> new CandidateState());
        ObjectNode delta = json.createObjectNode();
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode toolCalls = json.createArrayNode();
        for (GeminiResponse.Part part : candidate.partList()) {
            if (part.functionCall() != null) {
                toolCalls.add(responses.toolCall(part, state.toolCalls++));
            }
            else if (part.text() != null) {
                (part.isThought() ? reasoning : text).append(part.text());
            }
        }
        if (!text.isEmpty()) {
            delta.put("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            delta.put("reasoning", reasoning.toString());
        }
        if (!toolCalls.isEmpty()) {
            delta.set("tool_calls", toolCalls);
        }
        String finishReason = GeminiResponseMapper.finishReason(candidate.finishReason(), state.toolCalls > 0);
        if (delta.isEmpty() && finishReason == null) {
            return null;
        }
        if (!state.roleSent) {
            // OpenAI's first delta of a choice names the role; put it first, as OpenAI does.
            ObjectNode withRole = json.createObjectNode().put("role", "assistant");
            withRole.setAll(delta);
            delta = withRole;
            state.roleSent = true;
        }
        ObjectNode choice = json.createObjectNode();
        choice.put("index", index);
        choice.set("delta", delta);
        if (finishReason != null) {
            choice.put("finish_reason", finishReason);
            if (!state.finished) {
                state.finished = true;
                finished++;
            }
        }
        else {
            choice.putNull("finish_reason");
        }
        return choice;
    }

    private static final class CandidateState {

        private boolean roleSent;
        private int toolCalls;
        private boolean finished;

    }

}
