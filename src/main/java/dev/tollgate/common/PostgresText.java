package dev.tollgate.common;

import org.jspecify.annotations.Nullable;

/**
 * Text as PostgreSQL stores it. Its {@code text} type cannot hold the NUL character (U+0000), which JSON can carry
 * ({@code "\u0000"}) in anything a client or a provider sends: a model name, an error message, a finish reason. A
 * statement binding one fails whole, so text bound from such sources goes through {@link #storable}.
 */
public final class PostgresText {

    /** What stands for a NUL: Unicode's replacement character, as a decoder writes for what it cannot represent. */
    static final char REPLACEMENT = '\uFFFD';

    private PostgresText() {
    }

    /** The text with each NUL replaced by U+FFFD; the same instance when it has none (nearly always). */
    public static @Nullable String storable(@Nullable String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', REPLACEMENT);
    }

}
