-- A model is either a chat model (/v1/chat/completions) or an embedding model (/v1/embeddings); each endpoint
-- refuses the other kind. Existing rows are chat models.
alter table model add column kind text not null default 'chat' check (kind in ('chat', 'embedding'));

-- Embedding models with their public list prices. Source: the providers' pricing pages (openai.com/api/pricing,
-- ai.google.dev/gemini-api/docs/pricing, mistral.ai/pricing) as known on 2025-11-27, cross-checked against
-- secondary price trackers; this build machine cannot reach the providers, so check them before going live and
-- change them through a new model_price row with a later effective_from.
-- Units: micro-dollars per million input tokens ($0.02 / Mtok = 20000). Embeddings produce no output tokens, so the
-- output price is 0. context_length is the most input tokens one text may have.
insert into model (id, provider, upstream_id, name, context_length, max_output_tokens, kind) values
    ('openai/text-embedding-3-small', 'openai',  'text-embedding-3-small', 'OpenAI: Text Embedding 3 Small', 8191, null, 'embedding'),
    ('openai/text-embedding-3-large', 'openai',  'text-embedding-3-large', 'OpenAI: Text Embedding 3 Large', 8191, null, 'embedding'),
    ('google/gemini-embedding-001',   'google',  'gemini-embedding-001',   'Google: Gemini Embedding 001',   2048, null, 'embedding'),
    ('mistral/mistral-embed',         'mistral', 'mistral-embed',          'Mistral: Mistral Embed',         8192, null, 'embedding');

insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros,
                         cache_write_per_mtok_micros, effective_from) values
    ('openai/text-embedding-3-small',  20000, 0, null, null, '2025-01-01T00:00:00Z'),
    ('openai/text-embedding-3-large', 130000, 0, null, null, '2025-01-01T00:00:00Z'),
    ('google/gemini-embedding-001',   150000, 0, null, null, '2025-01-01T00:00:00Z'),
    ('mistral/mistral-embed',         100000, 0, null, null, '2025-01-01T00:00:00Z');
