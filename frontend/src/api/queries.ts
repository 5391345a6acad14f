import { keepPreviousData, QueryClient, useQuery } from '@tanstack/react-query';
import { api, ApiError, withQuery } from './client';
import type {
  ApiKey,
  AutoTopUp,
  BillingConfig,
  CatalogModel,
  Credits,
  Generation,
  Guardrails,
  Me,
  CursorPage,
  PageCursor,
  Usage,
  UsageGroupBy,
} from './types';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; network hiccups and 5xx get one more try.
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 1,
      },
    },
  });
}

export const queryKeys = {
  me: ['me'] as const,
  keys: ['keys'] as const,
  models: ['models'] as const,
  credits: (page: number, includeUsage: boolean, cursor: PageCursor = {}) =>
    ['credits', page, includeUsage, cursor.before ?? null, cursor.after ?? null] as const,
  billingConfig: ['billing', 'config'] as const,
  autoTopUp: ['billing', 'auto-topup'] as const,
  guardrails: ['guardrails'] as const,
  usage: (from: string, to: string, groupBy: UsageGroupBy) => ['usage', from, to, groupBy] as const,
  activity: (filters: ActivityFilters) => ['activity', filters] as const,
  generation: (id: string) => ['generation', id] as const,
};

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => api<Me>('/api/me', { signal }),
    staleTime: 60_000,
  });
}

export function useKeys() {
  return useQuery({ queryKey: queryKeys.keys, queryFn: ({ signal }) => api<ApiKey[]>('/api/keys', { signal }) });
}

export function useModels() {
  return useQuery({
    queryKey: queryKeys.models,
    // Not /v1/models: with only the session cookie it has no tenant to price for, and shows the general markup.
    queryFn: ({ signal }) => api<{ data: CatalogModel[] }>('/api/models', { signal }).then((body) => body.data),
    staleTime: 5 * 60_000,
  });
}

/**
 * The balance and a page of the ledger; `poll` says, from what was last fetched, how soon to ask again (or false).
 * A page after the first is found from the cursor of the page next to it, so entries added meanwhile do not shift it.
 */
export function useCredits(page: number, includeUsage = false, size = 20, poll?: (credits: Credits | undefined) => number | false,
  cursor: PageCursor = {}) {
  return useQuery({
    queryKey: queryKeys.credits(page, includeUsage, cursor),
    queryFn: ({ signal }) =>
      api<Credits>(withQuery('/api/credits', {
        page, size, includeUsage: includeUsage ? 'true' : 'false', before: cursor.before, after: cursor.after,
      }), { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: poll ? (query) => poll(query.state.data) : false,
  });
}

export function useBillingConfig() {
  return useQuery({
    queryKey: queryKeys.billingConfig,
    queryFn: ({ signal }) => api<BillingConfig>('/api/billing/config', { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useAutoTopUp() {
  return useQuery({
    queryKey: queryKeys.autoTopUp,
    queryFn: ({ signal }) => api<AutoTopUp>('/api/billing/auto-topup', { signal }),
  });
}

export function useGuardrails() {
  return useQuery({
    queryKey: queryKeys.guardrails,
    queryFn: ({ signal }) => api<Guardrails>('/api/guardrails', { signal }),
  });
}

/** The browser's IANA time zone, e.g. Europe/Paris (UTC where the browser does not say). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function useUsage(from: string, to: string, groupBy: UsageGroupBy) {
  return useQuery({
    queryKey: queryKeys.usage(from, to, groupBy),
    // Days are counted where the browser is, as the range's midnights and the chart's labels are.
    queryFn: ({ signal }) => api<Usage>(withQuery('/api/usage', { from, to, groupBy, tz: browserTimeZone() }),
      { signal }),
    placeholderData: keepPreviousData,
  });
}

export interface ActivityFilters {
  page: number;
  size: number;
  model: string;
  keyId: string;
  status: string;
  /** The cursor the page starts after (the next page), or '' . */
  before: string;
  /** The cursor the page ends before (the previous page), or ''. */
  after: string;
}

export function useActivity(filters: ActivityFilters) {
  return useQuery({
    queryKey: queryKeys.activity(filters),
    queryFn: ({ signal }) => api<CursorPage<Generation>>(withQuery('/api/activity', { ...filters }), { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useGeneration(id: string) {
  return useQuery({
    queryKey: queryKeys.generation(id),
    queryFn: ({ signal }) => api<Generation>(`/api/activity/${encodeURIComponent(id)}`, { signal }),
  });
}
