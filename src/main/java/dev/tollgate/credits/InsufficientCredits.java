package dev.tollgate.credits;

import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;

/** The 402s of admission, worded like OpenRouter's so that clients know what to change. */
final class InsufficientCredits {

    private InsufficientCredits() {
    }

    static ApiException tenant(long holdMicros) {
        return new ApiException(HttpStatus.PAYMENT_REQUIRED, "insufficient_credits", "insufficient_credits",
                "Insufficient credits: this request can cost up to $" + Money.microsToUsd(holdMicros).toPlainString()
                        + " (the prompt plus max_tokens of output) and the balance does not cover it. Add credits, "
                        + "or lower max_tokens.");
    }

    static ApiException key(long holdMicros, long remainingMicros) {
        return new ApiException(HttpStatus.PAYMENT_REQUIRED, "insufficient_credits", "key_limit_reached",
                "This API key's credit limit is reached: the request can cost up to $"
                        + Money.microsToUsd(holdMicros).toPlainString() + " and the key has $"
                        + Money.microsToUsd(Math.max(0, remainingMicros)).toPlainString()
                        + " left. Raise the key's limit or lower max_tokens.");
    }

}
