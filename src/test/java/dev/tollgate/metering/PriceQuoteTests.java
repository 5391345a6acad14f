package dev.tollgate.metering;

import java.math.BigInteger;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

import dev.tollgate.provider.TokenCounts;
import dev.tollgate.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

class PriceQuoteTests {

    // gpt-4o-mini: $0.15 / Mtok in, $0.60 / Mtok out, $0.075 / Mtok cached.
    static final ModelPrice MINI = new ModelPrice(1, "openai/gpt-4o-mini", 150_000, 600_000, 75_000L, null, null,
            OffsetDateTime.parse("2025-01-01T00:00:00Z"));

    // claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $3.75 cache write.
    static final ModelPrice SONNET = new ModelPrice(2, "anthropic/claude-sonnet-4-5", 3_000_000, 15_000_000, 300_000L,
            3_750_000L, null, OffsetDateTime.parse("2025-01-01T00:00:00Z"));

    @Test
    void costIsExactInPicoDollars() {
        PriceQuote quote = new PriceQuote(MINI, 0);

        // 1000 in × 150000 + 500 out × 600000 = 150,000,000 + 300,000,000 picos = $0.00045
        assertThat(quote.costPicos(TokenUsage.of(1000, 500))).isEqualTo(450_000_000L);
        assertThat(quote.providerCostMicros(TokenUsage.of(1000, 500))).isEqualTo(450);
        assertThat(quote.chargeMicros(TokenUsage.of(1000, 500))).isEqualTo(450);
    }

    @Test
    void eachRequestIsRoundedUpToTheMicroDollarSoNoFractionIsLost() {
        PriceQuote quote = new PriceQuote(MINI, 0);

        // One input token costs 150000 picos = 0.15 micro-dollars: charged as 1 micro-dollar.
        assertThat(quote.chargeMicros(TokenUsage.of(1, 0))).isEqualTo(1);
        assertThat(quote.providerCostMicros(TokenUsage.of(1, 0))).isEqualTo(1);
        // A million one-token requests are charged at least what one million-token request costs.
        long manySmall = 1_000_000L * quote.chargeMicros(TokenUsage.of(1, 0));
        assertThat(manySmall).isGreaterThanOrEqualTo(quote.chargeMicros(TokenUsage.of(1_000_000, 0)));
        assertThat(quote.chargeMicros(TokenUsage.NONE)).isZero();
    }

    @Test
    void markupIsAppliedBeforeRounding() {
        PriceQuote fivePercent = new PriceQuote(MINI, 50_000);

        // $0.00045 × 1.05 = 472.5 micros → 473
        assertThat(fivePercent.chargeMicros(TokenUsage.of(1000, 500))).isEqualTo(473);
        assertThat(fivePercent.providerCostMicros(TokenUsage.of(1000, 500))).isEqualTo(450);
        // A negative markup (a discount) is allowed down to free.
        assertThat(new PriceQuote(MINI, -1_000_000).chargeMicros(TokenUsage.of(1000, 500))).isZero();
    }

    @Test
    void chargesAreExactOnBothSidesOfWhereTheProductOutgrowsALong() {
        PriceQuote fivePercent = new PriceQuote(SONNET, 50_000);

        // Picos × 1,050,000 overflows a long from 8,784,163,844,624 picos on (about $8.78 of cost): each side of it,
        // and far beyond, charged as exact arithmetic charges it.
        for (long outputTokens : new long[] {585_609, 585_610, 585_611, 585_612, 400_000_000}) {
            TokenUsage usage = TokenUsage.of(1, outputTokens);
            long exact = java.math.BigDecimal.valueOf(fivePercent.costPicos(usage))
                .multiply(java.math.BigDecimal.valueOf(1_050_000))
                .divide(java.math.BigDecimal.valueOf(1_000_000_000_000L), 0, java.math.RoundingMode.CEILING)
                .longValueExact();
            assertThat(fivePercent.chargeMicros(usage)).as("%d output tokens", outputTokens).isEqualTo(exact);
        }
        // One token's input (3 micro-dollars × 1.05 = 3.15) and more than $6,000 of output, each rounded up once.
        assertThat(fivePercent.chargeMicros(TokenUsage.of(1, 400_000_000))).isEqualTo(6_300_000_004L);
    }

        @Test
    void cachedCacheWriteAndReasoningTokensHaveTheirOwnPrices() {
        PriceQuote quote = new PriceQuote(SONNET, 0);
        // 10,000 prompt tokens of which 6,000 cache reads and 1,000 cache writes; 2,000 output of which 500 reasoning.
        TokenUsage usage = new TokenUsage(10_000, 2_000, 6_000, 1_000, 500);

        long expected = 3_000L * 3_000_000 + 6_000L * 300_000 + 1_000L * 3_750_000 + 2_000L * 15_000_000;
        assertThat(quote.costPicos(usage)).isEqualTo(expected);
        assertThat(quote.providerCostMicros(usage)).isEqualTo(44_550);
    }

