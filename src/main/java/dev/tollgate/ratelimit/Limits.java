package dev.tollgate.ratelimit;

import org.jspecify.annotations.Nullable;

/**
 * The limits of one scope (a key or a tenant) per window; 0 means no limit of that kind.
 *
 * @param requests requests per window
 * @param tokens tokens per window
 */
record Limits(long requests, long tokens) {

    static final Limits NONE = new Limits(0, 0);

    static Limits of(@Nullable Long requests, @Nullable Long tokens) {
        return new Limits(requests == null ? 0 : requests, tokens == null ? 0 : tokens);
    }

    boolean any() {
        return requests > 0 || tokens > 0;
    }

    long of(Kind kind) {
        return kind == Kind.REQUESTS ? requests : tokens;
    }

    /** The two things counted: requests and tokens, named as OpenAI's headers and error types name them. */
    enum Kind {

        REQUESTS("requests", "RPM"), TOKENS("tokens", "TPM");

        private final String wireName;

        private final String abbreviation;

        /** OpenAI's header names for this kind, made once rather than on every answer. */
        final String limitHeader;

        final String remainingHeader;

        final String resetHeader;

        Kind(String wireName, String abbreviation) {
            this.wireName = wireName;
            this.abbreviation = abbreviation;
            this.limitHeader = "x-ratelimit-limit-" + wireName;
            this.remainingHeader = "x-ratelimit-remaining-" + wireName;
            this.resetHeader = "x-ratelimit-reset-" + wireName;
        }

        String wireName() {
            return wireName;
        }

        String abbreviation() {
            return abbreviation;
        }

    }

}
