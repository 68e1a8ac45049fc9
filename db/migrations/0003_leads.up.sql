-- 0003_leads: what the leads API needs beyond 0002: merge bookkeeping on leads, a cap on
-- the number of tags, microsecond timestamps for list cursors, and candidate-id functions
-- that let selective text and tag filters use their GIN indexes.
-- Runs once, inside the migrator's transaction, as the owner role. See docs/leads.md.

-- A merge soft-deletes the absorbed lead and points it at the survivor (merged_into); the
-- survivor lists every lead it absorbed (merged_from). Both are ordinary columns, so the
-- audit trigger records them in the 'merge' entries of both leads.
--
-- Constant defaults and NOT VALID constraints keep this instant on a large table: nothing is
-- rewritten or scanned, and the constraints hold for every write from now on.
ALTER TABLE leads
  ADD COLUMN merged_into uuid,
  ADD COLUMN merged_from uuid[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT leads_merged_into_fkey FOREIGN KEY (organization_id, merged_into)
    REFERENCES leads (organization_id, id) ON DELETE RESTRICT NOT VALID,
  ADD CONSTRAINT leads_tags_count_check CHECK (cardinality(tags) <= 100) NOT VALID;

-- RFC 3339 in UTC with microseconds: list cursors carry the exact sort key, so rows created
-- within the same second are neither skipped nor repeated.
CREATE FUNCTION app_rfc3339_micro(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- Candidate ids for selective list filters. LIKE, trigram and array operators are not
-- LEAKPROOF, so under row-level security the planner cannot use leads_search_idx or
-- leads_tags_idx for them and scans the organization's leads instead. These functions run
-- as the owner (for whom the policy is no barrier), filter by the caller's organization
-- themselves, and return only ids of live leads; the caller re-reads the rows under RLS.
-- Each returns at most p_limit ids, or NULL when more than p_limit leads match: a filter
-- that common is cheaper to apply while walking a sort index. EXECUTE plans each statement
-- with the actual values, so selective values use the GIN indexes.

-- q: search_text LIKE p_pattern (lower-cased and escaped by the caller).
CREATE FUNCTION leads_search_ids(p_pattern text, p_limit int) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_ids uuid[];
BEGIN
  IF app_current_org() IS NULL OR p_pattern IS NULL OR p_limit IS NULL OR p_limit < 0 THEN
    RETURN '{}';
  END IF;
  EXECUTE 'SELECT array_agg(s.id) FROM (SELECT l.id FROM leads l '
          'WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL '
          'AND l.search_text LIKE $1 LIMIT $2) s'
    INTO v_ids
    USING p_pattern, p_limit + 1;
  IF cardinality(v_ids) > p_limit THEN
    RETURN NULL;
  END IF;
  RETURN coalesce(v_ids, '{}');
END
$$;

-- tag: tags @> p_tags. The planner's estimate (from the tags column's element statistics,
-- which are good) is consulted first, so a common tag costs a plan, not a bitmap of most of
-- the table. VOLATILE only because EXPLAIN is refused in STABLE functions; it writes nothing.
CREATE FUNCTION leads_tag_ids(p_tags text[], p_limit int) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_plan json;
  v_ids uuid[];
BEGIN
  IF app_current_org() IS NULL OR p_tags IS NULL OR p_limit IS NULL OR p_limit < 0 THEN
    RETURN '{}';
  END IF;
  EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM leads l '
          'WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL '
          'AND l.tags @> $1'
    INTO v_plan
    USING p_tags;
  IF (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8 > p_limit THEN
    RETURN NULL;
  END IF;
  EXECUTE 'SELECT array_agg(s.id) FROM (SELECT l.id FROM leads l '
          'WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL '
          'AND l.tags @> $1 LIMIT $2) s'
    INTO v_ids
    USING p_tags, p_limit + 1;
  IF cardinality(v_ids) > p_limit THEN
    RETURN NULL;
  END IF;
  RETURN coalesce(v_ids, '{}');
END
$$;

REVOKE EXECUTE ON FUNCTION leads_search_ids(text, int), leads_tag_ids(text[], int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leads_search_ids(text, int), leads_tag_ids(text[], int),
  app_rfc3339_micro(timestamptz)
  TO leadline_app;
