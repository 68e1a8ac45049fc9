// The Leadline HTTP API, typed. Every failure is an ApiError built from the server's
// application/problem+json body (or a stand-in for network failures), so pages handle one
// error type only.

export const LEAD_STATUSES = [
  'new',
  'contacted',
  'qualified',
  'nurturing',
  'appointment_set',
  'converted',
  'lost',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export type Role = 'admin' | 'manager' | 'agent';

export interface User {
  id: string;
  organization_id: string;
  email: string;
  name: string;
  role: Role;
  is_active: boolean;
  created_at: string;
  last_login_at?: string;
}

export interface Organization {
  id: string;
  name: string;
  default_region: string;
  currency: string;
  timezone: string;
  created_at: string;
}

export interface Me {
  user: User;
  organization: Organization;
  auth: 'session' | 'api_key';
}

export interface LoginResponse {
  token: string;
  expires_at: string;
  user: User;
}

export interface Lead {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  status: LeadStatus;
  source: string | null;
  tags: string[];
  lead_score: number;
  assigned_to: string | null;
  timezone: string | null;
  company?: string | null;
  title?: string | null;
  metadata?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  version: number;
  deleted_at?: string;
  status_changed_at?: string;
  last_contacted_at?: string | null;
  merged_into?: string;
}

/** The writable fields of a lead (POST and PATCH bodies). */
export interface LeadInput {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  status?: LeadStatus;
  source?: string | null;
  tags?: string[];
  lead_score?: number | null;
  assigned_to?: string | null;
  timezone?: string | null;
  company?: string | null;
  title?: string | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface AuditEntry {
  id?: string;
  action: string;
  changes: Record<string, { old: unknown; new: unknown }>;
  actor_id: string | null;
  at: string;
}

export interface StatusChange {
  id: string;
  from: LeadStatus | null;
  to: LeadStatus;
  at: string;
  triggered_by: string;
  changed_by?: string | null;
  time_in_previous_status?: string | null;
}

export interface ComplianceLogEntry {
  id: string;
  lead_id: string;
  channel: string;
  phone?: string;
  decision: 'allowed' | 'blocked' | string;
  reasons: string[];
  details: Record<string, unknown>;
  actor_id?: string;
  decided_at: string;
}

export interface TagCount {
  tag: string;
  count: number;
}

export type BulkOperation =
  | { set_status: LeadStatus }
  | { add_tags: string[] }
  | { remove_tags: string[] }
  | { assign: string | null }
  | { delete: true };

export type BulkFilter = Record<string, string | number | string[]>;

export type BulkRequest = ({ ids: string[] } | { filter: BulkFilter }) & { operation: BulkOperation };

export interface BulkResult {
  matched: number;
  updated: number;
  skipped: number;
  not_found: number;
  skipped_reasons: Record<string, number>;
}

export interface DncEntry {
  id: string;
  phone: string;
  reason?: string;
  source: string;
  added_by?: string;
  created_at: string;
  expires_at?: string;
  active: boolean;
  removed_at?: string;
  removed_by?: string;
  removal_reason?: string;
}

export interface DncCheck {
  phone: string;
  on_dnc: boolean;
  sources: string[];
  error?: string;
}

export interface DncReviewItem {
  id: string;
  phone: string;
  lead_id?: string;
  interaction_id?: string;
  excerpt: string;
  matched: string;
  confidence: number;
  status: string;
  created_at: string;
  decided_at?: string;
  decided_by?: string;
  dnc_entry_id?: string;
}

export interface CallStarted {
  id: string;
  lead_id: string;
  phone: string;
  decision: 'allowed';
  checked: unknown;
  warnings: string[];
  compliance_log_id: string;
  decided_at: string;
}

// --- imports -------------------------------------------------------------------------------

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type DedupePolicy = 'skip' | 'update' | 'create';
export type UpdateMode = 'fill' | 'overwrite';
export type DncPolicy = 'flag' | 'skip';
export type UnknownColumns = 'metadata' | 'ignore';

export interface ImportJobOptions {
  dedupe: DedupePolicy;
  update_mode: UpdateMode;
  dnc: DncPolicy;
  source: string | null;
  tags: string[] | string | null;
  owner_id: string | null;
  mapping: Record<string, string | null> | string | null;
  unknown_columns: UnknownColumns;
}

export interface ImportJob {
  id: string;
  kind: 'csv' | 'xlsx' | 'hubspot' | 'salesforce' | string;
  status: ImportStatus;
  /** While running: "read" (reading and checking rows), then "apply" (saving leads). */
  phase?: string;
  filename: string | null;
  options?: Partial<ImportJobOptions>;
  file_bytes?: number;
  total_rows: number;
  processed_rows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  dnc_flagged: number;
  progress: number;
  rows_per_second: number | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  undone_at: string | null;
  /** What the undo did, once undone. */
  undo?: { deleted?: number; restored?: number; kept?: number } | null;
  connector_id?: string | null;
}

export interface ImportPreviewColumn {
  header: string;
  /** A lead field, "metadata.<key>", or "" when the column is ignored. */
  field: string;
  guessed: boolean;
}

export type ImportRowOutcome = 'create' | 'update' | 'skip' | 'duplicate_in_file' | 'error';

export interface ImportPreviewRow {
  line: number;
  /** By field; metadata as "metadata.<key>". */
  values: Record<string, unknown>;
  errors: FieldError[];
  outcome: ImportRowOutcome | string;
  existing_id: string | null;
  /** duplicate_in_file: the earlier line with the same phone or email. */
  duplicate_of_line?: number | null;
  dnc: boolean;
}

export interface ImportPreview {
  format: 'csv' | 'xlsx' | string;
  delimiter: string | null;
  columns: ImportPreviewColumn[];
  fields: string[];
  rows: ImportPreviewRow[];
  total_rows_previewed: number;
}

export interface ImportUndoResult {
  job: ImportJob;
  deleted: number;
  restored: number;
  /** Leads changed since the import, left as they are. */
  kept?: number;
}

// --- CRM connectors ------------------------------------------------------------------------

export type ConnectorKind = 'hubspot' | 'salesforce';

/** A connector's most recent import job, in brief (the job itself has all of it). */
export interface ConnectorSyncSummary {
  job_id: string;
  status: ImportStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  /** Where the next incremental sync starts (RFC 3339), once a sync has completed. */
  source_cursor: string | null;
  total_rows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

/** CRM property -> import target; null or "" drops the property. */
export type FieldMappingOverrides = Record<string, string | null>;

export interface Connector {
  id: string;
  kind: ConnectorKind;
  name: string;
  base_url: string;
  field_mapping: FieldMappingOverrides;
  /** The defaults with the overrides applied, in priority order. */
  effective_field_mapping: { property: string; target: string }[];
  /** The token is write-only: this says whether one is stored. */
  has_credentials: boolean;
  /** Which credentials are stored: a bearer token or a Salesforce refresh token; null: none. */
  credentials: 'token' | 'refresh_token' | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  /** Syncs by itself every this many minutes (15 to 10080); null: only when asked. */
  sync_every_minutes: number | null;
  /** When the next scheduled sync is due (now when overdue); null without a schedule. */
  next_sync_at: string | null;
  /** What its scheduled syncs run with, and a sync request's starting point. */
  sync_options: ConnectorSyncOptions;
  last_sync: ConnectorSyncSummary | null;
}

/** A connector's stored sync options: every member, owner_id null when none. */
export interface ConnectorSyncOptions {
  dedupe: DedupePolicy;
  update_mode: UpdateMode;
  dnc: DncPolicy;
  tags: string[];
  owner_id: string | null;
}

export interface ConnectorInput {
  kind: ConnectorKind;
  name: string;
  base_url?: string | null;
  /** A bearer token, or for Salesforce `oauth`: a connected app's refresh token. */
  token?: string;
  oauth?: { client_id: string; client_secret: string; refresh_token: string };
  field_mapping?: FieldMappingOverrides;
  sync_every_minutes?: number | null;
  sync_options?: Partial<ConnectorSyncOptions>;
}

export interface ConnectorPatch {
  name?: string;
  base_url?: string | null;
  token?: string;
  oauth?: { client_id: string; client_secret: string; refresh_token: string };
  field_mapping?: FieldMappingOverrides | null;
  sync_every_minutes?: number | null;
  /** The members given change, the others stay; null: back to the defaults. */
  sync_options?: Partial<ConnectorSyncOptions> | null;
}

/** The members it names override the connector's sync_options for this sync. */
export interface ConnectorSyncRequest extends Partial<ConnectorSyncOptions> {
  full?: boolean;
}

// --- consent and merge -----------------------------------------------------------------------

export const CONSENT_CHANNELS = ['call', 'sms', 'email'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONSENT_METHODS = ['web_form', 'recording', 'keypress', 'written', 'verbal'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];
export type RevocationScope = ConsentChannel | 'all';

export interface Consent {
  id: string;
  lead_id: string;
  channel: ConsentChannel;
  disclosure_text: string;
  method: ConsentMethod | string;
  captured_at: string;
  source_ip?: string | null;
  evidence_url?: string | null;
  recorded_by?: string | null;
  created_at: string;
}

export interface ConsentRevocation {
  id: string;
  lead_id: string;
  scope: RevocationScope;
  reason?: string | null;
  method?: string | null;
  revoked_at: string;
  source_ip?: string | null;
  recorded_by?: string | null;
  created_at: string;
}

export interface ConsentList {
  data: Consent[];
  revocations: ConsentRevocation[];
  next_cursor: string | null;
}

export interface ConsentInput {
  channel: ConsentChannel;
  disclosure_text: string;
  method: ConsentMethod;
  captured_at?: string;
  source_ip?: string;
  evidence_url?: string;
}

export interface RevocationInput {
  scope: RevocationScope;
  reason?: string;
  method?: string;
  revoked_at?: string;
  source_ip?: string;
}

export interface MergeResult {
  lead: Lead;
  merged_from: string;
  moved: { fields: string[]; tags: string[]; enrollments: number; enrollments_cancelled: number };
}

export interface FieldError {
  field: string;
  message: string;
}

/** A problem+json error (RFC 9457) as the API reports it. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  /** Members beyond the standard ones, e.g. existing_id, reasons, lead_id. */
  readonly extra: Record<string, unknown>;

  constructor(init: {
    status: number;
    type?: string;
    title?: string;
    detail?: string;
    errors?: FieldError[];
    extra?: Record<string, unknown>;
  }) {
    const title = init.title ?? (init.status ? `HTTP ${init.status}` : 'Network error');
    super(init.detail || title);
    this.name = 'ApiError';
    this.status = init.status;
    this.type = init.type ?? 'about:blank';
    this.title = title;
    this.detail = init.detail ?? '';
    this.errors = init.errors ?? [];
    this.extra = init.extra ?? {};
  }

  /** The last path segment of the problem type: "dnc", "calling-hours", "validation-failed". */
  get kind(): string {
    const t = this.type.replace(/\/+$/, '');
    const i = t.lastIndexOf('/');
    return i >= 0 ? t.slice(i + 1) : t;
  }

  /** Field errors keyed by field name; several messages for one field are joined. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const key = e.field || '';
      out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
    }
    return out;
  }

  /** A one-line message for people: the detail, else the title. */
  get summary(): string {
    return this.detail || this.title;
  }
}

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'errors']);

/** Builds the ApiError of an HTTP response's status, content type and body text. */
export function problemFromResponse(status: number, contentType: string | null, body: string): ApiError {
  let parsed: unknown = undefined;
  if (body && /json/i.test(contentType ?? '')) {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const p = parsed as Record<string, unknown>;
    const errors: FieldError[] = Array.isArray(p.errors)
      ? p.errors
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
      : [];
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) if (!STANDARD_MEMBERS.has(k)) extra[k] = v;
    return new ApiError({
      status: typeof p.status === 'number' ? p.status : status,
      type: typeof p.type === 'string' ? p.type : undefined,
      title: typeof p.title === 'string' ? p.title : undefined,
      detail: typeof p.detail === 'string' ? p.detail : undefined,
      errors,
      extra,
    });
  }
  return new ApiError({
    status,
    title: `HTTP ${status}`,
    detail: body && body.length < 300 && !/^\s*</.test(body) ? body.trim() : '',
  });
}

