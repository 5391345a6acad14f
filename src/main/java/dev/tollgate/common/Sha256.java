package dev.tollgate.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of secrets (API keys, session tokens) that Tollgate stores only as hashes, and of cached requests. */
public final class Sha256 {

    /**
     * Never updated, only copied: a clone skips the provider lookup {@link MessageDigest#getInstance} does, which cost
     * three times the hash itself on every call's key (benchmark profile, README "Benchmarks").
     */
    private static final MessageDigest PROTOTYPE = newDigest();

    private Sha256() {
    }

    public static byte[] of(String text) {
        return copy().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] of(byte[] bytes) {
        return copy().digest(bytes);
    }

    private static MessageDigest copy() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        }
        catch (CloneNotSupportedException ex) {
            return newDigest();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every JDK ships SHA-256", ex);
        }
    }

}