    @Test
    void missingSpecialPricesFallBackToThePlainOnes() {
        PriceQuote quote = new PriceQuote(new ModelPrice(3, "m", 1_000_000, 2_000_000, null, null, null,
                OffsetDateTime.now()), 0);

        assertThat(quote.costPicos(new TokenUsage(100, 100, 50, 0, 40)))
            .isEqualTo(quote.costPicos(TokenUsage.of(100, 100)));
    }

    @Test
    void inconsistentCountsFromAProviderNeverGoNegative() {
        PriceQuote quote = new PriceQuote(SONNET, 0);

        assertThat(quote.costPicos(new TokenUsage(10, 5, 50, 50, 50))).isEqualTo(10L * 300_000 + 5L * 15_000_000);
    }

    /**
     * The dearest price an operator may set ({@link ModelPrice#MAX_PER_MTOK}), on every kind of token, with as many
     * tokens as a provider's counts may report ({@link TokenCounts#MAX} prompt and output, split every way), and
     * markups up to the highest an operator may set ({@link MarkupRules#MAX_PPM}): the charge is still exact.
     */
    @Test
    void theDearestPriceOnTheLargestCountsIsChargedExactly() {
        long max = ModelPrice.MAX_PER_MTOK;
        ModelPrice dearest = new ModelPrice(4, "m", max, max, max, max, max, OffsetDateTime.now());
        long tokens = TokenCounts.MAX;
        for (TokenUsage usage : new TokenUsage[] { TokenUsage.of(tokens, tokens),
            new TokenUsage(tokens, tokens, tokens / 3, tokens / 3, tokens / 2) }) {
            for (long markupPpm : new long[] { MarkupRules.MIN_PPM, 0, 50_000, 10_000_000, MarkupRules.MAX_PPM }) {
                PriceQuote quote = new PriceQuote(dearest, markupPpm);

                BigInteger picos = BigInteger.valueOf(2 * tokens).multiply(BigInteger.valueOf(max));
                BigInteger charged = picos.multiply(BigInteger.valueOf(1_000_000 + markupPpm));
                BigInteger[] micros = charged.divideAndRemainder(BigInteger.TEN.pow(12));
                assertThat(quote.costPicos(usage)).isEqualTo(picos.longValueExact());
                assertThat(quote.chargeMicros(usage))
                    .isEqualTo(micros[0].longValueExact() + (micros[1].signum() > 0 ? 1 : 0));
            }
        }
    }

