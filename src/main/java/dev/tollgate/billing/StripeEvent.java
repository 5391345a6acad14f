package dev.tollgate.billing;

import tools.jackson.databind.JsonNode;

import dev.tollgate.common.JsonNumbers;

/**
 * A verified Stripe webhook event: its id, its type and the object it is about ({@code data.object}), read as JSON so
 * that any API version of the webhook endpoint works.
 */
record StripeEvent(String id, String type, JsonNode object) {

    String text(String field) {
        JsonNode value = object.path(field);
        return value.isString() ? value.stringValue() : "";
    }

    String metadata(String key) {
        JsonNode value = object.path("metadata").path(key);
        return value.isString() ? value.stringValue() : "";
    }

    /** An id field that Stripe may send as the id or, when expanded, as the object. */
    String reference(String field) {
        JsonNode value = object.path(field);
        if (value.isObject()) {
            value = value.path("id");
        }
        return value.isString() ? value.stringValue() : "";
    }

    long amount(String field) {
        return amount(object.path(field));
    }

    /** A whole amount in the currency's smallest unit; -1 when it is missing, not whole, or beyond a long. */
    static long amount(JsonNode value) {
        return JsonNumbers.isWholeNumberIn(value, Long.MIN_VALUE, Long.MAX_VALUE) ? value.longValue() : -1;
    }

}
