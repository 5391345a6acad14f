// The one place where money is turned into text. The API sends integer micro-dollars (1 USD = 1,000,000 micros) in
// fields named `…Micros`; everything here works on those integers with integer arithmetic, so no amount is ever
// rounded by floating point on its way to the screen.

export const MICROS_PER_USD = 1_000_000;
export const MICROS_PER_CENT = 10_000;

const GROUPING = /\B(?=(\d{3})+(?!\d))/g;

function group(whole: number): string {
  return String(whole).replace(GROUPING, ',');
}

function assertMicros(micros: number): void {
  if (!Number.isSafeInteger(micros)) {
    throw new RangeError(`Not an integer amount of micro-dollars: ${micros}`);
  }
}

export interface FormatOptions {
  /** Show every non-zero micro-dollar (up to six decimals) instead of rounding to cents. */
  precise?: boolean;
}

/**
 * Formats micro-dollars as USD text: `$1,234.57` for amounts of a cent or more, and just enough decimals for smaller
 * ones so that a $0.000135 request never reads as $0.00. With `precise`, up to six decimals are always kept.
 */
export function formatMicros(micros: number | null | undefined, options: FormatOptions = {}): string {
  if (micros === null || micros === undefined) {
    return '—';
  }
  assertMicros(micros);
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  if (!options.precise && abs >= 10_000) {
    const cents = Math.floor((abs + 5_000) / 10_000); // half-up to the cent
    return `${sign}$${group(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
  }
  const whole = Math.floor(abs / MICROS_PER_USD);
  const fraction = String(abs % MICROS_PER_USD).padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${group(whole)}.${fraction}`;
}

/** Short axis labels for charts: `$0`, `$0.0012`, `$1.5`, `$12`, `$1.2k`. */
export function formatMicrosCompact(micros: number): string {
  assertMicros(micros);
  const usd = micros / MICROS_PER_USD;
  const abs = Math.abs(usd);
  if (abs === 0) return '$0';
  if (abs >= 1_000) return `$${(usd / 1_000).toFixed(abs >= 10_000 ? 0 : 1)}k`;
  if (abs >= 1) return `$${Number(usd.toFixed(abs >= 10 ? 0 : 2))}`;
  return `$${Number(usd.toPrecision(2))}`;
}

/** The exact decimal USD value of micros, for CSV files and form fields: 1500 → "0.0015", 2000000 → "2". */
export function microsToUsdDecimal(micros: number): string {
  assertMicros(micros);
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_USD);
  const fraction = String(abs % MICROS_PER_USD).padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

const USD_INPUT = /^\s*\$?\s*(\d{1,10})(?:\.(\d{0,6}))?\s*$/;

/**
 * Parses what a person typed as a USD amount ("5", "12.50", "$0.25") into micros, or null when it is not a
 * non-negative amount with at most six decimals.
 */
export function parseUsdToMicros(text: string): number | null {
  const match = USD_INPUT.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return whole * MICROS_PER_USD + fraction;
}

/**
 * Turns an OpenRouter-style price in USD per token ("0.00000015") into micro-dollars per million tokens (150000),
 * exactly, by shifting the decimal point twelve places.
 */
export function perTokenPriceToMicrosPerMillion(perTokenUsd: string | number | null | undefined): number | null {
  if (perTokenUsd === null || perTokenUsd === undefined || perTokenUsd === '') return null;
  const text = typeof perTokenUsd === 'number' ? perTokenUsd.toFixed(15) : perTokenUsd.trim();
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const digits = (match[1] ?? '') + (match[2] ?? '').padEnd(12, '0').slice(0, 12);
  const rest = (match[2] ?? '').slice(12);
  const micros = Number(digits || '0') + (rest && Number(rest[0]) >= 5 ? 1 : 0);
  return Number.isSafeInteger(micros) ? micros : null;
}

export interface CheckoutQuote {
  creditsMicros: number;
  feeMicros: number;
  totalMicros: number;
}

/**
 * A decimal number from the API (a JSON number such as 2.9, or a decimal string) as an exact integer and a power of
 * ten: 2.9 → 29n / 10^1. JSON numbers reach us as doubles, whose shortest form (String(2.9) is "2.9") is the decimal
 * the server sent, as long as it has at most 15 significant digits.
 */
function exactDecimal(value: number | string): { units: bigint; scale: number } {
  const match = /^\s*(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?\s*$/i.exec(String(value));
  if (!match || !(match[1] || match[2])) {
    throw new RangeError(`Not a non-negative decimal number: ${value}`);
  }
  const fraction = match[2] ?? '';
  const scale = fraction.length - Number(match[3] ?? 0);
  const units = BigInt((match[1] ?? '') + fraction || '0');
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** n / d rounded half up, for n ≥ 0 and d > 0, as Java's RoundingMode.HALF_UP does. */
function divideHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/**
 * What a top-up of `creditsMicros` costs at checkout, to the cent as Tollgate asks Stripe to charge it
 * (billing/TopUpPricing): the credits, which must be whole cents, plus the purchase fee, `feePercent` % of the credits
 * rounded half up to the cent, plus `feeFixedUsd`. Null when the credits are not a whole number of cents, which the
 * server refuses.
 */
export function quoteCheckout(creditsMicros: number, feePercent: number | string, feeFixedUsd: number | string): CheckoutQuote | null {
  assertMicros(creditsMicros);
  if (creditsMicros < 0 || creditsMicros % MICROS_PER_CENT !== 0) return null;
  const cents = BigInt(creditsMicros / MICROS_PER_CENT);
  const percent = exactDecimal(feePercent);
  // cents × units / 10^scale / 100, in whole cents; BigInt keeps large top-ups exact.
  const percentCents = divideHalfUp(cents * percent.units, 100n * 10n ** BigInt(percent.scale));
  const fixed = exactDecimal(feeFixedUsd);
  // The server keeps the fixed fee in whole cents (it refuses anything finer in its configuration).
  const fixedCents = divideHalfUp(fixed.units * 100n, 10n ** BigInt(fixed.scale));
  const feeMicros = Number(percentCents + fixedCents) * MICROS_PER_CENT;
  return { creditsMicros, feeMicros, totalMicros: creditsMicros + feeMicros };
}

/** USD from the API (a JSON number such as 5 or 0.8) as micros, for amounts like billing limits. */
export function usdToMicros(usd: number | string | null | undefined): number | null {
  if (usd === null || usd === undefined || usd === '') return null;
  return parseUsdToMicros(typeof usd === 'number' ? usd.toFixed(6) : usd);
}
