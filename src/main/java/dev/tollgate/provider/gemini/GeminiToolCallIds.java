package dev.tollgate.provider.gemini;

import org.jspecify.annotations.Nullable;

import dev.tollgate.common.SecureIds;

/**
 * OpenAI tool-call ids for Gemini's function calls. OpenAI clients echo a tool call's id, and nothing else, so what
 * Gemini needs back travels inside it:
 * <ul>
 * <li>the call's own {@code id}, when Gemini gave one (Gemini 3 does): it must come back on the call and on its
 * {@code functionResponse}. Marked with {@value #GEMINI_ID}, so that ids Gemini never issued (Tollgate's own
 * {@code call_…}, another provider's) are not sent to it as its own;</li>
 * <li>the {@code thoughtSignature} that must come back on the same call in the next request (Gemini 3 refuses function
 * calling without it: https://ai.google.dev/gemini-api/docs/thought-signatures).</li>
 * </ul>
 */
final class GeminiToolCallIds {

    private static final String GEMINI_ID = "gemini_";

    private static final String SIGNATURE = "__thought__";

    private GeminiToolCallIds() {
    }

    static String create(@Nullable String geminiId, @Nullable String thoughtSignature) {
        String id = geminiId != null && !geminiId.isBlank() ? GEMINI_ID + geminiId : "call_" + SecureIds.hex(12);
        return thoughtSignature == null || thoughtSignature.isEmpty() ? id : id + SIGNATURE + thoughtSignature;
    }

    /** The thought signature carried by a tool-call id this class created, or null. */
    static @Nullable String thoughtSignature(String toolCallId) {
        int at = toolCallId.indexOf(SIGNATURE);
        return at < 0 ? null : toolCallId.substring(at + SIGNATURE.length());
    }

    /** Gemini's own id of the call, carried by a tool-call id this class created, or null when Gemini gave none. */
    static @Nullable String geminiId(String toolCallId) {
        if (!toolCallId.startsWith(GEMINI_ID)) {
            return null;
        }
        int end = toolCallId.indexOf(SIGNATURE);
        String id = toolCallId.substring(GEMINI_ID.length(), end < 0 ? toolCallId.length() : end);
        return id.isEmpty() ? null : id;
    }

}
