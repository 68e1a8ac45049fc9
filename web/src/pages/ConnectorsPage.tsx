// CRM connectors: the organization's HubSpot and Salesforce connectors with their latest sync,
// and (admins) adding one. Each connector's page syncs it and changes its settings.
import { useCallback, useEffect, useState } from 'react';
import type { Connector } from '../api';
import { api } from '../session';
import { Link, navigate } from '../router';
import { formatDateTime, formatRelative } from '../format';
import {
  CONNECTOR_KINDS,
  credentialsOf,
  kindLabel,
  lastSyncText,
  sameSyncOptions,
  scheduleLabel,
  syncInProgress,
  syncOptionsForm,
  syncOptionsOf,
  DEFAULT_SYNC_OPTIONS,
} from '../connectors';
import { ConnectorFormFields, useConnectorForm } from '../components/ConnectorForm';
import { SyncOptionsFields } from '../components/SyncOptionsFields';
import { EmptyState, ErrorNotice, Loading, useApp, usePageTitle } from '../components/ui';
import { JobStatusBadge } from './ImportJobPage';

export function ConnectorsPage() {
  usePageTitle('CRM connectors');
  const { me, isAdmin } = useApp();
  const allowed = me.user.role !== 'agent';
  const [adding, setAdding] = useState(false);
  return (
    <section className="page page-wide" aria-labelledby="connectors-title">
      <div className="page-header">
        <div>
          <h1 id="connectors-title" tabIndex={-1}>
            CRM connectors
          </h1>
          <p className="muted">
            Bring contacts in from HubSpot and leads from Salesforce. Each sync is an import: duplicates are matched by
            phone and email, Do Not Call numbers flagged, and it can be undone.
          </p>
        </div>
        {isAdmin && !adding && (
          <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
            Add connector
          </button>
        )}
      </div>
      {!allowed ? (
        <div className="notice notice-warning" role="note">
          <div>
            <strong>Only managers and admins see connectors.</strong>
          </div>
        </div>
      ) : (
        <>
          {adding && <AddConnector onCancel={() => setAdding(false)} />}
          <ConnectorList />
          {!isAdmin && <p className="hint">Only admins add, change or sync connectors.</p>}
        </>
      )}
    </section>
  );
}

function AddConnector({ onCancel }: { onCancel: () => void }) {
  const { notify, users } = useApp();
  const [syncOptions, setSyncOptions] = useState(() => syncOptionsForm());
  const { form, setForm, errors, rowErrors, problem, busy, submit } = useConnectorForm(
    {
      kind: 'hubspot',
      name: CONNECTOR_KINDS.hubspot.label,
      baseUrl: '',
      token: '',
      auth: 'token',
      clientId: '',
      clientSecret: '',
      refreshToken: '',
      every: null,
      rows: [],
    },
    true,
    async (f, mapping) => {
      const c = await api.createConnector({
        kind: f.kind,
        name: f.name.trim(),
        base_url: f.baseUrl.trim() || null,
        ...credentialsOf(f),
        ...(Object.keys(mapping).length ? { field_mapping: mapping } : {}),
        ...(f.every !== null ? { sync_every_minutes: f.every } : {}),
        ...(sameSyncOptions(syncOptions, DEFAULT_SYNC_OPTIONS) ? {} : { sync_options: syncOptionsOf(syncOptions) }),
      });
      notify(`Connector “${c.name}” added.`, { tone: 'success' });
      navigate(`/connectors/${c.id}`);
    },
  );

  return (
    <div className="card">
      <section aria-labelledby="add-connector-title">
        <h2 id="add-connector-title">Add a connector</h2>
        {problem ? <ErrorNotice error={problem} title="The connector could not be added" /> : null}
        <ConnectorFormFields
          value={form}
          onChange={setForm}
          creating
          errors={errors}
          rowErrors={rowErrors}
          busy={busy}
          submitLabel="Add connector"
          onSubmit={submit}
          extraFields={
            <fieldset className="field">
              <legend>Sync options</legend>
              <p className="hint">What syncs do with the records they bring in; they can be changed later.</p>
              <SyncOptionsFields value={syncOptions} onChange={setSyncOptions} users={users} />
            </fieldset>
          }
          extraActions={
            <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
              Cancel
            </button>
          }
        />
      </section>
    </div>
  );
}

function ConnectorList() {
  const { userName } = useApp();
  const [connectors, setConnectors] = useState<Connector[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback((after?: string) => {
    setError(null);
    api
      .connectors(after)
      .then((p) => {
        setConnectors((old) => (after && old ? [...old, ...p.data] : p.data));
        setCursor(p.next_cursor);
      })
      .catch(setError);
  }, []);
  useEffect(() => load(), [load]);

  // While a sync is queued or running, the list is read again every 2 s.
  useEffect(() => {
    if (!connectors?.some((c) => syncInProgress(c.last_sync))) return;
    const t = window.setTimeout(() => load(), 2000);
    return () => window.clearTimeout(t);
  }, [connectors, load]);

  return (
    <div className="card">
      <section aria-labelledby="connector-list-title">
        <div className="section-header">
          <h2 id="connector-list-title">Connectors</h2>
          <button type="button" className="btn btn-small" onClick={() => load()}>
            Refresh
          </button>
        </div>
        {error ? <ErrorNotice error={error} onRetry={() => load()} title="The connectors could not be loaded" /> : null}
        {!connectors && !error && <Loading label="Loading connectors…" />}
        {connectors && connectors.length === 0 && (
          <EmptyState title="No connectors yet.">
            <p className="muted">An admin can add one for HubSpot or Salesforce.</p>
          </EmptyState>
        )}
        {connectors && connectors.length > 0 && (
          <div className="table-wrap">
            <table className="table connectors-table">
              <caption className="sr-only">Connectors</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">CRM</th>
                  <th scope="col">Latest sync</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {connectors.map((c) => (
                  <tr key={c.id}>
                    <th scope="row" className="col-name">
                      <Link to={`/connectors/${c.id}`}>{c.name}</Link>
                      <span className="sub">{c.base_url}</span>
                    </th>
                    <td>
                      {kindLabel(c.kind)}
                      {!c.has_credentials && <span className="badge badge-warn">no token</span>}
                      <span className="sub">{scheduleLabel(c.sync_every_minutes)}</span>
                    </td>
                    <td className="nowrap">
                      {c.last_sync ? (
                        <>
                          <JobStatusBadge job={{ status: c.last_sync.status, undone_at: null }} />{' '}
                          <time dateTime={c.last_sync.created_at} title={formatDateTime(c.last_sync.created_at)}>
                            {formatRelative(c.last_sync.created_at)}
                          </time>
                        </>
                      ) : (
                        <span className="muted">Never</span>
                      )}
                      <span className="sub">added by {userName(c.created_by) || 'unknown'}</span>
                    </td>
                    <td>
                      {c.last_sync ? (
                        <Link to={`/imports/${c.last_sync.job_id}`}>{lastSyncText(c.last_sync)}</Link>
                      ) : (
                        <span className="muted">{lastSyncText(null)}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <div className="list-footer">
            <button type="button" className="btn" onClick={() => load(cursor)}>
              Load more
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
