import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client';
import { useAutoTopUp, useBillingConfig, useCredits } from '../api/queries';
import type { BillingConfig, LedgerEntry, PageCursor } from '../api/types';
import type { FieldErrors } from '../auth/formErrors';
import { useFormErrors } from '../auth/useFormErrors';
import { Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Alert, Empty, ErrorState, Loading } from '../components/States';
import { formatDateTime } from '../lib/format';
import { formatMicros, microsToUsdDecimal, parseUsdToMicros, quoteCheckout, usdToMicros } from '../lib/money';
import { AutoTopUpForm } from './AutoTopUpForm';
import { ARRIVAL_POLL_MS, CheckoutReturn, forgetCheckout, rememberCheckout, useCheckoutReturn } from './CheckoutReturn';

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
