// One import: live progress while it is queued or running (the job is read every ~500 ms),
// then its counts, the failed rows as errors.csv, Undo (confirmed) and Cancel while running.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type ImportJob, type ImportUndoResult } from '../api';
import { api } from '../session';
import { Link } from '../router';
import { downloadBlob } from '../download';
import { formatDateTime } from '../format';
import {
  createJobPoller,
  fieldLabel,
  formatCount,
  formatRate,
  isActive,
  jobStateLabel,
  progressOf,
  splitTags,
} from '../imports';
import { ConfirmDialog, ErrorNotice, Loading, useApp, usePageTitle } from '../components/ui';

const STATUS_TONE: Record<string, string> = {
  queued: 'badge-muted',
  running: 'badge-info',
  completed: 'badge-ok',
  failed: 'badge-danger',
  cancelled: 'badge-warn',
};

export function JobStatusBadge({ job }: { job: Pick<ImportJob, 'status' | 'undone_at'> }) {
  const tone = job.undone_at ? 'badge-muted' : (STATUS_TONE[job.status] ?? '');
  return <span className={`badge ${tone}`}>{jobStateLabel(job)}</span>;
}

/** The job, read again every ~500 ms while it is queued or running. */
export function useImportJob(id: string) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [retrying, setRetrying] = useState<unknown>(null);
  const poller = useRef<ReturnType<typeof createJobPoller> | null>(null);

  useEffect(() => {
    const p = createJobPoller({
      load: () => api.importJob(id),
      onJob: (j) => {
        setJob(j);
        setError(null);
        setRetrying(null);
      },
      onError: (e, final) => {
        if (final) {
          setError(e);
          setRetrying(null);
        } else setRetrying(e);
      },
      fatal: (e) => e instanceof ApiError && [401, 403, 404].includes(e.status),
    });
    poller.current = p;
    p.start();
    return () => p.stop();
  }, [id]);

  /** Reads the job again now (and keeps polling while it runs). */
  const refresh = useCallback(() => {
    setError(null);
    poller.current?.start();
  }, []);
  return { job, setJob, error, retrying, refresh };
}

