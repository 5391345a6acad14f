import { describe, expect, it } from 'vitest';
import {
  formatMicros,
  formatMicrosCompact,
  microsToUsdDecimal,
  parseUsdToMicros,
  perTokenPriceToMicrosPerMillion,
  quoteCheckout,
  usdToMicros,
} from './money';

describe('formatMicros', () => {
  it('shows dollars and cents for amounts of a cent or more, grouped by thousands', () => {
    expect(formatMicros(0)).toBe('$0.00');
    expect(formatMicros(1_000_000)).toBe('$1.00');
    expect(formatMicros(12_345_678)).toBe('$12.35');
    expect(formatMicros(1_234_567_890_000)).toBe('$1,234,567.89');
    expect(formatMicros(10_000)).toBe('$0.01');
  });

  it('rounds half up to the cent without floating-point drift', () => {
    expect(formatMicros(1_005_000)).toBe('$1.01');
    expect(formatMicros(1_004_999)).toBe('$1.00');
    expect(formatMicros(2_675_000)).toBe('$2.68'); // 2.675 is 2.67499… as a double
    expect(formatMicros(9_995_000)).toBe('$10.00');
  });

  it('keeps sub-cent amounts visible instead of showing $0.00', () => {
    expect(formatMicros(135)).toBe('$0.000135');
    expect(formatMicros(1)).toBe('$0.000001');
    expect(formatMicros(5_000)).toBe('$0.005');
    expect(formatMicros(9_999)).toBe('$0.009999');
  });

  it('puts the sign before the dollar sign', () => {
    expect(formatMicros(-1_500_000)).toBe('-$1.50');
    expect(formatMicros(-135)).toBe('-$0.000135');
  });

  it('shows every micro-dollar when asked to be precise', () => {
    expect(formatMicros(1_234_567, { precise: true })).toBe('$1.234567');
    expect(formatMicros(1_500_000, { precise: true })).toBe('$1.50');
    expect(formatMicros(150_000, { precise: true })).toBe('$0.15');
    expect(formatMicros(-2_000_100, { precise: true })).toBe('-$2.0001');
  });

  it('shows a dash for a missing amount and refuses non-integers', () => {
    expect(formatMicros(null)).toBe('—');
    expect(formatMicros(undefined)).toBe('—');
    expect(() => formatMicros(1.5)).toThrow(RangeError);
    expect(() => formatMicros(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatMicrosCompact', () => {
  it('labels chart axes briefly', () => {
    expect(formatMicrosCompact(0)).toBe('$0');
    expect(formatMicrosCompact(1_200)).toBe('$0.0012');
    expect(formatMicrosCompact(1_500_000)).toBe('$1.5');
    expect(formatMicrosCompact(12_400_000)).toBe('$12');
    expect(formatMicrosCompact(1_250_000_000)).toBe('$1.3k');
  });
});

describe('conversions', () => {
  it('writes exact decimal USD for files and requests', () => {
    expect(microsToUsdDecimal(1_500)).toBe('0.0015');
    expect(microsToUsdDecimal(2_000_000)).toBe('2');
    expect(microsToUsdDecimal(-1_250_000)).toBe('-1.25');
    expect(microsToUsdDecimal(0)).toBe('0');
  });

  it('parses typed amounts into micros exactly', () => {
    expect(parseUsdToMicros('10')).toBe(10_000_000);
    expect(parseUsdToMicros('0.1')).toBe(100_000);
    expect(parseUsdToMicros(' $2.50 ')).toBe(2_500_000);
    expect(parseUsdToMicros('0.000001')).toBe(1);
    expect(parseUsdToMicros('1.')).toBe(1_000_000);
  });

  it('rejects what is not a non-negative amount with at most six decimals', () => {
    for (const text of ['', 'abc', '-1', '1.0000001', '1,000', '1e3', '.5']) {
      expect(parseUsdToMicros(text)).toBeNull();
    }
  });

  it('turns per-token prices into micros per million tokens without rounding', () => {
    expect(perTokenPriceToMicrosPerMillion('0.00000015')).toBe(150_000);
    expect(perTokenPriceToMicrosPerMillion('0.0000006')).toBe(600_000);
    expect(perTokenPriceToMicrosPerMillion('0.000015')).toBe(15_000_000);
    expect(perTokenPriceToMicrosPerMillion('0')).toBe(0);
    expect(perTokenPriceToMicrosPerMillion('0.0000000000005')).toBe(1);
    expect(perTokenPriceToMicrosPerMillion(undefined)).toBeNull();
    expect(perTokenPriceToMicrosPerMillion('free')).toBeNull();
  });

  it('reads USD numbers from the API as micros', () => {
    expect(usdToMicros(5)).toBe(5_000_000);
    expect(usdToMicros(0.8)).toBe(800_000);
    expect(usdToMicros(null)).toBeNull();
  });
});

describe('quoteCheckout', () => {
  // The fee is what Stripe charges: whole cents, the percentage rounded half up to the cent (billing/TopUpPricing).
  it('charges the README’s example to the cent: $25.50 at 2.9 % + $0.30 costs $26.54', () => {
    // 2.9 % of 2550 cents is 73.95 cents, charged as 74; rounding to the micro would say 73.95.
    expect(quoteCheckout(25_500_000, 2.9, 0.3)).toEqual({
      creditsMicros: 25_500_000,
      feeMicros: 1_040_000,
      totalMicros: 26_540_000,
    });
  });

  it('rounds the percentage half up to the cent, never to a fraction of one', () => {
    expect(quoteCheckout(5_000_000, 2.9, 0)?.feeMicros).toBe(150_000); // 14.5 cents → 15
    expect(quoteCheckout(1_700_000, 2.9, 0)?.feeMicros).toBe(50_000); // 4.93 cents → 5
    expect(quoteCheckout(5_170_000, 2.9, 0)?.feeMicros).toBe(150_000); // 14.993 cents → 15
    expect(quoteCheckout(5_000_000, 2.89, 0)?.feeMicros).toBe(140_000); // 14.45 cents → 14
    expect(quoteCheckout(10_000, 50, 0)?.feeMicros).toBe(10_000); // half a cent → 1 cent
    expect(quoteCheckout(10_000, 49.999, 0)?.feeMicros).toBe(0);
  });

  it('rounds once, to the cent, where rounding to the micro first would show a cent more', () => {
    // 3.495 % of 701 cents is 24.49995 cents: Stripe charges 24; via the micro (2,450 micros) it would read $0.25.
    const quote = quoteCheckout(7_010_000, 3.495, 0.3);
    expect(quote?.feeMicros).toBe(540_000);
    expect(formatMicros(quote?.totalMicros)).toBe('$7.55');
  });

  it('adds the fixed fee and costs exactly the credits when there is no fee', () => {
    expect(quoteCheckout(10_000_000, 5.5, 0.8)?.feeMicros).toBe(1_350_000);
    expect(quoteCheckout(25_000_000, 0, 0)?.totalMicros).toBe(25_000_000);
    expect(quoteCheckout(25_000_000, '0', '0.30')?.feeMicros).toBe(300_000);
  });

  it('reads the percentage exactly, however many decimals the server sends', () => {
    expect(quoteCheckout(100_000_000, 2.12345, 0)?.feeMicros).toBe(2_120_000); // 212.345 cents → 212
    expect(quoteCheckout(100_000_000, 2.12355, 0)?.feeMicros).toBe(2_120_000); // 212.355 cents → 212
    expect(quoteCheckout(100_000_000, 2.1235, 0)?.feeMicros).toBe(2_120_000); // 212.35 cents → 212
    expect(quoteCheckout(100_000_000, 2.125, 0)?.feeMicros).toBe(2_130_000); // 212.5 cents → 213
    expect(quoteCheckout(1_000_000_000, 1e-7, 0)?.feeMicros).toBe(0);
  });

  it('stays exact for the largest top-ups', () => {
    expect(quoteCheckout(100_000_000_000_000, 2.9, 0)?.feeMicros).toBe(2_900_000_000_000);
    expect(quoteCheckout(999_999_990_000, 2.9, 0.3)?.totalMicros).toBe(1_028_999_990_000 + 300_000);
  });

  it('quotes nothing for amounts the server refuses: fractions of a cent', () => {
    expect(quoteCheckout(10_005_000, 2.9, 0.3)).toBeNull();
    expect(quoteCheckout(1, 0, 0)).toBeNull();
  });
});
