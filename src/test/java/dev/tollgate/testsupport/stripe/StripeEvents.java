package dev.tollgate.testsupport.stripe;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import com.stripe.Stripe;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.testsupport.Fixtures;

/** Webhook events as Stripe sends them: the fixture {@code event} object about a given object, and its signature. */
public final class StripeEvents {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String EVENT = Fixtures.text("stripe/event.json");

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private StripeEvents() {
    }

    /** A new event id, unique in this test run. */
    public static String newId() {
        return "evt_fake_" + COUNTER.incrementAndGet() + "_" + Long.toHexString(System.nanoTime());
    }

    /** The JSON payload of an event of {@code type} about {@code object}, as Stripe would POST it. */
    public static String payload(String id, String type, JsonNode object) {
        ObjectNode event = (ObjectNode) JSON.readTree(EVENT);
        event.put("id", id);
        event.put("type", type);
        event.put("created", Instant.now().getEpochSecond());
        event.put("api_version", Stripe.API_VERSION);
        event.putObject("data").set("object", object);
        return event.toString();
    }

    /** The {@code Stripe-Signature} header for a payload signed now. */
    public static String signature(String payload, String secret) {
        return StripeWebhookSigner.header(payload, secret, Instant.now().getEpochSecond());
    }

}
