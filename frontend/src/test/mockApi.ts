import { vi } from 'vitest';

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status?: number; body?: unknown } | ((call: RecordedCall) => { status?: number; body?: unknown });

/**
 * Replaces fetch with a scripted API: routes are "METHOD /path" (query strings ignored), answers are JSON. Anything
 * unscripted gets the API's 404 body, as a Tollgate without that endpoint would answer.
 */
export function mockApi(routes: Record<string, Reply>) {
  const calls: RecordedCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const call: RecordedCall = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const route = routes[`${method} ${url.pathname}`];
    const reply = typeof route === 'function' ? route(call) : route;
    if (!reply) {
      return json(404, { error: { message: `Path ${url.pathname} not found.`, type: 'invalid_request_error', code: 'not_found' } });
    }
    return json(reply.status ?? 200, reply.body);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock, callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}

function json(status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return new Response(null, { status });
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export const ME = {
  user: { id: 'u1', email: 'ada@example.com' },
  tenant: { id: 't1', name: 'Analytical Engines' },
  role: 'owner',
};

export function apiError(status: number, message: string, code: string, param: string | null = null) {
  return { status, body: { error: { message, type: 'invalid_request_error', code, param } } };
}
