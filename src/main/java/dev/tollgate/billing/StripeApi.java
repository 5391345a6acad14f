package dev.tollgate.billing;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeError;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The Stripe calls Tollgate makes, through stripe-java. stripe-java is blocking (HttpURLConnection), so every call runs
 * on Reactor's boundedElastic scheduler, never on an event loop. Calls fail with {@link BillingErrors#notConfigured()}
 * when no secret key is set.
 */
@Component
final class StripeApi {

    static final String CURRENCY = "usd";

    /** How Stripe refuses a meter event whose identifier it has (langfuse/langfuse#16292 quotes it). */
    private static final String DUPLICATE_METER_EVENT = "An event already exists with identifier";

    private final @Nullable StripeClient client;

    StripeApi(StripeProperties properties) {
        this.client = properties.enabled() ? StripeClient.builder()
            .setApiKey(properties.secretKey())
            .setApiBase(properties.apiBase())
            .setConnectTimeout(Math.toIntExact(properties.connectTimeout().toMillis()))
            .setReadTimeout(Math.toIntExact(properties.readTimeout().toMillis()))
            .setMaxNetworkRetries(properties.maxNetworkRetries())
            .build() : null;
    }

    boolean enabled() {
        return client != null;
    }

    /**
     * Creates the tenant's Stripe customer. The idempotency key is the tenant's, so that two instances creating it at
     * once get the same customer from Stripe.
     * @return the customer id
     */
    Mono<String> createCustomer(UUID tenantId) {
        CustomerCreateParams params = CustomerCreateParams.builder()
            .setDescription("Tollgate tenant " + tenantId)
            .putMetadata(StripeMetadata.TENANT_ID, tenantId.toString())
            .build();
        RequestOptions options = RequestOptions.builder().setIdempotencyKey("tollgate-customer-" + tenantId).build();
        return call(stripe -> stripe.v1().customers().create(params, options).getId());
    }

    /** Creates a Checkout Session and returns it (its {@code url} is where the payer goes). */
    Mono<Session> createCheckoutSession(SessionCreateParams params) {
        return call(stripe -> stripe.v1().checkout().sessions().create(params));
    }

    /**
     * Charges a saved card without the customer present and confirms at once. A declined card is an outcome, not an
     * error: the PaymentIntent Stripe returned with the decline, with its message.
     * @param idempotencyKey the same for every try of one attempt, so that Stripe charges it at most once
     */
    Mono<ChargeOutcome> chargeOffSession(String customerId, String paymentMethodId, long amountCents,
            Map<String, String> metadata, String description, String idempotencyKey) {
        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
            .setAmount(amountCents)
            .setCurrency(CURRENCY)
            .setCustomer(customerId)
            .setPaymentMethod(paymentMethodId)
            .setOffSession(true)
            .setConfirm(true)
            .setDescription(description)
            .putAllMetadata(metadata)
            .build();
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
        return call(stripe -> {
            try {
                return ChargeOutcome.of(stripe.v1().paymentIntents().create(params, options));
            }
            catch (CardException declined) {
                StripeError error = declined.getStripeError();
                PaymentIntent intent = error == null ? null : error.getPaymentIntent();
                return new ChargeOutcome(intent == null ? null : intent.getId(),
                        intent == null ? "requires_payment_method" : intent.getStatus(), message(declined));
            }
        });
    }

    /** Reads a PaymentIntent's current state (for a charge whose first answer was lost or still processing). */
    Mono<ChargeOutcome> paymentIntent(String id) {
        return call(stripe -> ChargeOutcome.of(stripe.v1().paymentIntents().retrieve(id)));
    }

    /**
     * Sends one meter event. Stripe counts an identifier once and refuses it when sent again, which is taken as
     * sent: sending the same event again after an unknown outcome never counts it twice.
     */
    Mono<Void> sendMeterEvent(String eventName, String customerId, long value, String identifier, long timestamp) {
        MeterEventCreateParams params = MeterEventCreateParams.builder()
            .setEventName(eventName)
            .putPayload("stripe_customer_id", customerId)
            .putPayload("value", Long.toString(value))
            .setIdentifier(identifier)
            .setTimestamp(timestamp)
            .build();
        return call(stripe -> {
            try {
                stripe.v1().billing().meterEvents().create(params);
            }
            catch (InvalidRequestException refused) {
                // The identifier is this report's own: Stripe holding it means an earlier send, whose answer was
                // lost, was counted. Sending again would be refused for ever, and accepted twice after Stripe's
                // window of at least 24 hours.
                if (!StripeApi.message(refused).startsWith(DUPLICATE_METER_EVENT)) {
                    throw refused;
                }
            }
            return Boolean.TRUE;
        }).then();
    }

    /** A failure worth retrying later: Stripe unreachable, overloaded, or failing on its side. */
    static boolean transientFailure(Throwable error) {
        if (error instanceof ApiConnectionException) {
            return true;
        }
        if (error instanceof StripeException stripe) {
            Integer status = stripe.getStatusCode();
            return status == null || status == 409 || status == 429 || status >= 500;
        }
        return false;
    }

    /**
     * A failure of the operator's Stripe account, not of the payer's card: a key revoked, rotated or restricted (401,
     * 403). Nothing the tenant can mend, and mended for every tenant at once when the operator fixes the key.
     */
    static boolean operatorFailure(Throwable error) {
        return error instanceof AuthenticationException || error instanceof PermissionException;
    }

    static String message(Throwable error) {
        if (error instanceof StripeException stripe && stripe.getStripeError() != null
                && stripe.getStripeError().getMessage() != null) {
            return stripe.getStripeError().getMessage();
        }
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }

    private <T> Mono<T> call(StripeCall<T> call) {
        StripeClient stripe = client;
        if (stripe == null) {
            return Mono.error(BillingErrors.notConfigured());
        }
        Callable<T> blocking = () -> call.on(stripe);
        // stripe-java does blocking HTTP: it must run on boundedElastic, never on a Netty event loop.
        return Mono.fromCallable(blocking).subscribeOn(Schedulers.boundedElastic());
    }

    @FunctionalInterface
    private interface StripeCall<T> {

        T on(StripeClient stripe) throws StripeException;

    }

    /**
     * What a charge came to.
     * @param paymentIntentId the PaymentIntent, or null when Stripe refused before creating one
     * @param status the PaymentIntent's status ({@code succeeded}, {@code processing}, {@code requires_action}, …)
     * @param error why it did not succeed, when it did not
     */
    record ChargeOutcome(@Nullable String paymentIntentId, String status, @Nullable String error) {

        static ChargeOutcome of(PaymentIntent intent) {
            String error = intent.getLastPaymentError() == null ? null : intent.getLastPaymentError().getMessage();
            return new ChargeOutcome(intent.getId(), intent.getStatus(), error);
        }

        boolean succeeded() {
            return "succeeded".equals(status);
        }

        boolean pending() {
            return "processing".equals(status);
        }

    }

}
