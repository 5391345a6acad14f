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
import dev.tollgate.common.Keyset;
import dev.tollgate.common.PageCursor;
import dev.tollgate.metering.GenerationIds;

/**
 * {@code GET /api/credits}: the balance, what went in and out in total, and the ledger, newest first: top-ups,
 * usage, adjustments and refunds, as the public contract has it. {@code includeUsage=false} leaves out the usage
 * debits (one per request), as the dashboard's ledger does by default: its activity log shows them request by request.
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
            @RequestParam(defaultValue = "20") int size, @RequestParam(defaultValue = "true") boolean includeUsage,
            @RequestParam(required = false) @Nullable String before,
            @RequestParam(required = false) @Nullable String after) {
        if (page < 0 || size < 1 || size > 200) {
            throw ApiException.invalidRequest("page must be 0 or more and size between 1 and 200.");
        }
        Keyset keyset = Keyset.of(before, after);
        UUID tenant = user.tenantId();
        List<String> kinds = includeUsage ? ALL_KINDS : CREDIT_KINDS;
        return credits.statement(tenant, kinds, page, size, keyset)
            .map(statement -> {
                List<Entry> entries = statement.entries().stream().map(CreditsController::entry).toList();
                return new CreditsPage(statement.balance().balanceMicros(), statement.balance().creditedMicros(),
                        statement.balance().usedMicros(), entries, page, size, statement.total(),
                        entries.isEmpty() ? null : cursor(entries.get(0)),
                        entries.isEmpty() ? null : cursor(entries.get(entries.size() - 1)));
            });
    }

    private static String cursor(Entry entry) {
        return PageCursor.of(entry.createdAt(), entry.id()).text();
    }

    private static Entry entry(LedgerRepository.LedgerEntryView view) {
        return new Entry(view.id(), view.kind(), view.amountMicros(), view.description(),
                view.requestId() == null ? null : GenerationIds.format(view.requestId()),
                view.createdAt());
    }

    /**
     * Pages are found by offset, or from the cursor of the page next to them ({@code before} = {@code lastCursor} for
     * the next page, {@code after} = {@code firstCursor} for the previous one): usage is debited every moment, and
     * offsets shifted every later page by each new entry.
     */
    record CreditsPage(long balanceMicros, long totalCreditedMicros, long totalUsedMicros, List<Entry> entries,
            int page, int size, long total, @Nullable String firstCursor, @Nullable String lastCursor) {
    }

    record Entry(long id, String kind, long amountMicros, @Nullable String description,
            @Nullable String generationId, OffsetDateTime createdAt) {
    }

}
