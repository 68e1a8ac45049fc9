-- Imports: durable jobs that load CSV/XLSX files (and external CRMs' records) into leads.
-- A job reads its file into import_rows (COPY, one batch per transaction with its
-- checkpoint), then applies the rows in chunks with set-based SQL, each chunk in one
-- transaction together with the job's counters. A job interrupted at any point resumes from
-- its last checkpoint. See docs/imports.md.

-- a's elements, then b's that a lacks, in b's order, each once (tag lists).
CREATE FUNCTION app_text_array_union(a text[], b text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN cardinality(b) = 0 THEN a ELSE
    a || coalesce(ARRAY(SELECT x.t FROM (SELECT u.t, min(u.i) AS i
                                         FROM unnest(b) WITH ORDINALITY AS u(t, i)
                                         WHERE u.t <> ALL (a) GROUP BY u.t) x
                        ORDER BY x.i), '{}') END
$$;

CREATE TABLE import_jobs (
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  kind             text NOT NULL CHECK (kind IN ('csv', 'xlsx', 'hubspot', 'salesforce')),
  status           text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  -- Where a running job is: fetching from a connector, reading the file into import_rows,
  -- applying import_rows to leads. Resumption starts here.
  phase            text NOT NULL DEFAULT 'read' CHECK (phase IN ('fetch', 'read', 'apply', 'done')),
  filename         text NOT NULL DEFAULT '' CHECK (char_length(filename) <= 500),
  file_path        text,             -- the spooled upload or fetched file (server-local)
  file_bytes       bigint NOT NULL DEFAULT 0 CHECK (file_bytes >= 0),
  header_raw       text,             -- the file's header row as written (errors.csv repeats it)
  bytes_read       bigint NOT NULL DEFAULT 0 CHECK (bytes_read >= 0),
  connector_id     uuid,
  options          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
  total_rows       bigint NOT NULL DEFAULT 0,  -- data rows read into import_rows
  processed_rows   bigint NOT NULL DEFAULT 0,  -- rows whose outcome is final
  created          bigint NOT NULL DEFAULT 0,
  updated          bigint NOT NULL DEFAULT 0,
  skipped          bigint NOT NULL DEFAULT 0,
  failed           bigint NOT NULL DEFAULT 0,
  dnc_flagged      bigint NOT NULL DEFAULT 0,
  applied_through  bigint NOT NULL DEFAULT 0,  -- import_rows.seq applied so far
  cancel_requested boolean NOT NULL DEFAULT false,
  attempts         int NOT NULL DEFAULT 0,
  error            text,
  source_cursor    text,
  heartbeat_at     timestamptz,
  created_by       uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  undone_at        timestamptz,
  undo_summary     jsonb,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, created_by) REFERENCES users (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX import_jobs_created_idx ON import_jobs (organization_id, created_at DESC, id DESC);
CREATE INDEX import_jobs_runnable_idx ON import_jobs (created_at)
  WHERE status IN ('queued', 'running');
CREATE INDEX import_jobs_connector_idx ON import_jobs (organization_id, connector_id, finished_at DESC)
  WHERE connector_id IS NOT NULL;
SELECT app_setup_tenant_table('import_jobs');

-- One row per data row of the file, in file order (seq). Valid rows carry the normalised
-- lead fields; failed rows carry their raw text and the reason (errors.csv reads them).
-- outcome: create, update, unchanged, skip_duplicate, skip_in_file, skip_dnc, failed.
CREATE TABLE import_rows (
  organization_id uuid NOT NULL,
  import_id       uuid NOT NULL,
  seq             bigint NOT NULL,
  line            bigint NOT NULL,
  raw             text,
  error           text,
  first_name      text,
  last_name       text,
  email           text,
  phone           text,
  company         text,
  title           text,
  status          text,
  source          text,
  tags            text[],
  lead_score      int,
  timezone        text,
  owner_ref       text,      -- assigned_to as given: a user id or a user's email
  assigned_to     uuid,
  external_id     text,
  metadata        jsonb,
  dnc             boolean,   -- on a DNC list when read (NULL: not checked yet)
  outcome         text,
  duplicate_of    bigint,    -- the earlier row (seq) this one repeats
  lead_id         uuid,      -- the lead created or updated
  previous        jsonb,     -- an updated lead's importable columns before the update
  version_after   int,       -- an updated lead's version right after it
  PRIMARY KEY (organization_id, import_id, seq),
  FOREIGN KEY (organization_id, import_id) REFERENCES import_jobs (organization_id, id)
    ON DELETE CASCADE
);
CREATE INDEX import_rows_failed_idx ON import_rows (organization_id, import_id, seq)
  WHERE error IS NOT NULL;
SELECT app_setup_tenant_table('import_rows');

-- The worker claims jobs of every organization, so it needs to see past row-level security
-- for this one query. A job is held by the session advisory lock of its id: a worker that
-- dies (even kill -9) loses its connection and with it the lock, and the job is claimable
-- again at once; a live worker's job is never claimed twice.
CREATE FUNCTION import_claim_job(p_job uuid DEFAULT NULL)
RETURNS TABLE (organization_id uuid, id uuid, created_by uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT j.organization_id, j.id, j.created_by FROM import_jobs j
           WHERE j.status IN ('queued', 'running') AND (p_job IS NULL OR j.id = p_job)
           ORDER BY j.created_at, j.id
  LOOP
    IF pg_try_advisory_lock(hashtextextended('import:' || r.id::text, 0)) THEN
      UPDATE import_jobs j SET status = 'running', attempts = j.attempts + 1,
                               started_at = coalesce(j.started_at, now()), heartbeat_at = now()
      WHERE j.organization_id = r.organization_id AND j.id = r.id
        AND j.status IN ('queued', 'running');
      IF FOUND THEN
        organization_id := r.organization_id;
        id := r.id;
        created_by := r.created_by;
        RETURN NEXT;
        RETURN;
      END IF;
      PERFORM pg_advisory_unlock(hashtextextended('import:' || r.id::text, 0));
    END IF;
  END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION import_claim_job(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_claim_job(uuid) TO leadline_app;

CREATE FUNCTION import_release_job(p_job uuid) RETURNS void
LANGUAGE sql
AS $$
  SELECT pg_advisory_unlock(hashtextextended('import:' || p_job::text, 0));
$$;
GRANT EXECUTE ON FUNCTION import_release_job(uuid) TO leadline_app;
