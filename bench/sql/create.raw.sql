-- POST /api/leads, database only: one INSERT; the statement triggers write the 'create'
-- audit entry and the first status-history row. Phones come from area code 564, which
-- neither bench-data nor the wrk script uses.
\set k random(1, 1000000000)
INSERT INTO leads AS l (organization_id, first_name, last_name, email, phone, status, source,
                        tags, lead_score, timezone, metadata)
VALUES (:org, 'Pgbench', 'Create', 'pgbench' || :k::text || '@example.com',
        '+1564' || (2000000 + nextval('bench_phone_seq') % 8000000)::text, 'new', 'website',
        '{hot,buyer}', 40, 'America/Los_Angeles', '{}')
RETURNING @COLUMNS@;
