import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client';
import { queryKeys, useAutoTopUp, useBillingConfig, useCredits } from '../api/queries';
import type { AutoTopUp, BillingConfig, Credits, LedgerEntry, PageCursor } from '../api/types';
import type { FieldErrors } from '../auth/formErrors';
import { useFormErrors } from '../auth/useFormErrors';
import { Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Alert, Empty, ErrorState, Loading } from '../components/States';
import { formatDateTime } from '../lib/format';
import { formatMicros, microsToUsdDecimal, parseUsdToMicros, quoteCheckout, usdToMicros } from '../lib/money';

const KIND_LABELS: Record<string, string> = {
  signup_bonus: 'Sign-up bonus',
  topup: 'Top-up',
  usage: 'Usage',
  refund: 'Refund',
  adjustment: 'Adjustment',
  auto_topup: 'Automatic top-up',
};

function BillingNotConfigured() {
  return (
    <Alert tone="info">
      Card payments are not configured on this Tollgate server, so credits cannot be bought here. Ask your operator to
      add credits to your account, or to set up Stripe (<code>tollgate.stripe.secret-key</code>).
    </Alert>
  );
}

function AddCredits({ config, creditedMicros }: { config: BillingConfig; creditedMicros: number | undefined }) {
  const minMicros = usdToMicros(config.minUsd) ?? 0;
  const maxMicros = usdToMicros(config.maxUsd) ?? Number.MAX_SAFE_INTEGER;
  const [amount, setAmount] = useState(String(Math.max(config.minUsd, 10)));
  const [notConfigured, setNotConfigured] = useState(false);
  const { formRef, fields, form: formError, check, fail, clear } = useFormErrors(['amountUsd']);
  const micros = parseUsdToMicros(amount);
  const quote = micros === null ? null : quoteCheckout(micros, config.feePercent, config.feeFixedUsd);
  const checkout = useMutation({
    mutationFn: (amountUsd: string) => api<{ url: string }>('/api/billing/checkout', { method: 'POST', body: { amountUsd } }),
    onSuccess: ({ url }, amountUsd) => {
      rememberCheckout({ creditedBeforeMicros: creditedMicros ?? null, amountMicros: parseUsdToMicros(amountUsd) ?? 0 });
      window.location.assign(url);
    },
    onError: (error) => {
      // Only this code: any other 503 (a proxy's error page, Stripe down) may pass, so the form stays to try again.
      if (error instanceof ApiError && error.code === 'billing_not_configured') {
        setNotConfigured(true);
        return;
      }
      fail(error);
    },
  });
  // Back from Checkout with the browser's back button, the page may come from the back-forward cache as it was left,
  // the button still disabled for the trip.
  const { reset } = checkout;
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) reset();
    };
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, [reset]);
  // Once the session is made the browser is on its way to Stripe: a second click would open a second session.
  const leaving = checkout.isPending || checkout.isSuccess;
  if (notConfigured) return <BillingNotConfigured />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (leaving) return;
    const errors: FieldErrors = {};
    if (micros === null || micros < minMicros || micros > maxMicros) {
      errors.amountUsd = `Enter an amount between ${formatMicros(minMicros)} and ${formatMicros(maxMicros)}.`;
    } else if (quote === null) {
      errors.amountUsd = 'Enter whole cents, like 25 or 25.50.';
    }
    if (check(errors) && micros !== null) checkout.mutate(microsToUsdDecimal(micros));
  };
  const hasFee = config.feePercent > 0 || config.feeFixedUsd > 0;
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Add credits">
      {formError && <Alert>{formError}</Alert>}
      <Field id="amountUsd" label="Amount of credits (USD)" inputMode="decimal" value={amount}
        onChange={(event) => { setAmount(event.target.value); clear('amountUsd'); }} error={fields.amountUsd}
        hint={`Between ${formatMicros(minMicros)} and ${formatMicros(maxMicros)}.`} />
      {quote && (
        <dl className="quote" aria-label="Price">
          <div><dt>Credits</dt><dd>{formatMicros(quote.creditsMicros)}</dd></div>
          {hasFee && (
            <div>
              <dt>Purchase fee ({config.feePercent}%{config.feeFixedUsd > 0 ? ` + ${formatMicros(usdToMicros(config.feeFixedUsd) ?? 0)}` : ''})</dt>
              <dd>{formatMicros(quote.feeMicros)}</dd>
            </div>
          )}
          <div className="quote-total"><dt>You pay</dt><dd>{formatMicros(quote.totalMicros)}</dd></div>
        </dl>
      )}
      <button type="submit" className="button button-primary" disabled={leaving}>
        {leaving ? 'Opening checkout…' : 'Continue to payment'}
      </button>
      <p className="muted small">Payment is handled by Stripe Checkout; credits appear here within seconds.</p>
    </form>
  );
}

