-- GET /api/leads/{id}, database only: one primary-key lookup.
\set i random(1, :n)
SELECT @COLUMNS@
FROM leads l
WHERE l.organization_id = :org AND l.id = (SELECT id FROM bench_ids WHERE n = :i)
  AND l.deleted_at IS NULL;
