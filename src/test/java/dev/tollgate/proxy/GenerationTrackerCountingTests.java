package dev.tollgate.proxy;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.provider.ChatStreamEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/** A call billed from Tollgate's own count is recorded whatever the count does. */
class GenerationTrackerCountingTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aCountThatFailsStillRecordsTheCallBilledForWhatTheProviderReported() {
        TokenCounter failing = new TokenCounter() {
            @Override
            public int count(CharSequence text) {
                throw new IllegalStateException("tokenizer broke");
            }
        };
        MeteringService metering = mock(MeteringService.class);
        GenerationTracker tracker = new GenerationTracker(UUID.randomUUID(),
                new AuthenticatedKey(UUID.randomUUID(), UUID.randomUUID(), "k", null), metering, failing,
                Clock.systemUTC());
        tracker.requested("openai/gpt-4o-mini", true);
        ObjectNode chunk = JSON.createObjectNode();
        chunk.putArray("choices").addObject().putObject("delta").put("content", "Hello");
        tracker.observeDelivery(new ChatStreamEvent.Chunk(chunk));
        tracker.deliveredToClient();

        tracker.cancelled();

        @SuppressWarnings("unchecked")
        ArgumentCaptor<Mono<UsageRecord>> preparation = ArgumentCaptor.forClass(Mono.class);
        verify(metering).recordWhenPrepared(preparation.capture());
        UsageRecord record = preparation.getValue().block(Duration.ofSeconds(5));
        assertThat(record).isNotNull();
        assertThat(record.cancelled()).isTrue();
        assertThat(record.usageSource()).as("no report from the provider, no count").isEqualTo(UsageSource.NONE);
        assertThat(record.chargeMicros()).isZero();
    }

}
