package dev.tollgate.billing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StripePaymentsTests {

    @Test
    void aFullRefundTakesBackEveryCreditFeeIncluded() {
        // $10 of credits bought for $10.59 (fee included); the whole charge refunded.
        assertThat(StripePayments.refundedCredits(10_000_000, 1059, 1059)).isEqualTo(10_000_000);
    }

    @Test
    void aPartialRefundTakesBackItsShareOfTheCredits() {
        assertThat(StripePayments.refundedCredits(10_000_000, 1059, 0)).isZero();
        // 500 / 1059 of $10 = 4,721,435.31… micros → 4,721,435
        assertThat(StripePayments.refundedCredits(10_000_000, 1059, 500)).isEqualTo(4_721_435);
        assertThat(StripePayments.refundedCredits(10_000_000, 1000, 250)).isEqualTo(2_500_000);
    }

    @Test
    void moreRefundedThanChargedCountsAsAFullRefund() {
        assertThat(StripePayments.refundedCredits(5_000_000, 500, 700)).isEqualTo(5_000_000);
    }

}
