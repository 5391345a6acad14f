import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { queryKeys, useKeys } from '../api/queries';
import type { ApiKey, CreatedApiKey } from '../api/types';
import type { FieldErrors } from '../auth/formErrors';
import { useFormErrors } from '../auth/useFormErrors';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { Alert, Empty, ErrorState, Loading } from '../components/States';
import { formatDateTime, formatRelative, keyPrefix } from '../lib/format';
import { formatMicros, parseUsdToMicros } from '../lib/money';

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [limit, setLimit] = useState('');
  const { formRef, fields, form: formError, check, fail, clear } = useFormErrors(['name', 'creditLimitUsd']);
  const create = useMutation({
    mutationFn: () =>
      api<CreatedApiKey>('/api/keys', {
        method: 'POST',
        // The limit goes as a decimal string so no float rounding happens on the way.
        body: { name: name.trim(), ...(limit.trim() ? { creditLimitUsd: limit.trim().replace(/^\$/, '') } : {}) },
      }),
    onSuccess: (key) => {
      setName('');
      setLimit('');
      queryClient.invalidateQueries({ queryKey: queryKeys.keys });
      onCreated(key);
    },
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: FieldErrors = {};
    if (!name.trim()) errors.name = 'Give the key a name, e.g. the app that uses it.';
    else if (name.trim().length > 100) errors.name = 'Use at most 100 characters.';
    if (limit.trim() && parseUsdToMicros(limit) === null) {
      errors.creditLimitUsd = 'Enter an amount in USD like 10 or 2.50, or leave it empty for no limit.';
    }
    if (check(errors)) create.mutate();
  };
  return (
    <form ref={formRef} className="card form-inline" onSubmit={submit} noValidate aria-label="Create a key">
      <h2>Create a key</h2>
      {formError && <Alert>{formError}</Alert>}
      <div className="form-row">
        <Field id="name" label="Name" value={name} onChange={(event) => { setName(event.target.value); clear('name'); }}
          error={fields.name} placeholder="e.g. production backend" maxLength={100} />
        <Field id="creditLimitUsd" label="Credit limit in USD (optional)" inputMode="decimal" value={limit}
          onChange={(event) => { setLimit(event.target.value); clear('creditLimitUsd'); }} error={fields.creditLimitUsd} placeholder="No limit" />
        <div className="form-row-submit">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
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
        Next: <Link to="/quickstart">make your first call</Link> with it.
      </p>
      <button type="button" className="button button-secondary" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}

function KeysTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (key: ApiKey) => void }) {
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
            <th scope="col" className="num">Limit</th>
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
              <td data-label="Limit" className="num">{key.creditLimitMicros === null ? 'No limit' : formatMicros(key.creditLimitMicros)}</td>
              <td className="actions">
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
      <PageHeader title="API keys" description="Keys authenticate your apps against the Tollgate API. Each key can have its own credit limit." />
      {created ? <NewKeyReveal created={created} onDone={() => setCreated(null)} /> : <CreateKeyForm onCreated={setCreated} />}
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Your keys</h2>
        {revoke.error && <Alert>Could not revoke the key: {revoke.error.message}</Alert>}
        {keys.isPending ? (
          <Loading label="Loading keys…" />
        ) : keys.error ? (
          <ErrorState error={keys.error} feature="Keys" onRetry={() => keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <Empty title="No keys yet">Create one above to start calling models.</Empty>
        ) : (
          <KeysTable keys={keys.data} onRevoke={(key) => { revoke.reset(); setRevoking(key); }} />
        )}
      </section>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        confirmLabel="Revoke key"
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      >
        <p>
          Apps using <strong>{revoking?.name}</strong> (<code>{revoking ? keyPrefix(revoking.prefix) : ''}</code>) will get 401 errors at once.
          This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
