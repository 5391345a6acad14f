import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/client';
import { useMe } from '../api/queries';
import { ErrorState, Loading } from '../components/States';

/** Renders its children for a logged-in user and sends everyone else to the log-in page, remembering where to return. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.error) {
    if (me.error instanceof ApiError && me.error.unauthenticated) {
      const next = location.pathname + location.search;
      return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
    }
    return (
      <div className="auth-page">
        <ErrorState error={me.error} feature="Your account" onRetry={() => me.refetch()} />
      </div>
    );
  }
  return <>{children}</>;
}
