import type { UsageRow } from '../api/types';

// Turns /api/usage rows grouped by day and model (or key) into what a stacked bar chart needs: one point per day
// with one number per series, every day present (zero when idle), and the biggest spenders as their own series.

export type SeriesDimension = 'model' | 'key';

export interface ChartSeries {
  /** A safe data key for the chart library ("s0", "s1", …): model ids contain dots, which chart libraries read as paths. */
  dataKey: string;
  label: string;
  totalMicros: number;
}

export interface ChartPoint {
  day: string;
  [dataKey: string]: number | string;
}

export interface SpendChart {
  points: ChartPoint[];
  series: ChartSeries[];
}

export const OTHER_LABEL = 'Other';

export function seriesLabel(row: UsageRow, by: SeriesDimension): { id: string; label: string } {
  if (by === 'model') {
    const model = row.model ?? 'unknown';
    return { id: model, label: model };
  }
  if (!row.keyId) return { id: '', label: 'No key' };
  return { id: row.keyId, label: row.keyName || `Key ${row.keyId.slice(0, 8)}` };
}

/**
 * Shapes usage rows into a stacked chart of spend per day in micro-dollars. `days` lists the days the range covers;
 * days that appear only in the rows are added in order. Series beyond `maxSeries` are summed into "Other".
 */
export function shapeSpendChart(rows: UsageRow[], by: SeriesDimension, days: string[], maxSeries = 6): SpendChart {
  const totals = new Map<string, { label: string; micros: number }>();
  for (const row of rows) {
    const { id, label } = seriesLabel(row, by);
    const entry = totals.get(id) ?? { label, micros: 0 };
    entry.micros += row.costMicros;
    totals.set(id, entry);
  }
  const ranked = [...totals.entries()].sort(
    ([, a], [, b]) => b.micros - a.micros || a.label.localeCompare(b.label),
  );
  const needsOther = ranked.length > maxSeries;
  const kept = needsOther ? ranked.slice(0, maxSeries - 1) : ranked;
  const dataKeyById = new Map<string, string>();
  const series: ChartSeries[] = kept.map(([id, { label, micros }], index) => {
    dataKeyById.set(id, `s${index}`);
    return { dataKey: `s${index}`, label, totalMicros: micros };
  });
  if (needsOther) {
    const otherMicros = ranked.slice(kept.length).reduce((sum, [, { micros }]) => sum + micros, 0);
    series.push({ dataKey: 'other', label: OTHER_LABEL, totalMicros: otherMicros });
  }

  const allDays = [...new Set([...days, ...rows.map((row) => row.day).filter((day): day is string => !!day)])].sort();
  const pointByDay = new Map<string, ChartPoint>();
  for (const day of allDays) {
    const point: ChartPoint = { day };
    for (const { dataKey } of series) point[dataKey] = 0;
    pointByDay.set(day, point);
  }
  for (const row of rows) {
    if (!row.day) continue;
    const point = pointByDay.get(row.day) as ChartPoint;
    const dataKey = dataKeyById.get(seriesLabel(row, by).id) ?? 'other';
    point[dataKey] = (point[dataKey] as number) + row.costMicros;
  }
  return { points: allDays.map((day) => pointByDay.get(day) as ChartPoint), series };
}
