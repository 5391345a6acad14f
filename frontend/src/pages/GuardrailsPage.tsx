import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { queryKeys, useGuardrails } from '../api/queries';
import type { Guardrails, PiiMode } from '../api/types';
import { useFormErrors } from '../auth/useFormErrors';
import { PageHeader } from '../components/PageHeader';
import { Alert, ErrorState, Loading } from '../components/States';

const PII_MODES: { value: PiiMode; label: string; hint: string }[] = [
  { value: 'off', label: 'Send prompts as written', hint: 'Providers see your prompts unchanged.' },
  {
    value: 'redact',
    label: 'Redact personal data',
    hint: 'Each email address, phone number, payment card number, IBAN and US social security number is replaced by a placeholder such as [EMAIL] before any provider sees it.',
  },
  {
    value: 'block',
    label: 'Refuse prompts with personal data',
    hint: 'Such a call fails with a 400 (code personal_data_blocked), is not sent to any provider and costs nothing.',
  },
];

/** One term per line; blank lines dropped. */
function termsFrom(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
}

function GuardrailsForm({ settings }: { settings: Guardrails }) {
  const queryClient = useQueryClient();
  const [pii, setPii] = useState<PiiMode>(settings.pii);
  const [terms, setTerms] = useState(settings.blockedTerms.join('\n'));
  const [screenAnswers, setScreenAnswers] = useState(settings.screenAnswers);
  const [saved, setSaved] = useState(false);
  const { formRef, fields, form: formError, fail, clear } = useFormErrors(['pii', 'blockedTerms']);
  const save = useMutation({
    mutationFn: (body: Guardrails) => api<Guardrails>('/api/guardrails', { method: 'PUT', body }),
    onSuccess: (next) => {
      queryClient.setQueryData(queryKeys.guardrails, next);
      setTerms(next.blockedTerms.join('\n'));
      setSaved(true);
    },
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save.mutate({ pii, blockedTerms: termsFrom(terms), screenAnswers });
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Guardrails">
      {formError && <Alert>{formError}</Alert>}
      {saved && <Alert tone="success">Saved. Every call from now on follows these guardrails.</Alert>}
      <fieldset className="choices">
        <legend>Personal data in prompts</legend>
        {PII_MODES.map((mode) => (
          <div className="choice" key={mode.value}>
            <input type="radio" id={`pii-${mode.value}`} name="pii" value={mode.value} checked={pii === mode.value}
              onChange={() => { setPii(mode.value); clear('pii'); }} aria-describedby={`pii-${mode.value}-hint`} />
            <div>
              <label htmlFor={`pii-${mode.value}`}>{mode.label}</label>
              <p className="field-hint" id={`pii-${mode.value}-hint`}>{mode.hint}</p>
            </div>
          </div>
        ))}
        {fields.pii && <p className="field-error">{fields.pii}</p>}
      </fieldset>
      <div className={`field ${fields.blockedTerms ? 'field-invalid' : ''}`}>
        <label htmlFor="blockedTerms">Blocked terms</label>
        <textarea id="blockedTerms" name="blockedTerms" rows={6} value={terms}
          aria-invalid={fields.blockedTerms ? true : undefined}
          aria-describedby={fields.blockedTerms ? 'blockedTerms-hint blockedTerms-error' : 'blockedTerms-hint'}
          onChange={(event) => { setTerms(event.target.value); clear('blockedTerms'); }} />
        <p className="field-hint" id="blockedTerms-hint">
          One word or phrase per line, matched whole and in any case. A prompt that contains one fails with a 400 (code
          content_policy_violation) and is not sent.
        </p>
        {fields.blockedTerms && <p className="field-error" id="blockedTerms-error">{fields.blockedTerms}</p>}
      </div>
      <div className="checkbox">
        <input id="screenAnswers" type="checkbox" checked={screenAnswers} aria-describedby="screenAnswers-hint"
          onChange={(event) => setScreenAnswers(event.target.checked)} />
        <label htmlFor="screenAnswers">Hold chat answers to the same rules</label>
      </div>
      <p className="field-hint" id="screenAnswers-hint">
        Personal data in an answer is redacted or, when refused, ends the answer there; so does a blocked term
        (finish_reason content_filter). A stream holds back its last few dozen characters until it is clear what they
        are. The provider's tokens are billed all the same.
      </p>
      <button type="submit" className="button button-primary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save guardrails'}
      </button>
    </form>
  );
}

export function GuardrailsPage() {
  const guardrails = useGuardrails();
  return (
    <>
      <PageHeader title="Guardrails"
        description="Rules every prompt your keys send must pass before it reaches a provider: chat completions, messages and embeddings; and, if you wish, the answers they get." />
      <section className="card">
        {guardrails.isPending && <Loading />}
        {guardrails.isError && <ErrorState error={guardrails.error} feature="Guardrails" onRetry={() => guardrails.refetch()} />}
        {guardrails.data && <GuardrailsForm settings={guardrails.data} />}
      </section>
    </>
  );
}
