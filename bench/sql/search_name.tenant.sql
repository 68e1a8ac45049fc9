-- GET /api/leads?q=<a last name> as the server runs it (LeadService::List with ResolveSearch):
-- candidate ids from the SECURITY DEFINER trigram search, then the page under RLS; with more
-- than 5000 candidates, LIKE under RLS instead.
\set i random(1, :n)
SELECT '%' || lower(last_name) || '%' AS pat FROM bench_ids WHERE n = :i \gset
@TENANT_BEGIN@
SELECT s.ids::text AS ids, cardinality(s.ids) AS cnt
FROM leads_search_ids(lower(:pat), 5001::int) AS s(ids) \gset
\if :cnt <= 5000
SELECT @COLUMNS@, app_rfc3339_micro(l.created_at)
FROM leads l
WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL AND l.id = ANY (:ids::uuid[])
ORDER BY l.created_at DESC, l.id DESC LIMIT 51;
\else
SELECT @COLUMNS@, app_rfc3339_micro(l.created_at)
FROM leads l
WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL
  AND l.search_text LIKE lower(:pat)
ORDER BY l.created_at DESC, l.id DESC LIMIT 51;
\endif
COMMIT;
