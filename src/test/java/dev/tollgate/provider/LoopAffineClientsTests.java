package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

class LoopAffineClientsTests {

    @Test
    void eachEventLoopGetsAClientAndPoolOfItsOwnAndOtherThreadsTheSharedOne() throws Exception {
        List<String> pools = new CopyOnWriteArrayList<>();
        LoopAffineClients clients = new LoopAffineClients("test", 100, 4, (name, connections) -> {
            pools.add(name);
            return ConnectionProvider.create(name, connections);
        }, UnaryOperator.identity());
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            EventLoop first = loops.next();
            EventLoop second = loops.next();

            HttpClient onFirst = first.submit(clients::current).get().client();
            HttpClient onSecond = second.submit(clients::current).get().client();
            HttpClient offTheLoops = clients.current().client();

            assertThat(first.submit(clients::current).get().client()).as("same loop, same client").isSameAs(onFirst);
            assertThat(onSecond).isNotSameAs(onFirst);
            assertThat(offTheLoops).isNotSameAs(onFirst).isNotSameAs(onSecond).isSameAs(clients.current().client());
            assertThat(pools).as("the shared pool and one per loop").hasSize(3).doesNotHaveDuplicates();
        }
        finally {
            clients.dispose();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * A large cap applies to each loop's pool: split between them, a loop that most calls come through was capped at a
     * fraction of it while the other pools' connections sat idle.
     */
    @Test
    void aLargeCapAppliesToEachLoopsPool() throws Exception {
        Map<String, Integer> pools = new ConcurrentHashMap<>();
        LoopAffineClients clients = new LoopAffineClients("test", 100, 2, recordingIn(pools), UnaryOperator.identity());
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(3);
        try {
            HttpClient first = loops.next().submit(clients::current).get().client();
            HttpClient second = loops.next().submit(clients::current).get().client();
            HttpClient third = loops.next().submit(clients::current).get().client();

            assertThat(first).isNotSameAs(second).isNotSameAs(third);
            assertThat(pools).hasSize(4).allSatisfy((name, connections) -> assertThat(connections).isEqualTo(100));
        }
        finally {
            clients.dispose();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** An operator who caps a small local server at 4 connections means 4, not 4 per event loop. */
    @Test
    void aCapTooSmallToShareOutStaysWholeInTheSharedPoolEveryCallUses() throws Exception {
        Map<String, Integer> pools = new ConcurrentHashMap<>();
        LoopAffineClients clients = new LoopAffineClients("test", 4, 2, recordingIn(pools), UnaryOperator.identity());
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            HttpClient onTheLoop = loops.next().submit(clients::current).get().client();

            assertThat(onTheLoop).isSameAs(clients.current().client());
            assertThat(pools).containsExactly(Map.entry("test", 4));
        }
        finally {
            clients.dispose();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aPostIsPreparedOncePerAddressAndAlwaysForItsOwnAddress() {
        LoopAffineClients clients = new LoopAffineClients("test", 100, 4,
                ConnectionProvider::create, UnaryOperator.identity());
        try {
            LoopAffineClients.Loop loop = clients.current();
            URI chat = URI.create("http://127.0.0.1:1/v1/chat/completions");
            URI embeddings = URI.create("http://127.0.0.1:1/v1/embeddings");

            HttpClient.RequestSender post = loop.post(chat);

            assertThat(loop.post(URI.create(chat.toString()))).isSameAs(post);
            assertThat(((HttpClient) post).configuration().uri()).isEqualTo(chat.toString());
            assertThat(((HttpClient) post).configuration().method()).isEqualTo(HttpMethod.POST);
            assertThat(((HttpClient) loop.post(embeddings)).configuration().uri()).isEqualTo(embeddings.toString());
            // Past the most it keeps, an address still gets its own post, made for the call.
            for (int i = 0; i < 300; i++) {
                URI model = URI.create("http://127.0.0.1:1/v1/models/m" + i + ":generateContent");
                assertThat(((HttpClient) loop.post(model)).configuration().uri()).isEqualTo(model.toString());
            }
        }
        finally {
            clients.dispose();
        }
    }

    @Test
    void timersFireOnTheCallersLoopAndOffTheLoopsOnReactorsParallelThreads() throws Exception {
        LoopAffineClients clients = new LoopAffineClients("test", 100, 4,
                ConnectionProvider::create, UnaryOperator.identity());
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            EventLoop first = loops.next();
            Scheduler timers = first.submit(clients::current).get().timers();

            Boolean firedOnTheLoop = Mono.delay(Duration.ofMillis(1), timers).map(tick -> first.inEventLoop())
                .block(Duration.ofSeconds(5));

            assertThat(firedOnTheLoop).isTrue();
            assertThat(clients.current().timers()).isSameAs(Schedulers.parallel());
            assertThat(first.isShutdown()).as("the loop outlives its calls' timers").isFalse();
        }
        finally {
            clients.dispose();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Pools as made, recording each one's name and cap. */
    private static BiFunction<String, Integer, ConnectionProvider> recordingIn(Map<String, Integer> pools) {
        return (name, connections) -> {
            pools.put(name, connections);
            return ConnectionProvider.create(name, connections);
        };
    }
}
