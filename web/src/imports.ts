// The import wizard's logic, apart from React: the options and the column mapping as the
// API's query parameters, a sample of a CSV file's first rows for the mapping table, and the
// job poller (every ~500 ms while an import is queued or running).
import type {
  DedupePolicy,
  DncPolicy,
  ImportJob,
  ImportPreviewColumn,
  ImportRowOutcome,
  ImportStatus,
  UnknownColumns,
  UpdateMode,
} from './api';

/** The lead fields a column can feed, when the preview does not list them. */
export const IMPORT_FIELDS = [
  'first_name',
  'last_name',
  'full_name',
  'email',
  'phone',
  'status',
  'source',
  'tags',
  'lead_score',
  'timezone',
  'assigned_to',
  'company',
  'title',
  'external_id',
] as const;

const FIELD_LABELS: Record<string, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  full_name: 'Full name (split in two)',
  email: 'Email',
  phone: 'Phone',
  status: 'Status',
  source: 'Source',
  tags: 'Tags',
  lead_score: 'Lead score',
  timezone: 'Time zone',
  assigned_to: 'Owner (user id or email)',
  company: 'Company',
  title: 'Job title',
  external_id: 'External id',
};

export const METADATA_PREFIX = 'metadata.';

/** A column target for people: "Email", "Metadata: Budget", "Ignored". */
export function fieldLabel(field: string): string {
  if (!field) return 'Ignored';
  if (field.startsWith(METADATA_PREFIX)) return `Metadata: ${field.slice(METADATA_PREFIX.length)}`;
  return FIELD_LABELS[field] ?? field;
}

/** The metadata target of a column: the one the preview proposed, else the header as key. */
export function metadataTarget(column: ImportPreviewColumn): string {
  return column.field.startsWith(METADATA_PREFIX) ? column.field : `${METADATA_PREFIX}${column.header}`;
}

// --- the file ------------------------------------------------------------------------------

export type FileFormat = 'csv' | 'xlsx';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The format a file name says it has; null when it does not say (the server detects it). */
export function formatOfName(name: string): FileFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv';
  return null;
}

/** The upload's Content-Type: XLSX or CSV. */
export function contentTypeFor(file: { name: string; type?: string }): string {
  if (formatOfName(file.name) === 'xlsx' || file.type === XLSX_TYPE) return XLSX_TYPE;
  return 'text/csv';
}

/** "2.4 MB", "830 KB", "512 bytes". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Why a chosen file cannot be imported, or null when it can (the server has the last word). */
export function fileProblem(file: { name: string; size: number }): string | null {
  if (file.size === 0) return 'The file is empty.';
  if (/\.xls$/i.test(file.name)) return 'Old Excel files (.xls) cannot be read: save it as .xlsx or CSV first.';
  return null;
}

/** A CSV preview needs only the first rows: large files are cut at a line end past this size. */
export const PREVIEW_BYTES = 512 * 1024;

/**
 * What the preview uploads: the whole file, or for a large CSV its first PREVIEW_BYTES cut
 * after the last line end (the preview reads only the first rows).
 */
export async function previewBody(file: Blob & { name: string }): Promise<Blob> {
  if (file.size <= PREVIEW_BYTES || formatOfName(file.name) === 'xlsx') return file;
  const head = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  const end = head.lastIndexOf(0x0a);
  return end > 0 ? file.slice(0, end + 1) : file;
}

// --- options and mapping -------------------------------------------------------------------

export interface WizardOptions {
  dedupe: DedupePolicy;
  updateMode: UpdateMode;
  dnc: DncPolicy;
  unknownColumns: UnknownColumns;
  /** '' detects it. */
  delimiter: string;
  source: string;
  /** Comma-separated, as typed. */
  tags: string;
  ownerId: string;
}

export const DEFAULT_OPTIONS: WizardOptions = {
  dedupe: 'skip',
  updateMode: 'fill',
  dnc: 'flag',
  unknownColumns: 'metadata',
  delimiter: '',
  source: '',
  tags: '',
  ownerId: '',
};

