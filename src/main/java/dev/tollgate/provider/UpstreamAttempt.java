package dev.tollgate.provider;

import org.jspecify.annotations.Nullable;

/**
 * What the shared HTTP layer learns during one provider attempt that routing wants to log: which upstream key was
 * used and what status the provider answered. Routing gives one to each attempt's {@link ChatCall}; adapters hand it
 * to {@link UpstreamHttp} untouched.
 */
public final class UpstreamAttempt {

    private final @Nullable String traceparent;
    private volatile int keyIndex = -1;
    private volatile int status;

    public UpstreamAttempt() {
        this(null);
    }

    /**
     * @param traceparent the W3C trace context passed on to the provider: the client's trace, with Tollgate's span
     *     as the parent when tracing is on
     */
    public UpstreamAttempt(@Nullable String traceparent) {
        this.traceparent = traceparent;
    }

    @Nullable String traceparent() {
        return traceparent;
    }

    /** The index of the key in {@code api-keys}, or -1 when none was used. */
    public int keyIndex() {
        return keyIndex;
    }

    /** The provider's HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    void usedKey(int index) {
        this.keyIndex = index;
    }

    void answered(int status) {
        this.status = status;
    }

}
