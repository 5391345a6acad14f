package dev.tollgate.ratelimit;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.JsonNumbers;

/**
 * {@code PUT /api/operator/tenants/{id}/rate-limit}: puts a tenant on a plan ({@code {"plan":"pro"}}), gives it
 * explicit limits ({@code {"requestsPerMinute":600,"tokensPerMinute":null}}, null for no limit of that kind), or
 * returns it to the default plan ({@code {}} or {@code {"plan":null}}). {@code GET} shows what applies.
 */
@RestController
class OperatorRateLimitController {

    private static final long MAX_LIMIT = 1_000_000_000_000L;

    private final TenantRateLimits tenants;
    private final RateLimitProperties properties;

    OperatorRateLimitController(TenantRateLimits tenants, RateLimitProperties properties) {
        this.tenants = tenants;
        this.properties = properties;
    }

    @GetMapping("/api/operator/tenants/{tenantId}/rate-limit")
    Mono<TenantRateLimitView> show(@PathVariable UUID tenantId) {
        return tenants.setting(tenantId).map(setting -> view(tenantId, setting));
    }

    @PutMapping("/api/operator/tenants/{tenantId}/rate-limit")
    Mono<TenantRateLimitView> set(@PathVariable UUID tenantId, @RequestBody JsonNode request) {
        TenantRateLimit setting = parse(request);
        return tenants.save(tenantId, setting)
            .onErrorMap(DataIntegrityViolationException.class, ex -> ApiException.notFound("Tenant"))
            .thenReturn(view(tenantId, setting));
    }

    private TenantRateLimit parse(JsonNode request) {
        if (!request.isObject()) {
            throw ApiException.invalidRequest(
                    "Send a JSON object: {\"plan\"} or {\"requestsPerMinute\",\"tokensPerMinute\"}.");
        }
        boolean explicit = request.has("requestsPerMinute") || request.has("tokensPerMinute");
        JsonNode plan = request.path("plan");
        if (!plan.isMissingNode() && !plan.isNull()) {
            if (explicit) {
                throw ApiException.invalidParam("plan", "Give either a plan or explicit limits, not both.");
            }
            if (!plan.isString() || !properties.plans().containsKey(plan.stringValue())) {
                throw ApiException.invalidParam("plan", "Unknown plan; the configured plans are "
                        + properties.plans().keySet() + " (tollgate.ratelimit.plans).");
            }
            return TenantRateLimit.plan(plan.stringValue());
        }
        if (explicit) {
            return TenantRateLimit.explicit(limit(request, "requestsPerMinute"), limit(request, "tokensPerMinute"));
        }
        return TenantRateLimit.DEFAULT;
    }

    private static @Nullable Long limit(JsonNode request, String field) {
        JsonNode value = request.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!JsonNumbers.isWholeNumberIn(value, 1, MAX_LIMIT)) {
            throw ApiException.invalidParam(field, field + " must be a whole number from 1 to " + MAX_LIMIT
                    + ", or null for no limit.");
        }
        return value.asLong();
    }

    private TenantRateLimitView view(UUID tenantId, TenantRateLimit setting) {
        Limits limits = tenants.resolve(setting);
        String source = setting.explicit() ? "explicit" : setting.plan() != null ? "plan" : "default";
        return new TenantRateLimitView(tenantId, tenants.plan(setting), source,
                limits.requests() == 0 ? null : limits.requests(), limits.tokens() == 0 ? null : limits.tokens());
    }

    /**
     * @param plan the plan the tenant is on, or null (explicit limits, or no default plan)
     * @param source where its limits come from: {@code plan} (the operator's choice), {@code explicit} or
     *     {@code default} (the default plan, or none)
     */
    record TenantRateLimitView(UUID tenantId, @Nullable String plan, String source, @Nullable Long requestsPerMinute,
            @Nullable Long tokensPerMinute) {
    }

}
