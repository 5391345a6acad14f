package dev.tollgate.common;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class RefreshingSnapshotTests {

    final AtomicInteger loads = new AtomicInteger();

    final RefreshingSnapshot<String> snapshot = new RefreshingSnapshot<>("a word",
            () -> Mono.fromSupplier(() -> "word-" + loads.incrementAndGet()));

    @Test
    void beforeTheFirstLoadAFunctionWaitsForIt() {
        AtomicInteger applied = new AtomicInteger();
        Mono<Integer> length = snapshot.map(value -> {
            applied.incrementAndGet();
            return value.length();
        });

        assertThat(snapshot.isLoaded()).isFalse();
        assertThat(applied).as("nothing to apply it to yet").hasValue(0);
        StepVerifier.create(length).expectNext(6).verifyComplete();
        assertThat(loads).hasValue(1);
        assertThat(snapshot.isLoaded()).isTrue();
    }

    @Test
    void onceLoadedAFunctionIsAppliedAtOnceAndItsAnswerIsReady() {
        StepVerifier.create(snapshot.get()).expectNext("word-1").verifyComplete();
        AtomicInteger applied = new AtomicInteger();

        Mono<Integer> length = snapshot.map(value -> {
            applied.incrementAndGet();
            return value.length();
        });

        assertThat(applied).as("applied when asked, before anyone subscribes").hasValue(1);
        StepVerifier.create(length).expectNext(6).verifyComplete();
        StepVerifier.create(length).expectNext(6).verifyComplete();
        assertThat(applied).as("not applied again per subscriber").hasValue(1);
        assertThat(loads).hasValue(1);
    }

    @Test
    void whatAFunctionThrowsOrLeavesOutBecomesTheAnswersSignal() {
        snapshot.reload().block();

        StepVerifier.create(snapshot.map(value -> {
            throw new IllegalStateException("no " + value);
        })).expectErrorMessage("no word-1").verify();
        StepVerifier.create(snapshot.map(value -> null)).verifyComplete();
        StepVerifier.create(snapshot.flatMap(value -> {
            throw new IllegalStateException("none for " + value);
        })).expectErrorMessage("none for word-1").verify();
        StepVerifier.create(snapshot.flatMap(value -> Mono.just(value + "!"))).expectNext("word-1!").verifyComplete();
    }

    @Test
    void aRefreshReplacesTheValueFunctionsAreAppliedTo() {
        snapshot.reload().block();
        snapshot.refresh();

        StepVerifier.create(snapshot.map(String::toUpperCase)).expectNext("WORD-2").verifyComplete();
    }

    @Test
    void aLoadThatStartedEarlierButAnswersLaterDoesNotPutItsOlderValueBack() {
        Sinks.One<String> slow = Sinks.one();
        AtomicInteger calls = new AtomicInteger();
        RefreshingSnapshot<String> racing = new RefreshingSnapshot<>("a racing word",
                () -> calls.incrementAndGet() == 1 ? slow.asMono() : Mono.just("new"));

        racing.refresh();
        StepVerifier.create(racing.reload()).expectNext("new").verifyComplete();
        slow.tryEmitValue("old");

        StepVerifier.create(racing.get()).expectNext("new").verifyComplete();
        assertThat(calls).hasValue(2);
    }

    @Test
    void aFailedFirstLoadIsAnErrorAndTheNextReadTriesAgain() {
        AtomicInteger attempts = new AtomicInteger();
        RefreshingSnapshot<String> flaky = new RefreshingSnapshot<>("a flaky word",
                () -> Mono.defer(() -> attempts.incrementAndGet() == 1 ? Mono.error(new IllegalStateException("down"))
                        : Mono.just("up")));

        StepVerifier.create(flaky.map(String::length)).expectErrorMessage("down").verify();
        assertThat(flaky.isLoaded()).isFalse();
        StepVerifier.create(flaky.map(String::length)).expectNext(2).verifyComplete();
        assertThat(flaky.isLoaded()).isTrue();
    }

}
