package dev.tollgate.billing;

/**
 * The metadata keys Tollgate puts on its Checkout Sessions and PaymentIntents, and reads back from webhook events.
 * Only objects carrying {@link #PURPOSE} are Tollgate's; others on the same Stripe account are left alone.
 */
final class StripeMetadata {

    static final String TENANT_ID = "tenant_id";

    static final String CREDIT_MICROS = "credit_micros";

    static final String FEE_MICROS = "fee_micros";

    static final String PURPOSE = "tollgate_purpose";

    static final String ATTEMPT_ID = "auto_topup_attempt_id";

    static final String TOPUP = "topup";

    static final String AUTO_TOPUP = "auto_topup";

    private StripeMetadata() {
    }

}
