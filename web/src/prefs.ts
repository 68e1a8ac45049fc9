// Per-browser preferences: visible lead columns and saved list views (localStorage).

export const LEAD_COLUMNS = [
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone' },
  { key: 'status', label: 'Status' },
  { key: 'lead_score', label: 'Score' },
  { key: 'source', label: 'Source' },
  { key: 'tags', label: 'Tags' },
  { key: 'assigned_to', label: 'Owner' },
  { key: 'company', label: 'Company' },
  { key: 'created_at', label: 'Created' },
  { key: 'updated_at', label: 'Updated' },
] as const;
export type LeadColumn = (typeof LEAD_COLUMNS)[number]['key'];
export const DEFAULT_COLUMNS: LeadColumn[] = [
  'email',
  'phone',
  'status',
  'lead_score',
  'source',
  'tags',
  'assigned_to',
  'created_at',
];

const COLUMNS_KEY = 'leadline.columns';
const VIEWS_KEY = 'leadline.views';

function read<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the preference lasts for this page only */
  }
}

export function loadColumns(): LeadColumn[] {
  const v = read<unknown>(COLUMNS_KEY, null);
  if (!Array.isArray(v)) return DEFAULT_COLUMNS;
  const known = LEAD_COLUMNS.map((c) => c.key as string);
  return v.filter((c): c is LeadColumn => typeof c === 'string' && known.includes(c));
}

export function saveColumns(cols: LeadColumn[]): void {
  write(COLUMNS_KEY, cols);
}

export interface SavedView {
  name: string;
  /** The list page's query string, without "?". */
  search: string;
}

export function loadViews(): SavedView[] {
  const v = read<unknown>(VIEWS_KEY, []);
  if (!Array.isArray(v)) return [];
  return v.filter(
    (x): x is SavedView => !!x && typeof x.name === 'string' && typeof x.search === 'string',
  );
}

/** Saves (or replaces, by name) a view; returns the new list sorted by name. */
export function saveView(view: SavedView): SavedView[] {
  const views = loadViews().filter((v) => v.name !== view.name);
  views.push(view);
  views.sort((a, b) => a.name.localeCompare(b.name));
  write(VIEWS_KEY, views);
  return views;
}

export function deleteView(name: string): SavedView[] {
  const views = loadViews().filter((v) => v.name !== name);
  write(VIEWS_KEY, views);
  return views;
}
