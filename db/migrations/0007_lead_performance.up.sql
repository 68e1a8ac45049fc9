-- 0007_lead_performance: what the leads API needs to stay fast at a million leads per
-- organization: tag counts kept by the lead triggers instead of read from every lead, one
-- index per status in created_at order for lists over several statuses, and a name search
-- that returns only the ordered page. Runs once, inside the migrator's transaction, as the
-- owner role. See docs/leads.md ("Tag counts", "Performance").

-- ---------------------------------------------------------------------------------------
-- Tag counts. GET /api/tags counts tags over the live leads a caller can see: agents see
-- unassigned leads and their own, so counts are kept per (organization, assignee, tag).
--
-- The lead triggers never update a shared counter row: a hot tag would serialise every
-- write carrying it until commit, and a bulk change would hold its counter rows for the
-- whole transaction. They append per-statement deltas instead (lead_tag_count_deltas, one
-- row per assignee and tag that changed, whatever the number of leads); a count is the
-- folded total (lead_tag_counts) plus the deltas not yet folded. Both change only together
-- with the leads, in the same transaction, so every snapshot sees exact counts.
-- lead_tag_counts_fold moves deltas into the totals in one statement; it runs for one
-- organization at a time (an advisory lock; a second caller skips), from the read function
-- when deltas have piled up and from the triggers every 1024 delta rows.
--
-- Derived data: written only by the SECURITY DEFINER functions below, readable by the
-- server role under row-level security. lead_tag_counts_rebuild recomputes it from leads
-- (for loaders that write leads with triggers disabled).
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_tag_counts (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              bigint GENERATED ALWAYS AS IDENTITY,
  assigned_to     uuid,
  tag             text NOT NULL,
  -- No CHECK (count >= 0): INSERT ... ON CONFLICT checks constraints on the proposed row,
  -- and a fold proposes negative deltas for existing totals.
  count           bigint NOT NULL,
  PRIMARY KEY (organization_id, id),
  CONSTRAINT lead_tag_counts_key UNIQUE NULLS NOT DISTINCT (organization_id, assigned_to, tag)
);
SELECT app_setup_tenant_table('lead_tag_counts');

-- No foreign key: the trigger inserts here on every lead write, and its rows are folded away
-- within seconds.
CREATE TABLE lead_tag_count_deltas (
  organization_id uuid NOT NULL,
  id              bigint GENERATED ALWAYS AS IDENTITY,
  assigned_to     uuid,
  tag             text NOT NULL,
  delta           bigint NOT NULL,
  PRIMARY KEY (organization_id, id)
);
SELECT app_setup_tenant_table('lead_tag_count_deltas');

REVOKE INSERT, UPDATE, DELETE ON lead_tag_counts, lead_tag_count_deltas FROM leadline_app;

-- Folds the organization's deltas into its totals when at least p_min_deltas are waiting
-- (0: always). Returns the number of delta rows folded (0 when skipped: too few, or another
-- transaction is folding this organization right now).
CREATE FUNCTION lead_tag_counts_fold(p_org uuid, p_min_deltas int) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_folded bigint;
BEGIN
  IF p_org IS NULL THEN
    RETURN 0;
  END IF;
  IF p_min_deltas > 0 AND (SELECT count(*) FROM (SELECT 1 FROM lead_tag_count_deltas d
                                                 WHERE d.organization_id = p_org
                                                 LIMIT p_min_deltas) s) < p_min_deltas THEN
    RETURN 0;
  END IF;
  IF NOT pg_try_advisory_xact_lock(hashtextextended('lead_tag_counts:' || p_org::text, 0)) THEN
    RETURN 0;
  END IF;
  -- The DELETE takes the deltas committed (or written by this transaction) so far; deltas of
  -- transactions still running stay for the next fold.
  WITH moved AS (
    DELETE FROM lead_tag_count_deltas d WHERE d.organization_id = p_org
    RETURNING d.assigned_to, d.tag, d.delta
  ), sums AS (
    SELECT m.assigned_to, m.tag, sum(m.delta) AS delta, count(*) AS n
    FROM moved m GROUP BY m.assigned_to, m.tag
  ), upsert AS (
    INSERT INTO lead_tag_counts AS c (organization_id, assigned_to, tag, count)
    SELECT p_org, s.assigned_to, s.tag, s.delta FROM sums s WHERE s.delta <> 0
    ORDER BY s.assigned_to, s.tag
    ON CONFLICT (organization_id, assigned_to, tag)
      DO UPDATE SET count = c.count + EXCLUDED.count
  )
  SELECT coalesce(sum(s.n), 0) INTO v_folded FROM sums s;
  DELETE FROM lead_tag_counts c WHERE c.organization_id = p_org AND c.count = 0;
  RETURN v_folded;
END
$$;

