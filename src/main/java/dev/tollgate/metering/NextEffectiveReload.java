package dev.tollgate.metering;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Reloads a snapshot of dated rows (prices, markups) at the moment the next row dated in the future takes effect, so
 * that a price written ahead applies from its {@code effective_from}, not from the first scheduled refresh after it
 * (up to {@code tollgate.catalog.refresh-interval} late). One timer at a time, replaced at every load.
 */
final class NextEffectiveReload {

    private final DatabaseClient db;
    private final String table;
    private final Runnable reload;
    private final Clock clock;
    private final AtomicReference<@Nullable Disposable> pending = new AtomicReference<>();

    /**
     * @param table the table of dated rows, with an {@code effective_from} column
     * @param reload what reloads the snapshot
     */
    NextEffectiveReload(DatabaseClient db, String table, Runnable reload, Clock clock) {
        this.db = db;
        this.table = table;
        this.reload = reload;
        this.clock = clock;
    }

    /** Completes once the reload at the next row's time, if any, is scheduled: part of each load. */
    Mono<Void> scheduleNext() {
        return db.sql("select min(effective_from) as next from " + table + " where effective_from > now()")
            .map(row -> Optional.ofNullable(row.get("next", OffsetDateTime.class)))
            .one()
            .doOnNext(next -> next.ifPresentOrElse(this::scheduleAt, () -> replace(null)))
            .then();
    }

    private void scheduleAt(OffsetDateTime at) {
        // A few milliseconds after: the database's now() must have passed it when the reload reads. Past already by
        // this instance's clock (a database clock behind it): again in a tenth of a second, not in a loop.
        Duration wait = Duration.between(clock.instant(), at.toInstant()).plusMillis(5);
        replace(Mono.delay(wait.isNegative() ? Duration.ofMillis(100) : wait).subscribe(tick -> reload.run()));
    }

    private void replace(@Nullable Disposable next) {
        Disposable previous = pending.getAndSet(next);
        if (previous != null) {
            previous.dispose();
        }
    }

}
