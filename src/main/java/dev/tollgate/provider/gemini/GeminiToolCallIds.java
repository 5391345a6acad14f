package dev.tollgate.provider.gemini;

import org.jspecify.annotations.Nullable;

import dev.tollgate.common.SecureIds;

/**
 * OpenAI tool-call ids for Gemini's function calls. Gemini rarely gives a call an id, and it may attach a
 * {@code thoughtSignature} that must come back on the same call in the next request (Gemini 3 refuses function
 * calling without it: https://ai.google.dev/gemini-api/docs/thought-signatures). OpenAI clients echo the tool-call
 * id, and nothing else, so the signature travels inside the id.
 */
final class GeminiToolCallIds {

    private static final String SIGNATURE = "__thought__";

    private GeminiToolCallIds() {
    }

    static String create(@Nullable String geminiId, @Nullable String thoughtSignature) {
        String id = geminiId != null && !geminiId.isBlank() ? geminiId : "call_" + SecureIds.hex(12);
        return thoughtSignature == null || thoughtSignature.isEmpty() ? id : id + SIGNATURE + thoughtSignature;
    }

    /** The thought signature carried by a tool-call id this class created, or null. */
    static @Nullable String thoughtSignature(String toolCallId) {
        int at = toolCallId.indexOf(SIGNATURE);
        return at < 0 ? null : toolCallId.substring(at + SIGNATURE.length());
    }

}
