package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
        LoopAffineClients clients = new LoopAffineClients("test", name -> {
            pools.add(name);
            return ConnectionProvider.create(name, 1);
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
            loops.shutdownGracefully().sync();
        }
    }

    @Test
    void aPostIsPreparedOncePerAddressAndAlwaysForItsOwnAddress() {
        LoopAffineClients clients = new LoopAffineClients("test", name -> ConnectionProvider.create(name, 1),
                UnaryOperator.identity());
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
        LoopAffineClients clients = new LoopAffineClients("test", name -> ConnectionProvider.create(name, 1),
                UnaryOperator.identity());
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
            loops.shutdownGracefully().sync();
        }
    }
}
