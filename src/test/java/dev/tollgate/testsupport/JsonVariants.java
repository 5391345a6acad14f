package dev.tollgate.testsupport;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON documents with one value swapped for a value of another type, to find where a reader trusts a type it was not
 * given, and what an answer to such a request must look like.
 */
public final class JsonVariants {

    /**
     * One value of each JSON type, empty and not, the largest long (which overflows what it is multiplied by), numbers
     * no long or double holds, and numbers whose exponent alone is huge (as numbers and as strings): a dozen bytes that
     * {@code BigDecimal.setScale} turns into a power of ten with a hundred million digits, minutes of CPU; and a text
     * with a NUL character, which PostgreSQL's text cannot hold.
     */
    public static final List<String> VALUES = List.of("null", "true", "-1", "0", "1.5", "9223372036854775807",
            "99999999999999999999", "1e400", "1e-100000000", "1e100000000", "\"1e-100000000\"", "\"1e100000000\"",
            "\"x\"", "\"\"", "\"a\\u0000b\"", "[]", "{}", "[1]", "[{}]", "{\"a\":{}}", "[null]", "{\"type\":7}");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonVariants() {
    }

    /** The JSON pointer of every member and element under {@code root}, nested ones included. */
    public static List<String> pointers(JsonNode root) {
        List<String> all = new ArrayList<>();
        collect(root, "", all);
        return all;
    }

    /** A copy of {@code root} with the value at {@code pointer} (one of {@link #pointers}) replaced. */
    public static JsonNode replaced(JsonNode root, String pointer, String value) {
        JsonNode copy = root.deepCopy();
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = copy.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, JSON.readTree(value));
        }
        else if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), JSON.readTree(value));
        }
        return copy;
    }

    /**
     * What is wrong with the API's answer to a variant, or null: a 5xx other than 502 (the provider's fault), or an
     * error without OpenAI's shape.
     */
    public static @Nullable String problem(EntityExchangeResult<String> result) {
        int status = result.getStatus().value();
        if (status < 400) {
            return null;
        }
        if (status >= 500 && status != 502) {
            return "status " + status + " " + result.getResponseBody();
        }
        JsonNode error = JSON.readTree(result.getResponseBody()).path("error");
        return error.path("message").isString() && error.path("type").isString() ? null
                : "status " + status + " without OpenAI's error shape: " + result.getResponseBody();
    }

    private static void collect(JsonNode node, String at, List<String> into) {
        if (node instanceof ObjectNode object) {
            object.properties().forEach(member -> {
                into.add(at + "/" + member.getKey());
                collect(member.getValue(), at + "/" + member.getKey(), into);
            });
        }
        else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                into.add(at + "/" + i);
                collect(array.get(i), at + "/" + i, into);
            }
        }
    }

}
