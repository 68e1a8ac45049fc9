-- Reverts 0009_import_statistics: the table-wide rule of 0008 alone.
DROP FUNCTION import_refresh_statistics(uuid);
DROP FUNCTION app_planner_rows(regclass, text);

CREATE FUNCTION import_refresh_statistics() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  r record;
  v_analysed int := 0;
BEGIN
  FOR r IN SELECT c.relname, c.reltuples, s.n_mod_since_analyze
           FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
           WHERE c.oid IN ('leads'::regclass, 'import_rows'::regclass)
  LOOP
    IF r.n_mod_since_analyze > greatest(r.reltuples, 1000) THEN
      EXECUTE format('ANALYZE %I', r.relname);
      v_analysed := v_analysed + 1;
    END IF;
  END LOOP;
  RETURN v_analysed;
END
$$;
REVOKE EXECUTE ON FUNCTION import_refresh_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_refresh_statistics() TO leadline_app;
