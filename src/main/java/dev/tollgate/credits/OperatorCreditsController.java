package dev.tollgate.credits;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;

/**
 * {@code POST /api/operator/tenants/{id}/credits {"amountUsd","reason"}}: a ledger adjustment by the operator (a grant
 * when positive, a correction when negative), with the reason and who made it. Works with or without Stripe.
 *
 * <p>With an {@code Idempotency-Key} header, the adjustment lands once per tenant and key: an operator (or a script)
 * retrying after an answer lost on the way back, the adjustment committed all the same, would otherwise grant it twice.
 * A retry gets the same amount (and the balance now), marked {@code Idempotent-Replayed: true}; the same key with
 * another amount is a 409, as Stripe answers a key reused with other parameters.
 */
@RestController
class OperatorCreditsController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private static final int MAX_KEY_LENGTH = 255;

    private final CreditService credits;
    private final LedgerRepository ledger;

    OperatorCreditsController(CreditService credits, LedgerRepository ledger) {
        this.credits = credits;
        this.ledger = ledger;
    }

    @PostMapping("/api/operator/tenants/{tenantId}/credits")
    Mono<ResponseEntity<Map<String, Object>>> adjust(@AuthenticationPrincipal SessionUser operator,
            @PathVariable UUID tenantId, @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String key,
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
        String externalRef = key == null ? null : tenantId + ":" + checked(key);
        return credits.append(tenantId, CreditKind.ADJUSTMENT, micros, externalRef,
                request.reason().trim() + " (by " + operator.email() + ")")
            .onErrorMap(DataIntegrityViolationException.class, ex -> ApiException.notFound("Tenant"))
            .flatMap(appended -> appended || externalRef == null ? Mono.just(false)
                    : sameAmountAsBefore(externalRef, micros))
            .flatMap(replayed -> credits.balance(tenantId).map(balance -> {
                ResponseEntity.BodyBuilder answer = ResponseEntity.status(HttpStatus.CREATED);
                if (replayed) {
                    answer.header("Idempotent-Replayed", "true");
                }
                return answer.body(Map.<String, Object>of("tenantId", tenantId, "amountMicros", micros, "balanceMicros",
                        balance.balanceMicros()));
            }));
    }

    /** True when the adjustment already recorded under this key is for the same amount (a replay); a 409 if not. */
    private Mono<Boolean> sameAmountAsBefore(String externalRef, long micros) {
        return ledger.recordedAmount(CreditKind.ADJUSTMENT.column(), externalRef)
            .map(recorded -> {
                if (recorded != micros) {
                    throw new ApiException(HttpStatus.CONFLICT, "invalid_request_error", "idempotency_key_reused",
                            "This Idempotency-Key was used for an adjustment of " + recorded
                                    + " micro-USD; use a new key for another adjustment.");
                }
                return true;
            });
    }

    private static String checked(String key) {
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || key.indexOf('\u0000') >= 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_idempotency_key",
                    IDEMPOTENCY_KEY + " must be 1 to " + MAX_KEY_LENGTH + " characters, without NUL.");
        }
        return key;
    }

    record Adjustment(@Nullable BigDecimal amountUsd, @Nullable String reason) {
    }

}
