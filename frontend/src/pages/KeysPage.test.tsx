import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../api/types';
import { apiError, ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

const SECRET = 'sk-tg-v1-' + 'ab'.repeat(32);

function keyServer(initial: ApiKey[]) {
  let keys = [...initial];
  const server = mockApi({
    'GET /api/me': { body: ME },
    'GET /api/auth/csrf': { body: { token: 't' } },
    'GET /api/keys': () => ({ body: keys }),
    'POST /api/keys': (call) => {
      const body = call.body as { name: string; creditLimitUsd?: string; rateLimit?: ApiKey['rateLimit'] };
      const created = {
        id: 'k-new',
        name: body.name,
        key: SECRET,
        prefix: `${SECRET.slice(0, 15)}…`,
        creditLimitMicros: body.creditLimitUsd ? Math.round(Number(body.creditLimitUsd) * 1e6) : null,
        createdAt: '2026-03-10T12:00:00Z',
        rateLimit: body.rateLimit ?? null,
      };
      keys = [...keys, { ...created, lastUsedAt: null, usageMicros: 0 }];
      return { status: 201, body: created };
    },
    // As account/ApiKeyController: only the fields sent change; null removes.
    'PATCH /api/keys/k1': (call) => {
      const body = call.body as { creditLimitUsd?: string | null; rateLimit?: ApiKey['rateLimit'] };
      keys = keys.map((key) => key.id !== 'k1' ? key : {
        ...key,
        ...('creditLimitUsd' in body
          ? { creditLimitMicros: body.creditLimitUsd === null ? null : Math.round(Number(body.creditLimitUsd) * 1e6) }
          : {}),
        ...('rateLimit' in body ? { rateLimit: body.rateLimit ?? null } : {}),
      });
      return { body: keys.find((key) => key.id === 'k1') };
    },
    'DELETE /api/keys/k1': () => {
      keys = keys.filter((key) => key.id !== 'k1');
      return { status: 204 };
    },
  });
  return server;
}

const EXISTING: ApiKey = {
  id: 'k1',
  name: 'backend',
  prefix: 'sk-tg-v1-3f9c2a…',
  creditLimitMicros: 25_000_000,
  createdAt: '2026-03-01T09:00:00Z',
  lastUsedAt: null,
  usageMicros: 1_234_567,
  rateLimit: { requestsPerMinute: 60, tokensPerMinute: null },
};

describe('keys page', () => {
  it('lists keys with prefix, usage, limit and last use', async () => {
    keyServer([EXISTING]);
    renderApp('/keys');
    const row = (await screen.findByText('backend')).closest('tr') as HTMLElement;
    expect(within(row).getByText('sk-tg-v1-3f9c2a…')).toBeInTheDocument();
    expect(within(row).getByText('$1.23')).toBeInTheDocument();
    expect(within(row).getByText('$25.00')).toBeInTheDocument();
    expect(within(row).getByText('Never')).toBeInTheDocument();
    expect(within(row).getByText('60 requests/min')).toBeInTheDocument();
  });

  it('shows an empty state when there are no keys', async () => {
    keyServer([]);
    renderApp('/keys');
    expect(await screen.findByText('No keys yet')).toBeInTheDocument();
  });

  it('creates a key with a limit and shows it once, with a warning', async () => {
    const server = keyServer([]);
    renderApp('/keys');
    await userEvent.type(await screen.findByLabelText('Name'), 'laptop');
    await userEvent.type(screen.getByLabelText('Credit limit in USD (optional)'), '2.50');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

    expect(await screen.findByLabelText('New API key')).toHaveValue(SECRET);
    expect(screen.getByText(/will not be shown again/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/keys')[0]?.body).toEqual({ name: 'laptop', creditLimitUsd: '2.5' });
    expect(await screen.findByText('laptop')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByLabelText('New API key')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('opens the quickstart beside the new key, which stays on screen until copied', async () => {
    keyServer([]);
    renderApp('/keys');
    await userEvent.type(await screen.findByLabelText('Name'), 'laptop');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByLabelText('New API key');

    const quickstart = screen.getByRole('link', { name: 'make your first call (opens in a new tab)' });
    expect(quickstart).toHaveAttribute('href', '/quickstart');
    expect(quickstart).toHaveAttribute('target', '_blank');
    expect(quickstart).toHaveAttribute('rel', 'noopener noreferrer');
    await userEvent.click(quickstart);
    expect(screen.getByLabelText('New API key')).toHaveValue(SECRET);
    expect(screen.getByRole('heading', { name: 'API keys' })).toBeInTheDocument();
  });

  it('creates a key with its own rate limits', async () => {
    const server = keyServer([]);
    renderApp('/keys');
    await userEvent.type(await screen.findByLabelText('Name'), 'batch');
    await userEvent.type(screen.getByLabelText('Requests per minute (optional)'), '30');
    await userEvent.type(screen.getByLabelText('Tokens per minute (optional)'), '50,000');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

    await screen.findByLabelText('New API key');
    expect(server.callsTo('POST', '/api/keys')[0]?.body).toEqual({
      name: 'batch',
      rateLimit: { requestsPerMinute: 30, tokensPerMinute: 50_000 },
    });
    const row = (await screen.findByText('batch')).closest('tr') as HTMLElement;
    expect(within(row).getByText('30 requests/min')).toBeInTheDocument();
    expect(within(row).getByText('50,000 tokens/min')).toBeInTheDocument();
  });

  it('refuses a rate limit that is not a whole number before calling the API', async () => {
    const server = keyServer([]);
    renderApp('/keys');
    await userEvent.type(await screen.findByLabelText('Name'), 'batch');
    await userEvent.type(screen.getByLabelText('Requests per minute (optional)'), '2.5');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const field = screen.getByLabelText('Requests per minute (optional)');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(/whole number of requests/);
    expect(field).toHaveFocus();
    expect(server.callsTo('POST', '/api/keys')).toHaveLength(0);
  });

  it('edits a key’s limits, sending only what changed', async () => {
    const server = keyServer([EXISTING]);
    renderApp('/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit limits of key backend' }));
    const dialog = screen.getByRole('dialog', { name: 'Limits of “backend”' });
    expect(within(dialog).getByLabelText('Credit limit in USD')).toHaveValue('25');
    expect(within(dialog).getByLabelText('Requests per minute')).toHaveValue('60');
    expect(within(dialog).getByLabelText('Tokens per minute')).toHaveValue('');

    await userEvent.type(within(dialog).getByLabelText('Tokens per minute'), '100000');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save limits' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(server.callsTo('PATCH', '/api/keys/k1')).toHaveLength(1);
    const patch = server.callsTo('PATCH', '/api/keys/k1')[0];
    expect(patch?.body).toEqual({ rateLimit: { requestsPerMinute: 60, tokensPerMinute: 100_000 } });
    expect(patch?.headers['X-XSRF-TOKEN']).toBe('t');
    const row = screen.getByText('backend').closest('tr') as HTMLElement;
    expect(within(row).getByText('100,000 tokens/min')).toBeInTheDocument();
    expect(within(row).getByText('$25.00')).toBeInTheDocument();
  });

  it('removes limits when their fields are emptied', async () => {
    const server = keyServer([EXISTING]);
    renderApp('/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit limits of key backend' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.clear(within(dialog).getByLabelText('Credit limit in USD'));
    await userEvent.clear(within(dialog).getByLabelText('Requests per minute'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save limits' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(server.callsTo('PATCH', '/api/keys/k1')[0]?.body).toEqual({ creditLimitUsd: null, rateLimit: null });
    const row = screen.getByText('backend').closest('tr') as HTMLElement;
    expect(within(row).getAllByText('No limit')).toHaveLength(2);
  });

  it('closes without a call when nothing changed, and on Cancel', async () => {
    const server = keyServer([EXISTING]);
    renderApp('/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit limits of key backend' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save limits' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await userEvent.click(screen.getByRole('button', { name: 'Edit limits of key backend' }));
    await userEvent.type(within(screen.getByRole('dialog')).getByLabelText('Requests per minute'), '0');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(server.callsTo('PATCH', '/api/keys/k1')).toHaveLength(0);
  });

  it('shows the server’s refusal on the field it names', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/keys': { body: [EXISTING] },
      'PATCH /api/keys/k1': apiError(400, 'rateLimit.tokensPerMinute must be a whole number from 1 to 1000000000000, or null for no limit.',
        'invalid_value', 'rateLimit.tokensPerMinute'),
    });
    renderApp('/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit limits of key backend' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Tokens per minute'), '5');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save limits' }));
    expect(await within(dialog).findByText(/must be a whole number from 1 to/)).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Tokens per minute')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('refuses a malformed limit before calling the API', async () => {
    const server = keyServer([]);
    renderApp('/keys');
    await userEvent.type(await screen.findByLabelText('Name'), 'laptop');
    await userEvent.type(screen.getByLabelText('Credit limit in USD (optional)'), 'ten dollars');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(screen.getByLabelText('Credit limit in USD (optional)')).toHaveAttribute('aria-invalid', 'true');
    expect(server.callsTo('POST', '/api/keys')).toHaveLength(0);
  });

  it('shows a name error from the API on the name field', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/keys': { body: [] },
      'POST /api/keys': apiError(400, 'name: must be at most 100 characters', 'invalid_value', 'name'),
    });
    renderApp('/keys');
    await userEvent.type(await screen.findByLabelText('Name'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText('Must be at most 100 characters.')).toBeInTheDocument();
  });

  it('revokes a key only after confirmation', async () => {
    const server = keyServer([EXISTING]);
    renderApp('/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke key backend' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke this key?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(server.callsTo('DELETE', '/api/keys/k1')).toHaveLength(0);

    await userEvent.click(screen.getByRole('button', { name: 'Revoke key backend' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByText('backend')).not.toBeInTheDocument());
    expect(server.callsTo('DELETE', '/api/keys/k1')[0]?.headers['X-XSRF-TOKEN']).toBe('t');
  });

  it('shows a failed revoke inside the dialog, where the user is', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/keys': { body: [EXISTING] },
      'DELETE /api/keys/k1': apiError(404, 'API key not found.', 'not_found'),
    });
    renderApp('/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke key backend' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke this key?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke key' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Could not revoke the key: API key not found.');
    expect(screen.getByRole('dialog', { name: 'Revoke this key?' })).toBeInTheDocument();
  });
});
