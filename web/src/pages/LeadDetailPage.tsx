// One lead: inline edits (PATCH with If-Match), status, tags, owner, DNC badge, the call
// button with the compliance decision, and the audit, status and compliance histories.
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  ApiError,
  LEAD_STATUSES,
  leadName,
  statusLabel,
  type AuditEntry,
  type CallStarted,
  type ComplianceLogEntry,
  type DncCheck,
  type Lead,
  type LeadInput,
  type LeadStatus,
  type MergeResult,
  type StatusChange,
} from '../api';
import { api } from '../session';
import { Link, navigate } from '../router';
import { formatPhone } from '../phone';
import { formatDateTime, formatDuration, formatRelative } from '../format';
import {
  ConfirmDialog,
  EmptyState,
  ErrorNotice,
  FieldError,
  Loading,
  ScoreBar,
  StatusBadge,
  useApp,
  usePageTitle,
} from '../components/ui';
import { ConsentPanel } from '../components/ConsentPanel';
import { DuplicatesPanel, MergeNotice, clearMergeNotice, peekMergeNotice, setMergeNotice } from '../components/MergePanel';

type EditableField =
  | 'first_name'
  | 'last_name'
  | 'email'
  | 'phone'
  | 'company'
  | 'title'
  | 'source'
  | 'lead_score'
  | 'timezone';

const FIELDS: { key: EditableField; label: string; type?: string }[] = [
  { key: 'first_name', label: 'First name' },
  { key: 'last_name', label: 'Last name' },
  { key: 'email', label: 'Email', type: 'email' },
  { key: 'phone', label: 'Phone', type: 'tel' },
  { key: 'company', label: 'Company' },
  { key: 'title', label: 'Job title' },
  { key: 'source', label: 'Source' },
  { key: 'lead_score', label: 'Lead score', type: 'number' },
  { key: 'timezone', label: 'Time zone' },
];

