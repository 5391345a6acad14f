package dev.tollgate.testsupport.stripe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.testsupport.Fixtures;

/**
 * A local stand-in for Stripe's API, for stripe-java pointed at it with {@code tollgate.stripe.api-base}. It answers
 * with Stripe's own fixture objects ({@code fixtures/stripe/}), overwriting the fields a request sets, keeps what it
 * created (customers, Checkout Sessions, PaymentIntents, meter events), records every request with its form-encoded
 * parameters decoded, and behaves as Stripe does where Tollgate relies on it:
 * <ul>
 * <li>an {@code Idempotency-Key} seen before gets the first answer again (successes and card declines);</li>
 * <li>a meter event's {@code identifier} is counted once, however often it is sent;</li>
 * <li>a scripted failure answers Stripe's error body with {@code Stripe-Should-Retry: false}, as Stripe does for
 * most 500s, and is not remembered under its idempotency key (as if it failed before Stripe did anything).</li>
 * </ul>
 * One per JVM, shared; its state only grows, so tests look at their own customers and objects.
 */
public final class FakeStripe {

    private static final FakeStripe SHARED = new FakeStripe();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    // Read up front: the fake answers on a Netty event loop, where BlockHound forbids file reads.
    private static final ObjectNode CUSTOMER = fixture("customer");

    private static final ObjectNode SESSION = fixture("checkout.session");

    private static final ObjectNode PAYMENT_INTENT = fixture("payment_intent");

    private static final ObjectNode CHARGE = fixture("charge");

    private static final ObjectNode DISPUTE = fixture("dispute");

    private static final ObjectNode METER_EVENT = fixture("billing.meter_event");

    private final DisposableServer server;
    private final AtomicInteger ids = new AtomicInteger();
    private final ConcurrentLinkedQueue<StripeRequest> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private final Map<String, Reply> idempotent = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> sessions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> sessionIntentMetadata = new ConcurrentHashMap<>();
    private final Map<String, String> sessionFutureUsage = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> paymentIntents = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> meterEvents = new ConcurrentHashMap<>();

    private FakeStripe() {
        this.server = HttpServer.create().runOn(LoopResources.create("fake-stripe", 2, true)).host("127.0.0.1").port(0)
            .handle(this::answer).bindNow();
        Runtime.getRuntime().addShutdownHook(new Thread(server::disposeNow));
    }

