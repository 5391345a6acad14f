import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../api/types';
import { shapeSpendChart } from './usageChart';

function row(day: string, model: string, costMicros: number, key?: { id: string | null; name: string | null }): UsageRow {
  return {
    day,
    model,
    ...(key ? { keyId: key.id, keyName: key.name } : {}),
    requests: 1,
    promptTokens: 10,
    completionTokens: 5,
    costMicros,
  };
}

describe('shapeSpendChart', () => {
  it('makes one point per day of the range, with zeros on idle days', () => {
    const chart = shapeSpendChart(
      [row('2026-03-02', 'openai/gpt-4o-mini', 300), row('2026-03-02', 'openai/gpt-4.1', 700)],
      'model',
      ['2026-03-01', '2026-03-02', '2026-03-03'],
    );
    expect(chart.points.map((point) => point.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(chart.series.map((series) => series.label)).toEqual(['openai/gpt-4.1', 'openai/gpt-4o-mini']);
    expect(chart.points[0]).toEqual({ day: '2026-03-01', s0: 0, s1: 0 });
    expect(chart.points[1]).toEqual({ day: '2026-03-02', s0: 700, s1: 300 });
  });

  it('uses safe data keys because model ids contain dots', () => {
    const chart = shapeSpendChart([row('2026-03-01', 'openai/gpt-4.1', 5)], 'model', ['2026-03-01']);
    expect(chart.series[0]?.dataKey).toBe('s0');
    expect(Object.keys(chart.points[0] ?? {})).not.toContain('openai/gpt-4.1');
  });

  it('ranks series by total spend and folds the tail into Other', () => {
    const rows = ['a', 'b', 'c', 'd'].map((model, index) => row('2026-03-01', model, (index + 1) * 100));
    const chart = shapeSpendChart(rows, 'model', ['2026-03-01'], 3);
    expect(chart.series.map((series) => [series.label, series.totalMicros])).toEqual([
      ['d', 400],
      ['c', 300],
      ['Other', 300],
    ]);
    expect(chart.points[0]).toEqual({ day: '2026-03-01', s0: 400, s1: 300, other: 300 });
  });

  it('groups by key id, naming keys by their name and calls without a key as such', () => {
    const rows = [
      row('2026-03-01', 'm', 100, { id: 'k1', name: 'backend' }),
      row('2026-03-02', 'm', 50, { id: 'k1', name: 'backend' }),
      row('2026-03-02', 'm', 70, { id: 'k2', name: 'backend' }),
      row('2026-03-02', 'm', 1, { id: null, name: null }),
    ];
    const chart = shapeSpendChart(rows, 'key', ['2026-03-01', '2026-03-02']);
    expect(chart.series.map((series) => [series.label, series.totalMicros])).toEqual([
      ['backend', 150],
      ['backend', 70],
      ['No key', 1],
    ]);
    expect(chart.points[1]).toEqual({ day: '2026-03-02', s0: 50, s1: 70, s2: 1 });
  });

  it('adds days that the server reports outside the local range instead of dropping their spend', () => {
    const chart = shapeSpendChart([row('2026-02-28', 'm', 9)], 'model', ['2026-03-01']);
    expect(chart.points.map((point) => point.day)).toEqual(['2026-02-28', '2026-03-01']);
    expect(chart.points[0]?.s0).toBe(9);
  });

  it('has no series when nothing was spent', () => {
    expect(shapeSpendChart([], 'model', ['2026-03-01']).series).toEqual([]);
  });
});
