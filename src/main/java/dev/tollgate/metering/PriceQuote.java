package dev.tollgate.metering;

import java.math.BigDecimal;
import java.math.BigInteger;

import org.jspecify.annotations.Nullable;

import dev.tollgate.provider.TokenUsage;

/**
 * What one request costs: the provider's price row and the markup in force when the request was admitted.
 * <p>
 * Rounding rule: the exact provider cost is a whole number of pico-dollars (tokens × micro-dollars per million
 * tokens); the provider cost and the tenant's charge are each rounded <em>up</em> to the next micro-dollar, once per
 * request. So no fraction of a micro-dollar is ever lost, and a tenant pays at most one micro-dollar more per request
 * than the exact price.
 *
 * @param price the provider price row
 * @param markupPpm the markup in parts per million (50000 = 5 %)
 */
public record PriceQuote(ModelPrice price, long markupPpm, @Nullable ModelPrice hostPrice) {

    public PriceQuote(ModelPrice price, long markupPpm) {
        this(price, markupPpm, null);
    }

    /**
     * This quote for a route whose host charges the operator its own price: the tenant still pays the catalog price,
     * the operator's cost follows the host. A route has input and output prices only; its cached, cache-write,
     * reasoning and audio tokens keep the catalog's ratios to those (a host's cached input at the full input price
     * overstated the operator's cost, and understated the margin, of every call that hit a cache).
     */
    public PriceQuote onHost(@Nullable Long inputPerMtok, @Nullable Long outputPerMtok) {
        if (inputPerMtok == null || outputPerMtok == null) {
            return new PriceQuote(price, markupPpm, null);
        }
        // A host's long-context prices keep the catalog's ratios to its own prices too.
        ModelPrice.LongContext tier = price.longContext();
        Long longInput = tier == null ? null : ModelPrice.scaled(tier.inputPerMtok(), price.inputPerMtok(),
                inputPerMtok);
        Long longOutput = tier == null ? null : ModelPrice.scaled(tier.outputPerMtok(), price.outputPerMtok(),
                outputPerMtok);
        return new PriceQuote(price, markupPpm, price.rescaled(inputPerMtok, outputPerMtok,
                longInput == null || longOutput == null ? null
                        : new ModelPrice.LongContext(tier.aboveTokens(), longInput, longOutput)));
    }

    private static final long PICOS_PER_MICRO = 1_000_000L;

    private static final long[] NONE = {0};

    /**
     * A write to a one-hour cache costs twice the input price, for every model that has one (Anthropic's rule; its
     * five-minute writes, 1.25 times, are the catalog's cache-write price). Not a column: no other provider has one.
     */
    private static final long HOUR_CACHE_WRITE_TIMES_INPUT = 2;

    private static final BigInteger PPM = BigInteger.valueOf(1_000_000L);

    /** The exact catalog cost in pico-dollars (10⁻¹² USD), which the tenant's charge is computed from. */
    public long costPicos(TokenUsage usage) {
        return picos(price, usage);
    }

    private static long picos(ModelPrice catalogOrHost, TokenUsage usage) {
        ModelPrice price = catalogOrHost.forPrompt(usage.promptTokens());
        long cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        long cachedAudio = Math.min(usage.cachedAudioTokens(), cached);
        long cacheWrite = Math.min(usage.cacheWriteTokens(), usage.promptTokens() - cached);
        long hourCacheWrite = Math.min(usage.hourCacheWriteTokens(), cacheWrite);
        long audio = Math.min(usage.audioPromptTokens(), usage.promptTokens() - cached - cacheWrite);
        long plainInput = usage.promptTokens() - cached - cacheWrite - audio;
        long reasoning = Math.min(usage.reasoningTokens(), usage.completionTokens());
        long audioOutput = Math.min(usage.audioCompletionTokens(), usage.completionTokens() - reasoning);
        long plainOutput = usage.completionTokens() - reasoning - audioOutput;
        long input = price.inputPerMtok();
        long picos = Math.multiplyExact(plainInput, input);
        picos = plus(picos, cached - cachedAudio, orElse(price.cachedInputPerMtok(), input));
        picos = plus(picos, cachedAudio, cachedAudioPerMtok(price));
        picos = plus(picos, cacheWrite - hourCacheWrite, orElse(price.cacheWritePerMtok(), input));
        picos = plus(picos, hourCacheWrite, Math.multiplyExact(HOUR_CACHE_WRITE_TIMES_INPUT, input));
        picos = plus(picos, audio, orElse(price.audioInputPerMtok(), input));
        picos = plus(picos, plainOutput, price.outputPerMtok());
        picos = plus(picos, audioOutput, orElse(price.audioOutputPerMtok(), price.outputPerMtok()));
        return plus(picos, reasoning, orElse(price.reasoningPerMtok(), price.outputPerMtok()));
    }

    /** {@code picos} and {@code tokens} at {@code perMtok}, or an ArithmeticException beyond a long. */
    private static long plus(long picos, long tokens, long perMtok) {
        return Math.addExact(picos, Math.multiplyExact(tokens, perMtok));
    }

