import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { AppRoutes } from '../App';
import { apiError, ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

function CurrentLocation() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** As renderApp, showing also where the router is, to see where a redirect went. */
function renderAppWithLocation(path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
        <CurrentLocation />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('sign-up and log-in', () => {
  it('checks the form before sending and focuses the first problem', async () => {
    const server = mockApi({});
    renderApp('/signup');
    await userEvent.type(screen.getByLabelText('Email'), 'not-an-email');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('Enter an email address like ada@example.com.');
    expect(screen.getByLabelText('Password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Email')).toHaveFocus();
    expect(server.calls).toHaveLength(0);

    // Fixing one field clears its message and leaves the focus where the person types.
    await userEvent.type(screen.getByLabelText('Password'), ' and longer');
    expect(screen.getByLabelText('Password')).not.toHaveAttribute('aria-invalid');
    expect(screen.getByLabelText('Password')).toHaveFocus();
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows the server’s field errors next to their fields', async () => {
    mockApi({
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/signup': apiError(409, 'An account with this email already exists.', 'email_taken', 'email'),
    });
    renderApp('/signup');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('An account with this email already exists.')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
  });

  it('signs up with the organization and lands on the keys page', async () => {
    const server = mockApi({
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/signup': { status: 201, body: ME },
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [] },
    });
    renderApp('/signup');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.type(screen.getByLabelText('Organization (optional)'), 'Analytical Engines');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { name: 'API keys' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/auth/signup')[0]?.body).toEqual({
      email: 'ada@example.com',
      password: 'correct horse battery',
      organization: 'Analytical Engines',
    });
  });

  it('asks for the operator code when the email is an operator’s, and sends it', async () => {
    let attempts = 0;
    const server = mockApi({
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/signup': () => (++attempts === 1
        ? apiError(403, 'This email is an operator’s: creating its account takes the operator code.',
          'operator_code_required', 'operatorCode')
        : { status: 201, body: ME }),
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [] },
    });
    renderApp('/signup');
    expect(screen.queryByLabelText('Operator code')).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Email'), 'ops@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));

    const code = await screen.findByLabelText('Operator code');
    expect(code).toHaveAttribute('aria-invalid', 'true');
    expect(code).toHaveFocus();
    await userEvent.type(code, 'the code');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { name: 'API keys' })).toBeInTheDocument();
    expect(server.callsTo('POST', '/api/auth/signup')[1]?.body).toEqual({
      email: 'ops@example.com',
      password: 'correct horse battery',
      operatorCode: 'the code',
    });
  });

  it('shows a wrong password as a form error', async () => {
    mockApi({
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/login': apiError(401, 'Wrong email or password.', 'invalid_credentials'),
    });
    renderApp('/login');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'nope nope');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
  });

  it('sends a visitor to log in and back to the page they asked for', async () => {
    let loggedIn = false;
    mockApi({
      'GET /api/me': () => (loggedIn ? { body: ME } : apiError(401, 'You are not logged in.', 'unauthenticated')),
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/login': () => {
        loggedIn = true;
        return { body: ME };
      },
      'GET /api/models': { body: { data: [] } },
    });
    renderApp('/models');
    await userEvent.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('heading', { name: 'Models' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText('Analytical Engines')).toBeInTheDocument());
  });

  it('sends the user to log in when the session ends while a page loads, and back after logging in', async () => {
    let loggedIn = false;
    mockApi({
      // Who is logged in was answered (or cached) before the session ended: only the page's own call finds out.
      'GET /api/me': { body: ME },
      'GET /api/keys': () => (loggedIn ? { body: [] } : apiError(401, 'You are not logged in.', 'unauthenticated')),
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/auth/login': () => {
        loggedIn = true;
        return { body: ME };
      },
    });
    renderAppWithLocation('/keys');

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login?next=%2Fkeys');
    expect(screen.queryByText(/Could not load/)).not.toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('No keys yet')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/keys$/);
  });

  it('sends the user to log in when an action is refused for want of a session', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [] },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'POST /api/keys': apiError(401, 'You are not logged in.', 'unauthenticated'),
    });
    renderAppWithLocation('/keys?tab=all');
    await userEvent.type(await screen.findByLabelText('Name'), 'laptop');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login?next=%2Fkeys%3Ftab%3Dall');
  });
});