export interface ClientOptions {
  baseUrl?: string;
  getToken: () => string | null;
  /** Called on any 401 except a failed login. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

type Query = URLSearchParams | Record<string, string | number | boolean | null | undefined>;

function queryString(q?: Query): string {
  if (!q) return '';
  const p =
    q instanceof URLSearchParams
      ? q
      : new URLSearchParams(
          Object.entries(q)
            .filter(([, v]) => v !== undefined && v !== null && v !== '')
            .map(([k, v]) => [k, String(v)]),
        );
  const s = p.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  /** A request body sent as is (a file upload), with its content type. */
  upload?: { body: Blob; contentType: string };
  headers?: Record<string, string>;
  /** A 401 here is an answer, not an expired session (login). */
  allow401?: boolean;
}

export function createClient(opts: ClientOptions) {
  const base = (opts.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));

  async function raw(path: string, ro: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...ro.headers };
    const token = opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | Blob | undefined;
    if (ro.upload) {
      headers['Content-Type'] = ro.upload.contentType;
      body = ro.upload.body;
    } else if (ro.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(ro.body);
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}${queryString(ro.query)}`, {
        method: ro.method ?? 'GET',
        headers,
        body,
      });
    } catch (e) {
      throw new ApiError({
        status: 0,
        type: 'network',
        title: 'Network error',
        detail: 'The server could not be reached. Check your connection and try again.',
      });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      const err = problemFromResponse(res.status, res.headers.get('Content-Type'), text);
      if (res.status === 401 && !ro.allow401) opts.onUnauthorized?.();
      throw err;
    }
    return res;
  }

  async function json<T>(path: string, ro: RequestOptions = {}): Promise<T> {
    const res = await raw(path, ro);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const enc = encodeURIComponent;

  return {
    raw,
    json,

    // --- session ---
    login: (email: string, password: string) =>
      json<LoginResponse>('/api/auth/login', { method: 'POST', body: { email, password }, allow401: true }),
    logout: () => json<void>('/api/auth/logout', { method: 'POST', allow401: true }),
    me: () => json<Me>('/api/me'),
    users: () => json<Page<User>>('/api/users'),
    openapi: () => json<{ paths: Record<string, unknown> }>('/api/openapi.json'),

    // --- leads ---
    listLeads: (params: URLSearchParams) => json<Page<Lead>>('/api/leads', { query: params }),
    getLead: (id: string) => json<Lead>(`/api/leads/${enc(id)}`),
    createLead: (input: LeadInput) => json<Lead>('/api/leads', { method: 'POST', body: input }),
    updateLead: (id: string, patch: LeadInput, version?: number) =>
      json<Lead>(`/api/leads/${enc(id)}`, {
        method: 'PATCH',
        body: patch,
        headers: version !== undefined ? { 'If-Match': `"${version}"` } : undefined,
      }),
    deleteLead: (id: string, version?: number) =>
      json<void>(`/api/leads/${enc(id)}`, {
        method: 'DELETE',
        headers: version !== undefined ? { 'If-Match': `"${version}"` } : undefined,
      }),
    restoreLead: (id: string) => json<Lead>(`/api/leads/${enc(id)}/restore`, { method: 'POST' }),
    changeTags: (id: string, add: string[], remove: string[]) =>
      json<Lead>(`/api/leads/${enc(id)}/tags`, {
        method: 'POST',
        body: { ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) },
      }),
    leadHistory: (id: string, cursor?: string) =>
      json<Page<AuditEntry>>(`/api/leads/${enc(id)}/history`, { query: { cursor, limit: 50 } }),
    leadStatusHistory: (id: string, cursor?: string) =>
      json<Page<StatusChange>>(`/api/leads/${enc(id)}/status-history`, { query: { cursor, limit: 50 } }),
    complianceLog: (id: string, cursor?: string) =>
      json<Page<ComplianceLogEntry>>(`/api/leads/${enc(id)}/compliance-log`, { query: { cursor, limit: 50 } }),
    tags: () => json<Page<TagCount>>('/api/tags', { query: { limit: 500 } }),
    bulk: (req: BulkRequest) => json<BulkResult>('/api/leads/bulk', { method: 'POST', body: req }),
    exportCsv: async (params: URLSearchParams): Promise<Blob> => {
      const res = await raw('/api/leads/export.csv', { query: params, headers: { Accept: 'text/csv' } });
      return res.blob();
    },

    // --- do-not-call ---
    dncList: (q: { phone?: string; includeAll?: boolean; cursor?: string; limit?: number } = {}) =>
      json<Page<DncEntry>>('/api/dnc', {
        query: { phone: q.phone, include: q.includeAll ? 'all' : undefined, cursor: q.cursor, limit: q.limit },
      }),
    dncAdd: (entry: { phone: string; reason?: string; source?: string; expires_at?: string }) =>
      json<DncEntry>('/api/dnc', { method: 'POST', body: entry }),
    dncRemove: (id: string) => json<void>(`/api/dnc/${enc(id)}`, { method: 'DELETE' }),
    dncCheck: (phone: string) => json<DncCheck>('/api/dnc/check', { query: { phone } }),
    dncCheckBatch: (phones: string[]) =>
      json<{ results: DncCheck[] }>('/api/dnc/check', { method: 'POST', body: { phones } }),
    dncReview: (status = 'pending', cursor?: string) =>
      json<Page<DncReviewItem>>('/api/dnc/review', { query: { status, cursor } }),
    dncReviewDecide: (id: string, accept: boolean) =>
      json<DncReviewItem>(`/api/dnc/review/${enc(id)}/${accept ? 'accept' : 'dismiss'}`, { method: 'POST' }),

    // --- calls ---
    startCall: (leadId: string) => json<CallStarted>('/api/calls', { method: 'POST', body: { lead_id: leadId } }),

    // --- consent and merge ---
    consents: (leadId: string) => json<ConsentList>(`/api/leads/${enc(leadId)}/consents`),
    addConsent: (leadId: string, input: ConsentInput) =>
      json<Consent>(`/api/leads/${enc(leadId)}/consents`, { method: 'POST', body: input }),
    revokeConsent: (leadId: string, input: RevocationInput) =>
      json<ConsentRevocation>(`/api/leads/${enc(leadId)}/consents/revoke`, { method: 'POST', body: input }),
    /** Merges `otherId` into `survivorId`; with the survivor's version, a stale one is 412. */
    mergeLeads: (survivorId: string, otherId: string, version?: number) =>
      json<MergeResult>(`/api/leads/${enc(survivorId)}/merge`, {
        method: 'POST',
        body: { other_id: otherId },
        headers: version !== undefined ? { 'If-Match': `"${version}"` } : undefined,
      }),

    // --- imports ---
    previewImport: async (file: Blob, contentType: string, params: URLSearchParams) =>
      normalizePreview(
        await json<unknown>('/api/imports/preview', { method: 'POST', query: params, upload: { body: file, contentType } }),
      ),
    startImport: (file: Blob, contentType: string, params: URLSearchParams) =>
      json<ImportJob>('/api/imports', { method: 'POST', query: params, upload: { body: file, contentType } }),
    imports: async (cursor?: string, limit = 20): Promise<Page<ImportJob>> => {
      const p = await json<Page<ImportJob>>('/api/imports', { query: { limit, cursor } });
      return { data: p.data ?? [], next_cursor: p.next_cursor ?? null };
    },
    importJob: (id: string) => json<ImportJob>(`/api/imports/${enc(id)}`),
    cancelImport: (id: string) => json<ImportJob>(`/api/imports/${enc(id)}/cancel`, { method: 'POST' }),
    undoImport: (id: string) => json<ImportUndoResult>(`/api/imports/${enc(id)}/undo`, { method: 'POST' }),
    importErrorsCsv: async (id: string): Promise<Blob> => {
      const res = await raw(`/api/imports/${enc(id)}/errors.csv`, { headers: { Accept: 'text/csv' } });
      return res.blob();
    },

    // --- CRM connectors ---
    connectors: async (cursor?: string, limit = 100): Promise<Page<Connector>> => {
      const p = await json<Page<Connector>>('/api/connectors', { query: { limit, cursor } });
      return { data: p.data ?? [], next_cursor: p.next_cursor ?? null };
    },
    connector: (id: string) => json<Connector>(`/api/connectors/${enc(id)}`),
    createConnector: (input: ConnectorInput) => json<Connector>('/api/connectors', { method: 'POST', body: input }),
    updateConnector: (id: string, patch: ConnectorPatch) =>
      json<Connector>(`/api/connectors/${enc(id)}`, { method: 'PATCH', body: patch }),
    deleteConnector: (id: string) => json<void>(`/api/connectors/${enc(id)}`, { method: 'DELETE' }),
    /** Queues a sync; the answer is its import job (202). */
    syncConnector: (id: string, req: ConnectorSyncRequest = {}) =>
      json<ImportJob>(`/api/connectors/${enc(id)}/sync`, { method: 'POST', body: req }),
  };
}

export type ApiClient = ReturnType<typeof createClient>;

const DELIMITER_NAMES: Record<string, string> = { tab: '\t', comma: ',', semicolon: ';', pipe: '|' };

/**
 * The preview as the wizard uses it: an ignored column's field is "" (the server may say
 * null), a tab delimiter is "\t" (it may say "tab"), row errors always have a field, and a
 * row's metadata object is spread into "metadata.<key>" values like the columns name them.
 */
export function normalizePreview(raw: unknown): ImportPreview {
  const p = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const columns = Array.isArray(p.columns) ? p.columns : [];
  const rows = Array.isArray(p.rows) ? p.rows : [];
  const delimiter = typeof p.delimiter === 'string' ? (DELIMITER_NAMES[p.delimiter] ?? p.delimiter) : null;
  return {
    format: str(p.format) || 'csv',
    delimiter,
    columns: columns.map((c: Record<string, unknown>) => ({
      header: str(c?.header),
      field: str(c?.field),
      guessed: c?.guessed !== false,
    })),
    fields: Array.isArray(p.fields) ? p.fields.map(str) : [],
    rows: rows.map((r: Record<string, unknown>) => {
      const values: Record<string, unknown> = {};
      const v = (r?.values && typeof r.values === 'object' ? r.values : {}) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) {
        if (k === 'metadata' && x && typeof x === 'object' && !Array.isArray(x)) {
          for (const [mk, mv] of Object.entries(x as Record<string, unknown>)) values[`metadata.${mk}`] = mv;
        } else values[k] = x;
      }
      const errors = Array.isArray(r?.errors) ? r.errors : [];
      return {
        line: Number(r?.line),
        values,
        errors: errors.map((e: Record<string, unknown>) => ({ field: str(e?.field), message: str(e?.message) })),
        outcome: str(r?.outcome),
        existing_id: typeof r?.existing_id === 'string' ? r.existing_id : null,
        duplicate_of_line: typeof r?.duplicate_of_line === 'number' ? r.duplicate_of_line : null,
        dnc: r?.dnc === true,
      };
    }),
    total_rows_previewed: typeof p.total_rows_previewed === 'number' ? p.total_rows_previewed : rows.length,
  };
}

/** Display name of a lead: its name, else email, else phone. */
export function leadName(l: Pick<Lead, 'first_name' | 'last_name' | 'email' | 'phone'>): string {
  const name = [l.first_name, l.last_name].filter(Boolean).join(' ').trim();
  return name || l.email || l.phone || 'Unnamed lead';
}

export function statusLabel(s: string): string {
  const t = s.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/**
 * Splits a problem's field errors between the form's own fields ("tags[2]" and "tags.0"
 * count as "tags") and the rest, which a form shows in its summary.
 */
export function mapFieldErrors(
  err: ApiError,
  fields: readonly string[],
): { byField: Record<string, string>; other: FieldError[] } {
  const byField: Record<string, string> = {};
  const other: FieldError[] = [];
  for (const e of err.errors) {
    const f = fields.find((k) => e.field === k || e.field.startsWith(`${k}[`) || e.field.startsWith(`${k}.`));
    if (f) byField[f] = byField[f] ? `${byField[f]}; ${e.message}` : e.message;
    else other.push(e);
  }
  return { byField, other };
}