-- Appends the deltas of one statement: -1 per distinct tag of each old live row, +1 per
-- distinct tag of each new live row, summed per (organization, assignee, tag); nothing for
-- rows whose tags, assignee and liveness did not change. Every 1024th delta row folds its
-- organization (that writer pays a few milliseconds so that reads stay short).
CREATE FUNCTION lead_tag_count_deltas_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_org uuid;
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH ins AS (
      INSERT INTO lead_tag_count_deltas (organization_id, assigned_to, tag, delta)
      SELECT n.organization_id, n.assigned_to, t.tag, count(*)
      FROM new_rows n CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(n.tags) u(tag)) t
      WHERE n.deleted_at IS NULL AND cardinality(n.tags) > 0
      GROUP BY n.organization_id, n.assigned_to, t.tag
      RETURNING organization_id, id)
    SELECT min(i.organization_id::text)::uuid INTO v_org FROM ins i WHERE i.id % 1024 = 0;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH changed AS (
      SELECT o.organization_id,
             CASE WHEN o.deleted_at IS NULL THEN o.assigned_to END AS old_assignee,
             CASE WHEN o.deleted_at IS NULL THEN o.tags END AS old_tags,
             CASE WHEN n.deleted_at IS NULL THEN n.assigned_to END AS new_assignee,
             CASE WHEN n.deleted_at IS NULL THEN n.tags END AS new_tags
      FROM old_rows o JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id
      WHERE (o.deleted_at IS NULL) IS DISTINCT FROM (n.deleted_at IS NULL)
         OR o.tags IS DISTINCT FROM n.tags
         OR o.assigned_to IS DISTINCT FROM n.assigned_to
    ), ins AS (
      INSERT INTO lead_tag_count_deltas (organization_id, assigned_to, tag, delta)
      SELECT d.organization_id, d.assigned_to, d.tag, sum(d.delta)
      FROM (SELECT c.organization_id, c.old_assignee AS assigned_to, t.tag, -1 AS delta
            FROM changed c
            CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(c.old_tags) u(tag)) t
            UNION ALL
            SELECT c.organization_id, c.new_assignee, t.tag, 1
            FROM changed c
            CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(c.new_tags) u(tag)) t) d
      GROUP BY d.organization_id, d.assigned_to, d.tag
      HAVING sum(d.delta) <> 0
      RETURNING organization_id, id)
    SELECT min(i.organization_id::text)::uuid INTO v_org FROM ins i WHERE i.id % 1024 = 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO lead_tag_count_deltas (organization_id, assigned_to, tag, delta)
    SELECT o.organization_id, o.assigned_to, t.tag, -count(*)
    FROM old_rows o CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(o.tags) u(tag)) t
    WHERE o.deleted_at IS NULL
    GROUP BY o.organization_id, o.assigned_to, t.tag;
  END IF;
  IF v_org IS NOT NULL THEN
    PERFORM lead_tag_counts_fold(v_org, 0);
  END IF;
  RETURN NULL;
END
$$;

-- TRUNCATE leads (only possible with CASCADE) leaves no tags to count.
CREATE FUNCTION lead_tag_counts_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
  DELETE FROM lead_tag_count_deltas;
  DELETE FROM lead_tag_counts;
  RETURN NULL;
END
$$;

CREATE TRIGGER tag_counts_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lead_tag_count_deltas_append();
CREATE TRIGGER tag_counts_update AFTER UPDATE ON leads
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lead_tag_count_deltas_append();
CREATE TRIGGER tag_counts_delete AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lead_tag_count_deltas_append();
CREATE TRIGGER tag_counts_truncate AFTER TRUNCATE ON leads
  FOR EACH STATEMENT EXECUTE FUNCTION lead_tag_counts_truncate();

-- Recomputes the counts of one organization (NULL: all) from its live leads. Blocks lead
-- writes of every organization while it runs (SHARE lock on leads), so the result is exact.
-- Owner only: for loaders that bypass the triggers (session_replication_role = replica,
-- DISABLE TRIGGER) and for repairs.
CREATE FUNCTION lead_tag_counts_rebuild(p_org uuid DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  v_rows bigint;
BEGIN
  LOCK TABLE leads IN SHARE MODE;
  DELETE FROM lead_tag_count_deltas d WHERE p_org IS NULL OR d.organization_id = p_org;
  DELETE FROM lead_tag_counts c WHERE p_org IS NULL OR c.organization_id = p_org;
  INSERT INTO lead_tag_counts (organization_id, assigned_to, tag, count)
  SELECT l.organization_id, l.assigned_to, t.tag, count(*)
  FROM leads l CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(l.tags) u(tag)) t
  WHERE l.deleted_at IS NULL AND (p_org IS NULL OR l.organization_id = p_org)
  GROUP BY l.organization_id, l.assigned_to, t.tag;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  RETURN v_rows;
END
$$;
REVOKE EXECUTE ON FUNCTION lead_tag_counts_rebuild(uuid) FROM PUBLIC;

-- One page of GET /api/tags for the caller's organization: tags of the live leads visible to
-- p_agent (unassigned ones and theirs; NULL: every lead), by count descending then tag,
-- after the cursor (p_after_count, p_after_tag). Folds first when 1,000 or more deltas wait,
-- so a read sums at most about a thousand delta rows plus the totals.
CREATE FUNCTION lead_tag_counts_page(p_agent uuid, p_limit int, p_after_count bigint,
                                     p_after_tag text)
