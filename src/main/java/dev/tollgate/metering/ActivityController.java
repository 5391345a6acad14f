package dev.tollgate.metering;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.Keyset;
import dev.tollgate.common.PageCursor;

/**
 * The request log for the dashboard: newest first, paged, filterable by model, key and status. Pages are found by
 * offset, or, as the dashboard does, from the cursor of the page next to them ({@code before}, {@code after}): calls
 * logged while a tenant pages then neither repeat a row nor hide one.
 */
@RestController
class ActivityController {

    private final RequestLogQueries log;
    private final ApiKeyService keys;

    ActivityController(RequestLogQueries log, ApiKeyService keys) {
        this.log = log;
        this.keys = keys;
    }

    @GetMapping("/api/activity")
    Mono<ActivityPage> list(@AuthenticationPrincipal SessionUser user, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size, @RequestParam(required = false) @Nullable String model,
            @RequestParam(required = false) @Nullable UUID keyId,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String before,
            @RequestParam(required = false) @Nullable String after) {
        Paging paging = Paging.of(page, size);
        Keyset keyset = Keyset.of(before, after);
        RequestLogQueries.ActivityFilter filter = new RequestLogQueries.ActivityFilter(blankToNull(model), keyId,
                statusCode(status), "failed".equals(status));
        return Mono.zip(log.pageAndCount(user.tenantId(), filter, paging.page(), paging.size(), keyset),
                keys.names(user.tenantId()))
            .map(all -> {
                List<ActivityItem> items = named(all.getT1().items(), all.getT2());
                return new ActivityPage(items, paging.page(), paging.size(), all.getT1().total(),
                        items.isEmpty() ? null : cursor(items.get(0)),
                        items.isEmpty() ? null : cursor(items.get(items.size() - 1)));
            });
    }

    private static String cursor(ActivityItem item) {
        return PageCursor.of(item.createdAt(), item.id()).text();
    }

    @GetMapping("/api/activity/{id}")
    Mono<ActivityItem> one(@AuthenticationPrincipal SessionUser user, @PathVariable String id) {
        UUID uuid = GenerationIds.parse(id);
        if (uuid == null) {
            return Mono.error(ApiException.notFound("Generation"));
        }
        return log.one(user.tenantId(), uuid)
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Generation")))
            .zipWith(keys.names(user.tenantId()), (item, names) -> item.withKeyName(names.get(item.keyId())));
    }

    private static List<ActivityItem> named(List<ActivityItem> items, Map<UUID, String> names) {
        return items.stream().map(item -> item.withKeyName(names.get(item.keyId()))).toList();
    }

    /** A status filter is an HTTP status, or {@code failed} for every call that did not end well. */
    private static @Nullable Integer statusCode(@Nullable String status) {
        if (status == null || status.isBlank() || status.equals("failed")) {
            return null;
        }
        try {
            return Integer.valueOf(status);
        }
        catch (NumberFormatException ex) {
            throw ApiException.invalidParam("status", "status is an HTTP status such as 429, or \"failed\".");
        }
    }

    private static @Nullable String blankToNull(@Nullable String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /**
     * @param page the page's number, as the client counts it (with a cursor, the client's own count)
     * @param firstCursor pass it as {@code after} for the previous page (null when the page is empty)
     * @param lastCursor pass it as {@code before} for the next page
     */
    record ActivityPage(List<ActivityItem> data, int page, int size, long total, @Nullable String firstCursor,
            @Nullable String lastCursor) {
    }

}
