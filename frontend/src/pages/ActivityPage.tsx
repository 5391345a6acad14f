import type { ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { useActivity, useGeneration, useKeys, useModels } from '../api/queries';
import type { Generation } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Empty, ErrorState, Loading } from '../components/States';
import { formatCount, formatDateTime, formatMs } from '../lib/format';
import { formatMicros } from '../lib/money';

const PAGE_SIZE = 50;

// The request log keeps each call's HTTP status; these are the ones a call can end with.
const STATUSES: [string, string][] = [
  ['failed', 'Any failure'],
  // 200 is any call that answered, a stream that broke after its first byte included (shown as Interrupted).
  ['200', 'Answered (200)'],
  ['400', 'Bad request'],
  ['402', 'Out of credits'],
  ['404', 'Unknown model'],
  ['429', 'Rate limited'],
  ['499', 'Cancelled by the client'],
  ['502', 'Provider error'],
  ['503', 'No provider available'],
  ['504', 'Provider timeout'],
];

function statusSucceeded(generation: Generation): boolean {
  const status = Number(generation.status);
  return Number.isNaN(status) ? String(generation.status).toLowerCase() === 'success' : status >= 200 && status < 300;
}

export function StatusBadge({ generation }: { generation: Generation }) {
  if (generation.cancelled) return <span className="badge badge-warning">Cancelled</span>;
  if (statusSucceeded(generation)) {
    if (!generation.errorCode) return <span className="badge badge-success">OK</span>;
    // A stream answers 200 with its first byte; one that broke after it keeps the 200 and logs the error code.
    return <span className="badge badge-error" title={generation.errorCode}>Interrupted</span>;
  }
  return (
    <span className="badge badge-error" title={generation.errorCode ?? undefined}>
      Error {generation.status}
    </span>
  );
}

