-- POST /api/dnc/check with 1,000 numbers answered by SQL instead of the in-process checker:
-- the same is_on_dnc_list calls as the server's role under row-level security, the tenant
-- settings pipelined with the statement (one round trip, like db::ReadInTenant). The server
-- itself sends nothing to the database for this request.
\set b random(1, :nb)
\startpipeline
@TENANT_SETTINGS@
SELECT count(*) FILTER (WHERE is_on_dnc_list(p, app_current_org()))
FROM bench_dnc_batches, unnest(phones) p WHERE b = :b;
\endpipeline
