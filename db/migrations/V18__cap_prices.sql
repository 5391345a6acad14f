-- A call's cost is computed in pico-dollars in a 64-bit integer, and a price above $3,000 per million tokens could
-- overflow it on a call near the token counts' ceiling (ModelPrice.MAX_PER_MTOK). The operator API refuses such
-- prices; these checks hold for rows written by hand too (a route's host price is only ever written in SQL). Not
-- validated against rows already there: an upgrade never fails on them.
alter table model_price
    add constraint model_price_at_most_3000_usd_per_mtok check (
        input_per_mtok_micros <= 3000000000
        and output_per_mtok_micros <= 3000000000
        and coalesce(cached_input_per_mtok_micros, 0) <= 3000000000
        and coalesce(cache_write_per_mtok_micros, 0) <= 3000000000
        and coalesce(reasoning_per_mtok_micros, 0) <= 3000000000) not valid;

alter table model_route
    add constraint model_route_at_most_3000_usd_per_mtok check (
        coalesce(input_per_mtok_micros, 0) <= 3000000000
        and coalesce(output_per_mtok_micros, 0) <= 3000000000) not valid;
