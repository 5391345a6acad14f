// Date ranges for the usage and activity pages. Ranges are whole local calendar days: `from` is a local midnight and
// `to` the (exclusive) local midnight after the last day, so a range stays the same all day and queries cache well.

export type RangePreset = 'today' | '7d' | '30d' | 'custom';

export interface DateRange {
  /** Inclusive start, ISO instant. */
  from: string;
  /** Exclusive end, ISO instant. */
  to: string;
  /** The local calendar days the range covers, YYYY-MM-DD, oldest first. */
  days: string[];
}

export function localDay(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

function startOfLocalDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

function parseLocalDay(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The range of whole local days from `firstDay` to `lastDay` (YYYY-MM-DD, inclusive), or null if not a range. */
export function rangeOfDays(firstDay: string, lastDay: string): DateRange | null {
  const first = parseLocalDay(firstDay);
  const last = parseLocalDay(lastDay);
  if (!first || !last || last < first) return null;
  const days: string[] = [];
  for (let day = first; day <= last && days.length <= 366; day = addDays(day, 1)) {
    days.push(localDay(day));
  }
  return { from: first.toISOString(), to: addDays(last, 1).toISOString(), days };
}

/** Today, the last 7 days or the last 30 days, each ending with today. */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, now: Date = new Date()): DateRange {
  const today = startOfLocalDay(now);
  const length = preset === 'today' ? 1 : preset === '7d' ? 7 : 30;
  return rangeOfDays(localDay(addDays(today, 1 - length)), localDay(today)) as DateRange;
}
