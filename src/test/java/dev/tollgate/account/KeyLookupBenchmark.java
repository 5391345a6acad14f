package dev.tollgate.account;

import static org.mockito.Mockito.mock;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import reactor.core.publisher.Mono;

import dev.tollgate.database.ClusterEvents;

/**
 * Authenticating a call's API key once it is known (the cache holds it): the shape check, the SHA-256 of the key, the
 * cache lookup and the last-used note (README "Benchmarks", microbenchmarks).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyLookupBenchmark {

    private final String presented = ApiKeyTokens.newKey();

    private ApiKeyService keys;

    @Setup
    public void setUp() {
        AuthenticatedKey key = new AuthenticatedKey(UUID.randomUUID(), UUID.randomUUID(), "bench", null);
        ApiKeyRepository repository = new ApiKeyRepository(null) {
            @Override
            Mono<AuthenticatedKey> findActiveByHash(byte[] keyHash) {
                return Mono.just(key);
            }
        };
        keys = new ApiKeyService(repository, mock(ClusterEvents.class), Clock.systemUTC());
        keys.authenticate(presented).block();
    }

    @Benchmark
    public AuthenticatedKey authenticateAKnownKey() {
        return keys.authenticate(presented).block();
    }

}
