import { screen, within, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Generation } from '../api/types';
import { ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

function generation(overrides: Partial<Generation>): Generation {
  return {
    id: 'gen-1',
    createdAt: '2026-03-10T12:00:00Z',
    model: 'openai/gpt-4o-mini',
    provider: 'openai',
    keyId: 'k1',
    keyName: 'backend',
    status: 200,
    streamed: false,
    cancelled: false,
    finishReason: 'stop',
    promptTokens: 12,
    completionTokens: 9,
    cachedTokens: 0,
    reasoningTokens: 0,
    costMicros: 7,
    latencyMs: 420,
    ttfbMs: 180,
    errorCode: null,
    usageSource: 'upstream',
    ...overrides,
  };
}

const PAGE = {
  data: [
    generation({ id: 'gen-2', status: 502, errorCode: 'upstream_error', costMicros: 0, latencyMs: 1500 }),
    generation({ id: 'gen-1' }),
  ],
  page: 0,
  size: 2,
  total: 120,
  firstCursor: 'c-first',
  lastCursor: 'c-last',
};

function server() {
  return mockApi({
    'GET /api/me': { body: ME },
    'GET /api/activity': { body: PAGE },
    'GET /api/activity/gen-1': { body: generation({ id: 'gen-1', streamed: true }) },
    'GET /api/keys': { body: [{ id: 'k1', name: 'backend', prefix: 'sk-tg-v1-3f9c2a…', creditLimitMicros: null, createdAt: '2026-03-01T00:00:00Z', lastUsedAt: null }] },
    'GET /api/models': { body: { data: [{ id: 'openai/gpt-4o-mini' }, { id: 'openai/gpt-4.1' }] } },
  });
}

describe('activity page', () => {
  it('lists calls newest first with status, tokens, cost and latency', async () => {
    server();
    renderApp('/activity');
    const rows = within(await screen.findByRole('table', { name: 'Requests' })).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0] as HTMLElement).getByText('Error 502')).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).getByText('OK')).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).getByText('12 → 9')).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).getByText('$0.000007')).toBeInTheDocument();
    expect(within(rows[0] as HTMLElement).getByText('1.50 s')).toBeInTheDocument();
    expect(screen.getByText('1–2 of 120')).toBeInTheDocument();
  });

  it('shows a stream that broke after its first byte as interrupted, not OK, in the list and in its details', async () => {
    const broken = generation({ id: 'gen-3', status: 200, streamed: true, errorCode: 'upstream_error',
      finishReason: null, errorMessage: 'The provider closed the stream.' });
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [] },
      'GET /api/models': { body: { data: [] } },
      'GET /api/activity': { body: { ...PAGE, data: [broken], total: 1 } },
      'GET /api/activity/gen-3': { body: broken },
    });
    renderApp('/activity');
    const row = within(await screen.findByRole('table', { name: 'Requests' })).getAllByRole('row')[1] as HTMLElement;
    expect(within(row).queryByText('OK')).not.toBeInTheDocument();
    expect(within(row).getByText('Interrupted')).toHaveAttribute('title', 'upstream_error');

    await userEvent.click(within(row).getByRole('link'));
    const status = (await screen.findByText('Status', { selector: 'dt' })).nextElementSibling as HTMLElement;
    expect(status).toHaveTextContent('Interrupted');
    expect(status).not.toHaveTextContent('OK');
  });

  it('sends filters and pages to the API', async () => {
    const api = server();
    renderApp('/activity');
    await screen.findByRole('table', { name: 'Requests' });
    await userEvent.selectOptions(screen.getByLabelText('Model'), 'openai/gpt-4.1');
    await userEvent.selectOptions(await screen.findByLabelText('Key'), 'backend');
    await userEvent.selectOptions(screen.getByLabelText('Status'), '502');
    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));

    await waitFor(() => {
      const last = api.callsTo('GET', '/api/activity').at(-1);
      expect(Object.fromEntries(last?.query ?? [])).toEqual({
        page: '1',
        size: '50',
        model: 'openai/gpt-4.1',
        keyId: 'k1',
        status: '502',
        // The next page from the last row shown, so that calls logged meanwhile do not shift it.
        before: 'c-last',
      });
    });
  });

  it('finds the previous page from the first row shown, and the first page afresh', async () => {
    const api = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [] },
      'GET /api/models': { body: { data: [] } },
      'GET /api/activity': (call) => ({ body: { ...PAGE, page: Number(call.query.get('page') ?? 0) } }),
    });
    renderApp('/activity?page=2&before=c-older');
    await userEvent.click(await screen.findByRole('button', { name: 'Previous' }));
    await waitFor(() => expect(api.callsTo('GET', '/api/activity').at(-1)?.query.get('page')).toBe('1'));
    expect(Object.fromEntries(api.callsTo('GET', '/api/activity').at(-1)?.query ?? [])).toMatchObject({ after: 'c-first' });
    expect(api.callsTo('GET', '/api/activity').at(-1)?.query.has('before')).toBe(false);

    await userEvent.click(await screen.findByRole('button', { name: 'Previous' }));
    await waitFor(() => expect(api.callsTo('GET', '/api/activity').at(-1)?.query.get('page')).toBe('0'));
    expect(api.callsTo('GET', '/api/activity').at(-1)?.query.has('after')).toBe(false);
  });

  it('keeps a way back from a page found empty, and no next page after a short one', async () => {
    const api = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [] },
      'GET /api/models': { body: { data: [] } },
      'GET /api/activity': (call) => ({
        body: call.query.has('before')
          // Calls logged since the first page raised the total; nothing is older than the last row shown.
          ? { ...PAGE, data: [], page: 1, total: 130, firstCursor: null, lastCursor: null }
          : PAGE,
      }),
    });
    renderApp('/activity');
    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));

    expect(await screen.findByText('None past 2 of 130')).toBeInTheDocument();
    expect(screen.queryByText('No calls yet')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    await waitFor(() => expect(api.callsTo('GET', '/api/activity').at(-1)?.query.get('page')).toBe('0'));
    expect(api.callsTo('GET', '/api/activity').at(-1)?.query.has('after')).toBe(false);
  });

  it('opens a generation’s details from its row', async () => {
    server();
    renderApp('/activity');
    const rows = within(await screen.findByRole('table', { name: 'Requests' })).getAllByRole('row');
    await userEvent.click(within(rows[2] as HTMLElement).getByRole('link'));

    expect(await screen.findByRole('heading', { name: 'Generation' })).toBeInTheDocument();
    const detail = (label: string) => screen.getByText(label, { selector: 'dt' }).nextElementSibling;
    await screen.findByText('Time to first token', { selector: 'dt' });
    expect(detail('Time to first token')).toHaveTextContent('180 ms');
    expect(detail('Finish reason')).toHaveTextContent('stop');
    expect(detail('Provider')).toHaveTextContent('openai');
    expect(detail('Streamed')).toHaveTextContent('Yes');
    expect(detail('Cost')).toHaveTextContent('$0.000007');
  });

  it('says when the response cache answered a call, and what the guardrails redacted', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/activity/gen-9': {
        body: generation({ id: 'gen-9', usageSource: 'cache', costMicros: 0, piiRedactions: 2 }),
      },
    });
    renderApp('/activity/gen-9');

    await screen.findByText('Token counts from', { selector: 'dt' });
    const detail = (label: string) => screen.getByText(label, { selector: 'dt' }).nextElementSibling;
    expect(detail('Token counts from')).toHaveTextContent('Response cache (free: answered by a kept answer)');
    expect(detail('Personal data redacted')).toHaveTextContent('2');
    expect(detail('Cost')).toHaveTextContent('$0.00');
  });

  it('says so when a generation is not there', async () => {
    server();
    renderApp('/activity/gen-unknown');
    expect(await screen.findByText('No such call')).toBeInTheDocument();
  });

  it('says the feature is coming when the server has no activity API', async () => {
    mockApi({ 'GET /api/me': { body: ME } });
    renderApp('/activity');
    expect(await screen.findByText('Activity is not available yet')).toBeInTheDocument();
  });
});
