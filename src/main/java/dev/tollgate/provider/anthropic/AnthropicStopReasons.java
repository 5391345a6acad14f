package dev.tollgate.provider.anthropic;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Anthropic's {@code stop_reason} as OpenAI's {@code finish_reason}. */
final class AnthropicStopReasons {

    private AnthropicStopReasons() {
    }

    /** The finish reason for a stop reason; null stays null (the message is not finished). */
    static @Nullable String finishReason(@Nullable String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            // end_turn, stop_sequence, pause_turn (a server tool paused the turn) and any later addition
            default -> "stop";
        };
    }

    /**
     * The stop sequence a message (or a stream's {@code message_delta}'s delta) says ended it: its
     * {@code stop_sequence} when {@code stop_reason} is {@code stop_sequence}; null otherwise.
     */
    static @Nullable String stopSequence(JsonNode stopped) {
        JsonNode sequence = stopped.path("stop_sequence");
        return "stop_sequence".equals(stopped.path("stop_reason").asString(null)) && sequence.isString()
                ? sequence.stringValue() : null;
    }

}
