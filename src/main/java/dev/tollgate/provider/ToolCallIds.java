package dev.tollgate.provider;

import java.util.Base64;
import java.util.regex.Pattern;

import dev.tollgate.common.Sha256;

/**
 * Tool-call ids that every provider takes. A conversation may carry ids another provider issued: Gemini's, as Tollgate
 * hands them out, hold a thought signature (base64 with {@code +}, {@code /} and {@code =}, hundreds of characters),
 * which Anthropic refuses ({@code tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'}) and OpenAI has refused
 * above 40 characters ({@code string_above_max_length}). Such an id is replaced by a digest of it, the same on the
 * call and on its result, so that the two still pair up; an id that fits goes as it came.
 */
public final class ToolCallIds {

    private static final Pattern PORTABLE = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    private ToolCallIds() {
    }

    public static String portable(String id) {
        if (PORTABLE.matcher(id).matches()) {
            return id;
        }
        return "call_" + Base64.getUrlEncoder().withoutPadding().encodeToString(Sha256.of(id)).substring(0, 32);
    }

    public static boolean isPortable(String id) {
        return PORTABLE.matcher(id).matches();
    }

}
