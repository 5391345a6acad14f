import { useMemo, useState } from 'react';
import { useModels } from '../api/queries';
import type { CatalogModel } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { formatTokens } from '../lib/format';
import { formatMicros, perTokenPriceToMicrosPerMillion } from '../lib/money';

function pricePerMillion(perToken: string | undefined): string {
  const micros = perTokenPriceToMicrosPerMillion(perToken);
  return micros === null ? '—' : formatMicros(micros, { precise: true });
}

export function matchesSearch(model: CatalogModel, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = `${model.id} ${model.name ?? ''} ${model.owned_by ?? ''}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

export function ModelsPage() {
  const models = useModels();
  const [search, setSearch] = useState('');
  const shown = useMemo(() => (models.data ?? []).filter((model) => matchesSearch(model, search)), [models.data, search]);
  return (
    <>
      <PageHeader title="Models" description="Every model you can call, with what you pay per million tokens." />
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search models</span>
          <input type="search" placeholder="Search models, e.g. gpt mini" value={search}
            onChange={(event) => setSearch(event.target.value)} />
        </label>
        {models.data && <span className="muted">{shown.length} of {models.data.length} models</span>}
      </div>
      <section className="card">
        {models.isPending ? (
          <Loading label="Loading models…" />
        ) : models.error ? (
          <ErrorState error={models.error} feature="Models" onRetry={() => models.refetch()} />
        ) : shown.length === 0 ? (
          <Empty title="No model matches your search" />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">Context</th>
                  <th scope="col" className="num">Input / 1M tokens</th>
                  <th scope="col" className="num">Output / 1M tokens</th>
                  <th scope="col" className="num">Cached input / 1M</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((model) => (
                  <tr key={model.id}>
                    <td data-label="Model">
                      <div className="model-name">{model.name ?? model.id}</div>
                      <code className="muted small">{model.id}</code>
                    </td>
                    <td data-label="Context" className="num">{formatTokens(model.context_length)}</td>
                    <td data-label="Input / 1M" className="num">{pricePerMillion(model.pricing?.prompt)}</td>
                    <td data-label="Output / 1M" className="num">{pricePerMillion(model.pricing?.completion)}</td>
                    <td data-label="Cached / 1M" className="num">{pricePerMillion(model.pricing?.input_cache_read)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
