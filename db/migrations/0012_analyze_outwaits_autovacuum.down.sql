-- Reverts 0012_analyze_outwaits_autovacuum: 0010's one-second wait.
CREATE OR REPLACE FUNCTION app_try_analyze(p_table regclass) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
SET lock_timeout = '1s'
AS $$
BEGIN
  EXECUTE format('ANALYZE %s', p_table);
  RETURN true;
EXCEPTION WHEN lock_not_available THEN
  RETURN false;
END
$$;
