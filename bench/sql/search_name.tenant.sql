-- GET /api/leads?q=<a last name> as the server runs it (LeadService::List, ResolveSearch):
-- when the term has a trigram, candidate ids from the SECURITY DEFINER trigram search (none
-- when more than 2000 match); then the page under RLS with the LIKE filter and the id set.
\set i random(1, :n)
SELECT '%' || lower(last_name) || '%' AS pat, (lower(last_name) ~ '[a-z0-9]{3}')::int AS indexable
FROM bench_ids WHERE n = :i \gset
@TENANT_BEGIN@
\if :indexable
-- OFFSET 0 keeps the subquery: inlined, the function would run once per output column.
SELECT coalesce(s.ids::text, '{}') AS ids, (s.ids IS NULL)::int AS many
FROM (SELECT leads_search_ids(lower(:pat), 2000::int) AS ids OFFSET 0) s \gset
\else
\set many 1
\endif
\if :many
SELECT @COLUMNS@, app_rfc3339_micro(l.created_at)
FROM leads l
WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL
  AND l.search_text LIKE lower(:pat)
ORDER BY l.created_at DESC, l.id DESC LIMIT 51;
\else
SELECT @COLUMNS@, app_rfc3339_micro(l.created_at)
FROM leads l
WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL
  AND l.search_text LIKE lower(:pat) AND l.id = ANY (:ids::uuid[])
ORDER BY l.created_at DESC, l.id DESC LIMIT 51;
\endif
COMMIT;
