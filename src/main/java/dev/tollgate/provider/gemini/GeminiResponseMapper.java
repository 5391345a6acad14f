package dev.tollgate.provider.gemini;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

/**
 * A {@code generateContent} answer → an OpenAI {@code chat.completion}: one choice per candidate, text parts joined
 * as the message content, thought summaries as OpenRouter's {@code reasoning}, function calls as {@code tool_calls}.
 * A prompt Gemini blocked (no candidates, a {@code promptFeedback.blockReason}) is a 400 {@code content_filter} error.
 */
final class GeminiResponseMapper {

    private final JsonMapper json;
    private final String provider;

    GeminiResponseMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    ChatCompletion toCompletion(byte[] bytes) {
        GeminiResponse response = read(bytes);
        if (response.candidateList().isEmpty()) {
            throw noCandidates(response);
        }
        ObjectNode body = json.createObjectNode();
        body.put("id", response.responseId() != null ? response.responseId() : "");
        body.put("object", "chat.completion");
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("model", response.modelVersion() != null ? response.modelVersion() : "");
        ArrayNode choices = body.putArray("choices");
        for (int i = 0; i < response.candidateList().size(); i++) {
            GeminiResponse.Candidate candidate = response.candidateList().get(i);
            ObjectNode choice = choices.addObject();
            choice.put("index", candidate.index() != null ? candidate.index() : i);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            StringBuilder text = new StringBuilder();
            StringBuilder reasoning = new StringBuilder();
            ArrayNode toolCalls = json.createArrayNode();
            for (GeminiResponse.Part part : candidate.partList()) {
                if (part.functionCall() != null) {
                    toolCalls.add(toolCall(part, null));
                }
                else if (part.text() != null) {
                    (part.isThought() ? reasoning : text).append(part.text());
                }
            }
            if (text.isEmpty()) {
                message.putNull("content");
            }
            else {
                message.put("content", text.toString());
            }
            if (!reasoning.isEmpty()) {
                message.put("reasoning", reasoning.toString());
            }
            if (!toolCalls.isEmpty()) {
                message.set("tool_calls", toolCalls);
            }
            choice.put("finish_reason", finishReason(candidate.finishReason(), !toolCalls.isEmpty()));
        }
        TokenUsage usage = response.usageMetadata() != null ? GeminiUsage.from(response.usageMetadata(), provider)
                : TokenUsage.NONE;
        return new ChatCompletion(body, usage);
    }

    GeminiResponse read(byte[] bytes) {
        try {
            return json.readValue(bytes, GeminiResponse.class);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a body that is not a Gemini response");
        }
    }

    GeminiResponse readEvent(byte[] data) {
        try {
            return json.readValue(data, GeminiResponse.class);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a stream event that is not a Gemini response");
        }
    }

    /** An OpenAI tool call for a function-call part; {@code index} is set for stream deltas only. */
    ObjectNode toolCall(GeminiResponse.Part part, @Nullable Integer index) {
        GeminiResponse.FunctionCall call = part.functionCall();
        ObjectNode toolCall = json.createObjectNode();
        if (index != null) {
            toolCall.put("index", index);
        }
        toolCall.put("id", GeminiToolCallIds.create(call.id(), part.thoughtSignature()));
        toolCall.put("type", "function");
        toolCall.putObject("function")
            .put("name", call.name())
            .put("arguments", call.args() != null ? json.writeValueAsString(call.args()) : "{}");
        return toolCall;
    }

    /** Why an answer without candidates came: a blocked prompt (400, content_filter), or nothing sensible. */
    UpstreamException noCandidates(GeminiResponse response) {
        String blockReason = response.promptFeedback() != null ? response.promptFeedback().blockReason() : null;
        if (blockReason != null) {
            return new UpstreamException(HttpStatus.BAD_REQUEST, "content_filter", "Provider " + provider
                    + " blocked the prompt (" + blockReason + "); nothing was generated.", 200, false, null, null);
        }
        return UpstreamException.malformed(provider, "an answer without candidates");
    }

    /**
     * Gemini's finish reasons in OpenAI's words. A turn that called functions ends with STOP in Gemini and
     * {@code tool_calls} in OpenAI. Reasons OpenAI has no word for (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL…)
     * end as {@code stop}, which every client understands.
     */
    static @Nullable String finishReason(@Nullable String gemini, boolean calledTools) {
        if (gemini == null) {
            return null;
        }
        return switch (gemini) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> "content_filter";
            default -> calledTools ? "tool_calls" : "stop";
        };
    }

}