export function LeadDetailPage({ id }: { id: string }) {
  const { notify } = useApp();
  const [lead, setLead] = useState<Lead | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [stale, setStale] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const [callResult, setCallResult] = useState<CallOutcome>(null);
  const [merged, setMerged] = useState(() => peekMergeNotice(id));
  useEffect(clearMergeNotice, []);
  usePageTitle(lead ? leadName(lead) : 'Lead');

  const load = useCallback(() => {
    setError(null);
    api
      .getLead(id)
      .then((l) => {
        setLead(l);
        setStale(false);
        setHistoryKey((k) => k + 1);
      })
      .catch(setError);
  }, [id]);
  useEffect(load, [load]);

  /** PATCH with the version we show; a 412 means someone else changed the lead first. */
  const save = useCallback(
    async (patch: LeadInput): Promise<ApiError | null> => {
      if (!lead) return null;
      try {
        const updated = await api.updateLead(lead.id, patch, lead.version);
        setLead(updated);
        setHistoryKey((k) => k + 1);
        return null;
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError({ status: 0, detail: String(e) });
        if (err.status === 412) setStale(true);
        return err;
      }
    },
    [lead],
  );

  /** After a merge: this page shows the surviving lead and what moved into it. */
  const onMerged = (r: MergeResult, otherName: string) => {
    if (r.lead.id === id) {
      setLead(r.lead);
      setMerged({ result: r, otherName });
      setHistoryKey((k) => k + 1);
    } else {
      setMergeNotice(r.lead.id, r, otherName);
      navigate(`/leads/${r.lead.id}`);
    }
  };

  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = async () => {
    if (!lead) return;
    setConfirmDelete(false);
    try {
      await api.deleteLead(lead.id, lead.version);
      const deletedId = lead.id;
      notify(`${leadName(lead)} was deleted.`, {
        action: {
          label: 'Undo',
          run: () =>
            api
              .restoreLead(deletedId)
              .then(() => navigate(`/leads/${deletedId}`))
              .catch((e) => notify(`Restore failed: ${e instanceof ApiError ? e.summary : e}`, { tone: 'error' })),
        },
      });
      navigate('/leads');
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) setStale(true);
      else notify(`Delete failed: ${e instanceof ApiError ? e.summary : e}`, { tone: 'error' });
    }
  };

  if (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <section className="page">
        <Breadcrumb name="Lead" />
        <h1 tabIndex={-1}>{notFound ? 'Lead not found' : 'Lead'}</h1>
        <ErrorNotice
          error={error}
          onRetry={notFound ? undefined : load}
          title={notFound ? 'This lead does not exist or was deleted' : 'The lead could not be loaded'}
        />
      </section>
    );
  }
  if (!lead) return <Loading label="Loading lead…" />;

  return (
    <section className="page" aria-labelledby="lead-title">
      <Breadcrumb name={leadName(lead)} />
      <div className="page-header lead-header">
        <div>
          <h1 id="lead-title" tabIndex={-1}>
            {leadName(lead)}
          </h1>
          <div className="lead-meta">
            <StatusBadge status={lead.status} />
            <DncBadge phone={lead.phone} refreshKey={historyKey} />
            <ScoreBar score={lead.lead_score} />
            <span className="muted" title={`Version ${lead.version}`}>
              Updated {formatRelative(lead.updated_at)} · v{lead.version}
            </span>
          </div>
        </div>
        <div className="page-actions">
          <CallButton
            lead={lead}
            onResult={(r) => {
              setCallResult(r);
              if (r) setHistoryKey((k) => k + 1);
            }}
          />
          <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirmDelete(true)}>
            Delete lead
          </button>
        </div>
      </div>

      <CallResult result={callResult} onDismiss={() => setCallResult(null)} />
      {merged && <MergeNotice result={merged.result} otherName={merged.otherName} onDismiss={() => setMerged(null)} />}

      {stale && (
        <div className="notice notice-warning" role="alert">
          <div>
            <strong>This lead was changed by someone else.</strong>
            <p>Your change was not saved. Reload to see the latest version, then try again.</p>
          </div>
          <button type="button" className="btn btn-primary" onClick={load}>
            Reload lead
          </button>
        </div>
      )}

      <div className="detail-grid">
        <div className="main-col">
        <div className="card">
          <h2>Details</h2>
          <dl className="fields">
            <StatusField lead={lead} save={save} />
            {FIELDS.map((f) => (
              <InlineField key={f.key} lead={lead} field={f.key} label={f.label} type={f.type} save={save} />
            ))}
            <OwnerField lead={lead} save={save} />
            <div className="field-row">
              <dt>Created</dt>
              <dd>{formatDateTime(lead.created_at)}</dd>
            </div>
          </dl>
        </div>
        <div className="card">
          <ConsentPanel leadId={lead.id} onChange={() => setHistoryKey((k) => k + 1)} />
        </div>
        </div>
        <div className="side">
          <div className="card">
            <h2>Tags</h2>
            <TagsEditor lead={lead} onChange={(l) => {
              setLead(l);
              setHistoryKey((k) => k + 1);
            }} />
          </div>
          <div className="card">
            <DuplicatesPanel lead={lead} onMerged={onMerged} />
          </div>
          <div className="card">
            <Histories leadId={lead.id} refreshKey={historyKey} />
          </div>
        </div>
      </div>

      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${leadName(lead)}?`}
        confirmLabel="Delete"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={remove}
      >
        <p>The lead leaves every list. You can undo this right after.</p>
      </ConfirmDialog>
    </section>
  );
}

function Breadcrumb({ name }: { name: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link to="/leads">Leads</Link>
        </li>
        <li aria-current="page">{name}</li>
      </ol>
    </nav>
  );
}

// --- fields ------------------------------------------------------------------------------

type Save = (patch: LeadInput) => Promise<ApiError | null>;

/** The message for `field` in a 422, or the detail of any other failure. */
function messageFor(err: ApiError, field: string): string {
  if (err.status === 412) return 'Not saved: the lead changed meanwhile.';
  const fe = err.fieldErrors();
  return fe[field] ?? (err.errors.length ? Object.values(fe).join('; ') : err.summary);
}

function display(lead: Lead, field: EditableField): string {
  const v = lead[field];
  if (v === null || v === undefined || v === '') return '';
  if (field === 'phone') return formatPhone(String(v));
  return String(v);
}

function InlineField({
  lead,
  field,
  label,
  type,
  save,
}: {
  lead: Lead;
  field: EditableField;
  label: string;
  type?: string;
  save: Save;
}) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const inputId = `edit-${field}`;
  const errorId = `${inputId}-error`;

  const start = () => {
    const v = lead[field];
    setValue(v === null || v === undefined ? '' : String(v));
    setError(null);
    setEditing(true);
  };
  const cancel = () => {
    setEditing(false);
    setError(null);
    setTimeout(() => editButton.current?.focus());
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = value.trim();
    let v: string | number | null = trimmed === '' ? null : trimmed;
    if (field === 'lead_score' && v !== null) v = /^-?\d+$/.test(trimmed) ? Number(trimmed) : (trimmed as string);
    const current = lead[field] ?? null;
    if (v === current || (v !== null && current !== null && String(v) === String(current))) {
      cancel();
      return;
    }
    setBusy(true);
    const err = await save({ [field]: v } as LeadInput);
    setBusy(false);
    if (err) {
      setError(messageFor(err, field));
    } else {
      cancel();
    }
  };

  return (
    <div className="field-row">
      <dt>{editing ? <label htmlFor={inputId}>{label}</label> : label}</dt>
      <dd>
        {editing ? (
          <form className="inline-edit" noValidate onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && cancel()}>
            <input
              id={inputId}
              type={type === 'number' ? 'text' : type ?? 'text'}
              inputMode={type === 'number' ? 'numeric' : undefined}
              value={value}
              autoFocus
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
            />
            <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
              Save
            </button>
            <button type="button" className="btn btn-small" onClick={cancel}>
              Cancel
            </button>
            <FieldError id={errorId} message={error ?? undefined} />
          </form>
        ) : (
          <div className="inline-value">
            <span className={display(lead, field) ? undefined : 'muted'}>{display(lead, field) || '—'}</span>
            <button ref={editButton} type="button" className="btn-icon btn-edit" aria-label={`Edit ${label}`} onClick={start}>
              ✎
            </button>
          </div>
        )}
      </dd>
    </div>
  );
}

function StatusField({ lead, save }: { lead: Lead; save: Save }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const change = async (s: LeadStatus) => {
    if (s === lead.status) return;
    setBusy(true);
    setError(null);
    const err = await save({ status: s });
    setBusy(false);
    if (err) setError(messageFor(err, 'status'));
  };
  return (
    <div className="field-row">
      <dt>
        <label htmlFor="lead-status">Status</label>
      </dt>
      <dd>
        <select
          id="lead-status"
          value={lead.status}
          disabled={busy}
          onChange={(e) => change(e.target.value as LeadStatus)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'lead-status-error' : undefined}
        >
          {LEAD_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <FieldError id="lead-status-error" message={error ?? undefined} />
      </dd>
    </div>
  );
}

function OwnerField({ lead, save }: { lead: Lead; save: Save }) {
  const { users, me } = useApp();
  const [error, setError] = useState<string | null>(null);
  const change = async (v: string) => {
    setError(null);
    const err = await save({ assigned_to: v || null });
    if (err) setError(messageFor(err, 'assigned_to'));
  };
  return (
    <div className="field-row">
      <dt>
        <label htmlFor="lead-owner">Owner</label>
      </dt>
      <dd>
        <select
          id="lead-owner"
          value={lead.assigned_to ?? ''}
          onChange={(e) => change(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'lead-owner-error' : undefined}
        >
          <option value="">Unassigned</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name || u.email}
              {u.id === me.user.id ? ' (you)' : ''}
            </option>
          ))}
          {lead.assigned_to && !users.some((u) => u.id === lead.assigned_to) && (
            <option value={lead.assigned_to}>Unknown user</option>
          )}
        </select>
        <FieldError id="lead-owner-error" message={error ?? undefined} />
      </dd>
    </div>
  );
}

function TagsEditor({ lead, onChange }: { lead: Lead; onChange: (l: Lead) => void }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = async (add: string[], remove: string[]) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await api.changeTags(lead.id, add, remove));
      setDraft('');
    } catch (e) {
      setError(e instanceof ApiError ? Object.values(e.fieldErrors()).join('; ') || e.summary : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      {lead.tags.length === 0 ? (
        <p className="muted">No tags.</p>
      ) : (
        <ul className="chips" aria-label="Tags">
          {lead.tags.map((t) => (
            <li key={t} className="tag">
              {t}
              <button type="button" className="btn-icon" aria-label={`Remove tag ${t}`} disabled={busy} onClick={() => apply([], [t])}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="input-with-button"
        onSubmit={(e) => {
          e.preventDefault();
          const tags = draft
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean);
          if (tags.length) apply(tags, []);
        }}
      >
        <label htmlFor="add-tag" className="sr-only">
          New tag
        </label>
        <input
          id="add-tag"
          placeholder="Add a tag"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'add-tag-error' : undefined}
        />
        <button type="submit" className="btn" disabled={!draft.trim() || busy}>
          Add tag
        </button>
      </form>
      <FieldError id="add-tag-error" message={error ?? undefined} />
    </div>
  );
}

// --- DNC and calls -------------------------------------------------------------------------

function DncBadge({ phone, refreshKey }: { phone: string | null; refreshKey: number }) {
  const [check, setCheck] = useState<DncCheck | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setCheck(null);
    setFailed(false);
    if (!phone) return;
    api.dncCheck(phone).then(setCheck).catch(() => setFailed(true));
  }, [phone, refreshKey]);
  if (!phone) return <span className="badge badge-muted">No phone</span>;
  if (failed) return <span className="badge badge-muted">DNC status unknown</span>;
  if (!check) return <span className="badge badge-muted">Checking DNC…</span>;
  return check.on_dnc ? (
    <span className="badge badge-danger" title={`Listed on: ${check.sources.join(', ')}`}>
      On Do Not Call list ({check.sources.join(', ')})
    </span>
  ) : (
    <span className="badge badge-ok">Not on DNC</span>
  );
}

const REASON_TEXT: Record<string, string> = {
  dnc: 'The number is on a Do Not Call list.',
  'calling-hours': 'It is outside calling hours (08:00–21:00) in the lead’s time zone.',
  'consent-revoked': 'The lead revoked consent to be called.',
  'registry-stale': 'National Do Not Call registry data for this number is missing or out of date.',
};

type CallOutcome = { ok: CallStarted } | { err: ApiError } | null;

function CallButton({ lead, onResult }: { lead: Lead; onResult: (r: CallOutcome) => void }) {
  const [busy, setBusy] = useState(false);
  const call = async () => {
    setBusy(true);
    onResult(null);
    try {
      onResult({ ok: await api.startCall(lead.id) });
    } catch (e) {
      onResult({ err: e instanceof ApiError ? e : new ApiError({ status: 0, detail: String(e) }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="btn btn-primary"
      onClick={call}
      disabled={busy || !lead.phone}
      title={lead.phone ? undefined : 'This lead has no phone number'}
    >
      {busy ? 'Checking…' : `Call ${lead.phone ? formatPhone(lead.phone) : ''}`.trim()}
    </button>
  );
}

function CallResult({ result, onDismiss }: { result: CallOutcome; onDismiss: () => void }) {
  if (!result) return null;
  if ('ok' in result) {
    return (
      <div className="notice notice-success" role="status">
        <div>
          <strong>Call started.</strong> Compliance checks passed.
          {result.ok.warnings.length > 0 && <p>Warnings: {result.ok.warnings.join('; ')}</p>}
        </div>
        <button type="button" className="btn-icon" aria-label="Dismiss call result" onClick={onDismiss}>
          ×
        </button>
      </div>
    );
  }
  return <CallRefused err={result.err} onDismiss={onDismiss} />;
}

function CallRefused({ err, onDismiss }: { err: ApiError; onDismiss: () => void }) {
  const refused = err.status === 409;
  const reasons =
    typeof err.extra.reasons === 'string' ? err.extra.reasons.split(',').filter(Boolean) : refused ? [err.kind] : [];
  return (
    <div className="notice notice-error" role="alert">
      <div>
      <strong>{refused ? 'Call refused' : 'The call could not be started'}</strong>
      <p>{err.summary}</p>
      {reasons.length > 0 && (
        <ul>
          {reasons.map((r) => (
            <li key={r}>{REASON_TEXT[r] ?? r}</li>
          ))}
        </ul>
      )}
      <p className="problem-type">
        Problem type: <code>{err.type}</code>
      </p>
      </div>
      <button type="button" className="btn-icon" aria-label="Dismiss call result" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

// --- histories ---------------------------------------------------------------------------

type Tab = 'history' | 'status' | 'compliance';
const TABS: { key: Tab; label: string }[] = [
  { key: 'history', label: 'History' },
  { key: 'status', label: 'Status history' },
  { key: 'compliance', label: 'Compliance log' },
];

function Histories({ leadId, refreshKey }: { leadId: string; refreshKey: number }) {
  const [tab, setTab] = useState<Tab>('history');
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKey = (e: React.KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.key === tab);
    let j = i;
    if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = TABS.length - 1;
    else return;
    e.preventDefault();
    setTab(TABS[j].key);
    refs.current[TABS[j].key]?.focus();
  };
  return (
    <div>
      <div role="tablist" aria-label="Lead history" className="tabs" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.key}
            ref={(el) => {
              refs.current[t.key] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.key}`}
            aria-selected={tab === t.key}
            aria-controls={`panel-${t.key}`}
            tabIndex={tab === t.key ? 0 : -1}
            onClick={() => setTab(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel" tabIndex={0}>
        {tab === 'history' && (
          <Paged key={`h${refreshKey}`} load={(c) => api.leadHistory(leadId, c)} render={(e: AuditEntry, i) => <AuditItem key={i} e={e} />} empty="No changes recorded yet." />
        )}
        {tab === 'status' && (
          <Paged key={`s${refreshKey}`} load={(c) => api.leadStatusHistory(leadId, c)} render={(e: StatusChange, i) => <StatusItem key={e.id ?? i} e={e} />} empty="No status changes yet." />
        )}
        {tab === 'compliance' && (
          <Paged key={`c${refreshKey}`} load={(c) => api.complianceLog(leadId, c)} render={(e: ComplianceLogEntry, i) => <ComplianceItem key={e.id ?? i} e={e} />} empty="No compliance decisions yet." />
        )}
      </div>
    </div>
  );
}