export const DELIMITERS: { value: string; label: string }[] = [
  { value: '', label: 'Detect' },
  { value: ',', label: 'Comma (,)' },
  { value: ';', label: 'Semicolon (;)' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe (|)' },
];

export function splitTags(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split(',')) {
    const v = t.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/** The columns the user changed: header -> field ("" ignores it). */
export type MappingEdits = Record<string, string>;

/** The mapping shown: the preview's proposal with the user's changes on top. */
export function effectiveColumns(columns: ImportPreviewColumn[], edits: MappingEdits): ImportPreviewColumn[] {
  return columns.map((c) =>
    Object.prototype.hasOwnProperty.call(edits, c.header) ? { ...c, field: edits[c.header], guessed: false } : c,
  );
}

/**
 * Records a change of one column's target. A changed column stays explicit even when set back
 * to what was guessed: the server gives an explicit field precedence over a guess.
 */
export function editColumn(edits: MappingEdits, header: string, field: string): MappingEdits {
  return { ...edits, [header]: field };
}

/**
 * Fields that two or more columns were explicitly given: the server refuses those. (A field
 * chosen for one column and guessed for another goes to the chosen one; the server drops the
 * guess.)
 */
export function duplicateTargets(columns: ImportPreviewColumn[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const c of columns) {
    if (!c.field || c.guessed) continue;
    if (seen.has(c.field)) dup.add(c.field);
    seen.add(c.field);
  }
  return dup;
}

/**
 * The query string of POST /api/imports and /api/imports/preview. Only what differs from
 * "detect" is sent for the format and delimiter; the mapping carries the edited columns only
 * (the server applies it on top of its own proposal).
 */
export function importParams(
  file: { name: string },
  opts: WizardOptions,
  edits: MappingEdits = {},
): URLSearchParams {
  const p = new URLSearchParams();
  p.set('filename', file.name);
  const format = formatOfName(file.name);
  if (format) p.set('format', format);
  if (opts.delimiter && format !== 'xlsx') p.set('delimiter', opts.delimiter);
  p.set('dedupe', opts.dedupe);
  if (opts.dedupe === 'update') p.set('update_mode', opts.updateMode);
  p.set('dnc', opts.dnc);
  p.set('unknown_columns', opts.unknownColumns);
  const source = opts.source.trim();
  if (source) p.set('source', source);
  const tags = splitTags(opts.tags);
  if (tags.length) p.set('tags', tags.join(','));
  if (opts.ownerId) p.set('owner_id', opts.ownerId);
  if (Object.keys(edits).length) p.set('mapping', JSON.stringify(edits));
  return p;
}

/** Which form control a problem's field error belongs to. */
export const OPTION_FIELDS: Record<string, keyof WizardOptions> = {
  dedupe: 'dedupe',
  update_mode: 'updateMode',
  dnc: 'dnc',
  unknown_columns: 'unknownColumns',
  delimiter: 'delimiter',
  source: 'source',
  tags: 'tags',
  owner_id: 'ownerId',
};

/** The header a "mapping.<header>" field error is about, or null. */
export function mappingErrorHeader(field: string): string | null {
  return field.startsWith('mapping.') ? field.slice('mapping.'.length) : null;
}

// --- a sample of the file, for the mapping table -----------------------------------------

/** One record of a CSV text and the line it starts on (1 = the header). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Parses the first records of a CSV text (RFC 4180: quotes, doubled quotes, line breaks inside
 * quotes), with the line each starts on. The last record is dropped when the text may have
 * been cut inside it.
 */
export function parseCsvRecords(text: string, delimiter: string, maxRows = 6, cut = false): CsvRecord[] {
  const rows: CsvRecord[] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const d = delimiter || ',';
  for (; i < text.length && rows.length < maxRows; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === d) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push({ line: start, cells: row });
      line++;
      start = line;
      row = [];
      cell = '';
    } else cell += c;
  }
  if (rows.length < maxRows && !cut && (cell !== '' || row.length)) {
    row.push(cell);
    rows.push({ line: start, cells: row });
  }
  return rows;
}

