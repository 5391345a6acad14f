import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client';
import { useMe } from '../api/queries';

const NAV = [
  { to: '/usage', label: 'Usage' },
  { to: '/activity', label: 'Activity' },
  { to: '/keys', label: 'API keys' },
  { to: '/credits', label: 'Credits' },
  { to: '/guardrails', label: 'Guardrails' },
  { to: '/models', label: 'Models' },
  { to: '/quickstart', label: 'Quickstart' },
];

export function Layout() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: () => api('/api/auth/logout', { method: 'POST' }),
    onSettled: () => {
      queryClient.clear();
      navigate('/login', { replace: true });
    },
  });
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>Tollgate</span>
        </div>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <NavLink key={item.to} to={item.to} className={({ isActive }) => `nav-link ${isActive ? 'active' : ''}`}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="account">
          {me.data && (
            <div className="account-who">
              <span className="account-tenant">{me.data.tenant.name}</span>
              <span className="account-email">{me.data.user.email}</span>
            </div>
          )}
          <button type="button" className="button button-ghost" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Log out
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
