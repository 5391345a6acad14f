package dev.tollgate.credits;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * Money set aside for one request while it runs. Exactly one of {@link #settle} or {@link #release} takes effect;
 * later calls do nothing, so every exit path of a request may call them safely.
 */
public final class Hold {

    private final long amountMicros;
    private final Wallet wallet;
    private final @Nullable KeyBudget keyBudget;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Runnable onEnd;

    Hold(long amountMicros, Wallet wallet, @Nullable KeyBudget keyBudget, Runnable onEnd) {
        this.amountMicros = amountMicros;
        this.wallet = wallet;
        this.keyBudget = keyBudget;
        this.onEnd = onEnd;
    }

    public long amountMicros() {
        return amountMicros;
    }

    /** The lease the charge is taken from, so the usage writer shrinks it with the balance; null when none. */
    public @Nullable UUID leaseId() {
        return wallet.leaseId();
    }

    /** Ends the hold, spending the actual charge. */
    public void settle(long chargeMicros) {
        if (ended.compareAndSet(false, true)) {
            wallet.settle(amountMicros, chargeMicros);
            if (keyBudget != null) {
                keyBudget.settle(amountMicros, chargeMicros);
            }
            onEnd.run();
        }
    }

    /** The charge has been written to the database (called by the usage writer after its transaction commits). */
    public void persisted(long chargeMicros) {
        wallet.persisted(chargeMicros);
        if (keyBudget != null) {
            keyBudget.persisted(chargeMicros);
        }
    }

    /** Ends the hold without spending anything (the call failed before any byte). */
    public void release() {
        settle(0);
    }

}
