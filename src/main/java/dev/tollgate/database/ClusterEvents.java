package dev.tollgate.database;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Tells every replica about changes that must not wait for a cache to expire (a revoked key, a changed price),
 * through PostgreSQL's {@code LISTEN/NOTIFY} on one channel. Each instance keeps one dedicated connection listening
 * (outside the pool, reconnecting with backoff after a failure); publishing is one {@code pg_notify} on any pooled
 * connection. Delivery is best effort: caches still expire on their own, as the safety net.
 */
@Component
public class ClusterEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

    static final String CHANNEL = "tollgate_events";

    private final ConnectionFactory connections;
    private final DatabaseClient db;
    private final Map<String, CopyOnWriteArrayList<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private volatile Disposable listening = Mono.never().subscribe();
    private volatile boolean running;

    ClusterEvents(ConnectionFactory connections, DatabaseClient db, DatabaseMigrations migrated) {
        this.connections = connections;
        this.db = db;
    }

    /** Calls the listener, on this and every other instance, for each event of this topic published from now on. */
    public void on(String topic, Consumer<String> listener) {
        listeners.computeIfAbsent(topic, key -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** Publishes an event to every instance, this one included. */
    public Mono<Void> publish(String topic, String payload) {
        return db.sql("select pg_notify(:channel, :message)")
            .bind("channel", CHANNEL)
            .bind("message", topic + ":" + payload)
            .then();
    }

    private void deliver(String message) {
        int colon = message.indexOf(':');
        if (colon < 0) {
            return;
        }
        String topic = message.substring(0, colon);
        String payload = message.substring(colon + 1);
        for (Consumer<String> listener : listeners.getOrDefault(topic, new CopyOnWriteArrayList<>())) {
            try {
                listener.accept(payload);
            }
            catch (RuntimeException ex) {
                log.warn("A listener of cluster event {} failed", topic, ex);
            }
        }
    }

    private Flux<String> listen() {
        ConnectionFactory direct = connections instanceof ConnectionPool pool ? pool.unwrap() : connections;
        return Flux.usingWhen(Mono.from(direct.create()), connection -> {
            PostgresqlConnection postgres = (PostgresqlConnection) connection;
            return postgres.createStatement("LISTEN " + CHANNEL).execute().flatMap(result -> result.getRowsUpdated())
                .thenMany(postgres.getNotifications())
                .mapNotNull(notification -> notification.getParameter())
                // The notification stream ends only with its connection: treat that as a failure, and reconnect.
                .concatWith(Mono.error(() -> new IllegalStateException("the listening connection closed")));
        }, Connection::close);
    }

    @Override
    public void start() {
        listening = listen()
            .doOnSubscribe(subscription -> log.debug("Listening for cluster events"))
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(10))
                .doBeforeRetry(signal -> log.warn("Lost the cluster-event connection, reconnecting: {}",
                        signal.failure().toString())))
            .subscribe(this::deliver);
        running = true;
    }

    @Override
    public void stop() {
        listening.dispose();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

}
