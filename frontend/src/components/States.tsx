import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** A friendly note for a feature whose API this Tollgate does not serve yet. */
export function NotAvailable({ feature }: { feature: string }) {
  return (
    <div className="state state-unavailable" role="note">
      <p className="state-title">{feature} is not available yet</p>
      <p>This Tollgate server does not offer it yet. It appears here as soon as the server is upgraded.</p>
    </div>
  );
}

/** Shows an error in place: the unavailable state for a missing endpoint, otherwise the API's message. */
export function ErrorState({ error, feature, onRetry }: { error: unknown; feature: string; onRetry?: () => void }) {
  if (error instanceof ApiError && error.notAvailable) {
    return <NotAvailable feature={feature} />;
  }
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Could not load {feature.toLowerCase()}</p>
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Alert({ children, tone = 'error' }: { children: ReactNode; tone?: 'error' | 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
