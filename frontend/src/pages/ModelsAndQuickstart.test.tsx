import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ME, mockApi } from '../test/mockApi';
import { renderApp } from '../test/renderApp';

const MODELS = {
  object: 'list',
  data: [
    { id: 'openai/gpt-4o-mini', name: 'OpenAI: GPT-4o mini', context_length: 128000, owned_by: 'openai',
      pricing: { prompt: '0.00000015', completion: '0.0000006', input_cache_read: '0.000000075' } },
    { id: 'anthropic/claude-sonnet-4-5', name: 'Anthropic: Claude Sonnet 4.5', context_length: 200000, owned_by: 'anthropic',
      pricing: { prompt: '0.000003', completion: '0.000015' } },
  ],
};

describe('models page', () => {
  it('lists models with prices per million tokens and context length', async () => {
    mockApi({ 'GET /api/me': { body: ME }, 'GET /api/models': { body: MODELS } });
    renderApp('/models');
    const row = (await screen.findByText('OpenAI: GPT-4o mini')).closest('tr') as HTMLElement;
    expect(within(row).getByText('128K')).toBeInTheDocument();
    expect(within(row).getByText('$0.15')).toBeInTheDocument();
    expect(within(row).getByText('$0.60')).toBeInTheDocument();
    expect(within(row).getByText('$0.075')).toBeInTheDocument();
    const sonnet = screen.getByText('Anthropic: Claude Sonnet 4.5').closest('tr') as HTMLElement;
    expect(within(sonnet).getByText('$15.00')).toBeInTheDocument();
  });

  it('shows this tenant’s prices, from the dashboard’s own catalog rather than /v1/models', async () => {
    const general = { ...MODELS, data: MODELS.data.map((model) => ({ ...model, pricing: { prompt: '0.000001', completion: '0.000002' } })) };
    const server = mockApi({
      'GET /api/me': { body: ME },
      'GET /api/models': { body: MODELS },
      // What /v1/models answers a session without a key: priced with the general markup.
      'GET /v1/models': { body: general },
    });
    renderApp('/models');
    const row = (await screen.findByText('OpenAI: GPT-4o mini')).closest('tr') as HTMLElement;
    expect(within(row).getByText('$0.15')).toBeInTheDocument();
    expect(within(row).queryByText('$1.00')).not.toBeInTheDocument();
    expect(server.callsTo('GET', '/v1/models')).toHaveLength(0);
  });

  it('filters by every word of the search', async () => {
    mockApi({ 'GET /api/me': { body: ME }, 'GET /api/models': { body: MODELS } });
    renderApp('/models');
    await screen.findByText('OpenAI: GPT-4o mini');
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search models' }), 'claude sonnet');
    expect(screen.queryByText('OpenAI: GPT-4o mini')).not.toBeInTheDocument();
    expect(screen.getByText('1 of 2 models')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('searchbox'), ' nothing');
    expect(screen.getByText('No model matches your search')).toBeInTheDocument();
  });
});

describe('quickstart page', () => {
  it('shows the base URL and snippets that use the key prefix', async () => {
    mockApi({
      'GET /api/me': { body: ME },
      'GET /api/keys': { body: [{ id: 'k1', name: 'backend', prefix: 'sk-tg-v1-3f9c2a…', creditLimitMicros: null, createdAt: '2026-03-01T00:00:00Z', lastUsedAt: null }] },
    });
    renderApp('/quickstart');
    expect(await screen.findByTestId('base-url')).toHaveTextContent(`${window.location.origin}/v1`);
    expect(await screen.findByText('export TOLLGATE_API_KEY=sk-tg-v1-3f9c2a…')).toBeInTheDocument();
    expect(screen.getByRole('tabpanel')).toHaveTextContent('curl http://localhost:3000/v1/chat/completions'.replace('http://localhost:3000', window.location.origin));

    await userEvent.click(screen.getByRole('tab', { name: 'Python (OpenAI SDK)' }));
    expect(screen.getByRole('tabpanel')).toHaveTextContent(`OpenAI(base_url="${window.location.origin}/v1"`);
    await userEvent.click(screen.getByRole('tab', { name: 'JavaScript (OpenAI SDK)' }));
    expect(screen.getByRole('tabpanel')).toHaveTextContent('new OpenAI({ baseURL:');
  });
});
