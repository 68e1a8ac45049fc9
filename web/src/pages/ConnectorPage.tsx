// One CRM connector: its latest sync and what the next one fetches, starting a sync (admins;
// the page then follows the sync's import job), the mapping in effect, and its settings:
// rename, move, rotate the token, change the mapping, delete.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, type Connector } from '../api';
import { api } from '../session';
import { Link, navigate } from '../router';
import { formatDateTime } from '../format';
import {
  CONNECTOR_KINDS,
  credentialsOf,
  kindLabel,
  lastSyncText,
  mappingRows,
  nextSyncText,
  sameSyncOptions,
  scheduleLabel,
  syncInProgress,
  syncOptionErrors,
  syncOptionsForm,
  syncOptionsOf,
  syncOptionsText,
  targetLabel,
  type SyncOptionsForm,
} from '../connectors';
import { SyncOptionsFields } from '../components/SyncOptionsFields';
import { ConnectorFormFields, useConnectorForm, type ConnectorFormState } from '../components/ConnectorForm';
import { ConfirmDialog, ErrorNotice, Loading, useApp, usePageTitle } from '../components/ui';
import { JobStatusBadge } from './ImportJobPage';

export function ConnectorPage({ id }: { id: string }) {
  const { isAdmin, me } = useApp();
  const [connector, setConnector] = useState<Connector | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePageTitle(connector ? `Connector ${connector.name}` : 'Connector');

  const load = useCallback(() => {
    setError(null);
    api.connector(id).then(setConnector).catch(setError);
  }, [id]);
  useEffect(load, [load]);

  // While its sync is queued or running, the connector is read again every 2 s.
  useEffect(() => {
    if (!syncInProgress(connector?.last_sync ?? null)) return;
    const t = window.setTimeout(load, 2000);
    return () => window.clearTimeout(t);
  }, [connector, load]);

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link to="/connectors">CRM connectors</Link>
        </li>
        <li aria-current="page">{connector?.name ?? 'Connector'}</li>
      </ol>
    </nav>
  );
  if (me.user.role === 'agent') {
    return (
      <section className="page">
        {breadcrumb}
        <h1 tabIndex={-1}>Connector</h1>
        <div className="notice notice-warning" role="note">
          <div>
            <strong>Only managers and admins see connectors.</strong>
          </div>
        </div>
      </section>
    );
  }
  if (error) {
    return (
      <section className="page">
        {breadcrumb}
        <h1 tabIndex={-1}>Connector</h1>
        <ErrorNotice error={error} onRetry={load} title={error instanceof ApiError && error.status === 404 ? 'No such connector' : undefined} />
      </section>
    );
  }
  if (!connector) return <Loading label="Loading the connector…" />;

  return (
    <section className="page page-wide" aria-labelledby="connector-title">
      {breadcrumb}
      <div className="page-header">
        <div>
          <h1 id="connector-title" tabIndex={-1}>
            {connector.name}
          </h1>
          <p className="muted">
            {kindLabel(connector.kind)} at <code>{connector.base_url}</code> · added {formatDateTime(connector.created_at)}
          </p>
        </div>
      </div>
      <div className="connector-grid">
        <SyncCard connector={connector} onSaved={setConnector} />
        <MappingCard connector={connector} />
      </div>
      {isAdmin ? (
        <SettingsCard connector={connector} onSaved={setConnector} />
      ) : (
        <p className="hint">Only admins sync, change or delete connectors.</p>
      )}
    </section>
  );
}

