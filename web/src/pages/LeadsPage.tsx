// The lead list: filters (kept in the URL), sortable columns, keyset paging, column choice,
// selection with bulk actions, CSV export of the current filter, saved views.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, LEAD_STATUSES, leadName, statusLabel, type BulkRequest, type Lead, type LeadStatus } from '../api';
import { api } from '../session';
import { Link, navigate, useLocation } from '../router';
import {
  activeFilterCount,
  EMPTY_FILTER,
  filterFromSearch,
  filterToApiParams,
  filterToBulkFilter,
  filterToSearch,
  nextSort,
  sortDirection,
  type LeadFilter,
  type Sort,
} from '../filters';
import { formatPhone } from '../phone';
import { formatDate, formatDateTime } from '../format';
import {
  LEAD_COLUMNS,
  deleteView,
  loadColumns,
  loadViews,
  saveColumns,
  saveView,
  type LeadColumn,
  type SavedView,
} from '../prefs';
import {
  ConfirmDialog,
  EmptyState,
  ErrorNotice,
  Loading,
  ScoreBar,
  StatusBadge,
  TagList,
  useApp,
  usePageTitle,
} from '../components/ui';

const PAGE_SIZE = 50;

export function LeadsPage() {
  usePageTitle('Leads');
  const loc = useLocation();
  const filter = useMemo(() => filterFromSearch(loc.search), [loc.search]);
  const apiKey = filterToApiParams(filter).toString();

  const setFilter = useCallback((f: LeadFilter, opts: { replace?: boolean } = {}) => {
    const s = filterToSearch(f);
    navigate(`/leads${s ? `?${s}` : ''}`, opts);
  }, []);

  // --- data ---
  const [rows, setRows] = useState<Lead[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const request = useRef(0);

  const loadFirst = useCallback(() => {
    const n = ++request.current;
    setLoading(true);
    setError(null);
    api
      .listLeads(filterToApiParams(filter, { limit: PAGE_SIZE }))
      .then((page) => {
        if (n !== request.current) return;
        setRows(page.data);
        setCursor(page.next_cursor);
      })
      .catch((e) => n === request.current && setError(e))
      .finally(() => n === request.current && setLoading(false));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [apiKey]);

  useEffect(() => {
    loadFirst();
    setSelected(new Set());
    setAllMatching(false);
  }, [loadFirst]);

  const loadMore = () => {
    if (!cursor) return;
    const n = request.current;
    setLoadingMore(true);
    api
      .listLeads(filterToApiParams(filter, { limit: PAGE_SIZE, cursor }))
      .then((page) => {
        if (n !== request.current) return;
        setRows((r) => {
          const seen = new Set(r.map((x) => x.id));
          return [...r, ...page.data.filter((x) => !seen.has(x.id))];
        });
        setCursor(page.next_cursor);
      })
      .catch((e) => n === request.current && setError(e))
      .finally(() => setLoadingMore(false));
  };

  // --- selection ---
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) => {
    setAllMatching(false);
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  };
  const toggleAll = () => {
    setAllMatching(false);
    setSelected(allOnPage ? new Set() : new Set(rows.map((r) => r.id)));
  };

  // --- columns and views ---
  const [columns, setColumns] = useState<LeadColumn[]>(loadColumns);
  const setColumn = (c: LeadColumn, on: boolean) => {
    const next = LEAD_COLUMNS.map((x) => x.key).filter((k) => (k === c ? on : columns.includes(k)));
    setColumns(next);
    saveColumns(next);
  };

  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && !t.isContentEditable) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const { notify } = useApp();
  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    setExporting(true);
    try {
      const blob = await api.exportCsv(filterToApiParams(filter, { forExport: true }));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `leads-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      notify('Export downloaded.', { tone: 'success' });
    } catch (e) {
      notify(`Export failed: ${e instanceof ApiError ? e.summary : String(e)}`, { tone: 'error' });
    } finally {
      setExporting(false);
    }
  };

  const selectionCount = allMatching ? null : selected.size;
  const hasSelection = allMatching || selected.size > 0;

  return (
    <section className="page page-wide" aria-labelledby="leads-title">
      <div className="page-header">
        <h1 id="leads-title" tabIndex={-1}>
          Leads
        </h1>
        <div className="page-actions">
          <SavedViews current={filterToSearch(filter)} />
          <ColumnPicker columns={columns} onChange={setColumn} />
          <button type="button" className="btn" onClick={exportCsv} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
          <Link to="/leads/new" className="btn btn-primary">
            New lead
          </Link>
        </div>
      </div>

      <Filters filter={filter} onChange={setFilter} searchRef={searchRef} />

      {hasSelection && (
        <BulkBar
          count={selectionCount}
          filter={filter}
          ids={[...selected]}
          allMatching={allMatching}
          canSelectAllMatching={allOnPage && !!cursor && !allMatching}
          onSelectAllMatching={() => setAllMatching(true)}
          onClear={() => {
            setSelected(new Set());
            setAllMatching(false);
          }}
          onDone={loadFirst}
        />
      )}

      {error ? <ErrorNotice error={error} onRetry={loadFirst} title="Leads could not be loaded" /> : null}

      <div className="table-wrap" aria-busy={loading}>
        <LeadTable
          rows={rows}
          columns={columns}
          sort={filter.sort}
          onSort={(s) => setFilter({ ...filter, sort: s })}
          selected={selected}
          allMatching={allMatching}
          allOnPage={allOnPage}
          onToggle={toggle}
          onToggleAll={toggleAll}
        />
        {loading && <Loading label="Loading leads…" />}
        {!loading && !error && rows.length === 0 && (
          <EmptyState title={activeFilterCount(filter) ? 'No leads match these filters.' : 'No leads yet.'}>
            {activeFilterCount(filter) ? (
              <button type="button" className="btn" onClick={() => setFilter({ ...EMPTY_FILTER, sort: filter.sort })}>
                Clear filters
              </button>
            ) : (
              <Link to="/leads/new" className="btn btn-primary">
                Create the first lead
              </Link>
            )}
          </EmptyState>
        )}
      </div>
      {!loading && rows.length > 0 && (
        <div className="list-footer">
          <span className="muted" aria-live="polite">
            Showing {rows.length} lead{rows.length === 1 ? '' : 's'}
            {cursor ? ' — more available' : ''}
          </span>
          {cursor && (
            <button type="button" className="btn" onClick={loadMore} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

// --- filters -----------------------------------------------------------------------------

function Filters({
  filter,
  onChange,
  searchRef,
}: {
  filter: LeadFilter;
  onChange: (f: LeadFilter, opts?: { replace?: boolean }) => void;
  searchRef: React.RefObject<HTMLInputElement | null>;
}) {
  const { users, me } = useApp();
  const [q, setQ] = useState(filter.q);
  const [tagDraft, setTagDraft] = useState('');
  const [knownTags, setKnownTags] = useState<string[]>([]);
  const advancedCount =
    filter.tags.length +
    (filter.source ? 1 : 0) +
    (filter.assignedTo ? 1 : 0) +
    (filter.scoreMin !== null ? 1 : 0) +
    (filter.scoreMax !== null ? 1 : 0) +
    (filter.createdFrom ? 1 : 0) +
    (filter.createdTo ? 1 : 0);
  const [showMore, setShowMore] = useState(advancedCount > 0);

  // The box follows the URL (back button, saved views) unless the user is typing.
  const typing = useRef(false);
  const latest = useRef(filter);
  latest.current = filter;
  useEffect(() => {
    if (!typing.current) setQ(filter.q);
  }, [filter.q]);
  useEffect(() => {
    if (q === filter.q) return;
    typing.current = true;
    const t = setTimeout(() => {
      typing.current = false;
      onChange({ ...latest.current, q }, { replace: true });
    }, 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

  useEffect(() => {
    api
      .tags()
      .then((p) => setKnownTags(p.data.map((t) => t.tag)))
      .catch(() => setKnownTags([]));
  }, []);

  const toggleStatus = (s: LeadStatus, on: boolean) => {
    const statuses = on ? [...filter.statuses, s] : filter.statuses.filter((x) => x !== s);
    onChange({ ...filter, statuses: LEAD_STATUSES.filter((x) => statuses.includes(x)) });
  };
  const addTag = () => {
    const t = tagDraft.trim();
    if (t && !filter.tags.includes(t)) onChange({ ...filter, tags: [...filter.tags, t] });
    setTagDraft('');
  };
  const score = (v: string) => {
    if (v.trim() === '') return null;
    const n = Math.round(Number(v));
    return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : null;
  };
  const count = activeFilterCount(filter);

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter leads"
      onSubmit={(e) => {
        e.preventDefault();
        typing.current = false;
        onChange({ ...filter, q });
      }}
    >
      <div className="filters-row">
        <div className="field field-search">
          <label htmlFor="lead-search">Search</label>
          <input
            id="lead-search"
            ref={searchRef}
            type="search"
            placeholder="Name, email or phone  ( / )"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        <fieldset className="status-filter">
          <legend>Status</legend>
          <div className="chip-group">
            {LEAD_STATUSES.map((s) => (
              <label key={s} className={`chip-toggle ${filter.statuses.includes(s) ? 'on' : ''}`}>
                <input
                  type="checkbox"
                  checked={filter.statuses.includes(s)}
                  onChange={(e) => toggleStatus(s, e.target.checked)}
                />
                {statusLabel(s)}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="filters-buttons">
          <button
            type="button"
            className="btn btn-ghost"
            aria-expanded={showMore}
            aria-controls="more-filters"
            onClick={() => setShowMore((v) => !v)}
          >
            More filters{advancedCount ? ` (${advancedCount})` : ''}
          </button>
          {count > 0 && (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                typing.current = false;
                setQ('');
                onChange({ ...EMPTY_FILTER, sort: filter.sort });
              }}
            >
              Clear filters ({count})
            </button>
          )}
        </div>
      </div>
      <div id="more-filters" className="filters-more" hidden={!showMore}>
        <div className="field">
          <label htmlFor="filter-tag">Tag</label>
          <div className="input-with-button">
            <input
              id="filter-tag"
              list="known-tags"
              value={tagDraft}
              onChange={(e) => setTagDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addTag();
                }
              }}
            />
            <button type="button" className="btn" onClick={addTag} disabled={!tagDraft.trim()}>
              Add tag filter
            </button>
          </div>
          <datalist id="known-tags">
            {knownTags.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          {filter.tags.length > 0 && (
            <ul className="chips" aria-label="Tag filters (all must match)">
              {filter.tags.map((t) => (
                <li key={t} className="tag">
                  {t}
                  <button
                    type="button"
                    className="btn-icon"
                    aria-label={`Remove tag filter ${t}`}
                    onClick={() => onChange({ ...filter, tags: filter.tags.filter((x) => x !== t) })}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="field">
          <label htmlFor="filter-source">Source</label>
          <CommitInput id="filter-source" value={filter.source} onCommit={(v) => onChange({ ...filter, source: v.trim() })} />
        </div>
        <div className="field">
          <label htmlFor="filter-owner">Owner</label>
          <select id="filter-owner" value={filter.assignedTo} onChange={(e) => onChange({ ...filter, assignedTo: e.target.value })}>
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Unassigned</option>
            {users
              .filter((u) => u.id !== me.user.id)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name || u.email}
                </option>
              ))}
          </select>
        </div>
        <div className="field field-narrow">
          <label htmlFor="filter-score-min">Min score</label>
          <CommitInput
            id="filter-score-min"
            type="number"
            min={0}
            max={100}
            value={filter.scoreMin === null ? '' : String(filter.scoreMin)}
            onCommit={(v) => onChange({ ...filter, scoreMin: score(v) })}
          />
        </div>
        <div className="field field-narrow">
          <label htmlFor="filter-score-max">Max score</label>
          <CommitInput
            id="filter-score-max"
            type="number"
            min={0}
            max={100}
            value={filter.scoreMax === null ? '' : String(filter.scoreMax)}
            onCommit={(v) => onChange({ ...filter, scoreMax: score(v) })}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-created-from">Created from</label>
          <input
            id="filter-created-from"
            type="date"
            value={filter.createdFrom}
            onChange={(e) => onChange({ ...filter, createdFrom: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-created-to">Created to</label>
          <input
            id="filter-created-to"
            type="date"
            value={filter.createdTo}
            onChange={(e) => onChange({ ...filter, createdTo: e.target.value })}
          />
        </div>
      </div>
    </form>
  );
}

/** A text input that applies its value on Enter or when it loses focus, not on each key. */
function CommitInput({
  value,
  onCommit,
  ...rest
}: { value: string; onCommit: (v: string) => void } & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft !== value) onCommit(draft);
  };
  return (
    <input
      {...rest}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        }
      }}
    />
  );
}

// --- table -------------------------------------------------------------------------------

const SORTABLE: Partial<Record<LeadColumn, 'created_at' | 'updated_at' | 'lead_score'>> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  lead_score: 'lead_score',
};

function LeadTable({
  rows,
  columns,
  sort,
  onSort,
  selected,
  allMatching,
  allOnPage,
  onToggle,
  onToggleAll,
}: {
  rows: Lead[];
  columns: LeadColumn[];
  sort: Sort;
  onSort: (s: Sort) => void;
  selected: Set<string>;
  allMatching: boolean;
  allOnPage: boolean;
  onToggle: (id: string) => void;
  onToggleAll: () => void;
}) {
  const { userName } = useApp();
  const label = (c: LeadColumn) => LEAD_COLUMNS.find((x) => x.key === c)!.label;

  // Up/Down arrows move between rows (focus stays on the lead links).
  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = Array.from(e.currentTarget.querySelectorAll<HTMLAnchorElement>('a[data-row-link]'));
    const i = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (i < 0) return;
    e.preventDefault();
    links[Math.max(0, Math.min(links.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
  };

  return (
    <table className="table leads-table">
      <caption className="sr-only">Leads. Sortable columns have buttons in their headers.</caption>
      <thead>
        <tr>
          <th scope="col" className="col-select">
            <input
              type="checkbox"
              aria-label="Select all leads on this page"
              checked={allMatching || allOnPage}
              onChange={onToggleAll}
              disabled={rows.length === 0}
            />
          </th>
          <th scope="col">Name</th>
          {columns.map((c) => {
            const key = SORTABLE[c];
            if (!key) {
              return (
                <th key={c} scope="col">
                  {label(c)}
                </th>
              );
            }
            const dir = sortDirection(sort, key);
            return (
              <th key={c} scope="col" aria-sort={dir}>
                <button type="button" className="sort-button" onClick={() => onSort(nextSort(sort, key))}>
                  {label(c)}
                  <span aria-hidden="true" className="sort-icon">
                    {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}
                  </span>
                </button>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody onKeyDown={onKeyDown}>
        {rows.map((l) => {
          const name = leadName(l);
          const isSel = allMatching || selected.has(l.id);
          return (
            <tr key={l.id} className={isSel ? 'selected' : undefined}>
              <td className="col-select">
                <input
                  type="checkbox"
                  aria-label={`Select ${name}`}
                  checked={isSel}
                  onChange={() => onToggle(l.id)}
                />
              </td>
              <th scope="row" className="col-name">
                <Link to={`/leads/${l.id}`} data-row-link="">
                  {name}
                </Link>
                {l.company && <span className="sub">{l.company}</span>}
              </th>
              {columns.map((c) => (
                <td key={c} className={`col-${c}`}>
                  {cell(l, c, userName)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function cell(l: Lead, c: LeadColumn, userName: (id: string | null) => string) {
  switch (c) {
    case 'email':
      return l.email ?? <span className="muted">—</span>;
    case 'phone':
      return l.phone ? <span className="nowrap">{formatPhone(l.phone)}</span> : <span className="muted">—</span>;
    case 'status':
      return <StatusBadge status={l.status} />;
    case 'lead_score':
      return <ScoreBar score={l.lead_score} />;
    case 'source':
      return l.source ?? <span className="muted">—</span>;
    case 'tags':
      return <TagList tags={l.tags} />;
    case 'assigned_to':
      return l.assigned_to ? userName(l.assigned_to) : <span className="muted">Unassigned</span>;
    case 'company':
      return l.company ?? <span className="muted">—</span>;
    case 'created_at':
      return (
        <time dateTime={l.created_at} title={formatDateTime(l.created_at)}>
          {formatDate(l.created_at)}
        </time>
      );
    case 'updated_at':
      return (
        <time dateTime={l.updated_at} title={formatDateTime(l.updated_at)}>
          {formatDate(l.updated_at)}
        </time>
      );
  }
}

// --- bulk actions ------------------------------------------------------------------------

function BulkBar({
  count,
  ids,
  filter,
  allMatching,
  canSelectAllMatching,
  onSelectAllMatching,
  onClear,
  onDone,
}: {
  count: number | null;
  ids: string[];
  filter: LeadFilter;
  allMatching: boolean;
  canSelectAllMatching: boolean;
  onSelectAllMatching: () => void;
  onClear: () => void;
  onDone: () => void;
}) {
  const { users, notify, me } = useApp();
  const [status, setStatus] = useState<LeadStatus | ''>('');
  const [tag, setTag] = useState('');
  const [assignee, setAssignee] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const run = async (operation: BulkRequest['operation'], verb: string) => {
    setBusy(true);
    setError(null);
    const target = allMatching ? { filter: filterToBulkFilter(filter) } : { ids };
    try {
      const r = await api.bulk({ ...target, operation } as BulkRequest);
      const skipped = r.skipped
        ? ` ${r.skipped} skipped (${Object.entries(r.skipped_reasons)
            .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`)
            .join(', ')}).`
        : '';
      notify(`${verb} ${r.updated} of ${r.matched} lead${r.matched === 1 ? '' : 's'}.${skipped}`, {
        tone: r.skipped ? 'info' : 'success',
      });
      setTag('');
      onClear();
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError({ status: 0, detail: String(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      <div className="bulk-count" aria-live="polite">
        <strong>{allMatching ? 'All leads matching the filter' : `${count} selected`}</strong>
        {canSelectAllMatching && (
          <button type="button" className="btn btn-link" onClick={onSelectAllMatching}>
            Select all matching the filter
          </button>
        )}
        <button type="button" className="btn btn-link" onClick={onClear}>
          Clear selection
        </button>
      </div>
      <div className="bulk-actions">
        <div className="inline-control">
          <label htmlFor="bulk-status">Set status</label>
          <select id="bulk-status" value={status} onChange={(e) => setStatus(e.target.value as LeadStatus)}>
            <option value="">Choose…</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
          <button type="button" className="btn" disabled={!status || busy} onClick={() => status && run({ set_status: status }, 'Updated')}>
            Apply status
          </button>
        </div>
        <div className="inline-control">
          <label htmlFor="bulk-tag">Tag</label>
          <input
            id="bulk-tag"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && tag.trim()) {
                e.preventDefault();
                run({ add_tags: [tag.trim()] }, 'Tagged');
              }
            }}
            list="known-tags"
          />
          <button type="button" className="btn" disabled={!tag.trim() || busy} onClick={() => run({ add_tags: [tag.trim()] }, 'Tagged')}>
            Add tag
          </button>
        </div>
        <div className="inline-control">
          <label htmlFor="bulk-assign">Assign to</label>
          <select id="bulk-assign" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">Choose…</option>
            <option value="none">Nobody (unassign)</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
                {u.id === me.user.id ? ' (you)' : ''}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn"
            disabled={!assignee || busy}
            onClick={() => run({ assign: assignee === 'none' ? null : assignee }, 'Assigned')}
          >
            Assign
          </button>
        </div>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
          Delete selected
        </button>
      </div>
      {error && <ErrorNotice error={error} title="The bulk action failed" />}
      <ConfirmDialog
        open={confirmDelete}
        title={allMatching ? 'Delete all leads matching the filter?' : `Delete ${count} lead${count === 1 ? '' : 's'}?`}
        confirmLabel="Delete"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          run({ delete: true }, 'Deleted');
        }}
      >
        <p>Deleted leads leave the list. Each one can be restored from its page.</p>
      </ConfirmDialog>
    </section>
  );
}

