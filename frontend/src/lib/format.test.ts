import { describe, expect, it } from 'vitest';
import { formatMs, formatRelative, formatTokens, keyPrefix } from './format';

describe('formats', () => {
  it('shows one ellipsis after a key prefix', () => {
    expect(keyPrefix('sk-tg-v1-3f9c2a…')).toBe('sk-tg-v1-3f9c2a…');
    expect(keyPrefix('sk-tg-v1-3f9c2a')).toBe('sk-tg-v1-3f9c2a…');
  });

  it('says context lengths and durations as people do', () => {
    expect(formatTokens(128_000)).toBe('128K');
    expect(formatTokens(1_047_576)).toBe('1.05M');
    expect(formatMs(420)).toBe('420 ms');
    expect(formatMs(1_500)).toBe('1.50 s');
  });

  it('tells how long ago a key was used', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(formatRelative(null, now)).toBe('Never');
    expect(formatRelative('2026-03-10T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-03-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-03-10T09:00:00Z', now)).toBe('3 h ago');
  });
});
