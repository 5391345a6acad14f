package dev.tollgate.provider;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamKeysTests {

    @Test
    void callsSpreadOverKeysByWeightAndCallsInFlight() {
        UpstreamKeys keys = new UpstreamKeys(List.of("a", "b"), List.of(3, 1));
        Map<String, Integer> held = new HashMap<>();

        for (int i = 0; i < 8; i++) {
            held.merge(keys.acquire().key(), 1, Integer::sum);
        }

        assertThat(held).containsEntry("a", 6).containsEntry("b", 2);
    }

    /** Calls that never overlap tie at no calls in flight: the ties follow the weights too. */
    @Test
    void callsOneAfterAnotherAreSharedByWeight() {
        UpstreamKeys keys = new UpstreamKeys(List.of("a", "b", "c"), List.of(3, 1, 2));
        Map<String, Integer> used = new HashMap<>();

        for (int i = 0; i < 60; i++) {
            UpstreamKeys.Lease lease = keys.acquire();
            used.merge(lease.key(), 1, Integer::sum);
            lease.release();
        }

        assertThat(used).containsEntry("a", 30).containsEntry("b", 10).containsEntry("c", 20);
    }

    @Test
    void aReleasedKeyIsFreeAgain() {
        UpstreamKeys keys = new UpstreamKeys(List.of("a", "b"), List.of());
        UpstreamKeys.Lease first = keys.acquire();
        UpstreamKeys.Lease second = keys.acquire();
        assertThat(first.key()).isNotEqualTo(second.key());

        first.release();
        first.release();

        assertThat(keys.inFlight(first.index())).isZero();
        assertThat(keys.acquire().key()).isEqualTo(first.key());
    }

    @Test
    void aCooledKeyRestsWhileTheOthersCarryOn() {
        UpstreamKeys keys = new UpstreamKeys(List.of("a", "b"), List.of());
        UpstreamKeys.Lease limited = keys.acquire();
        limited.coolDown(Duration.ofMinutes(1));
        limited.release();

        for (int i = 0; i < 5; i++) {
            UpstreamKeys.Lease lease = keys.acquire();
            assertThat(lease.key()).isNotEqualTo(limited.key());
            lease.release();
        }
        assertThat(keys.anyAvailableBesides(limited)).isTrue();
    }

    /** A single key that a 429 asked no wait of is not "another key" to switch to. */
    @Test
    void theKeyThatFailedIsNotAnotherKey() {
        UpstreamKeys keys = new UpstreamKeys(List.of("only"), List.of());
        UpstreamKeys.Lease lease = keys.acquire();
        lease.coolDown(Duration.ZERO);

        assertThat(keys.anyAvailableBesides(lease)).isFalse();
    }

    @Test
    void whenEveryKeyIsCoolingTheOneThatRecoversFirstIsUsed() {
        UpstreamKeys keys = new UpstreamKeys(List.of("a", "b"), List.of());
        UpstreamKeys.Lease a = keys.acquire();
        UpstreamKeys.Lease b = keys.acquire();
        a.coolDown(Duration.ofMinutes(5));
        b.coolDown(Duration.ofMinutes(1));

        assertThat(keys.anyAvailableBesides(a)).isFalse();
        assertThat(keys.anyAvailableBesides(b)).isFalse();
        assertThat(keys.acquire().key()).isEqualTo(b.key());
    }

}
