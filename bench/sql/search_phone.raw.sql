-- GET /api/leads?q=<ten national digits of a phone>, database only: LIKE on search_text,
-- which the superuser can serve from the trigram index, newest first.
\set i random(1, :n)
-- 3% of leads have no phone: those draws fall back to one that has.
SELECT '%' || substr(p, 3) || '%' AS pat
FROM (SELECT coalesce((SELECT phone FROM bench_ids WHERE n = :i),
                      (SELECT min(phone) FROM bench_ids)) AS p) s \gset
SELECT @COLUMNS@, app_rfc3339_micro(l.created_at)
FROM leads l
WHERE l.organization_id = :org AND l.deleted_at IS NULL AND l.search_text LIKE :pat
ORDER BY l.created_at DESC, l.id DESC LIMIT 51;