/** What the tab knew when it left for Stripe Checkout, to tell when the bought credits have arrived. */
interface PendingCheckout {
  /** `totalCreditedMicros` before paying; null when the balance had not loaded. */
  creditedBeforeMicros: number | null;
  amountMicros: number;
}

const PENDING_CHECKOUT = 'tollgate.pendingCheckout';

// sessionStorage belongs to the tab, and survives its trip to Stripe and back.
function rememberCheckout(pending: PendingCheckout): void {
  try {
    sessionStorage.setItem(PENDING_CHECKOUT, JSON.stringify(pending));
  } catch {
    // Storage disabled: the page back from Checkout then waits without knowing the amount.
  }
}

function pendingCheckout(): PendingCheckout | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(PENDING_CHECKOUT) ?? 'null') as PendingCheckout | null;
    return stored && Number.isSafeInteger(stored.amountMicros) ? stored : null;
  } catch {
    return null;
  }
}

function forgetCheckout(): void {
  try {
    sessionStorage.removeItem(PENDING_CHECKOUT);
  } catch {
    // Nothing to forget.
  }
}

// Credits arrive with Stripe's webhook, which may land before or after the payer is sent back: ask until they are
// here, for two minutes at most (a bank debit can take days; the history shows it whenever it comes).
const ARRIVAL_POLL_MS = 1_500;
const ARRIVAL_PATIENCE_MS = 120_000;

/**
 * The top-up the payer just made, back from Checkout: `arrived` once the credited total has grown by its amount,
 * `waiting` while it has not (and patience lasts), when the credits should be asked for again.
 */
function useCheckoutReturn(returned: string | null) {
  const [pending] = useState(() => (returned === 'success' ? pendingCheckout() : null));
  const [patient, setPatient] = useState(true);
  useEffect(() => {
    if (returned !== 'success') return;
    const timer = setTimeout(() => setPatient(false), ARRIVAL_PATIENCE_MS);
    return () => clearTimeout(timer);
  }, [returned]);
  const arrived = (credits: Credits | undefined): boolean =>
    pending !== null && pending.creditedBeforeMicros !== null && credits !== undefined
    && credits.totalCreditedMicros >= pending.creditedBeforeMicros + pending.amountMicros;
  const waiting = (credits: Credits | undefined): boolean => returned === 'success' && patient && !arrived(credits);
  return { pending, arrived, waiting };
}

function CheckoutReturn({ returned, pending, arrived, waiting, onDismiss }: {
  returned: string | null;
  pending: PendingCheckout | null;
  arrived: boolean;
  waiting: boolean;
  onDismiss: () => void;
}) {
  const dismiss = <button type="button" className="link-button" onClick={onDismiss}>Dismiss</button>;
  if (returned === 'cancel') return <Alert tone="info">Checkout was cancelled; nothing was charged. {dismiss}</Alert>;
  if (returned !== 'success') return null;
  if (arrived && pending) {
    return (
      <Alert tone="success">
        Payment received: {formatMicros(pending.amountMicros)} of credits were added to your balance. {dismiss}
      </Alert>
    );
  }
  if (waiting) {
    return (
      <Alert tone="success">
        <span className="spinner spinner-inline" aria-hidden="true" /> Thank you! Stripe has your payment; your credits
        appear here as soon as Stripe confirms it, usually within seconds. {dismiss}
      </Alert>
    );
  }
  return (
    <Alert tone="info">
      Thank you for your payment. If your credits are not in the history below yet, Stripe is still confirming it: they
      appear once it does. {dismiss}
    </Alert>
  );
}

