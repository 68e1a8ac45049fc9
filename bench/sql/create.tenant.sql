-- POST /api/leads as the server runs it (LeadService::Create: region, insert, triggers).
\set k random(1, 1000000000)
@TENANT_BEGIN@
SELECT default_region FROM organizations WHERE id = app_current_org();
INSERT INTO leads AS l (organization_id, first_name, last_name, email, phone, status, source,
                        tags, lead_score, assigned_to, timezone, company, title, metadata,
                        created_by)
VALUES (app_current_org(), 'Pgbench', 'Create', 'pgbench' || :k::text || '@example.com',
        '+1564' || (2000000 + nextval('bench_phone_seq') % 8000000)::text, coalesce('new', 'new'),
        'website', coalesce('{hot,buyer}'::text[], '{}'), coalesce(40::int, 0), NULL::uuid,
        'America/Los_Angeles', NULL, NULL, coalesce('{}'::jsonb, '{}'), app_current_user())
ON CONFLICT (organization_id, phone) WHERE deleted_at IS NULL AND phone IS NOT NULL DO NOTHING
RETURNING @COLUMNS@;
COMMIT;
