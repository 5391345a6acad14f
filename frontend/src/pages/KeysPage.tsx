import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { queryKeys, useKeys } from '../api/queries';
import type { ApiKey, CreatedApiKey } from '../api/types';
import type { FieldErrors } from '../auth/formErrors';
import { useFormErrors } from '../auth/useFormErrors';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog } from '../components/Dialog';
import { CopyButton } from '../components/CopyButton';
import { Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { Alert, Empty, ErrorState, Loading } from '../components/States';
import { formatDateTime, formatRelative, keyPrefix } from '../lib/format';
import { checkLimits, createBody, limitValues, NO_LIMITS, patchBody, rateLimitLines, type Limits, type LimitValues } from '../lib/keyLimits';
import { formatMicros } from '../lib/money';

type LimitName = keyof LimitValues;

const LIMIT_PARAMS: Record<LimitName, string> = {
  creditLimitUsd: 'creditLimitUsd',
  requestsPerMinute: 'rateLimit.requestsPerMinute',
  tokensPerMinute: 'rateLimit.tokensPerMinute',
};

/** A key's credit limit and rate limits; `optional` labels them so, for the creation form. */
function LimitFields({ idPrefix, values, errors, optional, onChange }: {
  idPrefix: string;
  values: LimitValues;
  errors: FieldErrors;
  optional: boolean;
  onChange: (name: LimitName, value: string, param: string) => void;
}) {
  const suffix = optional ? ' (optional)' : '';
  const field = (name: LimitName, label: string, inputMode: 'decimal' | 'numeric') => (
    <Field id={`${idPrefix}${name}`} label={`${label}${suffix}`} inputMode={inputMode} value={values[name]}
      onChange={(event) => onChange(name, event.target.value, LIMIT_PARAMS[name])} error={errors[LIMIT_PARAMS[name]]}
      placeholder="No limit" />
  );
  return (
    <>
      {field('creditLimitUsd', 'Credit limit in USD', 'decimal')}
      {field('requestsPerMinute', 'Requests per minute', 'numeric')}
      {field('tokensPerMinute', 'Tokens per minute', 'numeric')}
    </>
  );
}

const LIMIT_FIELDS = Object.values(LIMIT_PARAMS);

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [limits, setLimits] = useState<LimitValues>(NO_LIMITS);
  const { formRef, fields, form: formError, check, fail, clear } = useFormErrors(['name', ...LIMIT_FIELDS]);
  const create = useMutation({
    mutationFn: (checked: Limits) =>
      api<CreatedApiKey>('/api/keys', { method: 'POST', body: { name: name.trim(), ...createBody(checked) } }),
    onSuccess: (key) => {
      setName('');
      setLimits(NO_LIMITS);
      queryClient.invalidateQueries({ queryKey: queryKeys.keys });
      onCreated(key);
    },
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkLimits(limits);
    const errors: FieldErrors = { ...checked.errors };
    if (!name.trim()) errors.name = 'Give the key a name, e.g. the app that uses it.';
    else if (name.trim().length > 100) errors.name = 'Use at most 100 characters.';
    if (check(errors) && checked.limits) create.mutate(checked.limits);
  };
  return (
    <form ref={formRef} className="card form-inline" onSubmit={submit} noValidate aria-label="Create a key">
      <h2>Create a key</h2>
      {formError && <Alert>{formError}</Alert>}
      <div className="form-row">
        <Field id="name" label="Name" value={name} onChange={(event) => { setName(event.target.value); clear('name'); }}
          error={fields.name} placeholder="e.g. production backend" maxLength={100} />
        <LimitFields idPrefix="" values={limits} errors={fields} optional
          onChange={(field, value, param) => { setLimits((current) => ({ ...current, [field]: value })); clear(param); }} />
        <div className="form-row-submit">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </div>
    </form>
  );
}

/** Changes a key's credit limit and rate limits; sends only what changed. */
function EditLimitsForm({ apiKey, onDone }: { apiKey: ApiKey; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [limits, setLimits] = useState<LimitValues>(() => limitValues(apiKey));
  const { formRef, fields, form: formError, check, fail, clear } = useFormErrors(LIMIT_FIELDS);
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof patchBody>) =>
      api<ApiKey>(`/api/keys/${encodeURIComponent(apiKey.id)}`, { method: 'PATCH', body }),
    onSuccess: (updated) => {
      queryClient.setQueryData<ApiKey[]>(queryKeys.keys, (old) => old?.map((key) => (key.id === updated.id ? updated : key)));
      queryClient.invalidateQueries({ queryKey: queryKeys.keys });
      onDone();
    },
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkLimits(limits);
    if (!check(checked.errors) || !checked.limits) return;
    const body = patchBody(apiKey, checked.limits);
    if (Object.keys(body).length === 0) onDone();
    else save.mutate(body);
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Key limits">
      <h2 id="limits-title">Limits of “{apiKey.name}”</h2>
      <div className="dialog-body">
        {formError && <Alert>{formError}</Alert>}
        <p className="muted small">
          Leave a field empty for no limit. The credit limit caps what the key may spend in total; rate limits apply per
          minute, on top of your account’s.
        </p>
        <LimitFields idPrefix="edit-" values={limits} errors={fields} optional={false}
          onChange={(field, value, param) => { setLimits((current) => ({ ...current, [field]: value })); clear(param); }} />
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onDone}>Cancel</button>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save limits'}
        </button>
      </div>
    </form>
  );
}

