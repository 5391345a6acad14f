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


    /**
     * A reading of the key's spend that a write of this instance's charges raced may or may not include it: taken, it
     * forgot the charge (the key could overspend by it) or counted it twice, until the next reading 10 s later.
     */
    @Test
    void aReadingThatAWriteOfThisInstancesChargesRacedIsLeftForTheNext() {
        KeyBudget budget = new KeyBudget(100, 30);
        assertThat(budget.tryHold(40)).isTrue();
        budget.settle(40, 40);

        long mark = budget.readingMark();
        // The database answers 30, read before the batch with the 40 committed; the batch's callback comes first.
        budget.persisted(40);
        budget.reread(30, mark);

        assertThat(budget.remaining()).as("30 + 40 spent").isEqualTo(30);

        long next = budget.readingMark();
        budget.reread(75, next);
        assertThat(budget.remaining()).as("a clean reading, other instances' spend included").isEqualTo(25);
    }

    @Test
    void aBudgetIsRetiredOnlyWhenIdleWithNothingHeldOrUnwritten() {
        KeyBudget budget = new KeyBudget(100, 30);
        long idle = 60_000_000_000L;
        assertThat(budget.tryHold(20)).isTrue();
        long later = System.nanoTime() + 10 * idle;

        assertThat(budget.retireIfIdle(idle, later)).as("a hold in flight").isFalse();
        budget.settle(20, 15);
        assertThat(budget.retireIfIdle(idle, later)).as("a charge not yet written").isFalse();
        budget.persisted(15);
        assertThat(budget.retireIfIdle(idle, System.nanoTime() - idle)).as("used within the idle time").isFalse();
        assertThat(budget.retireIfIdle(idle, later)).isTrue();

        assertThat(budget.retired()).isTrue();
        assertThat(budget.tryHold(1)).as("a retired budget admits nothing; the caller asks a fresh one").isFalse();
    }

}
