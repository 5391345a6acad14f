package dev.tollgate.credits;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;

/**
 * {@code POST /api/operator/tenants/{id}/credits {"amountUsd","reason"}}: a ledger adjustment by the operator (a grant
 * when positive, a correction when negative), with the reason and who made it. Works with or without Stripe.
 */
@RestController
class OperatorCreditsController {

    private final CreditService credits;

    OperatorCreditsController(CreditService credits) {
        this.credits = credits;
    }

    @PostMapping("/api/operator/tenants/{tenantId}/credits")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Map<String, Object>> adjust(@AuthenticationPrincipal SessionUser operator, @PathVariable UUID tenantId,
            @RequestBody Adjustment request) {
        if (request.amountUsd() == null || request.reason() == null || request.reason().isBlank()) {
            throw ApiException.invalidRequest("amountUsd and reason are required.");
        }
        if (request.reason().indexOf('\u0000') >= 0) {
            throw ApiException.invalidParam("reason", "reason must not contain the NUL character.");
        }
        BigDecimal amount = request.amountUsd();
        long micros = amount.signum() < 0 ? -Money.usdToMicros(amount.negate(), "amountUsd")
                : Money.usdToMicros(amount, "amountUsd");
        if (micros == 0) {
            throw ApiException.invalidParam("amountUsd", "amountUsd must not be zero.");
        }
        return credits.append(tenantId, CreditKind.ADJUSTMENT, micros, null,
                request.reason().trim() + " (by " + operator.email() + ")")
            .onErrorMap(DataIntegrityViolationException.class, ex -> ApiException.notFound("Tenant"))
            .then(credits.balance(tenantId))
            .map(balance -> Map.of("tenantId", tenantId, "amountMicros", micros, "balanceMicros",
                    balance.balanceMicros()));
    }

    record Adjustment(@Nullable BigDecimal amountUsd, @Nullable String reason) {
    }

}
