package dev.tollgate.testsupport.stripe;

import java.util.Map;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A request as {@link FakeStripe} received it: stripe-java's form-encoded parameters decoded into one map, keyed as
 * sent ({@code metadata[tenant_id]}, {@code line_items[0][price_data][unit_amount]}).
 */
public record StripeRequest(String method, String path, HttpHeaders headers, Map<String, String> form) {

    public String param(String name) {
        return form.get(name);
    }

    public String header(String name) {
        return headers.get(name);
    }

}
