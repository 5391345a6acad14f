-- Current models of OpenAI, Anthropic, Google and Mistral with their public list prices.
-- Source: the providers' public pricing pages (openai.com/api/pricing, anthropic.com/pricing#api,
-- ai.google.dev/gemini-api/docs/pricing, mistral.ai/pricing) as last read on 2025-11-20; this build machine has no
-- network, so check them before going live and change them through the operator API (a new row with a later
-- effective_from; old requests keep their price).
-- Units: micro-dollars per million tokens ($0.15 / Mtok = 150000). Reasoning tokens are billed at the output price
-- (reasoning column null) by all four providers; cache_write is Anthropic's 5-minute cache write.

insert into model (id, provider, upstream_id, name, context_length, max_output_tokens) values
    ('openai/gpt-4o-mini',            'openai',    'gpt-4o-mini',            'OpenAI: GPT-4o mini',          128000,  16384),
    ('openai/gpt-4o',                 'openai',    'gpt-4o',                 'OpenAI: GPT-4o',               128000,  16384),
    ('openai/gpt-4.1',                'openai',    'gpt-4.1',                'OpenAI: GPT-4.1',              1047576, 32768),
    ('openai/gpt-4.1-mini',           'openai',    'gpt-4.1-mini',           'OpenAI: GPT-4.1 mini',         1047576, 32768),
    ('openai/gpt-4.1-nano',           'openai',    'gpt-4.1-nano',           'OpenAI: GPT-4.1 nano',         1047576, 32768),
    ('openai/o4-mini',                'openai',    'o4-mini',                'OpenAI: o4-mini',              200000,  100000),
    ('openai/gpt-5',                  'openai',    'gpt-5',                  'OpenAI: GPT-5',                400000,  128000),
    ('openai/gpt-5-mini',             'openai',    'gpt-5-mini',             'OpenAI: GPT-5 mini',           400000,  128000),
    ('openai/gpt-5-nano',             'openai',    'gpt-5-nano',             'OpenAI: GPT-5 nano',           400000,  128000),
    ('anthropic/claude-sonnet-4-5',   'anthropic', 'claude-sonnet-4-5',      'Anthropic: Claude Sonnet 4.5', 200000,  64000),
    ('anthropic/claude-haiku-4-5',    'anthropic', 'claude-haiku-4-5',       'Anthropic: Claude Haiku 4.5',  200000,  64000),
    ('anthropic/claude-opus-4-1',     'anthropic', 'claude-opus-4-1',        'Anthropic: Claude Opus 4.1',   200000,  32000),
    ('google/gemini-2.5-flash',       'google',    'gemini-2.5-flash',       'Google: Gemini 2.5 Flash',     1048576, 65536),
    ('google/gemini-2.5-pro',         'google',    'gemini-2.5-pro',         'Google: Gemini 2.5 Pro',       1048576, 65536),
    ('google/gemini-2.5-flash-lite',  'google',    'gemini-2.5-flash-lite',  'Google: Gemini 2.5 Flash-Lite',1048576, 65536),
    ('mistral/mistral-small-latest',  'mistral',   'mistral-small-latest',   'Mistral: Mistral Small',       131072,  null),
    ('mistral/mistral-medium-latest', 'mistral',   'mistral-medium-latest',  'Mistral: Mistral Medium',      131072,  null),
    ('mistral/mistral-large-latest',  'mistral',   'mistral-large-latest',   'Mistral: Mistral Large',       131072,  null),
    ('mistral/codestral-latest',      'mistral',   'codestral-latest',       'Mistral: Codestral',           256000,  null);

insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros,
                         cache_write_per_mtok_micros, effective_from) values
    ('openai/gpt-4o-mini',               150000,    600000,    75000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-4o',                   2500000,  10000000,  1250000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-4.1',                  2000000,   8000000,   500000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-4.1-mini',              400000,   1600000,   100000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-4.1-nano',              100000,    400000,    25000,   null, '2025-01-01T00:00:00Z'),
    ('openai/o4-mini',                  1100000,   4400000,   275000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-5',                    1250000,  10000000,   125000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-5-mini',                250000,   2000000,    25000,   null, '2025-01-01T00:00:00Z'),
    ('openai/gpt-5-nano',                 50000,    400000,     5000,   null, '2025-01-01T00:00:00Z'),
    ('anthropic/claude-sonnet-4-5',     3000000,  15000000,   300000, 3750000, '2025-01-01T00:00:00Z'),
    ('anthropic/claude-haiku-4-5',      1000000,   5000000,   100000, 1250000, '2025-01-01T00:00:00Z'),
    ('anthropic/claude-opus-4-1',      15000000,  75000000,  1500000, 18750000, '2025-01-01T00:00:00Z'),
    ('google/gemini-2.5-flash',          300000,   2500000,    30000,   null, '2025-01-01T00:00:00Z'),
    ('google/gemini-2.5-pro',           1250000,  10000000,   125000,   null, '2025-01-01T00:00:00Z'),
    ('google/gemini-2.5-flash-lite',     100000,    400000,    10000,   null, '2025-01-01T00:00:00Z'),
    ('mistral/mistral-small-latest',     100000,    300000,     null,   null, '2025-01-01T00:00:00Z'),
    ('mistral/mistral-medium-latest',    400000,   2000000,     null,   null, '2025-01-01T00:00:00Z'),
    ('mistral/mistral-large-latest',    2000000,   6000000,     null,   null, '2025-01-01T00:00:00Z'),
    ('mistral/codestral-latest',         300000,    900000,     null,   null, '2025-01-01T00:00:00Z');
