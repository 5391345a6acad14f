-- Some models bill a call whose prompt is long at dearer prices, the whole call: Gemini 2.5 Pro above 200K prompt
-- tokens, input $2.50 a million against $1.25 and output $15 against $10 (Google's price list); its cached and other
-- prices move with those. The three columns are set together or not at all, and capped as every price is (V18).
alter table model_price
    add column long_context_above_tokens bigint check (long_context_above_tokens > 0),
    add column long_input_per_mtok_micros bigint
        check (long_input_per_mtok_micros >= 0 and long_input_per_mtok_micros <= 3000000000),
    add column long_output_per_mtok_micros bigint
        check (long_output_per_mtok_micros >= 0 and long_output_per_mtok_micros <= 3000000000),
    add constraint model_price_long_context_whole check (
        (long_context_above_tokens is null) = (long_input_per_mtok_micros is null)
        and (long_context_above_tokens is null) = (long_output_per_mtok_micros is null));

-- A row in force is never edited: Gemini 2.5 Pro gets a row of its own from now on, the price in force with its
-- long-context tier added; a row scheduled for later, never used yet, gets the tier too.
insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros,
    cache_write_per_mtok_micros, reasoning_per_mtok_micros, audio_input_per_mtok_micros, long_context_above_tokens,
    long_input_per_mtok_micros, long_output_per_mtok_micros, effective_from)
select current.model_id, current.input_per_mtok_micros, current.output_per_mtok_micros,
       current.cached_input_per_mtok_micros, current.cache_write_per_mtok_micros, current.reasoning_per_mtok_micros,
       current.audio_input_per_mtok_micros, 200000, 2500000, 15000000, now()
from (select * from model_price p where p.model_id = 'google/gemini-2.5-pro' and p.effective_from <= now()
      order by p.effective_from desc limit 1) as current;

update model_price set long_context_above_tokens = 200000, long_input_per_mtok_micros = 2500000,
    long_output_per_mtok_micros = 15000000
where model_id = 'google/gemini-2.5-pro' and effective_from > now() and long_context_above_tokens is null;