    /**
     * Cached audio: the audio price in the ratio cached text bears to text (Google's list, Gemini 2.5 Flash: $0.10
     * against $1.00 as $0.03 against $0.30), to the nearest micro-dollar per million tokens.
     */
    private static long cachedAudioPerMtok(ModelPrice price) {
        long cached = orElse(price.cachedInputPerMtok(), price.inputPerMtok());
        Long audio = price.audioInputPerMtok();
        Long scaled = audio == null ? null : ModelPrice.scaled(cached, price.inputPerMtok(), audio);
        return scaled != null ? scaled : cached;
    }

    /** What the provider charges the operator (the host's price when it has its own), rounded up. */
    public long providerCostMicros(TokenUsage usage) {
        return ceilDiv(hostPrice != null ? picos(hostPrice, usage) : costPicos(usage), PICOS_PER_MICRO);
    }

    /** What the tenant pays: provider cost plus markup, rounded up to the micro-dollar. */
    public long chargeMicros(TokenUsage usage) {
        long picos = costPicos(usage);
        long factor = 1_000_000L + markupPpm;
        long product = picos * factor;
        // The product fits in a long unless one call costs more than about $8.78: then, and only then, BigInteger.
        if (Math.multiplyHigh(picos, factor) == product >> 63) {
            long whole = product / 1_000_000_000_000L;
            return product % 1_000_000_000_000L > 0 ? whole + 1 : Math.max(whole, 0);
        }
        BigInteger withMarkup = BigInteger.valueOf(picos).multiply(BigInteger.valueOf(factor));
        BigInteger[] micros = withMarkup.divideAndRemainder(PPM.multiply(PPM));
        long whole = micros[0].longValueExact();
        return micros[1].signum() > 0 ? whole + 1 : Math.max(whole, 0);
    }

    /**
     * The charge if the request used {@code promptTokens} of input and {@code maxOutputTokens} of output, or
     * {@code Long.MAX_VALUE} when that is beyond a long: a worst case may count more tokens than any answer (a prompt
     * estimated from megabytes of image parts, a {@code max_tokens} near 2³¹), and no balance covers the most there is.
     */
    public long worstCaseChargeMicros(long promptTokens, long maxOutputTokens) {
        return worstCaseChargeMicros(new PromptEstimator.Estimate(promptTokens, 0), maxOutputTokens, false);
    }

    /**
     * The most a call may be charged, each token at the dearest of the prices it may be billed at: the prompt's audio
     * at the audio price; a prompt that asks for a cache as written to it (a one-hour cache's writes at twice the
     * input price); the output as reasoning where reasoning costs more, and as audio when the call asks for speech
     * ({@code audioAnswer}); and a prompt estimated within a quarter below a long-context threshold at the tier's
     * prices (the estimate is a guess, and the tier bills the whole call).
     */
    public long worstCaseChargeMicros(PromptEstimator.Estimate prompt, long maxOutputTokens, boolean audioAnswer) {
        long promptTokens = prompt.tokens();
        ModelPrice.LongContext tier = price.longContext();
        if (tier != null && promptTokens <= tier.aboveTokens()
                && promptTokens >= tier.aboveTokens() - tier.aboveTokens() / 4) {
            promptTokens = tier.aboveTokens() + 1;
        }
        long audio = Math.min(prompt.audioTokens(), promptTokens);
        long text = promptTokens - audio;
        boolean dearReasoning = price.reasoningPerMtok() != null && price.reasoningPerMtok() > price.outputPerMtok();
        try {
            long charge = 0;
            for (long audioOutput : audioAnswer ? new long[] {0, maxOutputTokens} : NONE) {
                for (long reasoning : dearReasoning ? new long[] {0, maxOutputTokens} : NONE) {
                    charge = Math.max(charge, chargeMicros(new TokenUsage(promptTokens, maxOutputTokens, 0, 0,
                            reasoning, 0, audio, 0, audioOutput)));
                    if (prompt.cacheWrite()) {
                        // The text written to a cache, or all of it (audio too, where a write costs more than audio).
                        charge = Math.max(charge, chargeMicros(new TokenUsage(promptTokens, maxOutputTokens, 0, text,
                                reasoning, 0, audio, 0, audioOutput)));
                        charge = Math.max(charge, chargeMicros(new TokenUsage(promptTokens, maxOutputTokens, 0,
                                promptTokens, reasoning, 0, 0, 0, audioOutput)));
                    }
                    if (prompt.hourCache()) {
                        // The same, written to a one-hour cache.
                        charge = Math.max(charge, chargeMicros(new TokenUsage(promptTokens, maxOutputTokens, 0, text,
                                reasoning, text, audio, 0, audioOutput)));
                        charge = Math.max(charge, chargeMicros(new TokenUsage(promptTokens, maxOutputTokens, 0,
                                promptTokens, reasoning, promptTokens, 0, 0, audioOutput)));
                    }
                }
            }
            return charge;
        }
        catch (ArithmeticException beyondALong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A per-million-tokens price of this quote's row as the tenant pays it per token, in USD, exactly: e.g. 150000
     * micros per Mtok with 5 % markup → 0.0000001575.
     */
    public BigDecimal usdPerToken(long microsPerMtok) {
        BigDecimal usd = BigDecimal.valueOf(microsPerMtok).multiply(BigDecimal.valueOf(1_000_000L + markupPpm))
            .movePointLeft(18).stripTrailingZeros();
        return usd.scale() < 0 ? usd.setScale(0) : usd;
    }

    private static long orElse(Long value, long fallback) {
        return value != null ? value : fallback;
    }

    private static long ceilDiv(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }

}
