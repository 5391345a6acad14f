package dev.tollgate.account;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.tollgate.common.ApiException;

/**
 * Limits sign-ups and log-ins per client address, so that nobody can guess passwords at speed, nor make the server
 * hash passwords (a BCrypt hash costs tens of milliseconds of a core) for as long as they care to send requests.
 *
 * <p>A generic cell rate algorithm: each address has a theoretical time at which its next attempt is due, pushed one
 * interval (a minute over the limit) later by every attempt; an attempt is refused while that time lies more than a
 * minute ahead. So an address may make the whole minute's attempts at once, then one per interval. Counts live in
 * this instance's memory (each replica counts for itself) and are forgotten a minute after an address's last attempt.
 */
@Component
final class SignInThrottle {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final long windowNanos;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Cache<String, AtomicLong> dueAt;

    @Autowired
    SignInThrottle(SignInProperties properties) {
        this(properties.attemptsPerMinute(), System::nanoTime);
    }

    SignInThrottle(int attemptsPerMinute, LongSupplier nanoClock) {
        this.windowNanos = WINDOW.toNanos();
        this.intervalNanos = attemptsPerMinute == 0 ? 0 : windowNanos / attemptsPerMinute;
        this.nanoClock = nanoClock;
        this.dueAt = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(WINDOW).build();
    }

    /**
     * Counts an attempt from this address.
     * @throws ApiException a 429 with {@code Retry-After} when the address has used up its attempts (nothing counted)
     */
    void admit(@Nullable InetSocketAddress client) {
        if (intervalNanos == 0) {
            return;
        }
        AtomicLong due = dueAt.get(addressKey(client), key -> new AtomicLong(nanoClock.getAsLong()));
        long now = nanoClock.getAsLong();
        while (true) {
            long current = due.get();
            long start = current - now > 0 ? current : now;
            long early = start + intervalNanos - now - windowNanos;
            if (early > 0) {
                throw tooManyAttempts(Duration.ofNanos(early));
            }
            if (due.compareAndSet(current, start + intervalNanos)) {
                return;
            }
        }
    }

    /** The address attempts are counted by: an IPv6 client can change the last 64 bits at will. */
    static String addressKey(@Nullable InetSocketAddress client) {
        InetAddress address = client != null ? client.getAddress() : null;
        if (address == null) {
            return client != null ? client.getHostString() : "unknown";
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        }
        return address.getHostAddress();
    }

    private static ApiException tooManyAttempts(Duration retry) {
        long seconds = Math.max(1, (retry.toMillis() + 999) / 1000);
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "requests", "rate_limit_exceeded",
                "Too many sign-in attempts from this address. Please try again in " + seconds + "s.", null,
                Map.of("Retry-After", Long.toString(seconds)), null);
    }

}
