-- 0012_analyze_outwaits_autovacuum: an import's statistics refresh waits for the table lock
-- long enough for PostgreSQL to cancel an autovacuum holding it, instead of giving up first.
--
-- Autovacuum takes the same lock as ANALYZE (SHARE UPDATE EXCLUSIVE); a transaction waiting
-- for it cancels it after deadlock_timeout (1 s by default; anti-wraparound runs excepted).
-- app_try_analyze (0010) gave up after exactly one second, so against an autovacuum of
-- leads it lost the race: a vacuum of a table of 4.7M leads takes ~14 s, and an import of a
-- new organization that started meanwhile skipped its first refresh. Its next batches were
-- then planned with the organization at one row and looked up every row's phone and email
-- through leads_source_idx, reading every lead of the organization per row: 300,000 rows
-- took ~100 s instead of ~20 s (3 times in 16 imports, each into a new organization of a
-- growing database). The wait is now deadlock_timeout plus two seconds; a transaction that
-- holds the lock for good (a dry run's ANALYZE) still makes the refresh skip, a little later.
CREATE OR REPLACE FUNCTION app_try_analyze(p_table regclass) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
SET lock_timeout = '3s'
AS $$
BEGIN
  -- Local to this function (its SET clause restores lock_timeout on return).
  PERFORM set_config('lock_timeout',
                     (extract(epoch FROM current_setting('deadlock_timeout')::interval) * 1000
                      + 2000)::bigint::text, true);
  EXECUTE format('ANALYZE %s', p_table);
  RETURN true;
EXCEPTION WHEN lock_not_available THEN
  RETURN false;
END
$$;
