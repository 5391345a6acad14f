package dev.tollgate.guardrails;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.database.ClusterEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * Guardrails that cannot be read must not let a call through unscreened: before the first read a call fails with a
 * 503, and once read they stay, whatever later reads do.
 */
class TenantGuardrailsTests {

    static final UUID TENANT = UUID.randomUUID();

    final AtomicReference<Mono<Map<UUID, GuardrailPolicy>>> table = new AtomicReference<>();
    final TenantGuardrails guardrails;

    TenantGuardrailsTests() {
        GuardrailRepository repository = mock(GuardrailRepository.class);
        when(repository.findAll()).thenAnswer(invocation -> table.get());
        guardrails = new TenantGuardrails(repository, mock(ClusterEvents.class));
    }

    @Test
    void aCallBeforeTheGuardrailsCouldBeReadIsRefusedWith503AndTheNextReadLetsCallsThrough() {
        table.set(Mono.error(new IllegalStateException("Connection refused")));

        ApiException refused = catchThrowableOfType(ApiException.class, this::piiModeOfTheTenant);

        assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(refused.code()).isEqualTo("guardrails_unavailable");
        assertThat(refused.getMessage()).doesNotContain("Connection refused");

        table.set(Mono.just(Map.of(TENANT, GuardrailPolicy.of(PiiMode.REDACT, List.of()))));
        assertThat(piiModeOfTheTenant()).as("the next call reads them again").isEqualTo(PiiMode.REDACT);
    }

    @Test
    void guardrailsOnceReadSurviveAFailedRefresh() {
        table.set(Mono.just(Map.of(TENANT, GuardrailPolicy.of(PiiMode.BLOCK, List.of()))));
        assertThat(piiModeOfTheTenant()).isEqualTo(PiiMode.BLOCK);
        AtomicReference<Boolean> asked = new AtomicReference<>(false);
        table.set(Mono.<Map<UUID, GuardrailPolicy>>error(new IllegalStateException("down"))
            .doOnSubscribe(subscription -> asked.set(true)));

        guardrails.refresh();

        await().atMost(Duration.ofSeconds(5)).until(asked::get);
        assertThat(piiModeOfTheTenant()).isEqualTo(PiiMode.BLOCK);
    }

    private PiiMode piiModeOfTheTenant() {
        return guardrails.withPolicy(TENANT, policy -> Mono.just(policy.pii())).block(Duration.ofSeconds(5));
    }

}
