package dev.tollgate.credits;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One tenant's spendable money on this instance: the part of its lease not yet spent, minus the holds of requests
 * in flight. Every method is synchronized on the wallet; they are a few arithmetic steps each, never I/O.
 */
final class Wallet {

    private final UUID tenantId;
    private @Nullable UUID leaseId;
    private long remaining;
    private long held;
    private long unwritten;
    private long lastUsedNanos = System.nanoTime();
    private boolean retired;

    Wallet(UUID tenantId) {
        this.tenantId = tenantId;
    }

    UUID tenantId() {
        return tenantId;
    }

    /** Reserves the amount if the lease covers it. */
    synchronized boolean tryHold(long amount) {
        lastUsedNanos = System.nanoTime();
        if (retired || remaining - held < amount) {
            return false;
        }
        held += amount;
        return true;
    }

    /**
     * Ends a hold: the charge is spent from the lease (it may exceed the hold when the provider's count beat the
     * estimate; the lease then goes below zero, and the difference is the request's overshoot).
     */
    synchronized void settle(long heldAmount, long charge) {
        held -= heldAmount;
        remaining -= charge;
        unwritten += charge;
        lastUsedNanos = System.nanoTime();
    }

    /** A settled charge is now in the database (its debit and the lease's shrink landed together). */
    synchronized void persisted(long charge) {
        unwritten -= charge;
    }

    /**
     * What the lease must keep reserved in the database while this wallet winds down: the holds in flight and the
     * charges not yet written. Giving back more would let another instance lease money that is already spent.
     */
    synchronized long reserved() {
        return held + unwritten;
    }

    synchronized void leased(UUID leaseId, long granted) {
        this.leaseId = leaseId;
        this.remaining += granted;
    }

    /**
     * The database no longer has this lease (it expired): nothing is left to spend until a new one is granted. Only
     * if it is still the wallet's lease: the renewal that found it gone may come after a new lease was granted.
     */
    synchronized void leaseLost(UUID lost) {
        if (lost.equals(leaseId)) {
            this.leaseId = null;
            this.remaining = Math.min(remaining, 0);
        }
    }

    synchronized @Nullable UUID leaseId() {
        return leaseId;
    }

    /**
     * Retires an idle wallet (no holds, nothing unwritten, unused for a while) so its lease can be given back whole;
     * true when this call retired it. A wallet retired before (a refund's) is not this caller's to give back: its
     * lease may still reserve what its holds in flight need.
     */
    synchronized boolean retireIfIdle(long idleNanos) {
        if (retired || held != 0 || unwritten != 0 || System.nanoTime() - lastUsedNanos < idleNanos) {
            return false;
        }
        retired = true;
        return true;
    }

    /** Retires the wallet now: no new holds; the holds in flight still settle. */
    synchronized void retire() {
        retired = true;
    }

    synchronized boolean retired() {
        return retired;
    }

    synchronized long available() {
        return remaining - held;
    }

    synchronized long held() {
        return held;
    }

}