/** The cells of the first records of a CSV text (see parseCsvRecords). */
export function parseCsvSample(text: string, delimiter: string, maxRows = 6, cut = false): string[][] {
  return parseCsvRecords(text, delimiter, maxRows, cut).map((r) => r.cells);
}

/** Guesses the delimiter of a CSV header line: the most frequent of , ; tab |. */
export function guessDelimiter(headerLine: string): string {
  let best = ',';
  let count = 0;
  for (const d of [',', ';', '\t', '|']) {
    const n = headerLine.split(d).length - 1;
    if (n > count) {
      best = d;
      count = n;
    }
  }
  return best;
}

/** The first `n` records of a CSV file (the header is line 1), read from its first 64 KB. */
export async function csvHead(file: Blob, delimiter: string | null, n = 25): Promise<CsvRecord[]> {
  const bytes = 64 * 1024;
  const text = await file.slice(0, bytes).text();
  const d = delimiter || guessDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
  return parseCsvRecords(text, d, n + 1, file.size > bytes);
}

/** Up to `n` non-empty sample cells per column (by position), from the file's first records. */
export function columnSamples(records: CsvRecord[], n = 3): string[][] {
  if (!records.length) return [];
  return records[0].cells.map((_, col) =>
    records
      .slice(1)
      .map((r) => r.cells[col] ?? '')
      .filter((v) => v !== '')
      .slice(0, n),
  );
}

/** Up to `n` sample cells per column (by position) from a CSV file's first rows. */
export async function csvSamples(file: Blob, delimiter: string | null, n = 3): Promise<string[][] | null> {
  const records = await csvHead(file, delimiter, n);
  return records.length ? columnSamples(records, n) : null;
}

// --- outcomes and jobs ---------------------------------------------------------------------

// The server may name outcomes in more detail than ImportRowOutcome: unchanged (an update that
// would change nothing), skip_duplicate (a lead has the phone or email, or an earlier row
// updates that lead), skip_dnc (listed number, DNC policy skip), skip_in_file (an earlier row
// has it: duplicate_in_file) and failed (error).
export const OUTCOME_LABELS: Record<ImportRowOutcome | string, string> = {
  create: 'New lead',
  update: 'Updates a lead',
  unchanged: 'Lead already up to date',
  skip: 'Skipped',
  skip_duplicate: 'Skipped: already a lead',
  skip_dnc: 'Skipped: Do Not Call',
  duplicate_in_file: 'Duplicate in file',
  skip_in_file: 'Duplicate in file',
  error: 'Error',
  failed: 'Error',
};

export function outcomeLabel(o: string): string {
  return OUTCOME_LABELS[o] ?? o.replace(/_/g, ' ');
}

/** The badge tone of an outcome. */
export function outcomeTone(o: string): string {
  if (o === 'create') return 'badge-ok';
  if (o === 'update') return 'badge-info';
  if (o === 'error' || o === 'failed') return 'badge-danger';
  if (o === 'duplicate_in_file' || o === 'skip_in_file') return 'badge-warn';
  return 'badge-muted';
}

export const ACTIVE_STATUSES: readonly ImportStatus[] = ['queued', 'running'];

export function isActive(job: Pick<ImportJob, 'status'>): boolean {
  return ACTIVE_STATUSES.includes(job.status);
}

export const STATUS_LABELS: Record<ImportStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The job's state for people, "Undone" once an undo went through. */
export function jobStateLabel(job: Pick<ImportJob, 'status' | 'undone_at'>): string {
  if (job.undone_at) return 'Undone';
  return STATUS_LABELS[job.status] ?? job.status;
}

