package dev.tollgate.credits;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WalletTests {

    @Test
    void holdsComeOutOfTheLeaseAndChargesStayReservedUntilWritten() {
        Wallet wallet = new Wallet(UUID.randomUUID());
        wallet.leased(UUID.randomUUID(), 100);

        assertThat(wallet.tryHold(60)).isTrue();
        assertThat(wallet.tryHold(50)).as("only 40 left").isFalse();
        assertThat(wallet.reserved()).isEqualTo(60);

        wallet.settle(60, 25);
        assertThat(wallet.available()).isEqualTo(75);
        assertThat(wallet.reserved()).as("the charge is spent but not yet written").isEqualTo(25);

        wallet.persisted(25);
        assertThat(wallet.reserved()).isZero();
    }

    @Test
    void aWalletWithUnwrittenChargesIsNotIdle() {
        Wallet wallet = new Wallet(UUID.randomUUID());
        wallet.leased(UUID.randomUUID(), 100);
        assertThat(wallet.tryHold(10)).isTrue();
        wallet.settle(10, 10);

        assertThat(wallet.retireIfIdle(0)).isFalse();
        wallet.persisted(10);
        assertThat(wallet.retireIfIdle(0)).isTrue();
        assertThat(wallet.tryHold(1)).as("a retired wallet takes no new holds").isFalse();
    }

    /**
     * A wallet retired for a refund keeps the lease its holds in flight need (CreditService winds it down); the lease
     * sweep that finds it must not take that as an idle wallet's lease to give back.
     */
    @Test
    void aWalletRetiredWhileHoldingIsNotIdle() {
        Wallet wallet = new Wallet(UUID.randomUUID());
        wallet.leased(UUID.randomUUID(), 100);
        assertThat(wallet.tryHold(50)).isTrue();
        wallet.retire();

        assertThat(wallet.retireIfIdle(0)).isFalse();
        wallet.settle(50, 0);
        assertThat(wallet.retireIfIdle(0)).as("retired already, by whoever winds its lease down").isFalse();
    }

    /** A renewal that found the old lease gone may answer after the wallet was granted a new one. */
    @Test
    void losingALeaseThatWasReplacedLeavesTheNewOne() {
        Wallet wallet = new Wallet(UUID.randomUUID());
        UUID expired = UUID.randomUUID();
        UUID granted = UUID.randomUUID();
        wallet.leased(expired, 100);
        wallet.leaseLost(expired);
        wallet.leased(granted, 50);

        wallet.leaseLost(expired);

        assertThat(wallet.leaseId()).isEqualTo(granted);
        assertThat(wallet.available()).isEqualTo(50);
    }

    @Test
    void aChargeAboveItsHoldIsStillSpentAsTheRequestsOvershoot() {
        Wallet wallet = new Wallet(UUID.randomUUID());
        wallet.leased(UUID.randomUUID(), 10);
        assertThat(wallet.tryHold(10)).isTrue();

        wallet.settle(10, 13);

        assertThat(wallet.available()).isEqualTo(-3);
        assertThat(wallet.tryHold(1)).isFalse();
    }

}
