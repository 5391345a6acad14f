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
      const body = call.body as { name: string; creditLimitUsd?: string };
      const created = {
        id: 'k-new',
        name: body.name,
        key: SECRET,
        prefix: `${SECRET.slice(0, 15)}…`,
        creditLimitMicros: body.creditLimitUsd ? Math.round(Number(body.creditLimitUsd) * 1e6) : null,
        createdAt: '2026-03-10T12:00:00Z',
      };
      keys = [...keys, { ...created, lastUsedAt: null }];
      return { status: 201, body: created };
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
    expect(server.callsTo('POST', '/api/keys')[0]?.body).toEqual({ name: 'laptop', creditLimitUsd: '2.50' });
    expect(await screen.findByText('laptop')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByLabelText('New API key')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(SECRET);
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
});
