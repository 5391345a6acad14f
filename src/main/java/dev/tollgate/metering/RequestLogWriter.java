package dev.tollgate.metering;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Writes request-log rows in batches, off the response path: a request hands its entry over and is done; a
 * background loop inserts whatever has queued up in one statement every {@value #FLUSH_MILLIS} ms (sooner when a
 * batch fills). A failed batch stays queued and is tried again, and the insert is idempotent on the id. On shutdown
 * (after the web server has drained) everything queued is written before the database connections close.
 */
@Component
class RequestLogWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RequestLogWriter.class);

    static final int FLUSH_MILLIS = 200;

    private static final int BATCH_SIZE = 1000;

    private static final int SHUTDOWN_ATTEMPTS = 15;

    private static final String INSERT = """
            insert into request_log (id, tenant_id, api_key_id, model, provider, status, error_code, streamed,
                cancelled, finish_reason, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens,
                reasoning_tokens, usage_source, latency_ms, ttfb_ms, created_at)
            select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::text[],
                $8::bool[], $9::bool[], $10::text[], $11::int[], $12::int[], $13::int[], $14::int[], $15::int[],
                $16::text[], $17::int[], $18::int[], $19::timestamptz[])
            on conflict (id) do nothing""";

    private final DatabaseClient db;
    private final ConcurrentLinkedQueue<RequestLogEntry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private volatile Disposable ticker = Flux.never().subscribe();
    private volatile boolean running;

    RequestLogWriter(DatabaseClient db) {
        this.db = db;
    }

    void submit(RequestLogEntry entry) {
        queue.add(entry);
        if (queued.incrementAndGet() >= BATCH_SIZE) {
            flushInBackground();
        }
    }

    /** Writes everything queued so far; completes when it is in the database. */
    Mono<Void> flush() {
        return Mono.defer(() -> {
            if (queue.isEmpty()) {
                return Mono.empty();
            }
            List<RequestLogEntry> batch = new ArrayList<>(Math.min(queued.get(), BATCH_SIZE));
            RequestLogEntry next;
            while (batch.size() < BATCH_SIZE && (next = queue.poll()) != null) {
                batch.add(next);
            }
            queued.addAndGet(-batch.size());
            return insert(batch).onErrorResume(error -> {
                log.warn("Could not write {} request-log rows, will retry: {}", batch.size(), error.toString());
                queue.addAll(batch);
                queued.addAndGet(batch.size());
                return Mono.error(error);
            }).then(flush());
        });
    }

    int pending() {
        return queued.get();
    }

    private void flushInBackground() {
        if (flushing.compareAndSet(false, true)) {
            flush().doFinally(signal -> flushing.set(false)).subscribe(done -> { }, error -> { });
        }
    }

    private Mono<Void> insert(List<RequestLogEntry> batch) {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        UUID[] tenants = new UUID[n];
        UUID[] keys = new UUID[n];
        String[] models = new String[n];
        String[] providers = new String[n];
        Integer[] statuses = new Integer[n];
        String[] errorCodes = new String[n];
        Boolean[] streamed = new Boolean[n];
        Boolean[] cancelled = new Boolean[n];
        String[] finishReasons = new String[n];
        Integer[] prompt = new Integer[n];
        Integer[] completion = new Integer[n];
        Integer[] cached = new Integer[n];
        Integer[] cacheWrite = new Integer[n];
        Integer[] reasoning = new Integer[n];
        String[] sources = new String[n];
        Integer[] latency = new Integer[n];
        Integer[] ttfb = new Integer[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            RequestLogEntry e = batch.get(i);
            ids[i] = e.id();
            tenants[i] = e.tenantId();
            keys[i] = e.apiKeyId();
            models[i] = e.model();
            providers[i] = e.provider();
            statuses[i] = e.status();
            errorCodes[i] = e.errorCode();
            streamed[i] = e.streamed();
            cancelled[i] = e.cancelled();
            finishReasons[i] = e.finishReason();
            boolean counted = e.usageSource() != UsageSource.NONE;
            prompt[i] = counted ? Math.toIntExact(e.usage().promptTokens()) : null;
            completion[i] = counted ? Math.toIntExact(e.usage().completionTokens()) : null;
            cached[i] = counted ? Math.toIntExact(e.usage().cachedTokens()) : null;
            cacheWrite[i] = counted ? Math.toIntExact(e.usage().cacheWriteTokens()) : null;
            reasoning[i] = counted ? Math.toIntExact(e.usage().reasoningTokens()) : null;
            sources[i] = e.usageSource().column();
            latency[i] = e.latencyMillis();
            ttfb[i] = e.ttfbMillis();
            created[i] = e.createdAt().atOffset(ZoneOffset.UTC);
        }
        return db.sql(INSERT)
            .bind(0, ids).bind(1, tenants).bind(2, keys).bind(3, models).bind(4, providers).bind(5, statuses)
            .bind(6, errorCodes).bind(7, streamed).bind(8, cancelled).bind(9, finishReasons).bind(10, prompt)
            .bind(11, completion).bind(12, cached).bind(13, cacheWrite).bind(14, reasoning).bind(15, sources)
            .bind(16, latency).bind(17, ttfb).bind(18, created)
            .then();
    }

    @Override
    public void start() {
        ticker = Flux.interval(Duration.ofMillis(FLUSH_MILLIS), Schedulers.parallel())
            .onBackpressureDrop()
            .subscribe(tick -> flushInBackground());
        running = true;
    }

    @Override
    public void stop(Runnable callback) {
        ticker.dispose();
        running = false;
        // Keeps trying for about as long as Spring waits for this phase (spring.lifecycle.timeout-per-shutdown-phase).
        flush().retryWhen(Retry.backoff(SHUTDOWN_ATTEMPTS, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)))
            .doFinally(signal -> callback.run())
            .subscribe(done -> { }, error -> log.error("Request-log rows lost at shutdown: {}", pending()));
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (which drains requests in flight), before the database pool closes. */
    @Override
    public int getPhase() {
        return 0;
    }

}