/** Progress 0..1: the server's figure, else processed of total, 1 once completed. */
export function progressOf(job: Pick<ImportJob, 'status' | 'progress' | 'processed_rows' | 'total_rows'>): number {
  if (job.status === 'completed') return 1;
  let p = typeof job.progress === 'number' && Number.isFinite(job.progress) ? job.progress : NaN;
  if (Number.isNaN(p)) p = job.total_rows > 0 ? job.processed_rows / job.total_rows : 0;
  return Math.max(0, Math.min(1, p));
}

const int = new Intl.NumberFormat('en-US');

export function formatCount(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? int.format(n) : '—';
}

/** "12,400 rows/s", "3.5 rows/s", or '' when unknown. */
export function formatRate(r: number | null | undefined): string {
  if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) return '';
  return `${r >= 100 ? int.format(Math.round(r)) : r.toFixed(1).replace(/\.0$/, '')} rows/s`;
}

export const POLL_INTERVAL_MS = 500;
/** Consecutive failed polls before the poller gives up and reports the error. */
export const POLL_MAX_FAILURES = 5;

export interface PollerDeps {
  load: () => Promise<ImportJob>;
  onJob: (job: ImportJob) => void;
  /** A poll failed; `final` once the poller stopped trying. */
  onError: (error: unknown, final: boolean) => void;
  /** Errors not worth retrying (a missing job): reported as final at once. */
  fatal?: (error: unknown) => boolean;
  interval?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

/**
 * Reads the job, then again every `interval` ms while it is queued or running; stops on a
 * finished job, on stop(), or after POLL_MAX_FAILURES failures in a row (each failure waits
 * twice as long as the one before, up to 8 s). One request at a time: the next is scheduled
 * when the previous answered.
 */
export function createJobPoller(deps: PollerDeps) {
  const interval = deps.interval ?? POLL_INTERVAL_MS;
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  let timer: unknown = null;
  let stopped = false;
  let failures = 0;
  let running = false;

  const tick = async () => {
    timer = null;
    if (stopped) return;
    running = true;
    try {
      const job = await deps.load();
      running = false;
      if (stopped) return;
      failures = 0;
      deps.onJob(job);
      if (isActive(job)) timer = setTimer(tick, interval);
    } catch (e) {
      running = false;
      if (stopped) return;
      failures++;
      const final = failures >= POLL_MAX_FAILURES || !!deps.fatal?.(e);
      deps.onError(e, final);
      if (!final) timer = setTimer(tick, Math.min(8000, interval * 2 ** failures));
    }
  };

  return {
    /** Polls now (again, after a final failure or a finished job). */
    start() {
      stopped = false;
      failures = 0;
      if (timer !== null) clearTimer(timer);
      timer = null;
      if (!running) void tick();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
    get polling() {
      return !stopped && (timer !== null || running);
    },
  };
}

// --- problems ------------------------------------------------------------------------------

/**
 * A problem's field errors by where the wizard shows them: "mapping.<header>" next to that
 * column's select, option fields next to their control, the rest in the summary only.
 */
export function wizardFieldErrors(errors: { field: string; message: string }[]): {
  columns: Record<string, string>;
  options: Partial<Record<keyof WizardOptions, string>>;
  other: { field: string; message: string }[];
} {
  const columns: Record<string, string> = {};
  const options: Partial<Record<keyof WizardOptions, string>> = {};
  const other: { field: string; message: string }[] = [];
  const add = (o: Record<string, string | undefined>, k: string, m: string) => {
    o[k] = o[k] ? `${o[k]}; ${m}` : m;
  };
  for (const e of errors) {
    const header = mappingErrorHeader(e.field);
    if (header !== null) {
      add(columns, header, e.message);
      continue;
    }
    const key = Object.keys(OPTION_FIELDS).find(
      (k) => e.field === k || e.field.startsWith(`${k}[`) || e.field.startsWith(`${k}.`),
    );
    if (key) add(options, OPTION_FIELDS[key], e.message);
    else other.push(e);
  }
  return { columns, options, other };
}