// --- column picker and saved views ---------------------------------------------------------

function Disclosure({ label, children }: { label: string; children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const id = `pop-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div
      className="popover-wrap"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
        }
      }}
    >
      <button type="button" className="btn" aria-expanded={open} aria-controls={id} onClick={() => setOpen((v) => !v)}>
        {label} <span aria-hidden="true">▾</span>
      </button>
      <div id={id} className="popover" hidden={!open}>
        {children}
      </div>
    </div>
  );
}

function ColumnPicker({ columns, onChange }: { columns: LeadColumn[]; onChange: (c: LeadColumn, on: boolean) => void }) {
  return (
    <Disclosure label="Columns">
      <fieldset>
        <legend>Visible columns</legend>
        {LEAD_COLUMNS.map((c) => (
          <label key={c.key} className="check">
            <input type="checkbox" checked={columns.includes(c.key)} onChange={(e) => onChange(c.key, e.target.checked)} />
            {c.label}
          </label>
        ))}
      </fieldset>
    </Disclosure>
  );
}

function SavedViews({ current }: { current: string }) {
  const [views, setViews] = useState<SavedView[]>(loadViews);
  const [name, setName] = useState('');
  const active = views.find((v) => v.search === current);
  return (
    <Disclosure label={active ? `View: ${active.name}` : 'Saved views'}>
      {views.length === 0 ? (
        <p className="muted">No saved views yet.</p>
      ) : (
        <ul className="view-list" aria-label="Saved views">
          {views.map((v) => (
            <li key={v.name}>
              <Link to={`/leads${v.search ? `?${v.search}` : ''}`} aria-current={v === active ? 'true' : undefined}>
                {v.name}
              </Link>
              <button type="button" className="btn-icon" aria-label={`Delete view ${v.name}`} onClick={() => setViews(deleteView(v.name))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline-control"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return;
          setViews(saveView({ name: name.trim(), search: current }));
          setName('');
        }}
      >
        <label htmlFor="view-name">View name</label>
        <input id="view-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Hot web leads" />
        <button type="submit" className="btn" disabled={!name.trim()}>
          Save current view
        </button>
      </form>
    </Disclosure>
  );
}
