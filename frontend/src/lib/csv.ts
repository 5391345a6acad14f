import type { UsageRow } from '../api/types';
import { microsToUsdDecimal } from './money';

// CSV as RFC 4180 says: comma-separated, CRLF line ends, fields with commas, quotes or line breaks quoted.

export type CsvValue = string | number | null | undefined;

function field(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula; a quote mark keeps it text.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Usage rows as a CSV with exact USD costs, one row per group the API returned. */
export function usageCsv(rows: UsageRow[]): string {
  const hasDay = rows.some((row) => row.day);
  const hasModel = rows.some((row) => row.model);
  const hasKey = rows.some((row) => row.keyId !== undefined || row.keyName !== undefined);
  const header = [
    ...(hasDay ? ['day'] : []),
    ...(hasModel ? ['model'] : []),
    ...(hasKey ? ['key_id', 'key_name'] : []),
    'requests',
    'prompt_tokens',
    'completion_tokens',
    'cost_usd',
  ];
  const body = rows.map((row) => [
    ...(hasDay ? [row.day] : []),
    ...(hasModel ? [row.model] : []),
    ...(hasKey ? [row.keyId, row.keyName] : []),
    row.requests,
    row.promptTokens,
    row.completionTokens,
    microsToUsdDecimal(row.costMicros),
  ]);
  return toCsv(header, body);
}

/** Offers text to the user as a file download. */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
