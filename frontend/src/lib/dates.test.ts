import { describe, expect, it } from 'vitest';
import { presetRange, rangeOfDays } from './dates';

describe('date ranges', () => {
  const now = new Date(2026, 2, 10, 15, 30); // 10 March 2026, 15:30 local

  it('covers whole local days ending today, with an exclusive end at the next midnight', () => {
    const week = presetRange('7d', now);
    expect(week.days).toEqual(['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    expect(new Date(week.from).getTime()).toBe(new Date(2026, 2, 4).getTime());
    expect(new Date(week.to).getTime()).toBe(new Date(2026, 2, 11).getTime());
  });

  it('is stable through the day so that queries cache', () => {
    expect(presetRange('today', now)).toEqual(presetRange('today', new Date(2026, 2, 10, 23, 59)));
    expect(presetRange('30d', now).days).toHaveLength(30);
  });

  it('accepts a custom range of whole days and refuses a reversed one', () => {
    expect(rangeOfDays('2026-02-27', '2026-03-01')?.days).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(rangeOfDays('2026-03-02', '2026-03-01')).toBeNull();
    expect(rangeOfDays('yesterday', '2026-03-01')).toBeNull();
  });
});