function Filters() {
  const [params, setParams] = useSearchParams();
  const models = useModels();
  const keys = useKeys();
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete('page');
    next.delete('before');
    next.delete('after');
    setParams(next);
  };
  return (
    <form className="filters" aria-label="Filter activity" onSubmit={(event) => event.preventDefault()}>
      <label>
        Model
        <select value={params.get('model') ?? ''} onChange={(event) => set('model', event.target.value)}>
          <option value="">All models</option>
          {models.data?.map((model) => (
            <option key={model.id} value={model.id}>{model.id}</option>
          ))}
        </select>
      </label>
      <label>
        Key
        <select value={params.get('keyId') ?? ''} onChange={(event) => set('keyId', event.target.value)}>
          <option value="">All keys</option>
          {keys.data?.map((key) => (
            <option key={key.id} value={key.id}>{key.name}</option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select value={params.get('status') ?? ''} onChange={(event) => set('status', event.target.value)}>
          <option value="">Any status</option>
          {STATUSES.map(([code, label]) => (
            <option key={code} value={code}>{code === 'failed' ? label : `${code} ${label}`}</option>
          ))}
        </select>
      </label>
    </form>
  );
}

export function ActivityPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const activity = useActivity({
    page,
    size: PAGE_SIZE,
    model: params.get('model') ?? '',
    keyId: params.get('keyId') ?? '',
    status: params.get('status') ?? '',
    before: params.get('before') ?? '',
    after: params.get('after') ?? '',
  });
  const filtered = ['model', 'keyId', 'status'].some((name) => params.get(name));
  return (
    <>
      <PageHeader title="Activity" description="Every call made with your keys, newest first." />
      <Filters />
      <section className="card">
        {activity.isPending ? (
          <Loading label="Loading activity…" />
        ) : activity.error ? (
          <ErrorState error={activity.error} feature="Activity" onRetry={() => activity.refetch()} />
        ) : activity.data.data.length === 0 && activity.data.page === 0 ? (
          <Empty title={filtered ? 'No calls match these filters' : 'No calls yet'}>
            {filtered ? null : <p>Make a call with one of your keys (see <Link to="/quickstart">Quickstart</Link>); it shows up here.</p>}
          </Empty>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table table-clickable" aria-label="Requests">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Model</th>
                    <th scope="col">Key</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">Tokens</th>
                    <th scope="col" className="num">Cost</th>
                    <th scope="col" className="num">Latency</th>
                  </tr>
                </thead>
                <tbody>
                  {activity.data.data.map((generation) => (
                    <tr key={generation.id} onClick={() => navigate(`/activity/${encodeURIComponent(generation.id)}`)}>
                      <td data-label="Time">
                        <Link to={`/activity/${encodeURIComponent(generation.id)}`} onClick={(event) => event.stopPropagation()}>
                          {formatDateTime(generation.createdAt)}
                        </Link>
                      </td>
                      <td data-label="Model"><code>{generation.model}</code></td>
                      <td data-label="Key">{generation.keyName ?? '—'}</td>
                      <td data-label="Status"><StatusBadge generation={generation} /></td>
                      <td data-label="Tokens" className="num">
                        {formatCount(generation.promptTokens)} → {formatCount(generation.completionTokens)}
                      </td>
                      <td data-label="Cost" className="num">{formatMicros(generation.costMicros)}</td>
                      <td data-label="Latency" className="num">{formatMs(generation.latencyMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={activity.data.page} size={activity.data.size} total={activity.data.total}
              shown={activity.data.data.length}
              onPage={(next) => {
                // Still showing the previous view's page: its cursors are not this one's.
                if (activity.isPlaceholderData) return;
                const nextParams = new URLSearchParams(params);
                nextParams.set('page', String(next));
                nextParams.delete('before');
                nextParams.delete('after');
                // From the cursor of the page shown, so that calls logged meanwhile do not shift the pages; the first
                // page is the newest calls again.
                const { firstCursor, lastCursor, page: shown } = activity.data;
                if (next > shown && lastCursor) nextParams.set('before', lastCursor);
                else if (next < shown && next > 0 && firstCursor) nextParams.set('after', firstCursor);
                // Back from a page with nothing on it (no cursor to go back from): the newest calls.
                else if (next < shown && !firstCursor) nextParams.set('page', '0');
                setParams(nextParams);
              }} />
          </>
        )}
      </section>
    </>
  );
}

export function GenerationPage() {
  const { id = '' } = useParams();
  const generation = useGeneration(id);
  return (
    <>
      <PageHeader title="Generation" description={<code>{id}</code>}
        actions={<Link className="button button-secondary" to="/activity">Back to activity</Link>} />
      <section className="card">
        {generation.isPending ? (
          <Loading />
        ) : generation.error instanceof ApiError && generation.error.status === 404 ? (
          <Empty title="No such call">
            <p>No call with this id was made with your keys, or this server does not show call details yet.</p>
          </Empty>
        ) : generation.error ? (
          <ErrorState error={generation.error} feature="This generation" onRetry={() => generation.refetch()} />
        ) : (
          <GenerationDetails generation={generation.data} />
        )}
      </section>
    </>
  );
}

const USAGE_SOURCES: Record<string, string> = {
  upstream: 'Provider',
  tokenizer: 'Estimate (tokenizer)',
  cache: 'Response cache (free: answered by a kept answer)',
};

function GenerationDetails({ generation }: { generation: Generation }) {
  const rows: [string, ReactNode][] = [
    ['Status', <StatusBadge generation={generation} />],
    ['Time', formatDateTime(generation.createdAt)],
    ['Model', <code>{generation.model}</code>],
    ['Provider', generation.provider ?? '—'],
    ['Key', generation.keyName ?? '—'],
    ['Cost', formatMicros(generation.costMicros, { precise: true })],
    ['Prompt tokens', formatCount(generation.promptTokens)],
    ['Completion tokens', formatCount(generation.completionTokens)],
    ['Cached prompt tokens', formatCount(generation.cachedTokens)],
    ['Reasoning tokens', formatCount(generation.reasoningTokens)],
    ['Latency', formatMs(generation.latencyMs)],
    ['Time to first token', formatMs(generation.ttfbMs)],
    ['Generation time', formatMs(generation.generationMs)],
    ['Finish reason', generation.finishReason ?? '—'],
    ['Streamed', generation.streamed ? 'Yes' : 'No'],
    ['Token counts from', USAGE_SOURCES[generation.usageSource ?? ''] ?? '—'],
  ];
  if (generation.piiRedactions) rows.push(['Personal data redacted', formatCount(generation.piiRedactions)]);
  if (generation.errorCode) rows.push(['Error', <code>{generation.errorCode}</code>]);
  if (generation.errorMessage) rows.push(['Error message', generation.errorMessage]);
  return (
    <dl className="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
