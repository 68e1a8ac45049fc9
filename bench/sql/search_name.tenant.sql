-- GET /api/leads?q=<a last name> as the server runs it: the term from a sampled lead, then
-- the search page (search_page.sql).
\set i random(1, :n)
SELECT '%' || lower(last_name) || '%' AS pat, (lower(last_name) ~ '[a-z0-9]{3}')::int AS indexable
FROM bench_ids WHERE n = :i \gset
@SEARCH_PAGE@
