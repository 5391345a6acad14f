package dev.tollgate.credits;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyBudgetTests {

    @Test
    void holdsAndChargesCountAgainstTheLimitUntilWritten() {
        KeyBudget budget = new KeyBudget(100, 30);

        assertThat(budget.tryHold(50)).isTrue();
        assertThat(budget.tryHold(21)).as("30 spent and 50 held leave 20").isFalse();
        budget.settle(50, 40);
        assertThat(budget.tryHold(30)).isTrue();
        assertThat(budget.tryHold(1)).isFalse();
    }

    /** The most there is: what a hold's worst case becomes when it is beyond a long (see PriceQuote). */
    @Test
    void aHoldOfTheMostThereIsIsRefusedWhateverIsAlreadyHeld() {
        KeyBudget budget = new KeyBudget(1_000_000, 0);
        assertThat(budget.tryHold(10)).isTrue();

        assertThat(budget.tryHold(Long.MAX_VALUE)).isFalse();
        assertThat(budget.tryHold(Long.MAX_VALUE - 5)).isFalse();
        assertThat(budget.tryHold(999_990)).as("nothing was taken by the refused holds").isTrue();
    }

}
