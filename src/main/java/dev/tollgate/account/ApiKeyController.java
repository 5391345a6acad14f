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

import dev.tollgate.common.Money;

/** The tenant's API keys: create (the key is in this answer only), list, revoke. */
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
        return keys.create(user.tenantId(), request.name().trim(), limit);
    }

    @GetMapping
    Flux<ApiKeyView> list(@AuthenticationPrincipal SessionUser user) {
        return spend.spentByKey(user.tenantId()).flatMapMany(spent -> keys.list(user.tenantId())
            .map(key -> key.withUsage(spent.getOrDefault(key.id(), 0L))));
    }

    /** Sets ({@code "creditLimitUsd": 5}) or removes ({@code "creditLimitUsd": null}) a key's credit limit. */
    @PatchMapping("/{id}")
    Mono<ApiKeyView> update(@AuthenticationPrincipal SessionUser user, @PathVariable UUID id,
            @RequestBody UpdateKeyRequest request) {
        Long limit = request.creditLimitUsd() == null ? null
                : Money.usdToMicros(request.creditLimitUsd(), "creditLimitUsd");
        return keys.updateLimit(user.tenantId(), id, limit)
            .then(list(user).filter(key -> key.id().equals(id)).next());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> revoke(@AuthenticationPrincipal SessionUser user, @PathVariable UUID id) {
        return keys.revoke(user.tenantId(), id);
    }

    record UpdateKeyRequest(@Nullable BigDecimal creditLimitUsd) {
    }

    record CreateKeyRequest(@Nullable String name, @Nullable BigDecimal creditLimitUsd) {
    }

}
