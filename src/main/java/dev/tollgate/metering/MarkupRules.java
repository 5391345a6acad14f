package dev.tollgate.metering;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The markup rules in force, by scope. The most specific one wins: tenant and model, tenant, model, then global.
 */
final class MarkupRules {

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
