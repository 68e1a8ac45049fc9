// Do-Not-Call: check numbers (one or a pasted batch), add and remove entries, the list, and
// the opt-out review queue when the server has one.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, mapFieldErrors, type DncCheck, type DncEntry, type DncReviewItem } from '../api';
import { api } from '../session';
import { Link } from '../router';
import { formatPhone, splitPhones } from '../phone';
import { formatDate, formatDateTime } from '../format';
import { ConfirmDialog, EmptyState, ErrorNotice, FieldError, Loading, useApp, usePageTitle } from '../components/ui';

export function DncPage() {
  usePageTitle('Do Not Call');
  const [listKey, setListKey] = useState(0);
  const refresh = () => setListKey((k) => k + 1);
  return (
    <section className="page page-wide" aria-labelledby="dnc-title">
      <div className="page-header">
        <h1 id="dnc-title" tabIndex={-1}>
          Do Not Call
        </h1>
      </div>
      <p className="muted lede">
        Numbers on this list are never called or texted by anyone in your organization. Every call passes this check.
      </p>
      <div className="dnc-grid">
        <div className="card">
          <CheckNumbers />
        </div>
        <div className="card">
          <AddEntry onAdded={refresh} />
        </div>
      </div>
      <div className="card">
        <EntryList key={listKey} />
      </div>
      <ReviewQueue onDecided={refresh} />
    </section>
  );
}

