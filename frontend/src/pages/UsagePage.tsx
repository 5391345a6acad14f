import { useMemo, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useUsage } from '../api/queries';
import type { UsageRow } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { usageCsv, downloadText } from '../lib/csv';
import { localDay, presetRange, rangeOfDays, type DateRange, type RangePreset } from '../lib/dates';
import { formatCount, formatDay } from '../lib/format';
import { formatMicros, formatMicrosCompact } from '../lib/money';
import { shapeSpendChart, type SeriesDimension } from '../lib/usageChart';

const PALETTE = ['#4f46e5', '#0891b2', '#16a34a', '#ca8a04', '#dc2626', '#9333ea', '#64748b'];

const PRESETS: { id: RangePreset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: '7d', label: '7 days' },
  { id: '30d', label: '30 days' },
  { id: 'custom', label: 'Custom' },
];

function RangePicker({ preset, range, onChange }: {
  preset: RangePreset;
  range: DateRange;
  onChange: (preset: RangePreset, range: DateRange) => void;
}) {
  const [first, setFirst] = useState(range.days[0] ?? localDay(new Date()));
  const [last, setLast] = useState(range.days[range.days.length - 1] ?? localDay(new Date()));
  const [error, setError] = useState<string | null>(null);
  const [customOpen, setCustomOpen] = useState(preset === 'custom');
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const custom = rangeOfDays(first, last);
    if (!custom) {
      setError('Pick a start day on or before the end day.');
      return;
    }
    if (custom.days.length > 366) {
      setError('Pick at most a year.');
      return;
    }
    setError(null);
    onChange('custom', custom);
  };
  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Date range">
        {PRESETS.map((item) => (
          <button key={item.id} type="button" aria-pressed={(item.id === 'custom' ? customOpen : preset === item.id && !customOpen)}
            className="segment"
            onClick={() => {
              if (item.id === 'custom') {
                setCustomOpen(true);
              } else {
                setCustomOpen(false);
                onChange(item.id, presetRange(item.id));
              }
            }}>
            {item.label}
          </button>
        ))}
      </div>
      {customOpen && (
        <form className="custom-range" onSubmit={apply} aria-label="Custom date range" noValidate>
          <label>
            From <input type="date" value={first} max={last} onChange={(event) => setFirst(event.target.value)} />
          </label>
          <label>
            To <input type="date" value={last} min={first} onChange={(event) => setLast(event.target.value)} />
          </label>
          <button type="submit" className="button button-secondary">Apply</button>
          {error && <span className="field-error" role="alert">{error}</span>}
        </form>
      )}
    </div>
  );
}