    public static FakeStripe shared() {
        return SHARED;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Forgets recorded requests and unused scripted answers; what Stripe holds (customers, events…) stays. */
    public void reset() {
        requests.clear();
        script.clear();
    }

    /** The next request to {@code method path} gets this error (Stripe's error body) instead of its answer. */
    public void failNext(String method, String path, int status, String type, String message) {
        script.add(new Scripted(method, path, null, null, false, error(status, type, message)));
    }

    /**
     * The next request to {@code method path} whose parameter {@code param} is {@code value} fails with a 500 before
     * Stripe did anything ({@code lost = false}), or is carried out but its answer is lost: the client sees a 500
     * ({@code lost = true}).
     */
    public void failNextWhere(String method, String path, String param, String value, boolean lost) {
        script.add(new Scripted(method, path, param, value, lost, error(500, "api_error",
                "An unknown error occurred")));
    }

    /** The next PaymentIntent created is declined: 402 {@code card_error}, the PaymentIntent left unpaid. */
    public void declineNextCharge(String message) {
        script.add(new Scripted("POST", "/v1/payment_intents", null, null, false,
                new Reply(402, "decline:" + message, true)));
    }

    public List<StripeRequest> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    /** The Checkout Session as Stripe holds it now. */
    public ObjectNode session(String id) {
        return sessions.get(id).deepCopy();
    }

    public ObjectNode paymentIntent(String id) {
        return paymentIntents.get(id).deepCopy();
    }

    /**
     * The payer finishes Checkout: the session becomes {@code complete}, with a PaymentIntent that succeeded (a card,
     * {@code paid}) or is still processing (a delayed method such as a bank debit, {@code unpaid}).
     */
    public ObjectNode completeCheckout(String sessionId, boolean paidAtOnce) {
        ObjectNode session = sessions.get(sessionId);
        ObjectNode intent = PAYMENT_INTENT.deepCopy();
        String id = "pi_fake_" + ids.incrementAndGet();
        intent.put("id", id);
        intent.put("amount", session.path("amount_total").asLong());
        intent.put("amount_received", paidAtOnce ? session.path("amount_total").asLong() : 0);
        intent.put("currency", "usd");
        intent.put("customer", session.path("customer").asString(null));
        intent.put("payment_method", "pm_fake_" + ids.incrementAndGet());
        intent.put("status", paidAtOnce ? "succeeded" : "processing");
        intent.putNull("last_payment_error");
        intent.putNull("next_action");
        String futureUsage = sessionFutureUsage.get(sessionId);
        if (futureUsage == null) {
            intent.putNull("setup_future_usage");
        }
        else {
            intent.put("setup_future_usage", futureUsage);
        }
        ObjectNode metadata = intent.putObject("metadata");
        sessionIntentMetadata.getOrDefault(sessionId, Map.of()).forEach(metadata::put);
        paymentIntents.put(id, intent);
        session.put("status", "complete");
        session.put("payment_status", paidAtOnce ? "paid" : "unpaid");
        session.put("payment_intent", id);
        return session.deepCopy();
    }

    /** A delayed payment of a completed session succeeds. */
    public ObjectNode asyncPaymentSucceeded(String sessionId) {
        ObjectNode session = sessions.get(sessionId);
        ObjectNode intent = paymentIntents.get(session.path("payment_intent").asString());
        intent.put("status", "succeeded");
        intent.put("amount_received", intent.path("amount").asLong());
        session.put("payment_status", "paid");
        return session.deepCopy();
    }

    /** Refunds part of a PaymentIntent's charge; returns the charge with its cumulative {@code amount_refunded}. */
    public ObjectNode refund(String paymentIntentId, long refundedSoFar) {
        ObjectNode intent = paymentIntents.get(paymentIntentId);
        ObjectNode charge = CHARGE.deepCopy();
        charge.put("id", "ch_" + paymentIntentId.substring(3));
        charge.put("amount", intent.path("amount").asLong());
        charge.put("amount_captured", intent.path("amount").asLong());
        charge.put("amount_refunded", refundedSoFar);
        charge.put("refunded", refundedSoFar >= intent.path("amount").asLong());
        charge.put("captured", true);
        charge.put("currency", intent.path("currency").asString());
        charge.put("payment_intent", paymentIntentId);
        charge.put("customer", intent.path("customer").asString(null));
        return charge;
    }

    /** The dispute of a payment's whole charge, lost: what {@code charge.dispute.funds_withdrawn} carries. */
    public ObjectNode lostDispute(String paymentIntentId) {
        ObjectNode intent = paymentIntents.get(paymentIntentId);
        ObjectNode dispute = DISPUTE.deepCopy();
        dispute.put("id", "dp_" + paymentIntentId.substring(3));
        dispute.put("amount", intent.path("amount").asLong());
        dispute.put("currency", intent.path("currency").asString());
        dispute.put("charge", "ch_" + paymentIntentId.substring(3));
        dispute.put("payment_intent", paymentIntentId);
        dispute.put("status", "lost");
        return dispute;
    }

    /** What Stripe's meter would sum for a customer: each identifier counted once. */
    public long meteredValue(String customerId) {
        return meterEventsOf(customerId).stream().mapToLong(e -> Long.parseLong(e.path("payload").path("value")
            .asString())).sum();
    }

    /** The distinct meter events (by identifier) Stripe holds for a customer. */
    public List<ObjectNode> meterEventsOf(String customerId) {
        return meterEvents.values().stream()
            .filter(e -> customerId.equals(e.path("payload").path("stripe_customer_id").asString()))
            .toList();
    }

    private Mono<Void> answer(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap(body -> {
            String path = new QueryStringDecoder(request.uri()).path();
            String method = request.method().name();
            Map<String, String> form = decode(body);
            requests.add(new StripeRequest(method, path, request.requestHeaders(), form));
            String key = request.requestHeaders().get("Idempotency-Key");
            Reply reply = key == null ? route(method, path, form)
                    : idempotent.computeIfAbsent(method + " " + path + " " + key, k -> route(method, path, form));
            if (!reply.remembered() && key != null) {
                idempotent.remove(method + " " + path + " " + key, reply);
            }
            return response.status(reply.status())
                .header("Content-Type", "application/json")
                .header("Request-Id", "req_fake_" + ids.incrementAndGet())
                .header("Stripe-Should-Retry", "false")
                .sendString(Mono.just(reply.body()))
                .then();
        });
    }

    private Reply route(String method, String path, Map<String, String> form) {
        for (Scripted scripted : script) {
            if (scripted.matches(method, path, form) && script.remove(scripted)) {
                if (scripted.reply().body().startsWith("decline:")) {
                    return decline(form, scripted.reply().body().substring("decline:".length()));
                }
                if (scripted.lost()) {
                    carryOut(method, path, form);
                }
                return scripted.reply();
            }
        }
        return carryOut(method, path, form);
    }

    private Reply carryOut(String method, String path, Map<String, String> form) {
        if (method.equals("POST") && path.equals("/v1/customers")) {
            return ok(createCustomer(form));
        }
        if (method.equals("POST") && path.equals("/v1/checkout/sessions")) {
            return ok(createSession(form));
        }
        if (method.equals("POST") && path.equals("/v1/payment_intents")) {
            return ok(createPaymentIntent(form, "succeeded"));
        }
        if (method.equals("GET") && path.startsWith("/v1/payment_intents/")) {
            ObjectNode intent = paymentIntents.get(path.substring("/v1/payment_intents/".length()));
            return intent == null ? notFound(path) : ok(intent);
        }
        if (method.equals("POST") && path.equals("/v1/billing/meter_events")) {
            // Stripe refuses an identifier it has seen in the last 24 hours or more, as in langfuse/langfuse#16292.
            String identifier = form.get("identifier");
            return identifier != null && meterEvents.containsKey(identifier)
                    ? error(400, "invalid_request_error", "An event already exists with identifier " + identifier + ".")
                    : ok(createMeterEvent(form));
        }
        return notFound(path);
    }

    private ObjectNode createCustomer(Map<String, String> form) {
        ObjectNode customer = CUSTOMER.deepCopy();
        customer.put("id", "cus_fake_" + ids.incrementAndGet());
        customer.put("created", Instant.now().getEpochSecond());
        customer.put("description", form.get("description"));
        customer.set("metadata", metadata(form, "metadata"));
        return customer;
    }

    private ObjectNode createSession(Map<String, String> form) {
        ObjectNode session = SESSION.deepCopy();
        String id = "cs_test_fake_" + ids.incrementAndGet();
        long total = 0;
        for (int i = 0; form.containsKey("line_items[" + i + "][quantity]"); i++) {
            total += Long.parseLong(form.get("line_items[" + i + "][price_data][unit_amount]"))
                    * Long.parseLong(form.get("line_items[" + i + "][quantity]"));
        }
        session.put("id", id);
        session.put("url", "https://checkout.stripe.com/c/pay/" + id);
        session.put("created", Instant.now().getEpochSecond());
        session.put("mode", form.get("mode"));
        session.put("customer", form.get("customer"));
        session.put("client_reference_id", form.get("client_reference_id"));
        session.put("success_url", form.get("success_url"));
        session.put("cancel_url", form.get("cancel_url"));
        session.put("currency", "usd");
        session.put("amount_subtotal", total);
        session.put("amount_total", total);
        session.put("status", "open");
        session.put("payment_status", "unpaid");
        session.putNull("payment_intent");
        // No Adaptive Pricing unless a test says otherwise: the payer pays in USD.
        session.putNull("currency_conversion");
        session.set("metadata", metadata(form, "metadata"));
        Map<String, String> intentMetadata = new LinkedHashMap<>();
        metadata(form, "payment_intent_data[metadata]").properties()
            .forEach(entry -> intentMetadata.put(entry.getKey(), entry.getValue().asString()));
        sessionIntentMetadata.put(id, intentMetadata);
        if (form.containsKey("payment_intent_data[setup_future_usage]")) {
            sessionFutureUsage.put(id, form.get("payment_intent_data[setup_future_usage]"));
        }
        sessions.put(id, session);
        return session;
    }

    private ObjectNode createPaymentIntent(Map<String, String> form, String status) {
        ObjectNode intent = PAYMENT_INTENT.deepCopy();
        String id = "pi_fake_" + ids.incrementAndGet();
        intent.put("id", id);
        intent.put("created", Instant.now().getEpochSecond());
        intent.put("amount", Long.parseLong(form.get("amount")));
        intent.put("amount_received", status.equals("succeeded") ? Long.parseLong(form.get("amount")) : 0);
        intent.put("currency", form.get("currency"));
        intent.put("customer", form.get("customer"));
        intent.put("payment_method", form.get("payment_method"));
        intent.put("description", form.get("description"));
        intent.put("status", status);
        intent.putNull("last_payment_error");
        intent.putNull("next_action");
        intent.putNull("canceled_at");
        intent.set("metadata", metadata(form, "metadata"));
        paymentIntents.put(id, intent);
        return intent;
    }

    private Reply decline(Map<String, String> form, String message) {
        ObjectNode intent = createPaymentIntent(form, "requires_payment_method");
        intent.putObject("last_payment_error").put("type", "card_error").put("code", "card_declined")
            .put("decline_code", "generic_decline").put("message", message);
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("type", "card_error").put("code", "card_declined")
            .put("decline_code", "generic_decline").put("message", message).set("payment_intent", intent.deepCopy());
        return new Reply(402, error.toString(), true);
    }

    private ObjectNode createMeterEvent(Map<String, String> form) {
        ObjectNode event = METER_EVENT.deepCopy();
        event.put("created", Instant.now().getEpochSecond());
        event.put("event_name", form.get("event_name"));
        event.put("identifier", form.get("identifier"));
        event.put("timestamp", Long.parseLong(form.get("timestamp")));
        event.set("payload", metadata(form, "payload"));
        meterEvents.putIfAbsent(form.get("identifier"), event);
        return event;
    }

    private static ObjectNode metadata(Map<String, String> form, String prefix) {
        ObjectNode metadata = JSON.createObjectNode();
        form.forEach((name, value) -> {
            if (name.startsWith(prefix + "[") && name.indexOf(']', prefix.length()) == name.length() - 1) {
                metadata.put(name.substring(prefix.length() + 1, name.length() - 1), value);
            }
        });
        return metadata;
    }

    private static Map<String, String> decode(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters()
            .forEach((name, values) -> form.put(name, values.get(values.size() - 1)));
        return form;
    }

    private static Reply ok(JsonNode body) {
        return new Reply(200, body.toString(), true);
    }

    private static Reply error(int status, String type, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("type", type).put("message", message);
        return new Reply(status, error.toString(), false);
    }

    private static Reply notFound(String path) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("type", "invalid_request_error")
            .put("message", "Unrecognized request URL (" + path + ").");
        return new Reply(404, error.toString(), true);
    }

    private static ObjectNode fixture(String name) {
        return (ObjectNode) JSON.readTree(Fixtures.text("stripe/" + name + ".json"));
    }

    /** Waits for the fake to have received {@code n} requests to {@code method path}, and returns them all. */
    public List<StripeRequest> awaitRequests(String method, String path, int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> requests(method, path).size() >= n);
        return requests(method, path);
    }

    private record Reply(int status, String body, boolean remembered) {
    }

    private record Scripted(String method, String path, @Nullable String param, @Nullable String value, boolean lost,
            Reply reply) {

        boolean matches(String method, String path, Map<String, String> form) {
            return this.method.equals(method) && this.path.equals(path)
                    && (param == null || Objects.equals(form.get(param), value));
        }

    }

}
