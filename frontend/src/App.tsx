import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Link, Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/RequireAuth';
import { Layout } from './components/Layout';
import { Loading } from './components/States';
import { ActivityPage, GenerationPage } from './pages/ActivityPage';
import { LoginPage, SignupPage } from './pages/AuthPages';
import { CreditsPage } from './pages/CreditsPage';
import { GuardrailsPage } from './pages/GuardrailsPage';
import { KeysPage } from './pages/KeysPage';
import { ModelsPage } from './pages/ModelsPage';
import { QuickstartPage } from './pages/QuickstartPage';

// The chart library is the biggest dependency; only the Usage page needs it, so it loads on first visit there.
const UsagePage = lazy(() => import('./pages/UsagePage'));

function NotFound() {
  return (
    <div className="state state-empty">
      <p className="state-title">There is no page here</p>
      <Link to="/usage">Go to your usage</Link>
    </div>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      <Route element={<RequireAuth><Layout /></RequireAuth>}>
        <Route index element={<Navigate to="/usage" replace />} />
        <Route path="usage" element={<Suspense fallback={<Loading />}><UsagePage /></Suspense>} />
        <Route path="activity" element={<ActivityPage />} />
        <Route path="activity/:id" element={<GenerationPage />} />
        <Route path="keys" element={<KeysPage />} />
        <Route path="credits" element={<CreditsPage />} />
        <Route path="guardrails" element={<GuardrailsPage />} />
        <Route path="models" element={<ModelsPage />} />
        <Route path="quickstart" element={<QuickstartPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
