package dev.tollgate.metering;

import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * Generation ids: time-ordered UUIDs (version 7 layout, so the request log's primary key grows at its right edge),
 * shown to clients as {@code gen-} followed by 32 hex digits.
 */
public final class GenerationIds {

    public static final String PREFIX = "gen-";

    private static final HexFormat HEX = HexFormat.of();

    private GenerationIds() {
    }

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    public static String format(UUID id) {
        return PREFIX + HEX.toHexDigits(id.getMostSignificantBits()) + HEX.toHexDigits(id.getLeastSignificantBits());
    }

    /** The UUID behind a {@code gen-…} id, or null when the text is not one. */
    public static @Nullable UUID parse(@Nullable String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() != PREFIX.length() + 32) {
            return null;
        }
        String hex = text.substring(PREFIX.length());
        try {
            return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16),
                    Long.parseUnsignedLong(hex.substring(16), 16));
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

}