function SyncCard({ connector, onSaved }: { connector: Connector; onSaved: (c: Connector) => void }) {
  const { isAdmin, users, notify } = useApp();
  const sync = connector.last_sync;
  const [full, setFull] = useState(false);
  const [options, setOptions] = useState<SyncOptionsForm>(() => syncOptionsForm(connector.sync_options));
  const [busy, setBusy] = useState<'sync' | 'save' | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [optionErrors, setOptionErrors] = useState<Record<string, string>>({});
  const running = syncInProgress(sync);
  const saved = sameSyncOptions(options, connector.sync_options);

  // A 422 naming an option goes next to it; anything else above the buttons.
  const fail = (err: unknown) => {
    const byOption = err instanceof ApiError && err.status === 422 ? syncOptionErrors(err) : {};
    setOptionErrors(byOption);
    setProblem(Object.keys(byOption).length ? null : err);
  };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('sync');
    setProblem(null);
    setOptionErrors({});
    try {
      const job = await api.syncConnector(connector.id, { ...(full ? { full: true } : {}), ...syncOptionsOf(options) });
      notify(`Sync of “${connector.name}” queued.`, { tone: 'success' });
      navigate(`/imports/${job.id}`);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    setBusy('save');
    setProblem(null);
    setOptionErrors({});
    try {
      const updated = await api.updateConnector(connector.id, { sync_options: syncOptionsOf(options) });
      onSaved(updated);
      setOptions(syncOptionsForm(updated.sync_options));
      notify(
        updated.sync_every_minutes !== null
          ? 'Sync options saved; scheduled syncs use them.'
          : 'Sync options saved; syncs start from them.',
        { tone: 'success' },
      );
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  };

  const existingJob =
    problem instanceof ApiError && typeof problem.extra.existing_job_id === 'string'
      ? problem.extra.existing_job_id
      : null;
  const records = CONNECTOR_KINDS[connector.kind].records;

  return (
    <div className="card">
      <section aria-labelledby="sync-title">
        <h2 id="sync-title">Sync</h2>
        <dl className="fields">
          <div className="field-row">
            <dt>Latest sync</dt>
            <dd>
              {sync ? (
                <>
                  <JobStatusBadge job={{ status: sync.status, undone_at: null }} />{' '}
                  <Link to={`/imports/${sync.job_id}`}>
                    {formatDateTime(sync.finished_at ?? sync.started_at ?? sync.created_at)}
                  </Link>
                  <p className="sync-result">{lastSyncText(sync)}</p>
                </>
              ) : (
                <span className="muted">{lastSyncText(null)}</span>
              )}
            </dd>
          </div>
          <div className="field-row">
            <dt>Schedule</dt>
            <dd>
              {scheduleLabel(connector.sync_every_minutes)}
              {connector.next_sync_at && !running && (
                <span className="sub">
                  next at <time dateTime={connector.next_sync_at}>{formatDateTime(connector.next_sync_at)}</time>
                </span>
              )}
            </dd>
          </div>
          <div className="field-row">
            <dt>Next sync</dt>
            <dd>{nextSyncText(connector.kind, sync, formatDateTime)}</dd>
          </div>
          <div className="field-row">
            <dt>Sync options</dt>
            <dd>{syncOptionsText(connector.sync_options, users)}</dd>
          </div>
        </dl>
        {isAdmin && (
          <form onSubmit={start} noValidate className="sync-form">
            <label className="check">
              <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} />
              Full sync: fetch all {records}, not only the changed ones
            </label>
            <SyncOptionsFields value={options} onChange={setOptions} users={users} errors={optionErrors} />
            <p className="hint">
              {saved
                ? 'These are the connector’s saved sync options; scheduled syncs use them.'
                : 'Changed for this sync only, unless saved as the connector’s options (scheduled syncs use those).'}
            </p>
            {problem ? (
              <ErrorNotice
                error={problem}
                title={existingJob ? 'A sync of this connector is already under way' : 'The sync could not be started'}
              />
            ) : null}
            {existingJob && (
              <p>
                <Link to={`/imports/${existingJob}`}>Follow the sync under way</Link>
              </p>
            )}
            <div className="form-actions">
              <button
                type="submit"
                className="btn btn-primary"
                disabled={busy !== null || running || !connector.has_credentials}
              >
                {busy === 'sync' ? 'Starting…' : running ? 'Sync under way…' : 'Sync now'}
              </button>
              <button type="button" className="btn" disabled={busy !== null || saved} onClick={save}>
                {busy === 'save' ? 'Saving…' : 'Save as the connector’s options'}
              </button>
            </div>
            {!connector.has_credentials && <p className="hint">Set a token below before syncing.</p>}
          </form>
        )}
      </section>
    </div>
  );
}

