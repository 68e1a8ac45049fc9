-- POST /api/dnc/check with 1,000 numbers, database only: is_on_dnc_list (the organization's
-- list, then the national registry bitmap) for each number of a stored batch, as the superuser.
\set b random(1, :nb)
SELECT count(*) FILTER (WHERE is_on_dnc_list(p, :org::uuid))
FROM bench_dnc_batches, unnest(phones) p WHERE b = :b;
