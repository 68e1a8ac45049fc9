// Duplicates of a lead and merging them: leads with the same phone or email are suggested
// (found with the list's `q` search), any other lead can be searched for; the merge dialog
// shows both side by side, lets the user choose the lead that stays, and reports what moved.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, leadName, statusLabel, type Lead, type MergeResult } from '../api';
import { api } from '../session';
import { Link } from '../router';
import { formatPhone } from '../phone';
import { formatDate } from '../format';
import { ErrorNotice, Loading, StatusBadge, useApp } from './ui';

// --- logic ---------------------------------------------------------------------------------

export type MatchReason = 'phone' | 'email';

const sameEmail = (a: string | null, b: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Why `other` looks like a duplicate of `lead`: the same phone, the same email. */
export function matchReasons(lead: Pick<Lead, 'phone' | 'email'>, other: Pick<Lead, 'phone' | 'email'>): MatchReason[] {
  const out: MatchReason[] = [];
  if (lead.phone && other.phone && lead.phone === other.phone) out.push('phone');
  if (sameEmail(lead.email, other.email)) out.push('email');
  return out;
}

/** The searches that find a lead's duplicates: its email and its phone. */
export function duplicateQueries(lead: Pick<Lead, 'phone' | 'email'>): string[] {
  return [lead.email, lead.phone].filter((q): q is string => !!q && !!q.trim());
}

/** Other leads among `candidates` with the same phone or email, each once, in order. */
export function exactDuplicates(lead: Lead, candidates: Lead[]): Lead[] {
  const seen = new Set<string>([lead.id]);
  const out: Lead[] = [];
  for (const c of candidates) {
    if (seen.has(c.id)) continue;
    if (matchReasons(lead, c).length) {
      out.push(c);
      seen.add(c.id);
    }
  }
  return out;
}

const MERGE_FIELD_LABELS: Record<string, string> = {
  first_name: 'first name',
  last_name: 'last name',
  email: 'email',
  phone: 'phone',
  source: 'source',
  assigned_to: 'owner',
  timezone: 'time zone',
  company: 'company',
  title: 'job title',
  metadata: 'metadata',
};

/** What a merge moved, in sentences. */
export function describeMerge(r: MergeResult): string[] {
  const lines: string[] = [];
  const m = r.moved ?? { fields: [], tags: [], enrollments: 0, enrollments_cancelled: 0 };
  if (m.fields?.length) lines.push(`Filled in: ${m.fields.map((f) => MERGE_FIELD_LABELS[f] ?? f).join(', ')}.`);
  if (m.tags?.length) lines.push(`Tags added: ${m.tags.join(', ')}.`);
  if (m.enrollments) lines.push(`Sequence enrollments moved: ${m.enrollments}.`);
  if (m.enrollments_cancelled) lines.push(`Enrollments cancelled as duplicates: ${m.enrollments_cancelled}.`);
  if (!lines.length) lines.push('No values moved: the lead that stayed already had them all.');
  return lines;
}

type Compared = 'name' | 'email' | 'phone' | 'status' | 'source' | 'tags' | 'lead_score' | 'assigned_to' | 'company' | 'title' | 'timezone' | 'created_at';

const COMPARED: { key: Compared; label: string; fills?: (keyof Lead)[] }[] = [
  { key: 'name', label: 'Name', fills: ['first_name', 'last_name'] },
  { key: 'email', label: 'Email', fills: ['email'] },
  { key: 'phone', label: 'Phone', fills: ['phone'] },
  { key: 'status', label: 'Status' },
  { key: 'source', label: 'Source', fills: ['source'] },
  { key: 'tags', label: 'Tags' },
  { key: 'lead_score', label: 'Score' },
  { key: 'assigned_to', label: 'Owner', fills: ['assigned_to'] },
  { key: 'company', label: 'Company', fills: ['company'] },
  { key: 'title', label: 'Job title', fills: ['title'] },
  { key: 'timezone', label: 'Time zone', fills: ['timezone'] },
  { key: 'created_at', label: 'Created' },
];

/** The lead as it should read after the merge: its empty fields filled from the other, tags combined. */
export function expectedMerge(keep: Lead, gone: Lead): Lead {
  const out: Lead = { ...keep, tags: [...keep.tags] };
  const fill = ['first_name', 'last_name', 'email', 'phone', 'source', 'assigned_to', 'timezone', 'company', 'title'] as const;
  for (const k of fill) {
    if ((out[k] === null || out[k] === undefined || out[k] === '') && gone[k]) (out as unknown as Record<string, unknown>)[k] = gone[k];
  }
  for (const t of gone.tags) if (!out.tags.includes(t)) out.tags.push(t);
  return out;
}

// --- a notice that survives the move to the surviving lead's page -----------------------

let pending: { leadId: string; result: MergeResult; otherName: string } | null = null;

export function setMergeNotice(leadId: string, result: MergeResult, otherName: string): void {
  pending = { leadId, result, otherName };
}

/** The merge just made into this lead, if any. */
export function peekMergeNotice(leadId: string): { result: MergeResult; otherName: string } | null {
  if (!pending || pending.leadId !== leadId) return null;
  return { result: pending.result, otherName: pending.otherName };
}

/** Forgets the notice once shown, so that a later visit does not show it again. */
export function clearMergeNotice(): void {
  pending = null;
}

export function MergeNotice({ result, otherName, onDismiss }: { result: MergeResult; otherName: string; onDismiss: () => void }) {
  return (
    <div className="notice notice-success" role="status">
      <div>
        <strong>
          {otherName} was merged into {leadName(result.lead)}.
        </strong>
        <ul>
          {describeMerge(result).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      </div>
      <button type="button" className="btn-icon" aria-label="Dismiss merge result" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

// --- the panel -----------------------------------------------------------------------------

export function DuplicatesPanel({ lead, onMerged }: { lead: Lead; onMerged: (r: MergeResult, otherName: string) => void }) {
  const [suggested, setSuggested] = useState<Lead[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Lead[] | null>(null);
  const [searchError, setSearchError] = useState<unknown>(null);
  const [searching, setSearching] = useState(false);
  const [comparing, setComparing] = useState<Lead | null>(null);
  const req = useRef(0);

  const find = useCallback(() => {
    const n = ++req.current;
    setError(null);
    setSuggested(null);
    const qs = duplicateQueries(lead);
    Promise.all(qs.map((q) => api.listLeads(new URLSearchParams({ q, limit: '20' }))))
      .then((pages) => {
        if (n === req.current) setSuggested(exactDuplicates(lead, pages.flatMap((p) => p.data)));
      })
      .catch((e) => n === req.current && setError(e));
    // Only the identity of the lead and its contact fields matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lead.id, lead.phone, lead.email]);
  useEffect(find, [find]);

  const search = async (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    setSearching(true);
    setSearchError(null);
    try {
      const p = await api.listLeads(new URLSearchParams({ q, limit: '10' }));
      setResults(p.data.filter((l) => l.id !== lead.id));
    } catch (err) {
      setSearchError(err);
      setResults(null);
    } finally {
      setSearching(false);
    }
  };

  return (
    <section aria-labelledby="dups-title">
      <div className="section-header">
        <h2 id="dups-title">Duplicates</h2>
        <button type="button" className="btn btn-small" onClick={find} disabled={suggested === null && !error}>
          Find duplicates
        </button>
      </div>
      {error ? <ErrorNotice error={error} onRetry={find} title="Duplicates could not be searched" /> : null}
      {!error && suggested === null && <Loading label="Looking for duplicates…" />}
      {suggested && suggested.length === 0 && (
        <p className="muted">{duplicateQueries(lead).length ? 'No other lead has this phone or email.' : 'This lead has no phone or email to compare.'}</p>
      )}
      {suggested && suggested.length > 0 && (
        <ul className="dup-list" aria-label="Suggested duplicates">
          {suggested.map((d) => (
            <DuplicateItem key={d.id} lead={lead} other={d} onCompare={() => setComparing(d)} />
          ))}
        </ul>
      )}

      <form className="input-with-button dup-search" role="search" aria-label="Find a lead to merge" onSubmit={search}>
        <label htmlFor="dup-search" className="sr-only">
          Search for another lead
        </label>
        <input id="dup-search" type="search" placeholder="Another lead: name, email or phone" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="btn" disabled={searching || !query.trim()}>
          Search
        </button>
      </form>
      {searchError ? <ErrorNotice error={searchError} /> : null}
      {results && results.length === 0 && <p className="muted">No other lead matches.</p>}
      {results && results.length > 0 && (
        <ul className="dup-list" aria-label="Search results">
          {results.map((d) => (
            <DuplicateItem key={d.id} lead={lead} other={d} onCompare={() => setComparing(d)} />
          ))}
        </ul>
      )}

      {comparing && (
        <MergeDialog
          lead={lead}
          other={comparing}
          onClose={() => setComparing(null)}
          onMerged={(r, otherName) => {
            setComparing(null);
            onMerged(r, otherName);
          }}
        />
      )}
    </section>
  );
}

function DuplicateItem({ lead, other, onCompare }: { lead: Lead; other: Lead; onCompare: () => void }) {
  const why = matchReasons(lead, other);
  return (
    <li className="dup-item">
      <div>
        <Link to={`/leads/${other.id}`} className="dup-name">
          {leadName(other)}
        </Link>{' '}
        <StatusBadge status={other.status} />
        <span className="sub">
          {[other.email, formatPhone(other.phone)].filter(Boolean).join(' · ')}
          {why.length > 0 && ` · same ${why.join(' and ')}`}
        </span>
      </div>
      <button type="button" className="btn btn-small" onClick={onCompare} aria-label={`Compare and merge with ${leadName(other)}`}>
        Compare and merge
      </button>
    </li>
  );
}

function display(l: Lead, key: Compared, userName: (id: string) => string): string {
  switch (key) {
    case 'name':
      return [l.first_name, l.last_name].filter(Boolean).join(' ');
    case 'phone':
      return formatPhone(l.phone);
    case 'status':
      return statusLabel(l.status);
    case 'tags':
      return l.tags.join(', ');
    case 'lead_score':
      return String(l.lead_score);
    case 'assigned_to':
      return l.assigned_to ? userName(l.assigned_to) : '';
    case 'created_at':
      return formatDate(l.created_at);
    default: {
      const v = l[key];
      return v === null || v === undefined ? '' : String(v);
    }
  }
}

export function MergeDialog({
  lead,
  other,
  onClose,
  onMerged,
}: {
  lead: Lead;
  other: Lead;
  onClose: () => void;
  onMerged: (r: MergeResult, otherName: string) => void;
}) {
  const { me, userName } = useApp();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [keep, setKeep] = useState<'this' | 'other'>('this');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const canMerge = me.user.role !== 'agent';

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (typeof d.showModal === 'function') {
      if (!d.open) d.showModal();
    } else d.setAttribute('open', '');
    return () => {
      if (d.open && typeof d.close === 'function') d.close();
    };
  }, []);

  const survivor = keep === 'this' ? lead : other;
  const gone = keep === 'this' ? other : lead;
  const after = expectedMerge(survivor, gone);

  const merge = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.mergeLeads(survivor.id, gone.id, survivor.version);
      onMerged(r, leadName(gone));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError({ status: 0, detail: String(e) }));
    } finally {
      setBusy(false);
    }
  };

  const col = (l: Lead) => (l.id === lead.id ? 'This lead' : 'Other lead');

  return (
    <dialog
      ref={ref}
      className="dialog dialog-wide"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>Merge duplicates</h2>
      <div className="dialog-body">
        <fieldset className="keep-choice">
          <legend>Which lead stays?</legend>
          <label className="check">
            <input type="radio" name="merge-keep" checked={keep === 'this'} onChange={() => setKeep('this')} />
            {leadName(lead)} (this lead)
          </label>
          <label className="check">
            <input type="radio" name="merge-keep" checked={keep === 'other'} onChange={() => setKeep('other')} />
            {leadName(other)} (other lead)
          </label>
        </fieldset>
        <div className="table-wrap">
          <table className="table table-compact merge-table">
            <caption className="sr-only">The two leads side by side</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">
                  {col(survivor)} <span className="badge badge-ok">stays</span>
                </th>
                <th scope="col">
                  {col(gone)} <span className="badge badge-muted">merged away</span>
                </th>
                <th scope="col">After the merge</th>
              </tr>
            </thead>
            <tbody>
              {COMPARED.map((f) => {
                const a = display(survivor, f.key, userName);
                const b = display(gone, f.key, userName);
                const r = display(after, f.key, userName);
                const changed = r !== a;
                return (
                  <tr key={f.key}>
                    <th scope="row">{f.label}</th>
                    <td>{a || <span className="muted">—</span>}</td>
                    <td className={b && b !== a ? 'differs' : undefined}>{b || <span className="muted">—</span>}</td>
                    <td className={changed ? 'moved' : undefined}>
                      {r || <span className="muted">—</span>}
                      {changed && <span className="sr-only"> (from the other lead)</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="hint">
          The lead that stays keeps its values; its empty fields take the other lead’s, tags are combined and sequence
          enrollments move over. The other lead is deleted; its history stays readable.
        </p>
        {!canMerge && (
          <p className="notice notice-warning" role="note">
            Only managers and admins can merge leads.
          </p>
        )}
        {error && (
          <ErrorNotice
            error={error}
            title={
              error.status === 412
                ? 'The lead that stays was changed meanwhile: nothing was merged. Close, reload the lead and try again.'
                : 'The leads were not merged'
            }
          />
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" onClick={merge} disabled={busy || !canMerge}>
          {busy ? 'Merging…' : `Merge into ${leadName(survivor)}`}
        </button>
      </div>
    </dialog>
  );
}
