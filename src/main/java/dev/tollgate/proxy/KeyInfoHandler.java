package dev.tollgate.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;
import dev.tollgate.credits.CreditService;
import dev.tollgate.metering.ActivityItem;
import dev.tollgate.metering.GenerationIds;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.ratelimit.RateLimitService;

/**
 * OpenRouter's account endpoints for API-key holders: {@code /v1/generation?id=}, {@code /v1/credits} and
 * {@code /v1/key}, with amounts in USD as OpenRouter gives them.
 */
final class KeyInfoHandler {

    private final ApiKeyService keys;
    private final CreditService credits;
    private final MeteringService metering;
    private final RateLimitService rateLimits;

    KeyInfoHandler(ApiKeyService keys, CreditService credits, MeteringService metering, RateLimitService rateLimits) {
        this.keys = keys;
        this.credits = credits;
        this.metering = metering;
        this.rateLimits = rateLimits;
    }

    Mono<ServerResponse> generation(ServerRequest request) {
        return authenticated(request).flatMap(key -> {
            UUID id = GenerationIds.parse(request.queryParam("id").orElse(null));
            if (id == null) {
                return Mono.error(ApiException.invalidParam("id", "id must be a generation id (gen-…)."));
            }
            return metering.generation(key.tenantId(), id)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("Generation")))
                .flatMap(item -> json(Map.of("data", generation(item))));
        });
    }

    Mono<ServerResponse> credits(ServerRequest request) {
        return authenticated(request).flatMap(key -> credits.balance(key.tenantId()))
            .flatMap(balance -> json(Map.of("data", Map.of("total_credits", Money.microsToUsd(balance.creditedMicros()),
                    "total_usage", Money.microsToUsd(balance.usedMicros())))));
    }

    Mono<ServerResponse> key(ServerRequest request) {
        return authenticated(request).flatMap(key -> Mono.zip(credits.keySpend(key.keyId()),
                rateLimits.describe(key).map(Optional::of).defaultIfEmpty(Optional.empty())).flatMap(both -> {
            long spent = both.getT1();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("label", key.name());
            data.put("limit", key.creditLimitMicros() == null ? null : Money.microsToUsd(key.creditLimitMicros()));
            data.put("usage", Money.microsToUsd(spent));
            data.put("limit_remaining", key.creditLimitMicros() == null ? null
                    : Money.microsToUsd(Math.max(0, key.creditLimitMicros() - spent)));
            data.put("is_free_tier", false);
            data.put("rate_limit", both.getT2().orElse(null));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("data", data);
            return json(body);
        }));
    }

    private static Map<String, Object> generation(ActivityItem item) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", item.id());
        data.put("created_at", item.createdAt());
        data.put("model", item.model());
        data.put("provider_name", item.provider());
        data.put("status", item.status());
        data.put("streamed", item.streamed());
        data.put("cancelled", item.cancelled());
        data.put("finish_reason", item.finishReason());
        data.put("tokens_prompt", item.promptTokens());
        data.put("tokens_completion", item.completionTokens());
        data.put("native_tokens_prompt", item.promptTokens());
        data.put("native_tokens_completion", item.completionTokens());
        data.put("native_tokens_cached", item.cachedTokens());
        data.put("native_tokens_reasoning", item.reasoningTokens());
        data.put("usage_source", item.usageSource());
        data.put("total_cost", Money.microsToUsd(item.costMicros()));
        data.put("usage", Money.microsToUsd(item.costMicros()));
        data.put("latency", item.latencyMs());
        data.put("time_to_first_token", item.ttfbMs());
        data.put("generation_time", item.generationMs());
        data.put("error_code", item.errorCode());
        data.put("api_key_id", item.keyId());
        return data;
    }

    private Mono<AuthenticatedKey> authenticated(ServerRequest request) {
        return keys.authenticate(ApiKeyHeaders.presentedKey(request));
    }

    private static Mono<ServerResponse> json(Map<String, Object> body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

}
