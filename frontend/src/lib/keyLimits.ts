// A key's limits as its form edits them: a credit limit in USD and its own rate limits, requests and tokens per
// minute (account/KeyRateLimit). Empty means no limit. Error keys are the API's param names, so the server's answers
// land on the same fields.
import type { FieldErrors } from '../auth/formErrors';
import type { ApiKey, KeyRateLimit } from '../api/types';
import { formatCount } from './format';
import { microsToUsdDecimal, parseUsdToMicros } from './money';

/** The largest per-minute limit the server accepts. */
export const MAX_PER_MINUTE = 1_000_000_000_000;

export interface LimitValues {
  creditLimitUsd: string;
  requestsPerMinute: string;
  tokensPerMinute: string;
}

export interface Limits {
  creditLimitMicros: number | null;
  rateLimit: KeyRateLimit | null;
}

export const NO_LIMITS: LimitValues = { creditLimitUsd: '', requestsPerMinute: '', tokensPerMinute: '' };

/** A key's limits as the form shows them. */
export function limitValues(key: Pick<ApiKey, 'creditLimitMicros' | 'rateLimit'>): LimitValues {
  return {
    creditLimitUsd: key.creditLimitMicros === null ? '' : microsToUsdDecimal(key.creditLimitMicros),
    requestsPerMinute: key.rateLimit?.requestsPerMinute?.toString() ?? '',
    tokensPerMinute: key.rateLimit?.tokensPerMinute?.toString() ?? '',
  };
}

/** A typed per-minute limit: null for none (empty), undefined when it is not a whole number from 1 to the maximum. */
export function parsePerMinute(text: string): number | null | undefined {
  const digits = text.trim().replace(/[,_\s]/g, '');
  if (!digits) return null;
  if (!/^\d+$/.test(digits)) return undefined;
  const value = Number(digits);
  return value >= 1 && value <= MAX_PER_MINUTE ? value : undefined;
}

/** Checks what was typed: the limits, or the problems keyed by the API's param names. */
export function checkLimits(values: LimitValues): { limits: Limits | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const credit = values.creditLimitUsd.trim();
  const creditLimitMicros = credit ? parseUsdToMicros(credit) : null;
  if (credit && creditLimitMicros === null) {
    errors.creditLimitUsd = 'Enter an amount in USD like 10 or 2.50, or leave it empty for no limit.';
  }
  const requests = parsePerMinute(values.requestsPerMinute);
  if (requests === undefined) {
    errors['rateLimit.requestsPerMinute'] = 'Enter a whole number of requests, or leave it empty for no limit.';
  }
  const tokens = parsePerMinute(values.tokensPerMinute);
  if (tokens === undefined) {
    errors['rateLimit.tokensPerMinute'] = 'Enter a whole number of tokens, or leave it empty for no limit.';
  }
  if (Object.keys(errors).length > 0 || requests === undefined || tokens === undefined) return { limits: null, errors };
  const rateLimit = requests === null && tokens === null ? null : { requestsPerMinute: requests, tokensPerMinute: tokens };
  return { limits: { creditLimitMicros, rateLimit }, errors };
}

/** The key-creation fields for these limits: only those set. */
export function createBody(limits: Limits): { creditLimitUsd?: string; rateLimit?: KeyRateLimit } {
  return {
    ...(limits.creditLimitMicros !== null ? { creditLimitUsd: microsToUsdDecimal(limits.creditLimitMicros) } : {}),
    ...(limits.rateLimit ? { rateLimit: limits.rateLimit } : {}),
  };
}

/**
 * The `PATCH /api/keys/{id}` body that takes a key to these limits: only what changed, since the server changes only
 * the fields a PATCH carries; null removes a limit. Amounts go as decimal strings, so no float rounds them.
 */
export function patchBody(key: Pick<ApiKey, 'creditLimitMicros' | 'rateLimit'>, limits: Limits) {
  const body: { creditLimitUsd?: string | null; rateLimit?: KeyRateLimit | null } = {};
  if (limits.creditLimitMicros !== key.creditLimitMicros) {
    body.creditLimitUsd = limits.creditLimitMicros === null ? null : microsToUsdDecimal(limits.creditLimitMicros);
  }
  const before = key.rateLimit ?? null;
  const after = limits.rateLimit;
  if ((before?.requestsPerMinute ?? null) !== (after?.requestsPerMinute ?? null)
      || (before?.tokensPerMinute ?? null) !== (after?.tokensPerMinute ?? null)) {
    body.rateLimit = after;
  }
  return body;
}

/** A key's rate limits as short lines ("60 requests/min", "100,000 tokens/min"); none when it has none. */
export function rateLimitLines(rateLimit: KeyRateLimit | null | undefined): string[] {
  const lines: string[] = [];
  if (rateLimit?.requestsPerMinute != null) lines.push(`${formatCount(rateLimit.requestsPerMinute)} requests/min`);
  if (rateLimit?.tokensPerMinute != null) lines.push(`${formatCount(rateLimit.tokensPerMinute)} tokens/min`);
  return lines;
}
