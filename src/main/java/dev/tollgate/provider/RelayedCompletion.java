package dev.tollgate.provider;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A whole answer in OpenAI's format as its provider sent it, with the byte ranges the proxy rewrites and what it
 * reads: the {@code id} and {@code model} values (each a JSON string, quotes included), the {@code usage} value, the
 * last finish reason and the delivered text. Rewriting copies the bytes once; nothing is parsed again.
 *
 * @param json the answer, UTF-8 JSON
 * @param usageStart where the {@code usage} value starts (an object, or null); when the answer has none, where its
 *        closing brace is, before which a usage member goes
 * @param usageEnd where the {@code usage} value ends; {@code usageStart} when the answer has none
 * @param hasUsage whether the answer has a {@code usage} member
 */
public record RelayedCompletion(byte[] json, int idStart, int idEnd, int modelStart, int modelEnd, int usageStart,
        int usageEnd, boolean hasUsage, @Nullable String finishReason, String text, JsonMapper mapper) {

    private static final byte[] USAGE_MEMBER = ",\"usage\":".getBytes(StandardCharsets.UTF_8);

    /** The bytes to send: the same answer with the brand's id and model (when branded) and usage. */
    byte[] rewritten(@Nullable Brand brand, byte[] usage) {
        ByteSplice splice = new ByteSplice(json);
        if (brand != null) {
            splice.replace(idStart, idEnd, brand.quotedId()).replace(modelStart, modelEnd, brand.quotedModel());
        }
        if (hasUsage) {
            splice.replace(usageStart, usageEnd, usage);
        }
        else {
            byte[] member = new byte[USAGE_MEMBER.length + usage.length];
            System.arraycopy(USAGE_MEMBER, 0, member, 0, USAGE_MEMBER.length);
            System.arraycopy(usage, 0, member, USAGE_MEMBER.length, usage.length);
            splice.replace(usageStart, usageStart, member);
        }
        return splice.bytes();
    }

    /** The answer as a tree, for a consumer that needs one (the Anthropic Messages translation). */
    ObjectNode tree() {
        return (ObjectNode) mapper.readTree(json);
    }

}
