import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/client';
import { useMe } from '../api/queries';
import { ErrorState, Loading } from '../components/States';

/** The session ended (expired, or logged out elsewhere) while the dashboard was open. */
function sessionEnded(error: unknown): boolean {
  // Only this code: another 401 (a wrong password, say) answers the request itself, not the session.
  return error instanceof ApiError && error.unauthenticated && error.code === 'unauthenticated';
}

/**
 * True once any query or mutation has been refused for want of a session. `me` is fetched once a minute at most, so
 * without this a session that ends meanwhile would leave every page saying "You are not logged in." in place.
 */
function useSessionEnded(): boolean {
  const queryClient = useQueryClient();
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && sessionEnded(event.action.error)) setEnded(true);
    });
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && sessionEnded(event.action.error)) setEnded(true);
    });
    return () => {
      unsubscribeQueries();
      unsubscribeMutations();
    };
  }, [queryClient]);
  return ended;
}

/** Renders its children for a logged-in user and sends everyone else to the log-in page, remembering where to return. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const ended = useSessionEnded();
  const location = useLocation();
  if (ended || (me.error instanceof ApiError && me.error.unauthenticated)) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.isPending) return <Loading />;
  if (me.error) {
    return (
      <div className="auth-page">
        <ErrorState error={me.error} feature="Your account" onRetry={() => me.refetch()} />
      </div>
    );
  }
  return <>{children}</>;
}
