import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { queryKeys } from '../api/queries';
import type { AutoTopUp } from '../api/types';
import type { FieldErrors } from '../auth/formErrors';
import { useFormErrors } from '../auth/useFormErrors';
import { Field } from '../components/Field';
import { Alert } from '../components/States';
import { microsToUsdDecimal, parseUsdToMicros } from '../lib/money';

/** The tenant's automatic top-up: when the balance falls below a threshold, charge the saved card this much. */
export function AutoTopUpForm({ settings }: { settings: AutoTopUp }) {
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
