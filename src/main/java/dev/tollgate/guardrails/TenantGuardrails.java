package dev.tollgate.guardrails;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.springframework.http.HttpStatus;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.RefreshingSnapshot;
import dev.tollgate.database.ClusterEvents;

/**
 * Every tenant's guardrails, held in memory (a small table: most tenants have none), so that a call looks its
 * tenant's up without I/O. A change is re-read at once by every instance (a cluster event), and the table every
 * {@code tollgate.guardrails.refresh-interval} (10 s) should an event be lost.
 *
 * <p>Unlike the rate limits, guardrails never fall back to "none" when they cannot be read: a tenant that asked for
 * its prompts' personal data to be redacted would rather have a call fail than have it sent on unredacted. Once read,
 * they are always there (a failed refresh keeps them); only calls before the first read can fail.
 */
@Component
public class TenantGuardrails {

    private static final Logger log = LoggerFactory.getLogger(TenantGuardrails.class);

    private static final String CHANGED = "tenant-guardrails-changed";

    private final GuardrailRepository repository;
    private final ClusterEvents events;
    private final RefreshingSnapshot<Map<UUID, GuardrailPolicy>> policies;

    TenantGuardrails(GuardrailRepository repository, ClusterEvents events) {
        this.repository = repository;
        this.events = events;
        this.policies = new RefreshingSnapshot<>("tenant guardrails", repository::findAll);
        events.on(CHANGED, ignored -> policies.refresh());
    }

    public Mono<GuardrailPolicy> policy(UUID tenantId) {
        return policies.map(all -> all.getOrDefault(tenantId, GuardrailPolicy.NONE));
    }

    /**
     * The tenant's policy if it screens answers, else null. Asked when an answer comes, so after the prompt's
     * screening read the policies: they are in memory by then.
     */
    @Nullable GuardrailPolicy answerPolicy(UUID tenantId) {
        Map<UUID, GuardrailPolicy> all = policies.current();
        GuardrailPolicy policy = all == null ? null : all.get(tenantId);
        return policy != null && policy.screensAnswers() ? policy : null;
    }

    /** The function of the tenant's policy, applied at once (no operator chain) once the policies have been read. */
    <R> Mono<R> withPolicy(UUID tenantId, Function<GuardrailPolicy, Mono<R>> function) {
        boolean loaded = policies.isLoaded();
        Mono<R> applied = policies.flatMap(all -> function.apply(all.getOrDefault(tenantId, GuardrailPolicy.NONE)));
        return loaded ? applied : applied.onErrorMap(error -> !(error instanceof ApiException), error -> {
            log.warn("Could not read tenant guardrails: {}", error.toString());
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "guardrails_unavailable",
                    "Tollgate could not read your organization's guardrails yet; try again shortly.", null, Map.of(),
                    error);
        });
    }

    /** Stores the tenant's guardrails; they apply at once here, and on the other instances when they hear of it. */
    Mono<GuardrailPolicy> save(UUID tenantId, GuardrailPolicy policy) {
        return repository.save(tenantId, policy)
            .then(policies.reload())
            .then(events.publish(CHANGED, tenantId.toString()).onErrorResume(error -> {
                log.warn("Could not tell other instances about a guardrails change; they re-read it within 10s");
                return Mono.empty();
            }))
            .then(Mono.defer(() -> policy(tenantId)));
    }

    @Scheduled(fixedDelayString = "${tollgate.guardrails.refresh-interval:10s}")
    void refresh() {
        policies.refresh();
    }

}
