import { useEffect, useState } from 'react';
import type { Credits } from '../api/types';
import { Alert } from '../components/States';
import { formatMicros } from '../lib/money';

/** What the tab knew when it left for Stripe Checkout, to tell when the bought credits have arrived. */
export interface PendingCheckout {
  /** `totalCreditedMicros` before paying; null when the balance had not loaded. */
  creditedBeforeMicros: number | null;
  amountMicros: number;
}

const PENDING_CHECKOUT = 'tollgate.pendingCheckout';

// sessionStorage belongs to the tab, and survives its trip to Stripe and back.
export function rememberCheckout(pending: PendingCheckout): void {
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

export function forgetCheckout(): void {
  try {
    sessionStorage.removeItem(PENDING_CHECKOUT);
  } catch {
    // Nothing to forget.
  }
}

// Credits arrive with Stripe's webhook, which may land before or after the payer is sent back: ask until they are
// here, for two minutes at most (a bank debit can take days; the history shows it whenever it comes).
export const ARRIVAL_POLL_MS = 1_500;
const ARRIVAL_PATIENCE_MS = 120_000;

/**
 * The top-up the payer just made, back from Checkout: `arrived` once the credited total has grown by its amount,
 * `waiting` while it has not (and patience lasts), when the credits should be asked for again.
 */
export function useCheckoutReturn(returned: string | null) {
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

export function CheckoutReturn({ returned, pending, arrived, waiting, onDismiss }: {
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
