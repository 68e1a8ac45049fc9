-- GET /api/leads/{id} as the server runs it (LeadService::Get through db::ReadInTenant, query
-- leads_find_live): the tenant settings and the SELECT in one pipeline, one implicit
-- transaction, one round trip.
\set i random(1, :n)
\startpipeline
@TENANT_SETTINGS@
SELECT @COLUMNS@
FROM leads l
WHERE l.organization_id = app_current_org() AND l.id = (SELECT id FROM bench_ids WHERE n = :i)
  AND l.deleted_at IS NULL
  AND (NULL::uuid IS NULL OR l.assigned_to IS NULL OR l.assigned_to = NULL::uuid);
\endpipeline
