import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Guardrails } from '../api/types';
import { apiError, ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

function guardrailsServer(initial: Guardrails) {
  let current = initial;
  return mockApi({
    'GET /api/me': { body: ME },
    'GET /api/auth/csrf': { body: { token: 't' } },
    'GET /api/guardrails': () => ({ body: current }),
    // As guardrails/GuardrailsController: terms trimmed, repeats in another case dropped.
    'PUT /api/guardrails': (call) => {
      const body = call.body as Guardrails;
      const seen = new Set<string>();
      const terms = body.blockedTerms.map((term) => term.trim()).filter((term) => {
        const folded = term.toLowerCase();
        if (!term || seen.has(folded)) return false;
        seen.add(folded);
        return true;
      });
      current = { pii: body.pii, blockedTerms: terms, screenAnswers: body.screenAnswers };
      return { body: current };
    },
  });
}

describe('GuardrailsPage', () => {
  it('shows the saved guardrails', async () => {
    guardrailsServer({ pii: 'redact', blockedTerms: ['Project Falcon', 'Osprey'], screenAnswers: true });
    renderApp('/guardrails');

    expect(await screen.findByLabelText('Redact personal data')).toBeChecked();
    expect(screen.getByLabelText('Send prompts as written')).not.toBeChecked();
    expect(screen.getByLabelText('Blocked terms')).toHaveValue('Project Falcon\nOsprey');
    expect(screen.getByLabelText('Hold chat answers to the same rules')).toBeChecked();
  });

  it('saves a mode and one term per line, and shows what the server kept', async () => {
    const server = guardrailsServer({ pii: 'off', blockedTerms: [], screenAnswers: false });
    renderApp('/guardrails');

    await userEvent.click(await screen.findByLabelText('Refuse prompts with personal data'));
    await userEvent.type(screen.getByLabelText('Blocked terms'), 'Falcon{enter}{enter} falcon {enter}Osprey');
    await userEvent.click(screen.getByLabelText('Hold chat answers to the same rules'));
    await userEvent.click(screen.getByRole('button', { name: 'Save guardrails' }));

    expect(await screen.findByText(/Saved\. Every call from now on/)).toBeInTheDocument();
    expect(server.callsTo('PUT', '/api/guardrails')[0]?.body).toEqual({
      pii: 'block',
      blockedTerms: ['Falcon', 'falcon', 'Osprey'],
      screenAnswers: true,
    });
    expect(screen.getByLabelText('Blocked terms')).toHaveValue('Falcon\nOsprey');
  });

  it('shows the API refusing a term on the terms field', async () => {
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/auth/csrf': { body: { token: 't' } },
      'GET /api/guardrails': { body: { pii: 'off', blockedTerms: [], screenAnswers: false } },
      'PUT /api/guardrails': apiError(400, 'A blocked term has at most 200 characters.', 'invalid_value', 'blockedTerms'),
    });
    renderApp('/guardrails');

    await userEvent.type(await screen.findByLabelText('Blocked terms'), 'x'.repeat(20));
    await userEvent.click(screen.getByRole('button', { name: 'Save guardrails' }));

    expect(await screen.findByText('A blocked term has at most 200 characters.')).toBeInTheDocument();
    expect(screen.getByLabelText('Blocked terms')).toHaveAttribute('aria-invalid', 'true');
    expect(server.callsTo('PUT', '/api/guardrails')).toHaveLength(1);
  });
});
