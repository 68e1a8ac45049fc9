-- 0009_import_statistics: the planner's view of the organization an import writes, not only
-- of the tables. The per-row lookups of an import compare leads.organization_id (and
-- import_rows.import_id) with a value the planner reads at plan time. An organization (or
-- import) that did not exist when the table was last analysed is estimated at one row when
-- every value the statistics know is a most-common value, and then any index starting with
-- organization_id looks as good as leads_phone_key: the phone lookup was planned through
-- leads_source_idx (every lead of the organization read for each staged row). Measured: the
-- first import of a new organization into a database holding another one of 950,000 leads
-- stopped at its second batch for minutes (233,076,629 leads read by 12,462 lookups), and
-- the table-wide rule of 0008 never fired, since 20,000 leads are a small change to a
-- million-row table. import_rows has the same hazard for a new import id (its primary key
-- instead of import_rows_phone_idx). See docs/imports.md ("How an import runs").

-- Rows the planner expects `SELECT 1 FROM <p_from> WHERE <p_where>` to return. For the
-- owner's functions below; p_from and p_where are written by them, never by a caller.
CREATE FUNCTION app_planner_rows(p_from regclass, p_where text) RETURNS float8
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  v_plan json;
BEGIN
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %s WHERE %s', p_from, p_where)
    INTO v_plan;
  RETURN (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END
$$;
REVOKE EXECUTE ON FUNCTION app_planner_rows(regclass, text) FROM PUBLIC;

DROP FUNCTION import_refresh_statistics();

-- Called by an import after each batch, with its job id, for the caller's organization.
-- ANALYZEs a table when it changed by more rows than it held when last analysed (0008), or
-- when the planner believes the organization's leads (the job's rows in import_rows; the
-- organization's DNC entries) number under a quarter of what the job has written there (of
-- what the organization has): a 4x misestimate never changes an index lookup, a one-row
-- estimate of an organization with 20,000 leads does. The estimate is corrected each time
-- the organization has grown fourfold, so a million-row import into a new organization pays
-- for a handful of ANALYZEs (0.7-1 s each at 1.7M leads). Returns how many tables it
-- analysed. The server role may not ANALYZE tables it does not own, hence SECURITY DEFINER;
-- it reads only counts and plans.
CREATE FUNCTION import_refresh_statistics(p_import uuid) RETURNS int
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
REVOKE EXECUTE ON FUNCTION import_refresh_statistics(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_refresh_statistics(uuid) TO leadline_app;
