package dev.tollgate.metering;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.tollgate.common.Money;

/**
 * The markup rules in force, by scope. The most specific one wins: tenant and model, tenant, model, then global.
 */
final class MarkupRules {

    /** A markup of -1: the tenant pays nothing. */
    static final long MIN_PPM = -1_000_000L;

    /**
     * A markup of 100 (10,000 %): a charge 101 times the cost. At the dearest price ({@code ModelPrice.MAX_PER_MTOK})
     * and the most tokens a call counts, a charge with it still fits a long; a markup without bound wrapped the
     * charge's factor round to a negative (every call free) or threw after the answer.
     */
    static final long MAX_PPM = 100_000_000L;

    /**
     * A markup given as a fraction ({@code 0.05} for 5 %) in parts per million.
     *
     * @param refusal what is thrown for a markup out of bounds or finer than a part per million, given its message
     */
    static long ppm(BigDecimal markup, Function<String, RuntimeException> refusal) {
        if (markup.compareTo(BigDecimal.valueOf(MIN_PPM, 6)) < 0) {
            throw refusal.apply("markup cannot be below -1 (free).");
        }
        if (markup.compareTo(BigDecimal.valueOf(MAX_PPM, 6)) > 0) {
            throw refusal.apply("markup cannot be above 100 (a charge of 101 times the cost).");
        }
        OptionalLong ppm = Money.exactly(markup, 6);
        if (ppm.isEmpty()) {
            throw refusal.apply("markup has at most six decimal places.");
        }
        return ppm.getAsLong();
    }

    private final Map<Scope, Long> ppmByScope;
    private final long fallbackPpm;

    MarkupRules(List<MarkupRule> rules, long fallbackPpm) {
        Map<Scope, Long> byScope = new HashMap<>();
        rules.forEach(rule -> byScope.putIfAbsent(new Scope(rule.tenantId(), rule.modelId()), rule.markupPpm()));
        this.ppmByScope = Map.copyOf(byScope);
        this.fallbackPpm = fallbackPpm;
    }

    long markupPpm(UUID tenantId, String modelId) {
        Long ppm = ppmByScope.get(new Scope(tenantId, modelId));
        if (ppm == null) {
            ppm = ppmByScope.get(new Scope(tenantId, null));
        }
        if (ppm == null) {
            ppm = ppmByScope.get(new Scope(null, modelId));
        }
        if (ppm == null) {
            ppm = ppmByScope.get(new Scope(null, null));
        }
        return ppm != null ? ppm : fallbackPpm;
    }

    /** The global markup, what a caller without a tenant (an anonymous catalog listing) sees. */
    long markupPpm(String modelId) {
        Long ppm = ppmByScope.get(new Scope(null, modelId));
        if (ppm == null) {
            ppm = ppmByScope.get(new Scope(null, null));
        }
        return ppm != null ? ppm : fallbackPpm;
    }

    /**
     * One rule; rules must be given newest first per scope so that the first one seen is the one in force.
     */
    record MarkupRule(@Nullable UUID tenantId, @Nullable String modelId, long markupPpm) {
    }

    private record Scope(@Nullable UUID tenantId, @Nullable String modelId) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Scope scope && Objects.equals(tenantId, scope.tenantId)
                    && Objects.equals(modelId, scope.modelId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tenantId, modelId);
        }

    }

}