function MappingCard({ connector }: { connector: Connector }) {
  const overridden = new Set(Object.keys(connector.field_mapping ?? {}).map((p) => p.toLowerCase()));
  return (
    <div className="card">
      <section aria-labelledby="mapping-title">
        <h2 id="mapping-title">Mapping in effect</h2>
        <p className="hint">
          Each {kindLabel(connector.kind)} property and the lead field it fills; where several feed one field, the first
          that is not empty wins. The record’s id is always kept as the lead’s external id.
        </p>
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="sr-only">Mapping in effect</caption>
            <thead>
              <tr>
                <th scope="col">{kindLabel(connector.kind)} property</th>
                <th scope="col">Lead field</th>
              </tr>
            </thead>
            <tbody>
              {connector.effective_field_mapping.map((m) => (
                <tr key={`${m.property}-${m.target}`}>
                  <td>
                    <code>{m.property}</code>
                    {overridden.has(m.property.toLowerCase()) && <span className="badge badge-info">changed</span>}
                  </td>
                  <td>{targetLabel(m.target)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function formOf(c: Connector): ConnectorFormState {
  return {
    kind: c.kind,
    name: c.name,
    baseUrl: c.base_url,
    token: '',
    auth: c.credentials === 'refresh_token' ? 'refresh_token' : 'token',
    clientId: '',
    clientSecret: '',
    refreshToken: '',
    every: c.sync_every_minutes,
    rows: mappingRows(c.field_mapping),
  };
}

function SettingsCard({ connector, onSaved }: { connector: Connector; onSaved: (c: Connector) => void }) {
  const { notify } = useApp();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const { form, setForm, errors, rowErrors, problem, setProblem, busy, submit } = useConnectorForm(
    formOf(connector),
    false,
    async (f, mapping) => {
      const credentials = credentialsOf(f);
      const saved = await api.updateConnector(connector.id, {
        name: f.name.trim(),
        base_url: f.baseUrl.trim() || null,
        ...credentials,
        field_mapping: Object.keys(mapping).length ? mapping : null,
        sync_every_minutes: f.every,
      });
      onSaved(saved);
      setForm(formOf(saved));
      const rotated = credentials.token || credentials.oauth;
      notify(rotated ? 'Settings saved; the new credentials are stored.' : 'Settings saved.', { tone: 'success' });
    },
  );

  const remove = async () => {
    setDeleting(true);
    try {
      await api.deleteConnector(connector.id);
      notify(`Connector “${connector.name}” deleted; the leads it imported stay.`, { tone: 'success' });
      navigate('/connectors');
    } catch (err) {
      setProblem(err);
      setConfirmDelete(false);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <div className="card">
      <section aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        {problem ? <ErrorNotice error={problem} title="The connector could not be changed" /> : null}
        <ConnectorFormFields
          value={form}
          onChange={setForm}
          creating={false}
          hasCredentials={connector.has_credentials}
          credentialsKind={connector.credentials}
          errors={errors}
          rowErrors={rowErrors}
          busy={busy}
          submitLabel="Save settings"
          onSubmit={submit}
          extraActions={
            <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
              Delete connector
            </button>
          }
        />
        <ConfirmDialog
          open={confirmDelete}
          title={`Delete “${connector.name}”?`}
          confirmLabel="Delete connector"
          danger
          busy={deleting}
          onConfirm={remove}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>
            Its token is wiped and it can no longer sync. The leads it imported and its import history stay; each past
            sync can still be undone from its import page.
          </p>
        </ConfirmDialog>
      </section>
    </div>
  );
}