RETURNS TABLE (tag text, count bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_org uuid := app_current_org();
BEGIN
  IF v_org IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  PERFORM lead_tag_counts_fold(v_org, 1000);
  RETURN QUERY
    SELECT s.tag, s.n FROM (
      SELECT a.tag, sum(a.n)::bigint AS n FROM (
        SELECT c.tag, c.count AS n FROM lead_tag_counts c
        WHERE c.organization_id = v_org
          AND (p_agent IS NULL OR c.assigned_to IS NULL OR c.assigned_to = p_agent)
        UNION ALL
        SELECT d.tag, d.delta FROM lead_tag_count_deltas d
        WHERE d.organization_id = v_org
          AND (p_agent IS NULL OR d.assigned_to IS NULL OR d.assigned_to = p_agent)) a
      GROUP BY a.tag) s
    WHERE s.n > 0
      AND (p_after_count IS NULL OR s.n < p_after_count
           OR (s.n = p_after_count AND s.tag > p_after_tag))
    ORDER BY s.n DESC, s.tag
    LIMIT p_limit;
END
$$;
REVOKE EXECUTE ON FUNCTION lead_tag_counts_fold(uuid, int),
  lead_tag_counts_page(uuid, int, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lead_tag_counts_page(uuid, int, bigint, text) TO leadline_app;

SELECT lead_tag_counts_rebuild();

-- ---------------------------------------------------------------------------------------
-- Lists over several statuses in created_at order merge one index scan per status (the
-- list statement is a UNION ALL of per-status branches; PostgreSQL 15 cannot walk an
-- `= ANY` list in index order). With id in the index the keyset cursor (created_at, id) is
-- an index condition of each branch. It serves everything leads_status_idx did.
-- ---------------------------------------------------------------------------------------
DROP INDEX leads_status_idx;
CREATE INDEX leads_status_created_idx ON leads (organization_id, status, created_at DESC, id DESC)
  WHERE deleted_at IS NULL;

-- ---------------------------------------------------------------------------------------
-- q as the only filter: the page itself. Like leads_search_ids (0003) it runs as the owner,
-- filters by the caller's organization, and returns NULL when more than p_cap live leads
-- match (walking a sort index with the filter is cheaper then). Otherwise it returns the ids
-- of at most p_limit matching leads visible to p_agent, ordered by p_sort (created_at,
-- updated_at or lead_score; descending when p_desc) then id, after the keyset cursor
-- (p_after_key, p_after_id) when given. The caller re-reads those rows under row-level
-- security in the same snapshot (a REPEATABLE READ transaction), so it reads p_limit rows
-- instead of every candidate.
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION leads_search_page(p_pattern text, p_cap int, p_sort text, p_desc boolean,
                                  p_after_key text, p_after_id uuid, p_agent uuid, p_limit int)
RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_col  text;
  v_cast text;
  v_ids  uuid[];
  v_over boolean;
BEGIN
  IF app_current_org() IS NULL OR p_pattern IS NULL OR p_cap IS NULL OR p_cap < 0
     OR p_limit IS NULL OR p_limit < 0 THEN
    RETURN '{}';
  END IF;
  v_col := CASE p_sort WHEN 'created_at' THEN 'created_at' WHEN 'updated_at' THEN 'updated_at'
                       WHEN 'lead_score' THEN 'lead_score' END;
  IF v_col IS NULL THEN
    RAISE EXCEPTION 'unknown sort %', p_sort USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_cast := CASE v_col WHEN 'lead_score' THEN 'int' ELSE 'timestamptz' END;
  EXECUTE format(
    'WITH m AS MATERIALIZED (SELECT l.id, l.%1$I AS k FROM leads l '
    'WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL '
    'AND l.search_text LIKE $1 '
    'AND ($2::uuid IS NULL OR l.assigned_to IS NULL OR l.assigned_to = $2::uuid) LIMIT $3) '
    'SELECT (SELECT count(*) FROM m) >= $3, '
    '(SELECT array_agg(p.id ORDER BY p.k %2$s, p.id %2$s) FROM ('
    'SELECT m.id, m.k FROM m WHERE $4::text IS NULL OR (m.k, m.id) %3$s ($4::%4$s, $5::uuid) '
    'ORDER BY m.k %2$s, m.id %2$s LIMIT $6) p)',
    v_col, CASE WHEN p_desc THEN 'DESC' ELSE 'ASC' END, CASE WHEN p_desc THEN '<' ELSE '>' END,
    v_cast)
    INTO v_over, v_ids
    USING p_pattern, p_agent, p_cap + 1, p_after_key, p_after_id, p_limit;
  IF v_over THEN
    RETURN NULL;
  END IF;
  RETURN coalesce(v_ids, '{}');
END
$$;

REVOKE EXECUTE ON FUNCTION leads_search_page(text, int, text, boolean, text, uuid, uuid, int)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leads_search_page(text, int, text, boolean, text, uuid, uuid, int)
  TO leadline_app;
