-- Speech in an answer costs several times text on OpenAI's audio models: GPT-4o Audio bills text output at $10 a
-- million tokens and audio output at $80. A missing price means audio output costs the plain output price. Capped as
-- every price is (V18).
alter table model_price add column audio_output_per_mtok_micros bigint
    check (audio_output_per_mtok_micros >= 0 and audio_output_per_mtok_micros <= 3000000000);

-- OpenAI's two audio chat models (modalities ["text", "audio"]), with their public list prices as known on
-- 2026-12-07 (openai.com/api/pricing, cross-checked against secondary price trackers; this build machine cannot reach
-- the provider, so check them before going live and change them through the operator API). Text $2.50 / $10 and
-- audio $40 / $80 a million tokens; mini: text $0.15 / $0.60, audio $10 / $20.
insert into model (id, provider, upstream_id, name, context_length, max_output_tokens) values
    ('openai/gpt-4o-audio-preview',      'openai', 'gpt-4o-audio-preview',      'OpenAI: GPT-4o Audio',      128000, 16384),
    ('openai/gpt-4o-mini-audio-preview', 'openai', 'gpt-4o-mini-audio-preview', 'OpenAI: GPT-4o mini Audio', 128000, 16384);

insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, audio_input_per_mtok_micros,
                         audio_output_per_mtok_micros, effective_from) values
    ('openai/gpt-4o-audio-preview',      2500000, 10000000, 40000000, 80000000, '2025-01-01T00:00:00Z'),
    ('openai/gpt-4o-mini-audio-preview',  150000,   600000, 10000000, 20000000, '2025-01-01T00:00:00Z');
