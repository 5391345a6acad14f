package dev.tollgate.provider;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * A provider's HTTP clients, one per Netty event loop, each with its own connection pool on that loop. A call made
 * while serving a client's request (on that request's event loop) then talks to the provider on the same thread:
 * with one shared pool the upstream connection usually lives on another loop, and every call hops threads twice
 * (handing the request over, handing the answer back), which the benchmark measured at about a third of Tollgate's
 * CPU per call at 500 requests/s (README "Benchmarks"). Calls from other threads (a retry after a backoff, a test)
 * use a shared client.
 *
 * <p>The call's timeouts are timers on the same loop: scheduling and cancelling one there is a priority-queue update,
 * where Reactor's default timer threads take a lock and may have to be woken, once per call and once per event of a
 * stream (the idle timeout restarts with each).
 *
 * <p>The provider's connection cap applies to each pool: split between the pools, it capped a loop that most calls
 * come through (a few keep-alive connections from a load balancer, calls continuing on a Redis or database thread)
 * at a fraction of it, with no spill-over to idle pools, and its calls waited for connections while others were
 * free. A cap too small to apply per loop (under {@value #FEWEST_PER_POOL} times the pools there may be, such as 4
 * set to spare a small local server) is kept exactly instead: one shared pool, which every call then uses.
 */
final class LoopAffineClients {

    static final int FEWEST_PER_POOL = 8;

    private final BiFunction<String, Integer, ConnectionProvider> pools;
    private final UnaryOperator<HttpClient> clients;
    private final String name;
    private final int maxConnections;
    private final boolean affine;
    private final ConnectionProvider sharedPool;
    private final Loop shared;
    private final Map<EventExecutor, Loop> byLoop = new ConcurrentHashMap<>();

    /**
     * A client and the timers for calls made on one thread, and the POSTs prepared on that client, by address (see
     * {@link #post}).
     */
    record Loop(ConnectionProvider pool, HttpClient client, Scheduler timers,
            Map<URI, HttpClient.RequestSender> posts) {

        /** More than any provider has (one per endpoint, or per deployment or model where the URL names it). */
        private static final int MOST_ADDRESSES = 256;

        Loop(ConnectionProvider pool, HttpClient client, Scheduler timers) {
            this(pool, client, timers, new ConcurrentHashMap<>());
        }

        /**
         * A POST to {@code uri}, ready to send. Reactor Netty copies a client's whole configuration in {@code post()}
         * and again in {@code uri()}; the result is immutable, so it is made once per address rather than per call.
         */
        HttpClient.RequestSender post(URI uri) {
            HttpClient.RequestSender post = posts.get(uri);
            if (post == null) {
                post = client.post().uri(uri);
                if (posts.size() < MOST_ADDRESSES) {
                    posts.put(uri, post);
                }
            }
            return post;
        }
    }

    /**
     * @param maxConnections the most connections a pool opens to the provider at once
     * @param loops the web server's event loops, to tell whether the cap is small enough to keep exactly
     * @param pools makes a connection pool with the given name and the most connections it may open
     * @param clients applies the provider's settings to an HTTP client over one of those pools
     */
    LoopAffineClients(String name, int maxConnections, int loops, BiFunction<String, Integer, ConnectionProvider> pools,
            UnaryOperator<HttpClient> clients) {
        this.name = name;
        this.pools = pools;
        this.clients = clients;
        this.maxConnections = maxConnections;
        this.affine = maxConnections >= FEWEST_PER_POOL * (loops + 1);
        this.sharedPool = pools.apply(name, maxConnections);
        this.shared = new Loop(sharedPool, clients.apply(HttpClient.create(sharedPool)), Schedulers.parallel());
    }

    /** The client and timers for the calling thread: its event loop's, or the shared ones off the event loops. */
    Loop current() {
        EventExecutor executor = ThreadExecutorMap.currentExecutor();
        if (!affine || !(executor instanceof EventLoop loop)) {
            return shared;
        }
        return byLoop.computeIfAbsent(loop, this::bind);
    }

    private Loop bind(EventExecutor executor) {
        EventLoop loop = (EventLoop) executor;
        ConnectionProvider pool = pools.apply(name + "-" + byLoop.size(), maxConnections);
        // Never disposed: disposing a scheduler made from an executor shuts the executor down, here Netty's loop.
        return new Loop(pool, clients.apply(HttpClient.create(pool).runOn(loop)), Schedulers.fromExecutorService(loop));
    }

    void dispose() {
        sharedPool.dispose();
        byLoop.values().forEach(bound -> bound.pool().dispose());
    }
}