function SpendChart({ rows, by, days }: { rows: UsageRow[]; by: SeriesDimension; days: string[] }) {
  const chart = useMemo(() => shapeSpendChart(rows, by, days), [rows, by, days]);
  if (chart.series.length === 0) {
    return <Empty title="No spend in this period">Calls you make with your keys show up here.</Empty>;
  }
  return (
    <div className="chart" role="img" aria-label={`Spend per day by ${by}`}>
      <ResponsiveContainer width="100%" height={300}>
        <BarChart data={chart.points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
          <XAxis dataKey="day" tickFormatter={formatDay} tick={{ fontSize: 12 }} minTickGap={12} />
          <YAxis tickFormatter={(value: number) => formatMicrosCompact(Math.round(value))} tick={{ fontSize: 12 }} width={64} />
          <Tooltip
            formatter={(value) => formatMicros(Number(value))}
            labelFormatter={(label) => formatDay(String(label))}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {chart.series.map((series, index) => (
            <Bar key={series.dataKey} dataKey={series.dataKey} name={series.label} stackId="spend"
              fill={PALETTE[index % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function ModelTable({ rows }: { rows: UsageRow[] }) {
  const sorted = [...rows].sort((a, b) => b.costMicros - a.costMicros);
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">Requests</th>
            <th scope="col" className="num">Prompt tokens</th>
            <th scope="col" className="num">Completion tokens</th>
            <th scope="col" className="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.model}>
              <td data-label="Model"><code>{row.model}</code></td>
              <td data-label="Requests" className="num">{formatCount(row.requests)}</td>
              <td data-label="Prompt tokens" className="num">{formatCount(row.promptTokens)}</td>
              <td data-label="Completion tokens" className="num">{formatCount(row.completionTokens)}</td>
              <td data-label="Cost" className="num">{formatMicros(row.costMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsagePage() {
  const [preset, setPreset] = useState<RangePreset>('7d');
  const [range, setRange] = useState<DateRange>(() => presetRange('7d'));
  const [by, setBy] = useState<SeriesDimension>('model');
  const daily = useUsage(range.from, range.to, by === 'model' ? 'day,model' : 'day,key');
  const byModel = useUsage(range.from, range.to, 'model');
  const totals = byModel.data?.totals;

  const exportCsv = () => {
    if (!daily.data) return;
    downloadText(`tollgate-usage-${range.days[0]}-to-${range.days[range.days.length - 1]}.csv`, usageCsv(daily.data.rows));
  };

  const unavailable = byModel.error && daily.error;
  return (
    <>
      <PageHeader
        title="Usage"
        description="Where your money went: spend, tokens and requests over time."
        actions={
          <button type="button" className="button button-secondary" onClick={exportCsv} disabled={!daily.data || daily.data.rows.length === 0}>
            Export CSV
          </button>
        }
      />
      <RangePicker preset={preset} range={range} onChange={(next, nextRange) => { setPreset(next); setRange(nextRange); }} />
      {unavailable ? (
        <ErrorState error={byModel.error} feature="Usage" onRetry={() => { byModel.refetch(); daily.refetch(); }} />
      ) : (
        <>
          <div className="stats" aria-busy={byModel.isFetching}>
            <div className="stat stat-primary">
              <span className="stat-label">Spend</span>
              <span className="stat-value" data-testid="total-spend">{totals ? formatMicros(totals.costMicros) : '…'}</span>
            </div>
            <div className="stat">
              <span className="stat-label">Requests</span>
              <span className="stat-value">{totals ? formatCount(totals.requests) : '…'}</span>
            </div>
            <div className="stat">
              <span className="stat-label">Prompt tokens</span>
              <span className="stat-value">{totals ? formatCount(totals.promptTokens) : '…'}</span>
            </div>
            <div className="stat">
              <span className="stat-label">Completion tokens</span>
              <span className="stat-value">{totals ? formatCount(totals.completionTokens) : '…'}</span>
            </div>
          </div>
          <section className="card" aria-labelledby="spend-title">
            <div className="card-header">
              <h2 id="spend-title">Spend per day</h2>
              <div className="segmented" role="group" aria-label="Group spend by">
                <button type="button" className="segment" aria-pressed={by === 'model'} onClick={() => setBy('model')}>By model</button>
                <button type="button" className="segment" aria-pressed={by === 'key'} onClick={() => setBy('key')}>By key</button>
              </div>
            </div>
            {daily.isPending ? (
              <Loading label="Loading spend…" />
            ) : daily.error ? (
              <ErrorState error={daily.error} feature="Spend" onRetry={() => daily.refetch()} />
            ) : (
              <SpendChart rows={daily.data.rows} by={by} days={range.days} />
            )}
          </section>
          <section className="card" aria-labelledby="models-usage-title">
            <h2 id="models-usage-title">By model</h2>
            {byModel.isPending ? (
              <Loading />
            ) : byModel.error ? (
              <ErrorState error={byModel.error} feature="Usage by model" onRetry={() => byModel.refetch()} />
            ) : byModel.data.rows.length === 0 ? (
              <Empty title="No calls in this period" />
            ) : (
              <ModelTable rows={byModel.data.rows} />
            )}
          </section>
        </>
      )}
    </>
  );
}

export default UsagePage;