function Paged<T>({
  load,
  render,
  empty,
}: {
  load: (cursor?: string) => Promise<{ data: T[]; next_cursor: string | null }>;
  render: (item: T, i: number) => ReactNode;
  empty: string;
}) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const get = (c?: string) => {
    setError(null);
    load(c)
      .then((p) => {
        setItems((old) => (c && old ? [...old, ...p.data] : p.data));
        setCursor(p.next_cursor);
      })
      .catch(setError);
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => get(), []);
  if (error) return <ErrorNotice error={error} onRetry={() => get()} />;
  if (!items) return <Loading />;
  if (!items.length) return <EmptyState title={empty} />;
  return (
    <>
      <ol className="timeline">{items.map(render)}</ol>
      {cursor && (
        <button type="button" className="btn" onClick={() => get(cursor)}>
          Show older
        </button>
      )}
    </>
  );
}

const USER_FIELDS = new Set(['assigned_to', 'created_by', 'updated_by', 'deleted_by', 'changed_by']);

function show(v: unknown, field: string, userName: (id: string) => string): string {
  if (v === null || v === undefined || v === '') return '—';
  if (USER_FIELDS.has(field) && typeof v === 'string') return userName(v);
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  if (field === 'phone' && typeof v === 'string') return formatPhone(v);
  if (field === 'status' && typeof v === 'string') return statusLabel(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const HIDDEN_CHANGES = new Set(['version', 'updated_at', 'created_at', 'status_changed_at', 'organization_id', 'id', 'search_vector']);

function AuditItem({ e }: { e: AuditEntry }) {
  const { userName } = useApp();
  const changes = Object.entries(e.changes ?? {}).filter(([k]) => !HIDDEN_CHANGES.has(k));
  return (
    <li className="timeline-item">
      <div className="timeline-head">
        <strong>{statusLabel(e.action)}</strong>
        <span className="muted">
          {e.actor_id ? userName(e.actor_id) : 'System'} ·{' '}
          <time dateTime={e.at} title={formatDateTime(e.at)}>
            {formatRelative(e.at)}
          </time>
        </span>
      </div>
      {changes.length > 0 && (
        <table className="changes">
          <caption className="sr-only">Changed fields</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changes.map(([k, c]) => (
              <tr key={k}>
                <th scope="row">{k.replace(/_/g, ' ')}</th>
                <td className="old">{show(c?.old, k, userName)}</td>
                <td className="new">{show(c?.new, k, userName)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

function StatusItem({ e }: { e: StatusChange }) {
  const { userName } = useApp();
  const secs = e.time_in_previous_status ? Number(e.time_in_previous_status) : NaN;
  return (
    <li className="timeline-item">
      <div className="timeline-head">
        <span>
          {e.from ? <StatusBadge status={e.from} /> : <span className="muted">created</span>} <span aria-label="to">→</span>{' '}
          <StatusBadge status={e.to} />
        </span>
        <span className="muted">
          <time dateTime={e.at} title={formatDateTime(e.at)}>
            {formatRelative(e.at)}
          </time>
        </span>
      </div>
      <p className="muted small">
        {e.changed_by ? userName(e.changed_by) : 'System'} · {e.triggered_by.replace(/_/g, ' ')}
        {Number.isFinite(secs) ? ` · ${formatDuration(secs)} in previous status` : ''}
      </p>
    </li>
  );
}

function ComplianceItem({ e }: { e: ComplianceLogEntry }) {
  const { userName } = useApp();
  const detail = typeof e.details?.detail === 'string' ? e.details.detail : '';
  return (
    <li className="timeline-item">
      <div className="timeline-head">
        <span>
          <span className={`badge ${e.decision === 'allowed' ? 'badge-ok' : 'badge-danger'}`}>{statusLabel(e.decision)}</span> {e.channel}
          {e.phone ? ` to ${formatPhone(e.phone)}` : ''}
        </span>
        <span className="muted">
          <time dateTime={e.decided_at} title={formatDateTime(e.decided_at)}>
            {formatRelative(e.decided_at)}
          </time>
        </span>
      </div>
      <p className="muted small">
        {e.actor_id ? userName(e.actor_id) : 'System'}
        {e.reasons?.length ? ` · ${e.reasons.join(', ')}` : ''}
        {detail ? ` · ${detail}` : ''}
      </p>
    </li>
  );
}
