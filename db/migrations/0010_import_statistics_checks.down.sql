-- Reverts 0010_import_statistics_checks: 0009's refresh (the DNC list checked after every
-- batch, no lock timeout).
DROP FUNCTION import_refresh_dnc_statistics();

CREATE OR REPLACE FUNCTION import_refresh_statistics(p_import uuid) RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_org uuid := app_current_org();
  v_created bigint;
  v_kept bigint;
  v_cap bigint;
  v_stale boolean;
  v_analysed int := 0;
  r record;
BEGIN
  IF v_org IS NULL THEN
    RETURN 0;
  END IF;
  SELECT j.created, j.processed_rows - j.created INTO v_created, v_kept
  FROM import_jobs j WHERE j.organization_id = v_org AND j.id = p_import;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;

  FOR r IN SELECT c.oid::regclass AS tab, c.reltuples, s.n_mod_since_analyze
           FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
           WHERE c.oid IN ('leads'::regclass, 'import_rows'::regclass, 'dnc_list'::regclass)
  LOOP
    v_stale := r.tab <> 'dnc_list'::regclass
               AND r.n_mod_since_analyze > greatest(r.reltuples, 1000);
    IF NOT v_stale AND r.tab = 'leads'::regclass AND v_created >= 1000 THEN
      v_stale := app_planner_rows(r.tab, format('organization_id = %L', v_org)) * 4 < v_created;
    ELSIF NOT v_stale AND r.tab = 'import_rows'::regclass AND v_kept >= 1000 THEN
      v_stale := app_planner_rows(r.tab, format('organization_id = %L AND import_id = %L',
                                                 v_org, p_import)) * 4 < v_kept;
    ELSIF NOT v_stale AND r.tab = 'dnc_list'::regclass THEN
      -- The import does not write the DNC list; count it, but never past the point that
      -- proves the estimate stale (a few thousand entries for an organization the
      -- statistics do not know).
      v_cap := ceil(app_planner_rows(r.tab, format('organization_id = %L', v_org))) * 4 + 1000;
      v_stale := (SELECT count(*) FROM (SELECT 1 FROM dnc_list d
                                        WHERE d.organization_id = v_org LIMIT v_cap) c) >= v_cap;
    END IF;
    IF v_stale THEN
      EXECUTE format('ANALYZE %s', r.tab);
      v_analysed := v_analysed + 1;
    END IF;
  END LOOP;
  RETURN v_analysed;
END
$$;
DROP FUNCTION app_try_analyze(regclass);
DROP FUNCTION app_statistics_outgrown(regclass);
