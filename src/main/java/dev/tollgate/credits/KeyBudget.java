package dev.tollgate.credits;

/**
 * What one API key with a credit limit may still spend, as this instance knows it: the spend recorded in the database
 * (re-read every few seconds, moved forward as this instance's charges are written), charges settled here but not yet
 * written, and holds in flight. Another instance's holds and unwritten charges are not visible here; they bound how
 * far concurrent instances can together overshoot a key's limit.
 * <p>
 * A budget is forgotten only when idle with nothing held or unwritten ({@link #retireIfIdle}), as a wallet is: one
 * forgotten while a long stream held part of it would be built again from the written spend alone, and admit that
 * hold's amount a second time.
 */
final class KeyBudget {

    private long limit;
    private long recordedSpend;
    private long settledSince;
    private long held;
    /** How many of this instance's charges have been written: tells a re-reading whether one raced it. */
    private long writes;
    private long lastUsedNanos = System.nanoTime();
    private boolean retired;

    KeyBudget(long limit, long recordedSpend) {
        this.limit = limit;
        this.recordedSpend = recordedSpend;
    }

    /** False when the amount is not within the limit, or when the budget was retired (then ask a fresh one). */
    synchronized boolean tryHold(long amount) {
        if (retired) {
            return false;
        }
        lastUsedNanos = System.nanoTime();
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
        writes++;
    }

    /** Taken before reading the spend from the database, and handed back with the reading. */
    synchronized long readingMark() {
        return writes;
    }

    /**
     * A fresh reading of the database (which includes other instances' spend) replaces the recorded spend, unless one
     * of this instance's charges was written while it was read: the reading may or may not include that charge, and
     * taking it would have counted the charge twice or not at all (the key overspending by a batch) until the next
     * reading, which is then taken instead.
     */
    synchronized void reread(long spend, long mark) {
        if (writes == mark) {
            recordedSpend = spend;
        }
    }

    /**
     * Retires the budget if no hold was asked of it for {@code idleNanos} and it has nothing held and no charge
     * unwritten: nothing a budget built afresh from the database would miss.
     */
    synchronized boolean retireIfIdle(long idleNanos, long nowNanos) {
        if (retired || held != 0 || settledSince != 0 || nowNanos - lastUsedNanos < idleNanos) {
            return false;
        }
        retired = true;
        return true;
    }

    synchronized boolean retired() {
        return retired;
    }

    synchronized long remaining() {
        return limit - recordedSpend - settledSince - held;
    }

    synchronized long limit() {
        return limit;
    }

    /**
     * The key's limit was changed: the holds in flight and the charges not yet written still count against the new
     * one. A budget built afresh would start from the spend written so far and admit all of them again.
     */
    synchronized void limit(long newLimit) {
        limit = newLimit;
    }

}
