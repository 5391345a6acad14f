package dev.tollgate.provider.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.RelayedCompletion;
import dev.tollgate.provider.TokenUsage;

/**
 * Reads what the proxy needs off a whole OpenAI answer in one pass over its tokens, without building a tree: where
 * its {@code id}, {@code model} and {@code usage} values lie (to put Tollgate's in their place), the usage itself
 * ({@link OpenAiUsage#read}), the last finish reason and the delivered text. Answers null for anything the tree
 * path should handle, which also reports what is wrong with it: JSON that is not well-formed or not a chat
 * completion, no {@code id} or {@code model}, a {@code usage} that is neither an object nor null, and what
 * {@link ScannedLayout} leaves to a tree.
 */
final class OpenAiCompletionScanner {

    private final JsonMapper json;

    OpenAiCompletionScanner(JsonMapper json) {
        this.json = json;
    }

    @Nullable ChatCompletion scan(byte[] bytes) {
        ScannedLayout layout;
        try (JsonParser parser = json.createParser(bytes)) {
            layout = ScannedLayout.scan(parser, "message", true);
        }
        catch (JacksonException ex) {
            return null;
        }
        if (layout == null || !layout.hasIdAndModel() || layout.choices == null) {
            return null;
        }
        TokenUsage usage = TokenUsage.NONE;
        if (layout.usage != null) {
            usage = layout.usage;
        }
        else if (layout.usageNameStart >= 0 && layout.usageToken != JsonToken.VALUE_NULL) {
            return null;
        }
        boolean hasUsage = layout.usageNameStart >= 0;
        RelayedCompletion relayed = new RelayedCompletion(bytes, layout.idStart, layout.idEnd, layout.modelStart,
                layout.modelEnd, hasUsage ? layout.usageStart : layout.closingBrace,
                hasUsage ? layout.usageEnd : layout.closingBrace, hasUsage, layout.choices.finishReason(),
                layout.choices.text(), json);
        return new ChatCompletion(relayed, usage);
    }

}