export function ImportJobPage({ id }: { id: string }) {
  const { userName, notify } = useApp();
  const { job, setJob, error, retrying, refresh } = useImportJob(id);
  const [confirm, setConfirm] = useState<'undo' | 'cancel' | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [undone, setUndone] = useState<ImportUndoResult | null>(null);
  const [downloading, setDownloading] = useState(false);
  const name = job?.filename || (job ? `${job.kind} import` : 'Import');
  usePageTitle(job ? `Import ${name}` : 'Import');

  if (error && !job) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <section className="page">
        <Breadcrumb name="Import" />
        <h1 tabIndex={-1}>{notFound ? 'Import not found' : 'Import'}</h1>
        <ErrorNotice error={error} onRetry={notFound ? undefined : refresh} title={notFound ? 'There is no such import' : 'The import could not be loaded'} />
      </section>
    );
  }
  if (!job) return <Loading label="Loading import…" />;

  const active = isActive(job);
  const pct = Math.round(progressOf(job) * 1000) / 10;
  const rate = formatRate(job.rows_per_second);
  const canUndo = job.status === 'completed' && !job.undone_at;

  const cancel = async () => {
    setBusy(true);
    setActionError(null);
    try {
      setJob(await api.cancelImport(job.id));
      notify('The import was cancelled.', { tone: 'success' });
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
      setConfirm(null);
      refresh();
    }
  };

  const undo = async () => {
    setBusy(true);
    setActionError(null);
    try {
      const r = await api.undoImport(job.id);
      setJob(r.job);
      setUndone(r);
      notify('Import undone.', { tone: 'success' });
    } catch (e) {
      setActionError(e);
      refresh();
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const downloadErrors = async () => {
    setDownloading(true);
    setActionError(null);
    try {
      const blob = await api.importErrorsCsv(job.id);
      const base = (job.filename || 'import').replace(/\.[^.]+$/, '');
      downloadBlob(blob, `${base}-errors.csv`);
    } catch (e) {
      setActionError(e);
    } finally {
      setDownloading(false);
    }
  };

  const o = job.options ?? {};
  const tags = Array.isArray(o.tags) ? o.tags : typeof o.tags === 'string' ? splitTags(o.tags) : [];
  const mapping = typeof o.mapping === 'string' ? safeParse(o.mapping) : o.mapping;

  return (
    <section className="page" aria-labelledby="job-title">
      <Breadcrumb name={name} />
      <div className="page-header">
        <div>
          <h1 id="job-title" tabIndex={-1}>
            Import of {name}
          </h1>
          <div className="lead-meta">
            <JobStatusBadge job={job} />
            <span className="muted">
              {job.kind.toUpperCase()} · started {formatDateTime(job.started_at ?? job.created_at)}
              {job.created_by ? ` by ${userName(job.created_by)}` : ''}
              {job.finished_at ? ` · finished ${formatDateTime(job.finished_at)}` : ''}
            </span>
          </div>
          {job.connector_id && (
            <p className="muted">
              A sync of a <Link to={`/connectors/${job.connector_id}`}>CRM connector</Link>.
            </p>
          )}
        </div>
        <div className="page-actions">
          {active && (
            <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirm('cancel')} disabled={busy}>
              Cancel import
            </button>
          )}
          {canUndo && (
            <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirm('undo')} disabled={busy}>
              Undo import
            </button>
          )}
          <Link to="/imports" className="btn">
            New import
          </Link>
        </div>
      </div>

      {actionError ? <ErrorNotice error={actionError} title="That did not work" /> : null}
      {retrying && active ? (
        <div className="notice notice-warning" role="status">
          <div>
            <strong>Progress could not be read; trying again.</strong>
            <p>{retrying instanceof ApiError ? retrying.summary : String(retrying)}</p>
          </div>
        </div>
      ) : null}
      {error && job ? <ErrorNotice error={error} onRetry={refresh} title="Progress is no longer updated" /> : null}

      <div className="card">
        <h2 id="progress-title">Progress</h2>
        <div className="progress-row">
          <progress id="import-progress" max={100} value={pct} aria-labelledby="progress-title" aria-valuetext={`${pct}%`} />
          <span className="progress-pct">{pct}%</span>
        </div>
        <p className="progress-text">
          <strong>{formatCount(job.processed_rows)}</strong>
          {job.total_rows > 0 && !active ? ` of ${formatCount(job.total_rows)}` : ''} rows processed
          {rate ? ` · ${rate}` : ''}
        </p>
        {active && (
          <p className="muted small">
            {job.status === 'queued'
              ? 'Waiting for a worker to pick it up…'
              : job.phase === 'read'
                ? 'Reading and checking the rows…'
                : job.phase === 'apply'
                  ? 'Saving leads…'
                  : 'Importing…'}
          </p>
        )}
        <p className="sr-only" role="status" aria-live="polite">
          {active ? `Import ${job.status}` : `Import ${jobStateLabel(job).toLowerCase()}`}
        </p>
        {job.status === 'failed' && (
          <div className="notice notice-error" role="alert">
            <div>
              <strong>The import failed.</strong>
              <p>{job.error || 'No reason was given.'}</p>
            </div>
          </div>
        )}
        {job.status === 'cancelled' && <p className="muted">The import was cancelled; rows imported before that were kept.</p>}
        {undone && (
          <div className="notice notice-success" role="status">
            <div>
              <strong>The import was undone.</strong>
              <p>{undoSummary(undone)}</p>
            </div>
          </div>
        )}
        {!undone && job.undone_at && (
          <p className="muted">
            Undone on {formatDateTime(job.undone_at)}.
            {job.undo && typeof job.undo.deleted === 'number' ? ` ${undoSummary({ deleted: job.undo.deleted, restored: job.undo.restored ?? 0, kept: job.undo.kept })}` : ''}
          </p>
        )}

        <dl className="counts" aria-label="Counts">
          <Count label="Created" value={job.created} tone="ok" />
          <Count label="Updated" value={job.updated} />
          <Count label="Skipped" value={job.skipped} />
          <Count label="Failed" value={job.failed} tone={job.failed ? 'danger' : undefined} />
          <Count label="DNC-flagged" value={job.dnc_flagged} tone={job.dnc_flagged ? 'warn' : undefined} />
        </dl>

        {job.failed > 0 && (
          <p>
            <button type="button" className="btn" onClick={downloadErrors} disabled={downloading}>
              {downloading ? 'Downloading…' : `Download failed rows (errors.csv, ${formatCount(job.failed)})`}
            </button>
            <span className="hint"> The original columns plus the line and the reason of each failed row.</span>
          </p>
        )}
      </div>

      <div className="card">
        <h2>Options</h2>
        <dl className="fields">
          <OptionRow label="Duplicates">
            {o.dedupe === 'update'
              ? `Update the existing lead (${o.update_mode === 'overwrite' ? 'overwrite' : 'fill empty fields'})`
              : o.dedupe === 'create'
                ? 'Create a new lead anyway'
                : 'Skip'}
          </OptionRow>
          <OptionRow label="Do Not Call">{o.dnc === 'skip' ? 'Skip the row' : 'Import and flag'}</OptionRow>
          <OptionRow label="Default source">{o.source || <span className="muted">—</span>}</OptionRow>
          <OptionRow label="Tags">{tags.length ? tags.join(', ') : <span className="muted">—</span>}</OptionRow>
          <OptionRow label="Owner">{o.owner_id ? userName(o.owner_id) : <span className="muted">—</span>}</OptionRow>
          <OptionRow label="Mapping">
            {mapping && typeof mapping === 'object' && Object.keys(mapping).length ? (
              <ul className="plain-list">
                {Object.entries(mapping).map(([h, f]) => (
                  <li key={h}>
                    {h} → {fieldLabel(f ?? '')}
                  </li>
                ))}
              </ul>
            ) : (
              'As guessed from the headers'
            )}
          </OptionRow>
        </dl>
      </div>

      <ConfirmDialog
        open={confirm === 'undo'}
        title="Undo this import?"
        confirmLabel="Undo import"
        danger
        busy={busy}
        onCancel={() => setConfirm(null)}
        onConfirm={undo}
      >
        <p>
          The {formatCount(job.created)} lead{job.created === 1 ? '' : 's'} it created will be deleted and the{' '}
          {formatCount(job.updated)} it updated get their earlier values back.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'cancel'}
        title="Cancel this import?"
        confirmLabel="Cancel import"
        cancelLabel="Keep importing"
        danger
        busy={busy}
        onCancel={() => setConfirm(null)}
        onConfirm={cancel}
      >
        <p>Rows not yet read are not imported. Rows imported so far are kept.</p>
      </ConfirmDialog>
    </section>
  );
}

/** What an undo did, in a sentence. */
export function undoSummary(u: { deleted: number; restored: number; kept?: number }): string {
  const leads = (n: number) => `${formatCount(n)} lead${n === 1 ? '' : 's'}`;
  let s = `${leads(u.deleted)} it created ${u.deleted === 1 ? 'was' : 'were'} deleted; ${leads(u.restored)} it updated got their earlier values back.`;
  if (u.kept) s += ` ${leads(u.kept)} changed since the import ${u.kept === 1 ? 'was left as it is' : 'were left as they are'}.`;
  return s;
}

function safeParse(s: string): Record<string, string | null> | null {
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

function Count({ label, value, tone }: { label: string; value: number; tone?: 'ok' | 'danger' | 'warn' }) {
  return (
    <div className={`count${tone ? ` count-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{formatCount(value)}</dd>
    </div>
  );
}

function OptionRow({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="field-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Breadcrumb({ name }: { name: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link to="/imports">Imports</Link>
        </li>
        <li aria-current="page">{name}</li>
      </ol>
    </nav>
  );
}
