package dev.tollgate.metering;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.DateParams;

/**
 * {@code GET /api/usage?from&to&groupBy&tz}: requests, tokens and spend (what the tenant paid, in micro-dollars)
 * between two instants, grouped by {@code day} (in {@code tz}, default UTC), {@code model}, {@code key}, or two of them
 * ({@code day,model}). {@code from} and {@code to} are ISO dates (a date's start in {@code tz}) or instants; by default
 * the last 30 days.
 */
@RestController
class UsageController {

    /** The dashboard's longest range, 366 local days, and the hour a change of daylight saving time may add. */
    static final Duration LONGEST_PERIOD = Duration.ofDays(367);

    private final RequestLogQueries log;
    private final ApiKeyService keys;

    UsageController(RequestLogQueries log, ApiKeyService keys) {
        this.log = log;
        this.keys = keys;
    }

    @GetMapping("/api/usage")
    Mono<Map<String, Object>> usage(@AuthenticationPrincipal SessionUser user,
            @RequestParam(required = false) @Nullable String from, @RequestParam(required = false) @Nullable String to,
            @RequestParam(defaultValue = "day") String groupBy, @RequestParam(defaultValue = "UTC") String tz) {
        // About a year at most: each request aggregates its whole period on the database every tenant shares. Plain
        // dates are the caller's days, as the bars are: midnight in tz, not in UTC.
        ZoneId zone = zone(tz);
        DateParams.Window window = DateParams.window(from, to, LONGEST_PERIOD, zone);
        OffsetDateTime start = window.from();
        OffsetDateTime end = window.to();
        List<UsageGrouping> groups = groupings(groupBy);
        return Mono.zip(log.usageReport(user.tenantId(), start, end, groups, zone), keys.names(user.tenantId()))
            .map(all -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("from", start);
                body.put("to", end);
                body.put("groupBy", groupBy);
                body.put("tz", zone.getId());
                body.put("totals", all.getT1().totals());
                body.put("rows", withKeyNames(all.getT1().rows(), all.getT2()));
                return body;
            });
    }

    private static List<Map<String, Object>> withKeyNames(List<Map<String, Object>> rows, Map<UUID, String> names) {
        for (Map<String, Object> row : rows) {
            Object keyId = row.get("keyId");
            if (keyId != null) {
                row.put("keyName", names.get(UUID.fromString(keyId.toString())));
            }
        }
        return rows;
    }

    /**
     * The time zone days are counted in: the dashboard sends the browser's, so that a day's bar holds that local day.
     * Only the tz database's names (as PostgreSQL has them): PostgreSQL would read an offset such as {@code +02:00}
     * or {@code GMT+2} the POSIX way, as two hours west of Greenwich.
     */
    static ZoneId zone(String tz) {
        if (!ZoneId.getAvailableZoneIds().contains(tz)) {
            throw ApiException.invalidParam("tz", "tz must be a time zone's IANA name, such as Europe/Paris or UTC.");
        }
        return ZoneId.of(tz);
    }

    private static List<UsageGrouping> groupings(String groupBy) {
        List<UsageGrouping> groups = new ArrayList<>();
        for (String name : groupBy.split(",")) {
            UsageGrouping group = switch (name.trim()) {
                case "day" -> UsageGrouping.DAY;
                case "model" -> UsageGrouping.MODEL;
                case "key" -> UsageGrouping.KEY;
                default -> throw ApiException.invalidParam("groupBy",
                        "groupBy takes day, model or key, or two of them separated by a comma.");
            };
            if (!groups.contains(group)) {
                groups.add(group);
            }
        }
        if (groups.size() > 2) {
            throw ApiException.invalidParam("groupBy", "groupBy takes at most two dimensions.");
        }
        return groups;
    }

}
