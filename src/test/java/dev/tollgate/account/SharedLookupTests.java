package dev.tollgate.account;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.password.NoOpPasswordEncoder;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import dev.tollgate.database.ClusterEvents;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * A key's or a session's lookup is one cached future shared by every request that asks while it runs: one of them
 * giving up (a client gone, a dashboard query aborted) must not fail the others with a cancellation (a 500).
 */
class SharedLookupTests {

    private final ClusterEvents events = mock(ClusterEvents.class);

    @Test
    void oneCallerGivingUpOnAKeysLookupLeavesTheOthersTheirKey() {
        ApiKeyRepository repository = mock(ApiKeyRepository.class);
        Sinks.One<AuthenticatedKey> database = Sinks.one();
        when(repository.findActiveByHash(any())).thenReturn(database.asMono());
        ApiKeyService keys = new ApiKeyService(repository, events, Clock.systemUTC());
        String key = ApiKeyTokens.newKey();
        AuthenticatedKey found = new AuthenticatedKey(UUID.randomUUID(), UUID.randomUUID(), "k", null);

        Disposable goneClient = keys.authenticate(key).subscribe();
        StepVerifier.create(keys.authenticate(key))
            .then(goneClient::dispose)
            .then(() -> database.tryEmitValue(found))
            .expectNext(found)
            .verifyComplete();
    }

    @Test
    void oneCallerGivingUpOnASessionsLookupLeavesTheOthersTheirSession() {
        AccountRepository repository = mock(AccountRepository.class);
        Sinks.One<SessionUser> database = Sinks.one();
        when(repository.findUserBySession(any())).thenReturn(database.asMono());
        AccountService accounts = new AccountService(repository, List.of(), NoOpPasswordEncoder.getInstance(), events,
                Clock.systemUTC());
        String token = ApiKeyTokens.newSessionToken();
        SessionUser user = new SessionUser(UUID.randomUUID(), "a@example.com", UUID.randomUUID(), "Org", "owner");

        Disposable abortedQuery = accounts.findSession(token).subscribe();
        StepVerifier.create(accounts.findSession(token))
            .then(abortedQuery::dispose)
            .then(() -> database.tryEmitValue(user))
            .expectNext(user)
            .verifyComplete();
    }

}
