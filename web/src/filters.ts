// The lead list's filter: one object that maps to the page URL (bookmarkable), to the API's
// list/export query, and to the bulk endpoint's "filter" object.
import { LEAD_STATUSES, type BulkFilter, type LeadStatus } from './api';

export const SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'lead_score',
  '-lead_score',
] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = '-created_at';

export interface LeadFilter {
  statuses: LeadStatus[];
  tags: string[];
  q: string;
  source: string;
  /** "" (anyone), "me", "none" or a user id. */
  assignedTo: string;
  scoreMin: number | null;
  scoreMax: number | null;
  /** Calendar dates (YYYY-MM-DD), inclusive, in UTC. */
  createdFrom: string;
  createdTo: string;
  sort: Sort;
}

export const EMPTY_FILTER: LeadFilter = {
  statuses: [],
  tags: [],
  q: '',
  source: '',
  assignedTo: '',
  scoreMin: null,
  scoreMax: null,
  createdFrom: '',
  createdTo: '',
  sort: DEFAULT_SORT,
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseScore(v: string | null): number | null {
  if (v === null || v.trim() === '' || !/^\d{1,3}$/.test(v.trim())) return null;
  const n = Number(v);
  return n >= 0 && n <= 100 ? n : null;
}

function isStatus(s: string): s is LeadStatus {
  return (LEAD_STATUSES as readonly string[]).includes(s);
}

/** The filter a page URL's query describes; unknown or malformed values are ignored. */
export function filterFromSearch(search: string | URLSearchParams): LeadFilter {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const statuses: LeadStatus[] = [];
  for (const v of p.getAll('status')) {
    for (const s of v.split(',')) {
      const t = s.trim();
      if (isStatus(t) && !statuses.includes(t)) statuses.push(t);
    }
  }
  const tags: string[] = [];
  for (const t of p.getAll('tag')) {
    const v = t.trim();
    if (v && !tags.includes(v)) tags.push(v);
  }
  const sort = p.get('sort') ?? '';
  const from = p.get('created_from') ?? '';
  const to = p.get('created_to') ?? '';
  return {
    statuses: LEAD_STATUSES.filter((s) => statuses.includes(s)),
    tags,
    q: p.get('q') ?? '',
    source: p.get('source') ?? '',
    assignedTo: p.get('assigned_to') ?? '',
    scoreMin: parseScore(p.get('score_min')),
    scoreMax: parseScore(p.get('score_max')),
    createdFrom: DATE.test(from) ? from : '',
    createdTo: DATE.test(to) ? to : '',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : DEFAULT_SORT,
  };
}

/** The page URL query of a filter (no leading "?"); defaults are left out. */
export function filterToSearch(f: LeadFilter): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.statuses.length) p.set('status', f.statuses.join(','));
  for (const t of f.tags) p.append('tag', t);
  if (f.source.trim()) p.set('source', f.source.trim());
  if (f.assignedTo) p.set('assigned_to', f.assignedTo);
  if (f.scoreMin !== null) p.set('score_min', String(f.scoreMin));
  if (f.scoreMax !== null) p.set('score_max', String(f.scoreMax));
  if (f.createdFrom) p.set('created_from', f.createdFrom);
  if (f.createdTo) p.set('created_to', f.createdTo);
  if (f.sort !== DEFAULT_SORT) p.set('sort', f.sort);
  return p.toString();
}

/** Start and end of the inclusive date range as the API's RFC 3339 bounds. */
function dateBounds(f: LeadFilter): { from?: string; to?: string } {
  return {
    from: f.createdFrom ? `${f.createdFrom}T00:00:00Z` : undefined,
    to: f.createdTo ? `${f.createdTo}T23:59:59Z` : undefined,
  };
}

/** Query parameters of GET /api/leads (and, without paging, of the CSV export). */
export function filterToApiParams(
  f: LeadFilter,
  opts: { cursor?: string | null; limit?: number; forExport?: boolean } = {},
): URLSearchParams {
  const p = new URLSearchParams();
  if (f.statuses.length) p.set('status', f.statuses.join(','));
  for (const t of f.tags) p.append('tag', t);
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.assignedTo) p.set('assigned_to', f.assignedTo);
  if (f.source.trim()) p.set('source', f.source.trim());
  if (f.scoreMin !== null) p.set('score_min', String(f.scoreMin));
  if (f.scoreMax !== null) p.set('score_max', String(f.scoreMax));
  const { from, to } = dateBounds(f);
  if (from) p.set('created_from', from);
  if (to) p.set('created_to', to);
  p.set('sort', f.sort);
  if (!opts.forExport) {
    if (opts.limit) p.set('limit', String(opts.limit));
    if (opts.cursor) p.set('cursor', opts.cursor);
  }
  return p;
}

/** The bulk endpoint's "filter" object: the list query's keys without sort and paging. */
export function filterToBulkFilter(f: LeadFilter): BulkFilter {
  const out: BulkFilter = {};
  if (f.statuses.length) out.status = [...f.statuses];
  if (f.tags.length) out.tag = [...f.tags];
  if (f.q.trim()) out.q = f.q.trim();
  if (f.assignedTo) out.assigned_to = f.assignedTo;
  if (f.source.trim()) out.source = f.source.trim();
  if (f.scoreMin !== null) out.score_min = f.scoreMin;
  if (f.scoreMax !== null) out.score_max = f.scoreMax;
  const { from, to } = dateBounds(f);
  if (from) out.created_from = from;
  if (to) out.created_to = to;
  return out;
}

/** How many filters (not the sort) are set: for the "Clear filters (n)" button. */
export function activeFilterCount(f: LeadFilter): number {
  return (
    (f.statuses.length ? 1 : 0) +
    f.tags.length +
    (f.q.trim() ? 1 : 0) +
    (f.source.trim() ? 1 : 0) +
    (f.assignedTo ? 1 : 0) +
    (f.scoreMin !== null ? 1 : 0) +
    (f.scoreMax !== null ? 1 : 0) +
    (f.createdFrom ? 1 : 0) +
    (f.createdTo ? 1 : 0)
  );
}

/** The sort after a click on a sortable column: descending first, then ascending. */
export function nextSort(current: Sort, column: 'created_at' | 'updated_at' | 'lead_score'): Sort {
  if (current === `-${column}`) return column;
  return `-${column}` as Sort;
}

export function sortDirection(current: Sort, column: string): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending';
  if (current === `-${column}`) return 'descending';
  return 'none';
}
