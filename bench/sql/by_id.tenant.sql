-- GET /api/leads/{id} as the server runs it (LeadService::Get, query leads_find_live).
\set i random(1, :n)
@TENANT_BEGIN@
SELECT @COLUMNS@
FROM leads l
WHERE l.organization_id = app_current_org() AND l.id = (SELECT id FROM bench_ids WHERE n = :i)
  AND l.deleted_at IS NULL
  AND (NULL::uuid IS NULL OR l.assigned_to IS NULL OR l.assigned_to = NULL::uuid);
COMMIT;
