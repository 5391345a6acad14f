// Wire types of the dashboard API (docs/CONTRACT.md §2). Money is integer micro-dollars in fields named `…Micros`.

export interface Me {
  user: { id: string; email: string };
  tenant: { id: string; name: string };
  role: string;
}

/** A key's own rate limits (either may be null: no limit of that kind). */
export interface KeyRateLimit {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  creditLimitMicros: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  usageMicros?: number | null;
  /** Null when the key has none; absent from servers without rate limits. */
  rateLimit?: KeyRateLimit | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  key: string;
  prefix: string;
  creditLimitMicros: number | null;
  createdAt: string;
  rateLimit?: KeyRateLimit | null;
}

export type LedgerKind = 'signup_bonus' | 'topup' | 'usage' | 'refund' | 'adjustment' | 'auto_topup';

export interface LedgerEntry {
  id: string | number;
  kind: LedgerKind | string;
  amountMicros: number;
  description: string | null;
  /** The request a usage debit paid for. */
  generationId?: string | null;
  createdAt: string;
}

export interface Credits {
  balanceMicros: number;
  totalCreditedMicros: number;
  totalUsedMicros: number;
  entries: LedgerEntry[];
  page: number;
  size: number;
  total: number;
  firstCursor: string | null;
  lastCursor: string | null;
}

export type UsageGroupBy = 'day' | 'model' | 'key' | 'day,model' | 'day,key';

export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export interface UsageRow extends UsageTotals {
  day?: string;
  model?: string;
  keyId?: string | null;
  keyName?: string | null;
}

export interface Usage {
  from: string;
  to: string;
  groupBy: string;
  totals: UsageTotals;
  rows: UsageRow[];
}

export interface Generation {
  id: string;
  createdAt: string;
  model: string;
  provider: string | null;
  keyId: string | null;
  keyName: string | null;
  status: number | string;
  streamed: boolean;
  cancelled: boolean;
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  costMicros: number | null;
  latencyMs: number | null;
  ttfbMs: number | null;
  generationMs?: number | null;
  errorCode: string | null;
  errorMessage?: string | null;
  usageSource: string | null;
  piiRedactions?: number;
}

export type PiiMode = 'off' | 'redact' | 'block';

export interface Guardrails {
  pii: PiiMode;
  blockedTerms: string[];
  /** The same rules held against the chat answers the keys get. */
  screenAnswers: boolean;
}

export interface Page<T> {
  data: T[];
  page: number;
  size: number;
  total: number;
}

/** A page that also gives the cursors of its first and last rows, from which the pages next to it are found. */
export interface CursorPage<T> extends Page<T> {
  firstCursor: string | null;
  lastCursor: string | null;
}

/** Where a page is: after `before` (the next page) or before `after` (the previous one); neither for the first. */
export interface PageCursor {
  before?: string | null;
  after?: string | null;
}

export interface BillingConfig {
  enabled: boolean;
  minUsd: number;
  maxUsd: number;
  feePercent: number;
  feeFixedUsd: number;
}

export interface AutoTopUp {
  enabled: boolean;
  thresholdUsd: number | null;
  amountUsd: number | null;
  hasPaymentMethod: boolean;
  lastError: string | null;
}

export interface CatalogModel {
  id: string;
  name?: string;
  owned_by?: string;
  context_length?: number;
  pricing?: { prompt?: string; completion?: string; input_cache_read?: string; input_cache_write?: string };
  top_provider?: { max_completion_tokens?: number };
}
