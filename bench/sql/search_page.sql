-- The search page of LeadService::List (q alone, one REPEATABLE READ READ ONLY snapshot),
-- for the search_*.tenant.sql scripts once they have set :pat (the LIKE pattern) and
-- :indexable (1 when the term has a trigram). With a trigram, the ids of the page itself come
-- from the SECURITY DEFINER leads_search_page (NULL when more than 2000 match); then those
-- rows under RLS with the LIKE filter, or the created-index walk with the filter.
@TENANT_BEGIN_SNAPSHOT@
\if :indexable
-- OFFSET 0 keeps the subquery: inlined, the function would run once per output column.
SELECT coalesce(s.ids::text, '{}') AS ids, (s.ids IS NULL)::int AS many
FROM (SELECT leads_search_page(lower(:pat), 2000::int, 'created_at', true, NULL,
                               NULL::uuid, NULL::uuid, 51) AS ids OFFSET 0) s \gset
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
