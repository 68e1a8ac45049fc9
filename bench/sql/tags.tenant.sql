-- GET /api/tags as the server runs it (LeadService::Tags through db::ReadInTenant, query
-- leads_tag_counts): the settings and lead_tag_counts_page in one pipelined round trip.
\startpipeline
@TENANT_SETTINGS@
SELECT tag, count FROM lead_tag_counts_page(NULL::uuid, 51, NULL::bigint, NULL::text);
\endpipeline
