-- GET /api/leads?q=<a last name>, database only: LIKE on search_text, which the superuser
-- can serve from the trigram index, newest first.
\set i random(1, :n)
SELECT '%' || lower(last_name) || '%' AS pat FROM bench_ids WHERE n = :i \gset
SELECT @COLUMNS@, app_rfc3339_micro(l.created_at)
FROM leads l
WHERE l.organization_id = :org AND l.deleted_at IS NULL AND l.search_text LIKE :pat
ORDER BY l.created_at DESC, l.id DESC LIMIT 51;
