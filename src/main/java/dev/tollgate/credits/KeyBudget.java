package dev.tollgate.credits;

/**
 * What one API key with a credit limit may still spend, as this instance knows it: the spend recorded in the database
 * (re-read every few seconds, moved forward as this instance's charges are written), charges settled here but not yet
 * written, and holds in flight. Another instance's holds and unwritten charges are not visible here; they bound how
 * far concurrent instances can together overshoot a key's limit.
 */
final class KeyBudget {

    private final long limit;
    private long recordedSpend;
    private long settledSince;
    private long held;

    KeyBudget(long limit, long recordedSpend) {
        this.limit = limit;
        this.recordedSpend = recordedSpend;
    }

    synchronized boolean tryHold(long amount) {
        // Compared with what remains rather than added to what is spent: a hold may be the most there is (a worst
        // case beyond a long), and the sum would wrap around to a negative that passes.
        if (amount > remaining()) {
            return false;
        }
        held += amount;
        return true;
    }

    synchronized void settle(long heldAmount, long charge) {
        held -= heldAmount;
        settledSince += charge;
    }

    /** A charge settled here is now in the database. */
    synchronized void persisted(long charge) {
        settledSince -= charge;
        recordedSpend += charge;
    }

    /** A fresh reading of the database (which includes other instances' spend) replaces the recorded spend. */
    synchronized void reread(long spend) {
        recordedSpend = spend;
    }

    synchronized long remaining() {
        return limit - recordedSpend - settledSince - held;
    }

    long limit() {
        return limit;
    }

}
