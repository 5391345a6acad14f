import { fireEvent, screen, within, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { localDay } from '../lib/dates';
import { ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

const today = localDay(new Date());

function usageServer() {
  return mockApi({
    'GET /api/me': { body: ME },
    'GET /api/usage': (call) => {
      const groupBy = call.query.get('groupBy');
      const totals = { requests: 4, promptTokens: 1200, completionTokens: 300, costMicros: 2_345_000 };
      const rows =
        groupBy === 'model'
          ? [
              { model: 'openai/gpt-4o-mini', requests: 3, promptTokens: 1000, completionTokens: 200, costMicros: 345_000 },
              { model: 'openai/gpt-4.1', requests: 1, promptTokens: 200, completionTokens: 100, costMicros: 2_000_000 },
            ]
          : groupBy === 'day,key'
            ? [{ day: today, keyId: 'k1', keyName: 'backend', requests: 4, promptTokens: 1200, completionTokens: 300, costMicros: 2_345_000 }]
            : [{ day: today, model: 'openai/gpt-4o-mini', requests: 3, promptTokens: 1000, completionTokens: 200, costMicros: 345_000 }];
      return { body: { from: call.query.get('from'), to: call.query.get('to'), groupBy, totals, rows } };
    },
  });
}

/** The page (a lazily loaded chunk) has rendered the totals. */
async function loaded() {
  await waitFor(() => expect(screen.getByTestId('total-spend')).not.toHaveTextContent('…'), { timeout: 5000 });
}

function readBlob(blob: Blob | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob as Blob);
  });
}

describe('usage page', () => {
  it('shows totals and a table by model, most expensive first', async () => {
    usageServer();
    renderApp('/usage');
    await loaded();
    expect(screen.getByTestId('total-spend')).toHaveTextContent('$2.35');
    expect(screen.getByText('1,200')).toBeInTheDocument();
    const table = screen.getByRole('heading', { name: 'By model' }).closest('section') as HTMLElement;
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('openai/gpt-4.1');
    expect(rows[0]).toHaveTextContent('$2.00');
    expect(rows[1]).toHaveTextContent('$0.35');
  });

  it('asks for the chosen range and grouping', async () => {
    const api = usageServer();
    renderApp('/usage');
    await loaded();
    const first = api.callsTo('GET', '/api/usage')[0];
    const days = (Date.parse(first?.query.get('to') ?? '') - Date.parse(first?.query.get('from') ?? '')) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    // Days counted where the range's midnights are: the browser's time zone.
    expect(first?.query.get('tz')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);

    await userEvent.click(screen.getByRole('button', { name: 'Today' }));
    await userEvent.click(screen.getByRole('button', { name: 'By key' }));
    await waitFor(() => {
      const last = api.callsTo('GET', '/api/usage').at(-1);
      expect(last?.query.get('groupBy')).toBe('day,key');
      const span = (Date.parse(last?.query.get('to') ?? '') - Date.parse(last?.query.get('from') ?? '')) / 86_400_000;
      expect(Math.round(span)).toBe(1);
    });
    expect(screen.getByRole('button', { name: 'Today' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('applies a custom range of whole days and refuses a reversed one', async () => {
    const api = usageServer();
    renderApp('/usage');
    await loaded();
    await userEvent.click(screen.getByRole('button', { name: 'Custom' }));
    const from = screen.getByLabelText('From');
    const to = screen.getByLabelText('To');
    fireEvent.change(from, { target: { value: '2026-03-01' } });
    fireEvent.change(to, { target: { value: '2026-02-01' } });
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Pick a start day on or before the end day.');

    fireEvent.change(to, { target: { value: '2026-03-03' } });
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => {
      const last = api.callsTo('GET', '/api/usage').at(-1);
      expect(last?.query.get('from')).toBe(new Date(2026, 2, 1).toISOString());
      expect(last?.query.get('to')).toBe(new Date(2026, 2, 4).toISOString());
    });
  });

  it('exports the daily rows as CSV', async () => {
    usageServer();
    const created: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob);
      return 'blob:usage';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderApp('/usage');
    await loaded();
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    expect(click).toHaveBeenCalled();
    const text = await readBlob(created[0]);
    expect(text).toBe(
      'day,model,requests,prompt_tokens,completion_tokens,cost_usd\r\n' + `${today},openai/gpt-4o-mini,3,1000,200,0.345\r\n`,
    );
  });

  it('says the feature is coming when the server has no usage API', async () => {
    mockApi({ 'GET /api/me': { body: ME } });
    renderApp('/usage');
    expect(await screen.findByText('Usage is not available yet')).toBeInTheDocument();
  });
});