    /**
     * A hold's worst case may count more tokens than any answer (a prompt estimated from megabytes of image parts, a
     * {@code max_tokens} near 2³¹): beyond a long it is the most there is, which no balance covers.
     */
    @Test
    void aWorstCaseBeyondALongIsTheMostThereIs() {
        PriceQuote dearest = new PriceQuote(new ModelPrice(4, "m", ModelPrice.MAX_PER_MTOK, ModelPrice.MAX_PER_MTOK,
                null, null, null, OffsetDateTime.now()), 50_000);

        assertThat(dearest.worstCaseChargeMicros(1_300_000_000L, Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(dearest.worstCaseChargeMicros(Long.MAX_VALUE / 2, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(new PriceQuote(MINI, 0).worstCaseChargeMicros(1_300_000_000L, Integer.MAX_VALUE))
            .as("an ordinary price on the same counts fits").isEqualTo(1_483_490_189L);
    }

    /** Sonnet: $3 a million input tokens, so $6 written to a one-hour cache; $15 output. */
    @Test
    void oneHourCacheWritesCostTwiceTheInputPriceAndAHoldForThemCountsSo() {
        PriceQuote quote = new PriceQuote(SONNET, 0);

        assertThat(quote.chargeMicros(new TokenUsage(1_000, 0, 0, 300, 0, 200)))
            .as("700 input, 100 five-minute writes at 3.75, 200 one-hour writes at 6")
            .isEqualTo(700 * 3 + 375 + 200 * 6);
        assertThat(quote.worstCaseChargeMicros(prompt(1_000, 0, true), 10, false)).isEqualTo(1_000 * 6 + 10 * 15);
        assertThat(quote.worstCaseChargeMicros(prompt(1_000, 0, false), 10, false)).isEqualTo(1_000 * 3 + 10 * 15);
    }

    /** Gemini 2.5 Flash: text $0.30 a million input tokens, audio $1.00; a host at half the price keeps the ratio. */
    @Test
    void audioInputTokensCostTheAudioPriceAndOnAHostItsShareOfTheHostsInputPrice() {
        ModelPrice flash = new ModelPrice(5, "google/gemini-2.5-flash", 300_000, 2_500_000, 30_000L, null, null,
                1_000_000L, OffsetDateTime.now());
        TokenUsage usage = new TokenUsage(1_010, 4, 0, 0, 0, 0, 1_000, 0);

        assertThat(new PriceQuote(flash, 0).chargeMicros(usage)).isEqualTo(1_000 + 3 + 10);
        assertThat(new PriceQuote(flash, 0).onHost(150_000L, 1_250_000L).providerCostMicros(usage))
            .isEqualTo(500 + 2 + 5);
        assertThat(new PriceQuote(MINI, 0).chargeMicros(new TokenUsage(1_000_000, 0, 0, 0, 0, 0, 1_000_000, 0)))
            .as("no audio price: the input price").isEqualTo(150_000);
        // Cached audio: $1.00 × 0.03 / 0.30 = $0.10 a million, where cached text is $0.03.
        assertThat(new PriceQuote(flash, 0).chargeMicros(new TokenUsage(1_000_000, 0, 1_000_000, 0, 0, 0, 0,
                600_000))).isEqualTo(60_000 + 12_000);
        assertThat(new PriceQuote(flash, 0).worstCaseChargeMicros(prompt(1_000, 800, false), 10, false))
            .as("the hold counts the estimated audio at the audio price").isEqualTo(800 + 60 + 25);
        assertThat(new PriceQuote(flash, 0).worstCaseChargeMicros(prompt(1_000_000, 1_000_000, true), 0, false))
            .as("audio dearer than a one-hour cache write (2 × 0.30)").isEqualTo(1_000_000);
        assertThat(new PriceQuote(flash, 0).worstCaseChargeMicros(prompt(1_000_000, 0, true), 0, false))
            .isEqualTo(600_000);
    }

    /** GPT-4o Audio: text output $10 a million tokens, audio output $80; a host at half the price keeps the ratio. */
    @Test
    void audioOutputTokensCostTheAudioOutputPrice() {
        ModelPrice audio = new ModelPrice(7, "openai/gpt-4o-audio-preview", 2_500_000, 10_000_000, null, null, null,
                40_000_000L, 80_000_000L, null, OffsetDateTime.now());
        TokenUsage spoken = new TokenUsage(1_000, 1_100, 0, 0, 0, 0, 0, 0, 1_000);

        assertThat(new PriceQuote(audio, 0).chargeMicros(spoken)).as("2.5 + 1 + 80").isEqualTo(2_500 + 1_000 + 80_000);
        assertThat(new PriceQuote(audio, 0).onHost(1_250_000L, 5_000_000L).providerCostMicros(spoken))
            .isEqualTo(1_250 + 500 + 40_000);
        assertThat(new PriceQuote(MINI, 0).chargeMicros(new TokenUsage(0, 1_000_000, 0, 0, 0, 0, 0, 0, 1_000_000)))
            .as("no audio output price: the output price").isEqualTo(600_000);
        assertThat(new PriceQuote(audio, 0).chargeMicros(new TokenUsage(0, 100, 0, 0, 60, 0, 0, 0, 100)))
            .as("reasoning first, the audio within what is left").isEqualTo(600 + 3_200);

        assertThat(new PriceQuote(audio, 0).worstCaseChargeMicros(prompt(1_000, 0, false), 1_000, true))
            .as("a call asking for speech holds its cap at the audio price").isEqualTo(2_500 + 80_000);
        assertThat(new PriceQuote(audio, 0).worstCaseChargeMicros(prompt(1_000, 0, false), 1_000, false))
            .isEqualTo(2_500 + 10_000);
        ModelPrice cheaperSpeech = new ModelPrice(8, "m", 1_000_000, 10_000_000, null, null, null, null, 5_000_000L,
                null, OffsetDateTime.now());
        assertThat(new PriceQuote(cheaperSpeech, 0).worstCaseChargeMicros(prompt(0, 0, false), 1_000, true))
            .as("speech asked for, but text dearer: the text price").isEqualTo(10_000);
    }

    /**
     * A hold is the most a call may be charged (a review found three ways it was not): a prompt asking for a five-minute
     * cache is billed at the cache-write price (Sonnet: $3.75 against $3); output at a reasoning price of its own
     * when that is dearer; and a prompt estimated just below a long-context threshold may be above it.
     */
    @Test
    void theHoldCoversCacheWritesDearReasoningAndALongContextTierTheEstimateMayMiss() {
        PriceQuote sonnet = new PriceQuote(SONNET, 50_000);
        PromptEstimator.Estimate cached = new PromptEstimator.Estimate(150_000, 0, false, true);
        assertThat(sonnet.worstCaseChargeMicros(cached, 1_000, false))
            .isGreaterThanOrEqualTo(sonnet.chargeMicros(new TokenUsage(150_000, 1_000, 0, 150_000, 0)))
            .isEqualTo(sonnet.chargeMicros(new TokenUsage(150_000, 1_000, 0, 150_000, 0)));

        ModelPrice thinker = new ModelPrice(9, "m", 1_000_000, 10_000_000, null, null, 20_000_000L,
                OffsetDateTime.now());
        assertThat(new PriceQuote(thinker, 0).worstCaseChargeMicros(0, 1_000)).isEqualTo(20_000);

        ModelPrice pro = new ModelPrice(6, "google/gemini-2.5-pro", 1_250_000, 10_000_000, 125_000L, null, null, null,
                new ModelPrice.LongContext(200_000, 2_500_000, 15_000_000), OffsetDateTime.now());
        PriceQuote quote = new PriceQuote(pro, 0);
        assertThat(quote.worstCaseChargeMicros(199_000, 1_000)).as("at the tier, not 248,750 + 10,000")
            .isEqualTo(quote.chargeMicros(TokenUsage.of(200_001, 1_000)));
        assertThat(quote.worstCaseChargeMicros(100_000, 1_000)).as("far below: the base prices")
            .isEqualTo(125_000 + 10_000);
    }

    /** Gemini 2.5 Pro: $1.25 and $10 a million up to 200K prompt tokens, $2.50 and $15 for the whole call above. */
    @Test
    void aPromptAboveTheLongContextThresholdBillsTheWholeCallAtTheLongContextPrices() {
        ModelPrice pro = new ModelPrice(6, "google/gemini-2.5-pro", 1_250_000, 10_000_000, 125_000L, null, null, null,
                new ModelPrice.LongContext(200_000, 2_500_000, 15_000_000), OffsetDateTime.now());
        PriceQuote quote = new PriceQuote(pro, 0);

        assertThat(quote.chargeMicros(TokenUsage.of(200_000, 1_000))).isEqualTo(250_000 + 10_000);
        assertThat(quote.chargeMicros(TokenUsage.of(200_001, 1_000))).isEqualTo(500_003 + 15_000);
        assertThat(quote.chargeMicros(new TokenUsage(250_000, 1_000, 100_000, 0, 0)))
            .as("cached tokens at the long tier's share: 0.125 × 2").isEqualTo(100_000 / 4 + 150_000 * 5 / 2 + 15_000);
        assertThat(quote.onHost(625_000L, 5_000_000L).providerCostMicros(TokenUsage.of(250_000, 1_000)))
            .as("a host at half the price keeps the tier's ratios").isEqualTo(312_500 + 7_500);
        assertThat(quote.worstCaseChargeMicros(300_000, 1_000)).as("the hold too").isEqualTo(750_000 + 15_000);
    }

    @Test
    void aHostsCachedAndCacheWriteTokensCostTheCatalogsShareOfItsInputPrice() {
        // Sonnet's cache read is a tenth of its input price, its cache write five fourths; the host asks $1.50 a
        // million input tokens and $7.50 output.
        PriceQuote onHost = new PriceQuote(SONNET, 0).onHost(1_500_000L, 7_500_000L);

        assertThat(onHost.providerCostMicros(new TokenUsage(1_000_000, 0, 1_000_000, 0, 0))).isEqualTo(150_000);
        assertThat(onHost.providerCostMicros(new TokenUsage(1_000_000, 0, 0, 1_000_000, 0))).isEqualTo(1_875_000);
        assertThat(onHost.providerCostMicros(TokenUsage.of(1_000_000, 1_000_000))).isEqualTo(9_000_000);
        // The tenant still pays the catalog price.
        assertThat(onHost.chargeMicros(new TokenUsage(1_000_000, 0, 1_000_000, 0, 0))).isEqualTo(300_000);
        // A catalog without a cached price leaves the host's cached input at its input price.
        ModelPrice uncached = new ModelPrice(3, "m", 1_000_000, 2_000_000, null, null, null,
                OffsetDateTime.parse("2025-01-01T00:00:00Z"));
        assertThat(new PriceQuote(uncached, 0).onHost(100_000L, 400_000L)
            .providerCostMicros(new TokenUsage(1_000_000, 0, 1_000_000, 0, 0))).isEqualTo(100_000);
    }

    /** An estimated prompt of {@code tokens}, {@code audio} of them audio, asking for a one-hour cache or none. */
    private static PromptEstimator.Estimate prompt(long tokens, long audio, boolean hourCache) {
        return new PromptEstimator.Estimate(tokens, audio, hourCache, hourCache);
    }

}