function NewKeyReveal({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <section className="card reveal" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Your new key “{created.name}”</h2>
      <Alert tone="warning">
        Copy this key now and keep it somewhere safe. <strong>It will not be shown again</strong>: Tollgate stores only
        a fingerprint of it.
      </Alert>
      <div className="secret-row">
        <input className="secret" readOnly value={created.key} aria-label="New API key" data-testid="new-key"
          onFocus={(event) => event.currentTarget.select()} />
        <CopyButton text={created.key} label="Copy key" />
      </div>
      <p className="muted">
        {/* In a new tab: leaving this page would lose the key, which is never shown again. */}
        Next: <Link to="/quickstart" target="_blank" rel="noopener noreferrer">
          make your first call<span className="visually-hidden"> (opens in a new tab)</span>
        </Link> with it.
      </p>
      <button type="button" className="button button-secondary" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}

function RateLimit({ apiKey }: { apiKey: ApiKey }) {
  const lines = rateLimitLines(apiKey.rateLimit);
  if (lines.length === 0) return <>No limit</>;
  return (
    <span className="stacked">
      {lines.map((line) => <span key={line}>{line}</span>)}
    </span>
  );
}

function KeysTable({ keys, onEdit, onRevoke }: { keys: ApiKey[]; onEdit: (key: ApiKey) => void; onRevoke: (key: ApiKey) => void }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col" className="num">Usage</th>
            <th scope="col" className="num">Credit limit</th>
            <th scope="col" className="num">Rate limit</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td data-label="Name">{key.name}</td>
              <td data-label="Key"><code>{keyPrefix(key.prefix)}</code></td>
              <td data-label="Created">{formatDateTime(key.createdAt)}</td>
              <td data-label="Last used">{formatRelative(key.lastUsedAt)}</td>
              <td data-label="Usage" className="num">{key.usageMicros === undefined ? '—' : formatMicros(key.usageMicros ?? 0)}</td>
              <td data-label="Credit limit" className="num">{key.creditLimitMicros === null ? 'No limit' : formatMicros(key.creditLimitMicros)}</td>
              <td data-label="Rate limit" className="num">
                {key.rateLimit === undefined ? '—' : <RateLimit apiKey={key} />}
              </td>
              <td className="actions">
                <button type="button" className="button button-ghost" onClick={() => onEdit(key)}
                  aria-label={`Edit limits of key ${key.name}`}>
                  Limits
                </button>
                <button type="button" className="button button-danger-ghost" onClick={() => onRevoke(key)}
                  aria-label={`Revoke key ${key.name}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function KeysPage() {
  const keys = useKeys();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => api<void>(`/api/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' }),
    onSuccess: (_, key) => {
      queryClient.setQueryData<ApiKey[]>(queryKeys.keys, (old) => old?.filter((item) => item.id !== key.id));
      queryClient.invalidateQueries({ queryKey: queryKeys.keys });
      setRevoking(null);
    },
  });
  return (
    <>
      <PageHeader title="API keys" description="Keys authenticate your apps against the Tollgate API. Each key can have its own credit limit and rate limits." />
      {created ? <NewKeyReveal created={created} onDone={() => setCreated(null)} /> : <CreateKeyForm onCreated={setCreated} />}
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Your keys</h2>
        {keys.isPending ? (
          <Loading label="Loading keys…" />
        ) : keys.error ? (
          <ErrorState error={keys.error} feature="Keys" onRetry={() => keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <Empty title="No keys yet">Create one above to start calling models.</Empty>
        ) : (
          <KeysTable keys={keys.data} onEdit={setEditing} onRevoke={(key) => { revoke.reset(); setRevoking(key); }} />
        )}
      </section>
      <Dialog open={editing !== null} labelledBy="limits-title" onCancel={() => setEditing(null)}>
        {editing && <EditLimitsForm key={editing.id} apiKey={editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        confirmLabel="Revoke key"
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      >
        {/* Inside the dialog: while it is open, the page behind it is inert and hidden from assistive technology. */}
        {revoke.error && <Alert>Could not revoke the key: {revoke.error.message}</Alert>}
        <p>
          Apps using <strong>{revoking?.name}</strong> (<code>{revoking ? keyPrefix(revoking.prefix) : ''}</code>) will get 401 errors at once.
          This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
