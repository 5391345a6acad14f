package dev.tollgate.account;

import dev.tollgate.common.SecureIds;

/**
 * The format of Tollgate API keys: {@code sk-tg-v1-} followed by 64 lowercase hex digits (32 random bytes).
 * Only a SHA-256 of the key and a short display prefix are ever stored.
 */
final class ApiKeyTokens {

    static final String SCHEME = "sk-tg-v1-";

    static final int RANDOM_BYTES = 32;

    private static final int DISPLAY_HEX_DIGITS = 6;

    private ApiKeyTokens() {
    }

    static String newKey() {
        return SCHEME + SecureIds.hex(RANDOM_BYTES);
    }

    static String newSessionToken() {
        return SecureIds.hex(RANDOM_BYTES);
    }

    /** The part of a key shown in lists, enough to tell keys apart and useless for calling. */
    static String displayPrefix(String key) {
        return key.substring(0, SCHEME.length() + DISPLAY_HEX_DIGITS);
    }

    /** Cheap shape check, so that garbage never reaches the cache or the database. */
    static boolean hasKeyShape(String candidate) {
        if (candidate.length() != SCHEME.length() + RANDOM_BYTES * 2 || !candidate.startsWith(SCHEME)) {
            return false;
        }
        for (int i = SCHEME.length(); i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

}
