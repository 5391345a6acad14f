import { describe, expect, it } from 'vitest';
import { checkLimits, createBody, limitValues, patchBody, parsePerMinute, rateLimitLines } from './keyLimits';

const KEY = { creditLimitMicros: 25_000_000, rateLimit: { requestsPerMinute: 60, tokensPerMinute: null } };

describe('key limits', () => {
  it('reads per-minute limits as whole numbers, empty meaning none', () => {
    expect(parsePerMinute('60')).toBe(60);
    expect(parsePerMinute(' 100,000 ')).toBe(100_000);
    expect(parsePerMinute('')).toBeNull();
    for (const text of ['0', '-5', '1.5', 'lots', '1e3', '1000000000001']) {
      expect(parsePerMinute(text)).toBeUndefined();
    }
    expect(parsePerMinute('1000000000000')).toBe(1_000_000_000_000);
  });

  it('shows a key’s limits in the form, exactly', () => {
    expect(limitValues(KEY)).toEqual({ creditLimitUsd: '25', requestsPerMinute: '60', tokensPerMinute: '' });
    expect(limitValues({ creditLimitMicros: 2_500_001, rateLimit: null })).toEqual({
      creditLimitUsd: '2.500001',
      requestsPerMinute: '',
      tokensPerMinute: '',
    });
  });

  it('names each bad field as the API does', () => {
    const { limits, errors } = checkLimits({ creditLimitUsd: 'ten', requestsPerMinute: '0', tokensPerMinute: '2.5' });
    expect(limits).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['creditLimitUsd', 'rateLimit.requestsPerMinute', 'rateLimit.tokensPerMinute']);
  });

  it('creates a key with only the limits that are set', () => {
    const none = checkLimits({ creditLimitUsd: '', requestsPerMinute: '', tokensPerMinute: '' }).limits;
    expect(none && createBody(none)).toEqual({});
    const some = checkLimits({ creditLimitUsd: '$2.50', requestsPerMinute: '', tokensPerMinute: '40,000' }).limits;
    expect(some && createBody(some)).toEqual({
      creditLimitUsd: '2.5',
      rateLimit: { requestsPerMinute: null, tokensPerMinute: 40_000 },
    });
  });

  it('patches only what changed, null removing a limit', () => {
    const patch = (creditLimitUsd: string, requestsPerMinute: string, tokensPerMinute: string) => {
      const { limits } = checkLimits({ creditLimitUsd, requestsPerMinute, tokensPerMinute });
      return limits && patchBody(KEY, limits);
    };
    expect(patch('25.00', '60', '')).toEqual({});
    expect(patch('', '60', '')).toEqual({ creditLimitUsd: null });
    expect(patch('30', '60', '')).toEqual({ creditLimitUsd: '30' });
    expect(patch('25', '120', '100000')).toEqual({ rateLimit: { requestsPerMinute: 120, tokensPerMinute: 100_000 } });
    expect(patch('25', '', '')).toEqual({ rateLimit: null });
    expect(patchBody({ creditLimitMicros: null, rateLimit: undefined }, { creditLimitMicros: null, rateLimit: null })).toEqual({});
  });

  it('describes rate limits in a line each', () => {
    expect(rateLimitLines({ requestsPerMinute: 60, tokensPerMinute: 100_000 })).toEqual(['60 requests/min', '100,000 tokens/min']);
    expect(rateLimitLines({ requestsPerMinute: null, tokensPerMinute: 5 })).toEqual(['5 tokens/min']);
    expect(rateLimitLines(null)).toEqual([]);
  });
});
