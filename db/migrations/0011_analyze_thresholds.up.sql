-- 0011_analyze_thresholds: autovacuum analyses leads and dnc_list after about 10,000 changed
-- rows, not after a tenth of the table. A new organization is estimated at one row until the
-- statistics have seen it (when every organization they know is a most-common value, 0009),
-- and at one row a lookup by phone ties with a walk over every row of the organization
-- through any index starting with organization_id. Measured at 353,000 leads: the create's
-- duplicate check (lead by phone) of an organization with 50,000 leads created since the last
-- ANALYZE was planned through leads_updated_idx and read 33,313 leads (20.8 ms instead of
-- 0.1 ms). Imports refresh the statistics themselves (import_refresh_statistics); creates
-- through the API, bulk changes and restores relied on PostgreSQL's default, ANALYZE after
-- 10% of the table changed: 1,000,000 leads in a table of 10,000,000. An ANALYZE samples
-- 30,000 rows whatever the table's size (under a second at 1.7M leads), so running one per
-- 10,000 changes (plus 0.2% of the table) costs little.
ALTER TABLE leads SET (autovacuum_analyze_threshold = 10000,
                       autovacuum_analyze_scale_factor = 0.002);
ALTER TABLE dnc_list SET (autovacuum_analyze_threshold = 10000,
                          autovacuum_analyze_scale_factor = 0.002);
