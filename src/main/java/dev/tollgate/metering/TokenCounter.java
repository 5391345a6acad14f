package dev.tollgate.metering;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.stereotype.Component;

/**
 * Counts tokens locally with OpenAI's {@code o200k_base} encoding, for the rare call whose provider never reported
 * usage (a stream cut short). Other providers' tokenizers differ by some percent; the request log says when a count
 * came from here ({@code usage_source = 'tokenizer'}). The encoding is loaded once at startup, off any event loop.
 */
@Component
public class TokenCounter {

    private final Encoding encoding = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    public int count(CharSequence text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text.toString());
    }

}
