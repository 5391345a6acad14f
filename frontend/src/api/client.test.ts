import { describe, expect, it } from 'vitest';
import { apiError, mockApi } from '../test/mockApi';
import { api, ApiError, withQuery } from './client';

describe('api', () => {
  it('fetches a CSRF token before the first state-changing call and sends it as X-XSRF-TOKEN', async () => {
    const server = mockApi({
      'GET /api/auth/csrf': { body: { token: 'tok-1', headerName: 'X-XSRF-TOKEN' } },
      'POST /api/keys': { status: 201, body: { id: 'k1' } },
      'GET /api/keys': { body: [] },
    });
    await api('/api/keys');
    await api('/api/keys', { method: 'POST', body: { name: 'ci' } });
    await api('/api/keys', { method: 'POST', body: { name: 'ci2' } });

    expect(server.callsTo('GET', '/api/auth/csrf')).toHaveLength(1);
    expect(server.callsTo('GET', '/api/keys')[0]?.headers['X-XSRF-TOKEN']).toBeUndefined();
    for (const call of server.callsTo('POST', '/api/keys')) {
      expect(call.headers['X-XSRF-TOKEN']).toBe('tok-1');
      expect(call.headers['Content-Type']).toBe('application/json');
    }
    expect(server.callsTo('POST', '/api/keys')[0]?.body).toEqual({ name: 'ci' });
  });

  it('prefers the XSRF-TOKEN cookie when the browser has one', async () => {
    document.cookie = 'XSRF-TOKEN=from-cookie; path=/';
    const server = mockApi({ 'DELETE /api/keys/k1': { status: 204 } });
    await expect(api('/api/keys/k1', { method: 'DELETE' })).resolves.toBeUndefined();
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.headers['X-XSRF-TOKEN']).toBe('from-cookie');
  });

  it('takes a fresh token and retries once when the server refuses the old one', async () => {
    let tokens = 0;
    let posts = 0;
    const server = mockApi({
      'GET /api/auth/csrf': () => ({ body: { token: `tok-${++tokens}` } }),
      'POST /api/auth/logout': (call) =>
        ++posts === 1
          ? apiError(403, 'Missing or invalid CSRF token', 'csrf_token_invalid')
          : { body: { ok: call.headers['X-XSRF-TOKEN'] === 'tok-2' } },
    });
    await expect(api('/api/auth/logout', { method: 'POST' })).resolves.toEqual({ ok: true });
    expect(server.callsTo('POST', '/api/auth/logout')).toHaveLength(2);
  });

  it('turns the API error body into an ApiError with status, code and param', async () => {
    mockApi({
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/signup': apiError(400, 'email: must be an email address', 'invalid_value', 'email'),
    });
    const error = await api('/api/auth/signup', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'email: must be an email address', code: 'invalid_value', param: 'email' });
  });

  it('marks a missing endpoint as not available and keeps the status line for non-JSON errors', async () => {
    mockApi({ 'GET /api/broken': () => ({ status: 502 }) });
    const missing = (await api('/api/credits').catch((e: unknown) => e)) as ApiError;
    expect(missing.notAvailable).toBe(true);
    const broken = (await api('/api/broken').catch((e: unknown) => e)) as ApiError;
    expect(broken.status).toBe(502);
    expect(broken.notAvailable).toBe(false);
  });

  it('builds query strings without empty values', () => {
    expect(withQuery('/api/activity', { page: 0, size: 50, model: '', keyId: null, status: 'error' })).toBe(
      '/api/activity?page=0&size=50&status=error',
    );
    expect(withQuery('/api/x', {})).toBe('/api/x');
  });
});
