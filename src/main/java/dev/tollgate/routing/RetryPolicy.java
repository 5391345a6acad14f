package dev.tollgate.routing;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Component;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamHttp;

/**
 * What to do after a provider attempt failed, before anything reached the client: try the same route again (after a
 * jittered exponential backoff, or the provider's {@code Retry-After} when it is short), move on to the next route,
 * or give up. A request the provider found invalid (400) is never retried nor sent elsewhere; one it did not answer
 * within its timeout is sent elsewhere, not again.
 */
@Component
public class RetryPolicy {

    private final RoutingProperties properties;

    RetryPolicy(RoutingProperties properties) {
        this.properties = properties;
    }

    /**
     * @param error the attempt's failure
     * @param attemptsOnRoute how many attempts this route has had, the failed one included
     */
    public Decision decide(Throwable error, int attemptsOnRoute) {
        if (!(error instanceof ApiException api)) {
            return Decision.giveUp();
        }
        if (!(error instanceof UpstreamException upstream)) {
            // Tollgate refused this route itself (not configured, credits for a fallback model): the next may do.
            return api.status().value() == 503 || api.status().value() == 402 ? Decision.nextRoute()
                    : Decision.giveUp();
        }
        int status = upstream.upstreamStatus();
        // The request itself refused: no route of this model takes it, but another model may (a prompt too long for
        // one fits the next's context, as OpenRouter's fallbacks have it). Not a refusal Tollgate answers as its own
        // gateway error (Gemini's invalid API key comes as a 400): another route may well work.
        if ((status == 400 || status == 413 || status == 422) && upstream.status().is4xxClientError()) {
            return Decision.nextModel();
        }
        if (upstream.anotherKeyFree()
                && attemptsOnRoute < properties.attemptsPerRoute() + UpstreamHttp.MAX_KEY_SWITCHES) {
            // Not the provider's failure but one key's, and another is free now: no wait, and beyond the route's
            // tries if need be (bounded all the same, should keys keep failing in turn).
            return Decision.retryAfter(Duration.ZERO);
        }
        if (!upstream.retryable()) {
            // Bad upstream credentials, an unknown upstream model, a provider without a key: another route may work.
            return Decision.nextRoute();
        }
        if (status == 0 && "upstream_timeout".equals(upstream.code())) {
            // The route let the whole timeout pass with the request in hand, and may still be working on it (and
            // billing it): asking it again would double both the wait and the provider's cost. Another route may not.
            return Decision.nextRoute();
        }
        Duration retryAfter = upstream.retryAfter();
        if (attemptsOnRoute >= properties.attemptsPerRoute()
                || (retryAfter != null && retryAfter.compareTo(properties.maxRetryAfter()) > 0)) {
            return Decision.nextRoute();
        }
        Duration backoff = jittered(attemptsOnRoute);
        return Decision.retryAfter(retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff);
    }

    /** Whether a failure says something about the provider's health (and so counts against its circuit breaker). */
    public static boolean isProviderFault(Throwable error) {
        if (!(error instanceof UpstreamException upstream)) {
            return false;
        }
        int status = upstream.upstreamStatus();
        return status == 0 || status == 408 || status >= 500;
    }

    private Duration jittered(int attempt) {
        long cap = Math.min(properties.maxBackoff().toMillis(),
                properties.backoff().toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    }

    /** Retry this route after a wait, try the next route, or give up. */
    public record Decision(Kind kind, Duration delay) {

        static Decision retryAfter(Duration delay) {
            return new Decision(Kind.RETRY, delay);
        }

        static Decision nextRoute() {
            return new Decision(Kind.NEXT_ROUTE, Duration.ZERO);
        }

        static Decision nextModel() {
            return new Decision(Kind.NEXT_MODEL, Duration.ZERO);
        }

        static Decision giveUp() {
            return new Decision(Kind.GIVE_UP, Duration.ZERO);
        }

        public enum Kind {

            RETRY, NEXT_ROUTE,
            /** The first route of the next fallback model, if the request named one; else give up. */
            NEXT_MODEL,
            GIVE_UP

        }

    }

}
