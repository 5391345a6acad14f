-- Audio input costs more than text on some models: Gemini 2.5 Flash $1.00 a million tokens against $0.30, Flash-Lite
-- $0.30 against $0.10 (Google's price list). A missing price means audio input costs the plain input price. Capped
-- as every price is (V18).
alter table model_price add column audio_input_per_mtok_micros bigint
    check (audio_input_per_mtok_micros >= 0 and audio_input_per_mtok_micros <= 3000000000);

-- A price is never edited: the seeded Gemini models whose audio costs more get a row of their own from now on, the
-- price in force with its audio price added.
insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros,
    cache_write_per_mtok_micros, reasoning_per_mtok_micros, audio_input_per_mtok_micros, effective_from)
select current.model_id, current.input_per_mtok_micros, current.output_per_mtok_micros,
       current.cached_input_per_mtok_micros, current.cache_write_per_mtok_micros, current.reasoning_per_mtok_micros,
       audio.micros, now()
from (values ('google/gemini-2.5-flash', 1000000), ('google/gemini-2.5-flash-lite', 300000)) as audio (model_id, micros)
join lateral (select * from model_price p where p.model_id = audio.model_id and p.effective_from <= now()
              order by p.effective_from desc limit 1) as current on true;

-- Rows an operator scheduled for later were never used by a request: they get the audio price too, or audio would
-- fall back to the text price when they take effect.
update model_price set audio_input_per_mtok_micros = audio.micros
from (values ('google/gemini-2.5-flash', 1000000), ('google/gemini-2.5-flash-lite', 300000)) as audio (model_id, micros)
where model_price.model_id = audio.model_id and model_price.effective_from > now()
    and model_price.audio_input_per_mtok_micros is null;