function CheckNumbers() {
  const [text, setText] = useState('');
  const [results, setResults] = useState<DncCheck[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const phones = splitPhones(text);
    if (!phones.length) return;
    setBusy(true);
    setError(null);
    try {
      setResults((await api.dncCheckBatch(phones)).results);
    } catch (err) {
      setError(err);
      setResults(null);
    } finally {
      setBusy(false);
    }
  };
  const listed = results?.filter((r) => r.on_dnc).length ?? 0;
  return (
    <section aria-labelledby="check-title">
      <h2 id="check-title">Check numbers</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="dnc-check-phones">Phone numbers to check</label>
          <textarea
            id="dnc-check-phones"
            rows={4}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={'(206) 555-0100\n+14155550123'}
            aria-describedby="dnc-check-hint"
          />
          <p id="dnc-check-hint" className="hint">
            One per line, or separated by commas. Up to 10,000 at once.
          </p>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy || !splitPhones(text).length}>
          {busy ? 'Checking…' : 'Check'}
        </button>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
      {results && (
        <div className="check-results" aria-live="polite">
          <p>
            <strong>{listed}</strong> of {results.length} number{results.length === 1 ? '' : 's'} on a Do Not Call list.
          </p>
          <table className="table table-compact">
            <caption className="sr-only">Check results</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r, i) => (
                <tr key={i}>
                  <td>{r.error ? r.phone : formatPhone(r.phone)}</td>
                  <td>
                    {r.error ? (
                      <span className="badge badge-muted">Invalid: {r.error}</span>
                    ) : r.on_dnc ? (
                      <span className="badge badge-danger">Do not call ({r.sources.join(', ')})</span>
                    ) : (
                      <span className="badge badge-ok">OK to call</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AddEntry({ onAdded }: { onAdded: () => void }) {
  const { notify } = useApp();
  const [phone, setPhone] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setProblem(null);
    try {
      const entry = await api.dncAdd({
        phone: phone.trim(),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(expires ? { expires_at: `${expires}T00:00:00Z` } : {}),
        source: 'manual',
      });
      notify(`${formatPhone(entry.phone)} is on the Do Not Call list.`, { tone: 'success' });
      setPhone('');
      setReason('');
      setExpires('');
      onAdded();
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError({ status: 0, detail: String(err) });
      const m = mapFieldErrors(ae, ['phone', 'reason', 'expires_at']);
      setErrors(m.byField);
      if (!Object.keys(m.byField).length || m.other.length) setProblem(ae);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="add-title">
      <h2 id="add-title">Add a number</h2>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="dnc-phone">Phone number</label>
          <input
            id="dnc-phone"
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            aria-invalid={errors.phone ? true : undefined}
            aria-describedby={errors.phone ? 'dnc-phone-error' : undefined}
          />
          <FieldError id="dnc-phone-error" message={errors.phone} />
        </div>
        <div className="field">
          <label htmlFor="dnc-reason">Reason (optional)</label>
          <input
            id="dnc-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={errors.reason ? 'dnc-reason-error' : undefined}
          />
          <FieldError id="dnc-reason-error" message={errors.reason} />
        </div>
        <div className="field">
          <label htmlFor="dnc-expires">Expires on (optional)</label>
          <input
            id="dnc-expires"
            type="date"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            aria-invalid={errors.expires_at ? true : undefined}
            aria-describedby={errors.expires_at ? 'dnc-expires-error' : undefined}
          />
          <FieldError id="dnc-expires-error" message={errors.expires_at} />
        </div>
        {problem && <ErrorNotice error={problem} title="The number was not added" />}
        <button type="submit" className="btn btn-primary" disabled={busy || !phone.trim()}>
          {busy ? 'Adding…' : 'Add to Do Not Call list'}
        </button>
      </form>
    </section>
  );
}

function EntryList() {
  const { isAdmin, userName, notify } = useApp();
  const [phone, setPhone] = useState('');
  const [query, setQuery] = useState('');
  const [includeAll, setIncludeAll] = useState(false);
  const [rows, setRows] = useState<DncEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<DncEntry | null>(null);
  const req = useRef(0);

  const load = useCallback(
    (after?: string) => {
      const n = after ? req.current : ++req.current;
      setError(null);
      if (!after) setRows(null);
      api
        .dncList({ phone: query || undefined, includeAll, cursor: after, limit: 50 })
        .then((p) => {
          if (n !== req.current) return;
          setRows((old) => (after && old ? [...old, ...p.data] : p.data));
          setCursor(p.next_cursor);
        })
        .catch((e) => n === req.current && setError(e));
    },
    [query, includeAll],
  );
  useEffect(() => load(), [load]);

  const remove = async (entry: DncEntry) => {
    setRemoving(null);
    try {
      await api.dncRemove(entry.id);
      notify(`${formatPhone(entry.phone)} was removed from the Do Not Call list.`, { tone: 'success' });
      load();
    } catch (e) {
      notify(`Remove failed: ${e instanceof ApiError ? e.summary : e}`, { tone: 'error' });
    }
  };

  return (
    <section aria-labelledby="entries-title">
      <div className="section-header">
        <h2 id="entries-title">Entries</h2>
        <form
          className="inline-control"
          role="search"
          aria-label="Find entries"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(phone.trim());
          }}
        >
          <label htmlFor="dnc-filter-phone">Find number</label>
          <input id="dnc-filter-phone" type="search" value={phone} onChange={(e) => setPhone(e.target.value)} />
          <button type="submit" className="btn">
            Find
          </button>
          <label className="check">
            <input type="checkbox" checked={includeAll} onChange={(e) => setIncludeAll(e.target.checked)} />
            Show removed and expired
          </label>
        </form>
      </div>
      {error ? <ErrorNotice error={error} onRetry={() => load()} title="The list could not be loaded" /> : null}
      {!rows && !error && <Loading label="Loading entries…" />}
      {rows && rows.length === 0 && <EmptyState title={query ? 'No entry for this number.' : 'The list is empty.'} />}
      {rows && rows.length > 0 && (
        <table className="table">
          <caption className="sr-only">Do Not Call entries</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Reason</th>
              <th scope="col">Source</th>
              <th scope="col">Added</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              {isAdmin && (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <th scope="row" className="nowrap">
                  {formatPhone(e.phone)}
                </th>
                <td>{e.reason ?? <span className="muted">—</span>}</td>
                <td>{e.source.replace(/_/g, ' ')}</td>
                <td>
                  <time dateTime={e.created_at} title={formatDateTime(e.created_at)}>
                    {formatDate(e.created_at)}
                  </time>
                  {e.added_by && <span className="sub">{userName(e.added_by)}</span>}
                </td>
                <td>{e.expires_at ? formatDate(e.expires_at) : <span className="muted">never</span>}</td>
                <td>
                  {e.active ? (
                    <span className="badge badge-danger">Active</span>
                  ) : (
                    <span className="badge badge-muted">{e.removed_at ? 'Removed' : 'Expired'}</span>
                  )}
                </td>
                {isAdmin && (
                  <td className="actions">
                    {e.active && (
                      <button type="button" className="btn btn-small btn-danger-ghost" aria-label={`Remove ${formatPhone(e.phone)}`} onClick={() => setRemoving(e)}>
                        Remove
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" className="btn" onClick={() => load(cursor)}>
          Load more
        </button>
      )}
      <ConfirmDialog
        open={!!removing}
        title={`Remove ${removing ? formatPhone(removing.phone) : ''} from the list?`}
        confirmLabel="Remove"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove(removing)}
      >
        <p>The number can be called again once removed. The removal is recorded.</p>
      </ConfirmDialog>
    </section>
  );
}

/** The opt-out review queue; hidden when the server has none (404). */
function ReviewQueue({ onDecided }: { onDecided: () => void }) {
  const { notify } = useApp();
  const [items, setItems] = useState<DncReviewItem[] | null>(null);
  const [absent, setAbsent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setError(null);
    api
      .dncReview('pending')
      .then((p) => setItems(p.data))
      .catch((e) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) setAbsent(true);
        else if (e instanceof ApiError && e.status === 403) setAbsent(true);
        else setError(e);
      });
  }, []);
  useEffect(load, [load]);
  if (absent) return null;
  const decide = async (item: DncReviewItem, accept: boolean) => {
    try {
      await api.dncReviewDecide(item.id, accept);
      notify(accept ? `${formatPhone(item.phone)} added to the Do Not Call list.` : 'Dismissed.', { tone: 'success' });
      load();
      if (accept) onDecided();
    } catch (e) {
      notify(`Failed: ${e instanceof ApiError ? e.summary : e}`, { tone: 'error' });
    }
  };
  return (
    <div className="card">
      <section aria-labelledby="review-title">
        <h2 id="review-title">Opt-out review queue</h2>
        <p className="muted">Messages that look like an opt-out but were not certain enough to list automatically.</p>
        {error ? <ErrorNotice error={error} onRetry={load} /> : null}
        {!items && !error && <Loading label="Loading review queue…" />}
        {items && items.length === 0 && <p className="empty-inline">Nothing to review.</p>}
        {items && items.length > 0 && (
          <ul className="review-list">
            {items.map((i) => (
              <li key={i.id} className="review-item">
                <div>
                  <strong>{formatPhone(i.phone)}</strong>{' '}
                  {i.lead_id && <Link to={`/leads/${i.lead_id}`}>Open lead</Link>}
                  <blockquote>“{i.excerpt}”</blockquote>
                  <p className="muted small">
                    Matched “{i.matched}” · confidence {Math.round(i.confidence * 100)}% · {formatDateTime(i.created_at)}
                  </p>
                </div>
                <div className="review-actions">
                  <button type="button" className="btn btn-danger" onClick={() => decide(i, true)} aria-label={`Add ${formatPhone(i.phone)} to the list`}>
                    Add to list
                  </button>
                  <button type="button" className="btn" onClick={() => decide(i, false)} aria-label={`Dismiss opt-out from ${formatPhone(i.phone)}`}>
                    Dismiss
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
