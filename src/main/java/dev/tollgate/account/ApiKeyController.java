package dev.tollgate.account;

import java.math.BigDecimal;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;

/** The tenant's API keys: create (the key is in this answer only), list, change limits, revoke. */
@RestController
@RequestMapping("/api/keys")
class ApiKeyController {

    private final ApiKeyService keys;
    private final KeySpend spend;

    ApiKeyController(ApiKeyService keys, KeySpend spend) {
        this.keys = keys;
        this.spend = spend;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<CreatedApiKey> create(@AuthenticationPrincipal SessionUser user, @RequestBody CreateKeyRequest request) {
        FormErrors errors = new FormErrors();
        errors.requireLength("name", request.name(), 1, 100);
        errors.throwIfAny();
        Long limit = request.creditLimitUsd() == null ? null
                : Money.usdToMicros(request.creditLimitUsd(), "creditLimitUsd");
        return keys.create(user.tenantId(), request.name().trim(), limit, KeyRateLimit.fromJson(request.rateLimit()));
    }

    @GetMapping
    Flux<ApiKeyView> list(@AuthenticationPrincipal SessionUser user) {
        return spend.spentByKey(user.tenantId()).flatMapMany(spent -> keys.list(user.tenantId())
            .map(key -> key.withUsage(spent.getOrDefault(key.id(), 0L))));
    }

    /**
     * Changes the fields present: sets ({@code "creditLimitUsd": 5}) or removes ({@code "creditLimitUsd": null}) a
     * key's credit limit, sets ({@code "rateLimit": {"requestsPerMinute": 60, "tokensPerMinute": null}}) or removes
     * ({@code "rateLimit": null}) its own rate limits. A field left out stays as it is.
     */
    @PatchMapping("/{id}")
    Mono<ApiKeyView> update(@AuthenticationPrincipal SessionUser user, @PathVariable UUID id,
            @RequestBody UpdateKeyRequest request) {
        Mono<Void> creditLimit = Mono.empty();
        if (request.creditLimitUsd() != null) {
            Long limit = request.creditLimitUsd().isNull() ? null
                    : Money.usdToMicros(decimal(request.creditLimitUsd(), "creditLimitUsd"), "creditLimitUsd");
            creditLimit = keys.updateLimit(user.tenantId(), id, limit);
        }
        Mono<Void> rateLimit = request.rateLimit() == null ? Mono.empty()
                : keys.updateRateLimit(user.tenantId(), id, KeyRateLimit.fromJson(request.rateLimit()));
        return creditLimit.then(rateLimit)
            .then(list(user).filter(key -> key.id().equals(id)).next())
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("API key")));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> revoke(@AuthenticationPrincipal SessionUser user, @PathVariable UUID id) {
        return keys.revoke(user.tenantId(), id);
    }

    private static BigDecimal decimal(JsonNode value, String param) {
        try {
            if (value.isNumber()) {
                return value.decimalValue();
            }
            if (value.isString()) {
                return new BigDecimal(value.stringValue().trim());
            }
        }
        catch (NumberFormatException ex) {
            // Reported below, as for any other value that is not an amount.
        }
        throw ApiException.invalidParam(param, param + " must be an amount in USD, a number or a decimal string.");
    }

    /** Fields left out are null; fields sent as JSON null are a {@code NullNode}, meaning "remove". */
    record UpdateKeyRequest(@Nullable JsonNode creditLimitUsd, @Nullable JsonNode rateLimit) {
    }

    record CreateKeyRequest(@Nullable String name, @Nullable BigDecimal creditLimitUsd, @Nullable JsonNode rateLimit) {
    }

}
