package dev.tollgate.proxy;

import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class HotPathObservationContextTests {

    @Test
    void answersWhatMicrometersContextAnswersAfterEveryKindOfChange() {
        Observation.Context remembering = context(true);
        Observation.Context plain = context(false);
        Random random = new Random(8);
        for (int change = 0; change < 5_000; change++) {
            String key = "key-" + random.nextInt(6);
            KeyValue value = KeyValue.of(key, "value-" + random.nextInt(3));
            switch (random.nextInt(8)) {
                case 0 -> both(remembering, plain, context -> context.addLowCardinalityKeyValue(value));
                case 1 -> both(remembering, plain, context -> context.addHighCardinalityKeyValue(value));
                case 2 -> both(remembering, plain, context -> context.removeLowCardinalityKeyValue(key));
                case 3 -> both(remembering, plain, context -> context.removeHighCardinalityKeyValue(key));
                case 4 -> both(remembering, plain, context -> context.addLowCardinalityKeyValues(KeyValues.of(value)));
                case 5 -> both(remembering, plain, context -> context.addHighCardinalityKeyValues(KeyValues.of(value)));
                case 6 -> both(remembering, plain, context -> context.removeLowCardinalityKeyValues(key, "key-0"));
                default -> both(remembering, plain, context -> context.removeHighCardinalityKeyValues(key));
            }
            // Asked in varying order and number, as handlers do, so each answer is remembered across changes.
            for (int ask = random.nextInt(3); ask >= 0; ask--) {
                assertThat(remembering.getLowCardinalityKeyValues()).isEqualTo(plain.getLowCardinalityKeyValues());
                assertThat(remembering.getAllKeyValues()).isEqualTo(plain.getAllKeyValues());
                assertThat(remembering.getHighCardinalityKeyValues()).isEqualTo(plain.getHighCardinalityKeyValues());
            }
        }
    }

    @Test
    void valuesAskedForAgainUnchangedAreNotSortedAgain() {
        Observation.Context context = context(true);
        context.addLowCardinalityKeyValues(KeyValues.of("status", "200", "method", "POST"));
        context.addHighCardinalityKeyValue(KeyValue.of("http.url", "/v1/chat/completions"));

        assertThat(context.getLowCardinalityKeyValues()).isSameAs(context.getLowCardinalityKeyValues());
        assertThat(context.getHighCardinalityKeyValues()).isSameAs(context.getHighCardinalityKeyValues());
        assertThat(context.getAllKeyValues()).isSameAs(context.getAllKeyValues())
            .containsExactly(KeyValue.of("http.url", "/v1/chat/completions"), KeyValue.of("method", "POST"),
                    KeyValue.of("status", "200"));
    }

    private static void both(Observation.Context one, Observation.Context other,
            Consumer<Observation.Context> change) {
        change.accept(one);
        change.accept(other);
    }

    private static Observation.Context context(boolean remembering) {
        MockServerHttpRequest request = MockServerHttpRequest.post("/v1/chat/completions").build();
        MockServerHttpResponse response = new MockServerHttpResponse();
        return remembering ? new HotPathObservationContext(request, response, new ConcurrentHashMap<>())
                : new ServerRequestObservationContext(request, response, new ConcurrentHashMap<>());
    }

}
