package dev.tollgate.account;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.SecureIds;
import dev.tollgate.common.Sha256;
import dev.tollgate.database.ClusterEvents;

/** Sign-up, log-in and browser sessions. */
@Service
public class AccountService {

    static final Duration SESSION_LIFETIME = Duration.ofDays(7);

    private static final String SESSION_CLOSED = "session-closed";

    /** Another instance's logout reaches this one within this time; this instance's own logout is immediate. */
    private static final Duration SESSION_CACHE_TTL = Duration.ofSeconds(10);

    private final AccountRepository accounts;
    private final ClusterEvents events;
    private final List<TenantOnboarding> onboarding;
    private final PasswordEncoder passwords;
    private final Clock clock;
    private final String dummyHash;
    private final AsyncLoadingCache<String, Optional<SessionUser>> sessions;

    AccountService(AccountRepository accounts, List<TenantOnboarding> onboarding, PasswordEncoder passwords,
            ClusterEvents events, Clock clock) {
        this.accounts = accounts;
        this.onboarding = List.copyOf(onboarding);
        this.events = events;
        this.passwords = passwords;
        this.clock = clock;
        // Compared against when the email is unknown, so that a failed login takes as long either way.
        this.dummyHash = passwords.encode("not-a-real-password");
        this.sessions = Caffeine.newBuilder()
            .maximumSize(50_000)
            .expireAfterWrite(SESSION_CACHE_TTL)
            .buildAsync((hashHex, executor) -> accounts.findUserBySession(HexFormat.of().parseHex(hashHex))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .toFuture());
        events.on(SESSION_CLOSED, hashHex -> sessions.synchronous().invalidate(hashHex));
    }

    /**
     * Creates a tenant with this user as its owner.
     * @return the new user, or an error 409 when the email is taken
     */
    public Mono<SessionUser> signUp(String email, String password, String organization) {
        return hash(password)
            .flatMap(hash -> accounts.insertTenantWithOwner(SecureIds.uuid(), organization, SecureIds.uuid(),
                    email.trim(), hash, onboarding))
            .onErrorMap(DuplicateKeyException.class, ex -> new ApiException(HttpStatus.CONFLICT,
                    "invalid_request_error", "email_taken", "An account with this email already exists."));
    }

    /**
     * Whether an account with this email would be the account of one of these addresses: the database compares
     * emails by its {@code lower()}, which, in a Unicode locale, also folds look-alikes such as the Kelvin sign.
     */
    public Mono<Boolean> sameEmailAsAny(String email, List<String> addresses) {
        return addresses.isEmpty() ? Mono.just(false) : accounts.sameEmailAsAny(email.trim(), addresses);
    }

    /**
     * Checks a password; the error never says whether the email exists.
     * @return the user, or an error 401
     */
    public Mono<SessionUser> verifyPassword(String email, String password) {
        return accounts.findByEmail(email.trim())
            .map(Optional::of)
            .defaultIfEmpty(Optional.empty())
            .flatMap(found -> matches(password, found.map(AccountRepository.UserWithPassword::passwordHash)
                .orElse(dummyHash)).filter(ok -> ok && found.isPresent()).map(ok -> found.get().user()))
            .switchIfEmpty(Mono.error(() -> new ApiException(HttpStatus.UNAUTHORIZED, "authentication_error",
                    "invalid_credentials", "Email or password is incorrect.")));
    }

    /** Opens a session for the user and returns the cookie value (stored only as a hash). */
    public Mono<String> openSession(SessionUser user) {
        String token = ApiKeyTokens.newSessionToken();
        return accounts.insertSession(Sha256.of(token), user.userId(), OffsetDateTime.now(clock).plus(SESSION_LIFETIME))
            .thenReturn(token);
    }

    public Mono<SessionUser> findSession(String token) {
        if (token.length() != ApiKeyTokens.RANDOM_BYTES * 2) {
            return Mono.empty();
        }
        // The cached future is shared by every request waiting for this session: one of them going away must not
        // cancel it for the others (fromFuture's default).
        return Mono.fromFuture(sessions.get(HexFormat.of().formatHex(Sha256.of(token))), true)
            .flatMap(Mono::justOrEmpty);
    }

    public Mono<Void> closeSession(String token) {
        byte[] hash = Sha256.of(token);
        String hex = HexFormat.of().formatHex(hash);
        return accounts.deleteSession(hash)
            .then(Mono.fromRunnable(() -> sessions.synchronous().invalidate(hex)))
            .then(events.publish(SESSION_CLOSED, hex).onErrorResume(error -> Mono.empty()));
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    void deleteExpiredSessions() {
        accounts.deleteExpiredSessions().subscribe();
    }

    // Password hashing is deliberately slow CPU work; it runs on boundedElastic so it never stalls an event loop.
    private Mono<String> hash(String password) {
        return Mono.fromCallable(() -> passwords.encode(password)).subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<Boolean> matches(String password, String hash) {
        return Mono.fromCallable(() -> passwords.matches(password, hash)).subscribeOn(Schedulers.boundedElastic());
    }

}
