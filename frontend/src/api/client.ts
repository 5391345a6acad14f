// The dashboard's only door to Tollgate: same-origin fetch with the session cookie, the CSRF double-submit header on
// state-changing calls, and the API's error body ({"error":{"message","type","param","code"}}) turned into ApiError.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly param: string | null;

  constructor(status: number, message: string, code: string | null = null, param: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = param;
  }

  /** The endpoint is not there (yet): this Tollgate predates the feature. */
  get notAvailable(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501;
  }

  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

const CSRF_COOKIE = 'XSRF-TOKEN';
const CSRF_HEADER = 'X-XSRF-TOKEN';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;

function cookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

async function fetchCsrfToken(): Promise<string> {
  const response = await fetch('/api/auth/csrf', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw await toError(response);
  const body = (await response.json()) as { token: string };
  csrfToken = body.token;
  return body.token;
}

async function currentCsrfToken(): Promise<string> {
  return cookie(CSRF_COOKIE) ?? csrfToken ?? fetchCsrfToken();
}

async function toError(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText || 'error'}`.trim();
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await response.json()) as { error?: { message?: string; code?: string; param?: string } };
    if (body?.error?.message) message = body.error.message;
    code = body?.error?.code ?? null;
    param = body?.error?.param ?? null;
  } catch {
    // Not JSON (a proxy's error page, say): keep the status line.
  }
  return new ApiError(response.status, message, code, param);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** Calls the API and returns its JSON body (undefined for 204); throws ApiError for any non-2xx answer. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const send = async (token: string | null): Promise<Response> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers[CSRF_HEADER] = token;
    return fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  };
  const unsafe = UNSAFE.has(method);
  let response = await send(unsafe ? await currentCsrfToken() : null);
  if (unsafe && response.status === 403) {
    // The CSRF cookie may have expired or been cleared: take a fresh token and try once more.
    const error = await toError(response.clone());
    if (error.code === 'csrf_token_invalid') {
      csrfToken = null;
      response = await send(await fetchCsrfToken());
    }
  }
  if (!response.ok) throw await toError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Builds `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** For tests: forget the cached CSRF token. */
export function resetCsrfForTests(): void {
  csrfToken = null;
}