function AutoTopUpForm({ settings }: { settings: AutoTopUp }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [threshold, setThreshold] = useState(settings.thresholdUsd?.toString() ?? '5');
  const [amount, setAmount] = useState(settings.amountUsd?.toString() ?? '20');
  const [saved, setSaved] = useState(false);
  const { formRef, fields, form: formError, check, fail, clear } = useFormErrors(['thresholdUsd', 'amountUsd', 'enabled']);
  const save = useMutation({
    mutationFn: (body: { enabled: boolean; thresholdUsd: string; amountUsd: string }) =>
      api<AutoTopUp>('/api/billing/auto-topup', { method: 'PUT', body }),
    onSuccess: (next) => {
      queryClient.setQueryData(queryKeys.autoTopUp, next);
      setSaved(true);
    },
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const errors: FieldErrors = {};
    const thresholdMicros = parseUsdToMicros(threshold);
    const amountMicros = parseUsdToMicros(amount);
    if (thresholdMicros === null) errors.thresholdUsd = 'Enter an amount in USD.';
    if (amountMicros === null || amountMicros === 0) errors.amountUsd = 'Enter an amount in USD above zero.';
    if (!check(errors) || thresholdMicros === null || amountMicros === null) return;
    save.mutate({ enabled, thresholdUsd: microsToUsdDecimal(thresholdMicros), amountUsd: microsToUsdDecimal(amountMicros) });
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Automatic top-up">
      {settings.lastError && <Alert>The last automatic top-up failed: {settings.lastError}</Alert>}
      {formError && <Alert>{formError}</Alert>}
      {saved && <Alert tone="success">Saved.</Alert>}
      {!settings.hasPaymentMethod && (
        <p className="muted">
          Automatic top-ups charge the card of your last purchase. Buy credits once to save a card.
        </p>
      )}
      <div className="checkbox">
        <input id="autoTopUpEnabled" type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)}
          disabled={!settings.hasPaymentMethod && !settings.enabled} />
        <label htmlFor="autoTopUpEnabled">Top up automatically when my balance runs low</label>
      </div>
      <div className="form-row">
        <Field id="thresholdUsd" label="When the balance falls below (USD)" inputMode="decimal" value={threshold}
          onChange={(event) => { setThreshold(event.target.value); clear('thresholdUsd'); }} error={fields.thresholdUsd} />
        <Field id="autoAmountUsd" label="Add this much (USD)" inputMode="decimal" value={amount}
          onChange={(event) => { setAmount(event.target.value); clear('amountUsd'); }} error={fields.amountUsd} />
      </div>
      <button type="submit" className="button button-secondary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}

function Ledger({ entries }: { entries: LedgerEntry[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
            <th scope="col" className="num">Amount</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td data-label="Date">{formatDateTime(entry.createdAt)}</td>
              <td data-label="Type">{KIND_LABELS[entry.kind] ?? entry.kind}</td>
              <td data-label="Description">
                {entry.generationId ? (
                  <Link to={`/activity/${encodeURIComponent(entry.generationId)}`}>{entry.description ?? entry.generationId}</Link>
                ) : (
                  entry.description ?? ''
                )}
              </td>
              <td data-label="Amount" className={`num ${entry.amountMicros < 0 ? 'negative' : 'positive'}`}>
                {entry.amountMicros > 0 ? '+' : ''}
                {formatMicros(entry.amountMicros, { precise: true })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CreditsPage() {
  const [page, setPage] = useState(0);
  const [cursor, setCursor] = useState<PageCursor>({});
  const [includeUsage, setIncludeUsage] = useState(false);
  const [params, setParams] = useSearchParams();
  const returnedFromCheckout = params.get('checkout');
  const checkoutReturn = useCheckoutReturn(returnedFromCheckout);
  const credits = useCredits(page, includeUsage, 20, (data) => (checkoutReturn.waiting(data) ? ARRIVAL_POLL_MS : false),
    cursor);
  const billing = useBillingConfig();
  const autoTopUp = useAutoTopUp();
  const billingUnavailable =
    (billing.error instanceof ApiError && billing.error.notAvailable) || billing.data?.enabled === false;
  const arrived = checkoutReturn.arrived(credits.data);
  useEffect(() => {
    if (arrived || returnedFromCheckout === 'cancel') forgetCheckout();
  }, [arrived, returnedFromCheckout]);
  const dismiss = () => {
    forgetCheckout();
    setParams({});
  };

  return (
    <>
      <PageHeader title="Credits" description="Tollgate is prepaid: every call is paid from this balance." />
      <CheckoutReturn returned={returnedFromCheckout} pending={checkoutReturn.pending} arrived={arrived}
        waiting={checkoutReturn.waiting(credits.data)} onDismiss={dismiss} />
      {credits.isPending ? (
        <Loading label="Loading balance…" />
      ) : credits.error ? (
        <ErrorState error={credits.error} feature="Credits" onRetry={() => credits.refetch()} />
      ) : (
        <div className="stats">
          <div className="stat stat-primary">
            <span className="stat-label">Balance</span>
            <span className="stat-value" data-testid="balance">{formatMicros(credits.data.balanceMicros)}</span>
          </div>
          <div className="stat">
            <span className="stat-label">Credited in total</span>
            <span className="stat-value">{formatMicros(credits.data.totalCreditedMicros)}</span>
          </div>
          <div className="stat">
            <span className="stat-label">Used in total</span>
            <span className="stat-value">{formatMicros(credits.data.totalUsedMicros)}</span>
          </div>
        </div>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="add-credits-title">
          <h2 id="add-credits-title">Add credits</h2>
          {billing.isPending ? (
            <Loading />
          ) : billing.error ? (
            billing.error instanceof ApiError && billing.error.notAvailable ? (
              <BillingNotConfigured />
            ) : (
              <ErrorState error={billing.error} feature="Billing" />
            )
          ) : !billing.data.enabled ? (
            <BillingNotConfigured />
          ) : (
            <AddCredits config={billing.data} creditedMicros={credits.data?.totalCreditedMicros} />
          )}
        </section>
        <section className="card" aria-labelledby="auto-topup-title">
          <h2 id="auto-topup-title">Automatic top-up</h2>
          {billingUnavailable ? (
            <p className="muted">Available once card payments are configured.</p>
          ) : autoTopUp.isPending ? (
            <Loading />
          ) : autoTopUp.error ? (
            <ErrorState error={autoTopUp.error} feature="Automatic top-up" />
          ) : (
            <AutoTopUpForm settings={autoTopUp.data} />
          )}
        </section>
      </div>
      {credits.data && (
        <section className="card" aria-labelledby="ledger-title">
          <div className="card-header">
            <h2 id="ledger-title">History</h2>
            <div className="checkbox checkbox-compact">
              <input id="includeUsage" type="checkbox" checked={includeUsage}
                onChange={(event) => { setIncludeUsage(event.target.checked); setPage(0); setCursor({}); }} />
              <label htmlFor="includeUsage">Show each request’s charge</label>
            </div>
          </div>
          {credits.data.entries.length === 0 && credits.data.page === 0 ? (
            <Empty title="No credit movements yet" />
          ) : (
            <>
              <Ledger entries={credits.data.entries} />
              <Pagination page={credits.data.page} size={credits.data.size} total={credits.data.total}
                shown={credits.data.entries.length}
                onPage={(next) => {
                  // Still showing the previous view's page: its cursors are not this one's.
                  if (credits.isPlaceholderData) return;
                  // From the cursor of the page shown, so that entries added meanwhile do not shift the pages; the
                  // first page is the newest entries again.
                  const { firstCursor, lastCursor, page: shown } = credits.data;
                  setCursor(next > shown && lastCursor ? { before: lastCursor }
                    : next < shown && next > 0 && firstCursor ? { after: firstCursor } : {});
                  // Back from a page with nothing on it (no cursor to go back from): the newest entries.
                  setPage(next < shown && !firstCursor ? 0 : next);
                }} />
            </>
          )}
        </section>
      )}
    </>
  );
}
