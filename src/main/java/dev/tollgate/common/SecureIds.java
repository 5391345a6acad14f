package dev.tollgate.common;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Random identifiers and secrets from one DRBG instance. {@code UUID.randomUUID()} and the default
 * {@code SecureRandom} read {@code /dev/urandom} on every call, a blocking read that must not run on an event loop;
 * a DRBG reads its seed once and then generates in memory.
 */
public final class SecureIds {

    private static final SecureRandom RANDOM = newDrbg();

    private SecureIds() {
    }

    /** A random (version 4) UUID. */
    public static UUID uuid() {
        byte[] bytes = bytes(16);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (bytes[i] & 0xff);
            lsb = (lsb << 8) | (bytes[i + 8] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    /** {@code n} random bytes as lowercase hex. */
    public static String hex(int n) {
        return HexFormat.of().formatHex(bytes(n));
    }

    public static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static SecureRandom newDrbg() {
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG");
            random.nextBytes(new byte[1]);
            return random;
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every JDK 9+ ships DRBG", ex);
        }
    }

}
