/**
 * Billing through Stripe: credit top-ups with Checkout, verified webhooks that credit each payment exactly once,
 * automatic top-up with a saved card, and postpaid tenants invoiced from usage reported to Stripe Billing Meters.
 */
@NullMarked
package dev.tollgate.billing;

import org.jspecify.annotations.NullMarked;
