package dev.tollgate.credits;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.metering.GenerationIds;

/**
 * {@code GET /api/credits}: the balance, what went in and out in total, and the ledger, newest first. Usage debits
 * (one per request) are left out unless {@code includeUsage=true}: the activity log shows them request by request.
 */
@RestController
class CreditsController {

    private static final List<String> ALL_KINDS = List.of("signup_bonus", "topup", "auto_topup", "usage", "refund",
            "adjustment");

    private static final List<String> CREDIT_KINDS = List.of("signup_bonus", "topup", "auto_topup", "refund",
            "adjustment");

    private final CreditService credits;

    CreditsController(CreditService credits) {
        this.credits = credits;
    }

    @GetMapping("/api/credits")
    Mono<CreditsPage> credits(@AuthenticationPrincipal SessionUser user, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "20") int size, @RequestParam(defaultValue = "false") boolean includeUsage) {
        if (page < 0 || size < 1 || size > 200) {
            throw ApiException.invalidRequest("page must be 0 or more and size between 1 and 200.");
        }
        UUID tenant = user.tenantId();
        List<String> kinds = includeUsage ? ALL_KINDS : CREDIT_KINDS;
        return credits.statement(tenant, kinds, page, size)
            .map(statement -> new CreditsPage(statement.balance().balanceMicros(),
                    statement.balance().creditedMicros(), statement.balance().usedMicros(),
                    statement.entries().stream().map(CreditsController::entry).toList(), page, size,
                    statement.total()));
    }

    private static Entry entry(LedgerRepository.LedgerEntryView view) {
        return new Entry(view.id(), view.kind(), view.amountMicros(), view.description(),
                view.requestId() == null ? null : GenerationIds.format(view.requestId()),
                view.createdAt());
    }

    record CreditsPage(long balanceMicros, long totalCreditedMicros, long totalUsedMicros, List<Entry> entries,
            int page, int size, long total) {
    }

    record Entry(long id, String kind, long amountMicros, @Nullable String description,
            @Nullable String generationId, OffsetDateTime createdAt) {
    }

}
