import { act, cleanup, fireEvent, screen, within, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiError, ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

const CREDITS = {
  balanceMicros: 4_250_000,
  totalCreditedMicros: 5_000_000,
  totalUsedMicros: 750_000,
  entries: [
    { id: 'e2', kind: 'usage', amountMicros: -135, description: 'openai/gpt-4o-mini', createdAt: '2026-03-10T12:00:00Z' },
    { id: 'e1', kind: 'signup_bonus', amountMicros: 5_000_000, description: null, createdAt: '2026-03-01T09:00:00Z' },
  ],
  page: 0,
  size: 20,
  total: 2,
};

const AUTO = { enabled: false, thresholdUsd: 5, amountUsd: 20, hasPaymentMethod: true, lastError: null };

describe('credits page', () => {
  it('shows the balance, totals and the ledger with exact amounts', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: false, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    renderApp('/credits');
    expect(await screen.findByTestId('balance')).toHaveTextContent('$4.25');
    expect(screen.getByText('$5.00', { selector: '.stat-value' })).toBeInTheDocument();
    const usage = screen.getByText('openai/gpt-4o-mini').closest('tr') as HTMLElement;
    expect(within(usage).getByText('-$0.000135')).toBeInTheDocument();
    expect(within(usage).getByText('Usage')).toBeInTheDocument();
    expect(screen.getByText('Sign-up bonus')).toBeInTheDocument();
    expect(screen.getAllByText(/not configured on this Tollgate/)).not.toHaveLength(0);
  });

  it('shows each request’s charge on demand, linked to its generation', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': (call) => ({
        body: call.query.get('includeUsage') === 'true'
          ? { ...CREDITS, entries: [{ ...CREDITS.entries[0], generationId: 'gen-abc' }] , total: 1 }
          : { ...CREDITS, entries: [CREDITS.entries[1]], total: 1 },
      }),
    });
    renderApp('/credits');
    expect(await screen.findByText('Sign-up bonus')).toBeInTheDocument();
    expect(screen.queryByText('openai/gpt-4o-mini')).not.toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Show each request’s charge'));
    expect(await screen.findByRole('link', { name: 'openai/gpt-4o-mini' })).toHaveAttribute('href', '/activity/gen-abc');
    expect(server.callsTo('GET', '/api/credits').at(-1)?.query.get('includeUsage')).toBe('true');
  });

  it('finds later pages of the ledger from the cursors of the page shown', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': (call) => ({
        body: { ...CREDITS, size: 2, total: 45, firstCursor: 'c-first', lastCursor: 'c-last',
          page: Number(call.query.get('page') ?? 0) },
      }),
      'GET /api/billing/config': { body: { enabled: false, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    const last = () => server.callsTo('GET', '/api/credits').at(-1)?.query;
    renderApp('/credits');
    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));
    await waitFor(() => expect(last()?.get('page')).toBe('1'));
    expect(last()?.get('before')).toBe('c-last');
    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));
    await waitFor(() => expect(last()?.get('page')).toBe('2'));

    await userEvent.click(await screen.findByRole('button', { name: 'Previous' }));
    await waitFor(() => expect(last()?.get('page')).toBe('1'));
    expect(last()?.get('after')).toBe('c-first');
    await userEvent.click(await screen.findByRole('button', { name: 'Previous' }));
    await waitFor(() => expect(last()?.get('page')).toBe('0'));
    expect(last()?.has('after') || last()?.has('before')).toBe(false);
  });

  it('degrades to a friendly note while the server has no credits API', async () => {
    mockApi({ 'GET /api/me': { body: ME } });
    renderApp('/credits');
    expect(await screen.findByText('Credits is not available yet')).toBeInTheDocument();
    expect(screen.getByText(/Card payments are not configured/)).toBeInTheDocument();
  });

  it('shows the purchase fee before paying and opens Stripe Checkout', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 5.5, feeFixedUsd: 0.8 } },
      'GET /api/billing/auto-topup': { body: AUTO },
      'POST /api/billing/checkout': { body: { url: 'https://checkout.stripe.test/c/pay/cs_1' } },
    });
    renderApp('/credits');
    const amount = await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '20');
    const quote = screen.getByLabelText('Price');
    expect(within(quote).getByText('Purchase fee (5.5% + $0.80)')).toBeInTheDocument();
    expect(within(quote).getByText('$1.90')).toBeInTheDocument();
    expect(within(quote).getByText('$21.90')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.stripe.test/c/pay/cs_1'));
    expect(server.callsTo('POST', '/api/billing/checkout')[0]?.body).toEqual({ amountUsd: '20' });
  });

  it('shows the fee Stripe will charge, rounded once to the cent', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 3.495, feeFixedUsd: 0.3 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    renderApp('/credits');
    const amount = await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '7.01');
    // 3.495 % of $7.01 is 24.49995 cents: Stripe charges 24 cents plus the fixed 30.
    const quote = screen.getByLabelText('Price');
    expect(within(quote).getByText('Purchase fee (3.495% + $0.30)').nextSibling).toHaveTextContent('$0.54');
    expect(within(quote).getByText('You pay').nextSibling).toHaveTextContent('$7.55');
  });

  it('waits for the bought credits after Checkout and says when they have arrived', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    let paid = false;
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/credits': () => ({
        body: paid
          ? { ...CREDITS, balanceMicros: 24_250_000, totalCreditedMicros: 25_000_000, entries: [
              { id: 'e3', kind: 'topup', amountMicros: 20_000_000, description: 'Top-up with Stripe Checkout', createdAt: '2026-03-11T08:00:00Z' },
              ...CREDITS.entries,
            ] }
          : CREDITS,
      }),
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 2.9, feeFixedUsd: 0.3 } },
      'GET /api/billing/auto-topup': { body: AUTO },
      'POST /api/billing/checkout': { body: { url: 'https://checkout.stripe.test/c/pay/cs_1' } },
    });
    renderApp('/credits');
    const amount = await screen.findByLabelText('Amount of credits (USD)');
    await screen.findByTestId('balance');
    await userEvent.clear(amount);
    await userEvent.type(amount, '20');
    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.stripe.test/c/pay/cs_1'));
    cleanup();

    // Back from Checkout before Stripe's webhook: the page keeps asking until the credits are there.
    renderApp('/credits?checkout=success&session_id=cs_1');
    expect(await screen.findByText(/your credits appear here as soon as Stripe confirms it/)).toBeInTheDocument();
    expect(await screen.findByTestId('balance')).toHaveTextContent('$4.25');
    const asked = server.callsTo('GET', '/api/credits').length;
    paid = true;
    expect(await screen.findByText(/Payment received: \$20\.00 of credits were added/, {}, { timeout: 4_000 })).toBeInTheDocument();
    expect(screen.getByTestId('balance')).toHaveTextContent('$24.25');
    expect(screen.getByText('Top-up')).toBeInTheDocument();
    expect(server.callsTo('GET', '/api/credits').length).toBeGreaterThan(asked);
  });

  it('says nothing was charged when the payer cancels Checkout, and stops waiting for that top-up', async () => {
    sessionStorage.setItem('tollgate.pendingCheckout', JSON.stringify({ creditedBeforeMicros: 5_000_000, amountMicros: 20_000_000 }));
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    renderApp('/credits?checkout=cancel');
    expect(await screen.findByText(/Checkout was cancelled; nothing was charged/)).toBeInTheDocument();
    await waitFor(() => expect(sessionStorage.getItem('tollgate.pendingCheckout')).toBeNull());
  });

  it('refuses fractions of a cent, which Stripe cannot charge', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 2.9, feeFixedUsd: 0.3 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    renderApp('/credits');
    const amount = await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '10.005');
    expect(screen.queryByLabelText('Price')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(amount).toHaveAccessibleDescription(/Enter whole cents/);
    expect(server.callsTo('POST', '/api/billing/checkout')).toHaveLength(0);
  });

  it('refuses amounts outside the allowed range', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    renderApp('/credits');
    const amount = await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '2');
    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(amount).toHaveAccessibleDescription(/Enter an amount between \$5.00 and \$1,000.00/);
    expect(server.callsTo('POST', '/api/billing/checkout')).toHaveLength(0);
  });

  it('explains when checkout answers that billing is not configured', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
      'POST /api/billing/checkout': apiError(503, 'Stripe is not configured.', 'billing_not_configured'),
    });
    renderApp('/credits');
    await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText(/Card payments are not configured/)).toBeInTheDocument();
  });

  it('keeps the form and shows the error when checkout answers some other 503', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
    });
    // A proxy's error page in front of Tollgate, not the API's JSON.
    const scripted = server.fetchMock.getMockImplementation() as typeof fetch;
    server.fetchMock.mockImplementation(async (input, init) => String(input) === '/api/billing/checkout'
      ? new Response('<html><body>Service Unavailable</body></html>',
        { status: 503, statusText: 'Service Unavailable', headers: { 'Content-Type': 'text/html' } })
      : scripted(input, init));
    renderApp('/credits');
    await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('503 Service Unavailable');
    expect(screen.queryByText(/Card payments are not configured/)).not.toBeInTheDocument();
    expect(screen.getByLabelText('Amount of credits (USD)')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Continue to payment' })).toBeEnabled();
  });

  it('opens one checkout session however often the button is pressed on the way to Stripe', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
      'POST /api/billing/checkout': { body: { url: 'https://checkout.stripe.test/c/pay/cs_1' } },
    });
    renderApp('/credits');
    await screen.findByLabelText('Amount of credits (USD)');
    await userEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));

    // Stripe's page takes a moment to load: the button stays as it was while the request ran.
    const button = screen.getByRole('button', { name: 'Opening checkout…' });
    expect(button).toBeDisabled();
    await userEvent.click(button);
    fireEvent.submit(screen.getByRole('form', { name: 'Add credits' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.callsTo('POST', '/api/billing/checkout')).toHaveLength(1);
    expect(assign).toHaveBeenCalledTimes(1);

    // Back from Stripe by the back button, the page restored as it was left can be used again.
    act(() => {
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    });
    expect(await screen.findByRole('button', { name: 'Continue to payment' })).toBeEnabled();
  });

  it('saves automatic top-up settings as decimal strings', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/credits': { body: CREDITS },
      'GET /api/billing/config': { body: { enabled: true, minUsd: 5, maxUsd: 1000, feePercent: 0, feeFixedUsd: 0 } },
      'GET /api/billing/auto-topup': { body: AUTO },
      'PUT /api/billing/auto-topup': (call) => ({ body: { ...AUTO, ...(call.body as object), hasPaymentMethod: true } }),
    });
    renderApp('/credits');
    await userEvent.click(await screen.findByLabelText('Top up automatically when my balance runs low'));
    const threshold = screen.getByLabelText('When the balance falls below (USD)');
    await userEvent.clear(threshold);
    await userEvent.type(threshold, '2.5');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(server.callsTo('PUT', '/api/billing/auto-topup')[0]?.body).toEqual({
      enabled: true,
      thresholdUsd: '2.5',
      amountUsd: '20',
    });
  });
});
