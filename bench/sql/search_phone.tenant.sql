-- GET /api/leads?q=<ten national digits of a phone> as the server runs it: the term from a
-- sampled lead, then the search page (search_page.sql).
\set i random(1, :n)
-- 3% of leads have no phone: those draws fall back to one that has.
SELECT '%' || substr(p, 3) || '%' AS pat, 1 AS indexable
FROM (SELECT coalesce((SELECT phone FROM bench_ids WHERE n = :i),
                      (SELECT min(phone) FROM bench_ids)) AS p) s \gset
@SEARCH_PAGE@
