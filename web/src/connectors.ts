// The CRM connector screens' logic, kept out of the components so it can be tested alone: the
// two CRMs' particulars, the editable rows of a field mapping, the form checks made before a
// request, and how a connector's last sync is described.
import type {
  ApiError,
  ConnectorKind,
  ConnectorSyncOptions,
  ConnectorSyncSummary,
  DedupePolicy,
  DncPolicy,
  FieldMappingOverrides,
  UpdateMode,
  User,
} from './api';
import { IMPORT_FIELDS, fieldLabel, splitTags } from './imports';

export interface KindInfo {
  label: string;
  /** What the CRM calls the records a sync brings in. */
  records: string;
  tokenLabel: string;
  tokenHint: string;
  baseUrlHint: string;
  baseUrlRequired: boolean;
  propertyExample: string;
}

export const CONNECTOR_KINDS: Record<ConnectorKind, KindInfo> = {
  hubspot: {
    label: 'HubSpot',
    records: 'contacts',
    tokenLabel: 'Private app access token',
    tokenHint: 'From a HubSpot private app with the crm.objects.contacts.read scope.',
    baseUrlHint: 'Leave empty for HubSpot’s own API.',
    baseUrlRequired: false,
    propertyExample: 'hs_lead_status',
  },
  salesforce: {
    label: 'Salesforce',
    records: 'leads',
    tokenLabel: 'Access token',
    tokenHint: 'A Salesforce access token (session id). Tokens expire: set a new one here when a sync says so.',
    baseUrlHint: 'Your org’s instance URL, e.g. https://yourdomain.my.salesforce.com',
    baseUrlRequired: true,
    propertyExample: 'LeadSource',
  },
};

export function kindLabel(kind: string): string {
  return CONNECTOR_KINDS[kind as ConnectorKind]?.label ?? kind;
}

/** Import targets a CRM property can feed; external_id is filled by the connector itself. */
export const MAPPING_TARGETS: readonly string[] = IMPORT_FIELDS.filter((f) => f !== 'external_id');

export const METADATA = 'metadata.';

// --- field mapping overrides ---------------------------------------------------------------

/** One editable override: a CRM property and its target ("" drops the property). */
export interface MappingRow {
  property: string;
  target: string;
}

export function mappingRows(overrides: FieldMappingOverrides | null | undefined): MappingRow[] {
  return Object.entries(overrides ?? {}).map(([property, target]) => ({ property, target: target ?? '' }));
}

export interface MappingResult {
  mapping: FieldMappingOverrides;
  /** By row index: what is wrong with that row. */
  errors: Record<number, string>;
}

/**
 * The overrides object of the rows, checked the way the server checks them where that can be
 * done here: a property is named, and named once. Rows with neither property nor target are
 * left out (an added row not filled in).
 */
export function mappingFromRows(rows: MappingRow[]): MappingResult {
  const mapping: FieldMappingOverrides = {};
  const errors: Record<number, string> = {};
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const property = row.property.trim();
    const target = row.target.trim();
    if (!property && !target) return;
    if (!property) {
      errors[i] = 'Name the CRM property.';
      return;
    }
    if (target === METADATA) {
      errors[i] = 'Name the metadata key.';
      return;
    }
    const key = property.toLowerCase();
    if (seen.has(key)) {
      errors[i] = `${property} is mapped twice (row ${(seen.get(key) ?? 0) + 1}).`;
      return;
    }
    seen.set(key, i);
    mapping[property] = target === '' ? null : target;
  });
  return { mapping, errors };
}

/** A target for people: "Email", "Metadata: color", or "Not imported". */
export function targetLabel(target: string | null): string {
  return target ? fieldLabel(target) : 'Not imported';
}

/**
 * The server's "field_mapping.<property>" errors by row index, matched without regard to case
 * (Salesforce names are case-insensitive); errors naming no row come back under -1.
 */
export function mappingErrorsByRow(err: ApiError, rows: MappingRow[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const e of err.errors) {
    if (e.field !== 'field_mapping' && !e.field.startsWith('field_mapping.')) continue;
    const property = e.field.slice('field_mapping.'.length).toLowerCase();
    const i = property ? rows.findIndex((r) => r.property.trim().toLowerCase() === property) : -1;
    out[i] = out[i] ? `${out[i]}; ${e.message}` : e.message;
  }
  return out;
}

// --- schedules -----------------------------------------------------------------------------

/** The schedules the form offers, in minutes ("" = only when asked). */
export const SCHEDULE_CHOICES: readonly { minutes: number | null; label: string }[] = [
  { minutes: null, label: 'Only when asked' },
  { minutes: 15, label: 'Every 15 minutes' },
  { minutes: 60, label: 'Every hour' },
  { minutes: 360, label: 'Every 6 hours' },
  { minutes: 1440, label: 'Every day' },
  { minutes: 10080, label: 'Every week' },
];

/** "Every hour", "Every 90 minutes", "Every 2 days", or "Only when asked". */
export function scheduleLabel(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return 'Only when asked';
  const known = SCHEDULE_CHOICES.find((c) => c.minutes === minutes);
  if (known) return known.label;
  if (minutes % 1440 === 0) return `Every ${minutes / 1440} days`;
  if (minutes % 60 === 0) return `Every ${minutes / 60} hours`;
  return `Every ${minutes} minutes`;
}

// --- sync options ----------------------------------------------------------------------------

/** What a connector syncs with until it is given other options (the server's defaults). */
export const DEFAULT_SYNC_OPTIONS: ConnectorSyncOptions = {
  dedupe: 'update',
  update_mode: 'overwrite',
  dnc: 'flag',
  tags: [],
  owner_id: null,
};

/** The sync options as the form edits them: tags as typed, owner "" for nobody. */
export interface SyncOptionsForm {
  dedupe: DedupePolicy;
  updateMode: UpdateMode;
  dnc: DncPolicy;
  tags: string;
  owner: string;
}

export function syncOptionsForm(o: ConnectorSyncOptions = DEFAULT_SYNC_OPTIONS): SyncOptionsForm {
  return { dedupe: o.dedupe, updateMode: o.update_mode, dnc: o.dnc, tags: o.tags.join(', '), owner: o.owner_id ?? '' };
}

/** Every member, as the API takes and shows them. */
export function syncOptionsOf(f: SyncOptionsForm): ConnectorSyncOptions {
  return { dedupe: f.dedupe, update_mode: f.updateMode, dnc: f.dnc, tags: splitTags(f.tags), owner_id: f.owner || null };
}

/** Whether the form says what `stored` says (the update mode counts only when updating). */
export function sameSyncOptions(f: SyncOptionsForm, stored: ConnectorSyncOptions): boolean {
  const a = syncOptionsOf(f);
  return (
    a.dedupe === stored.dedupe &&
    (a.dedupe !== 'update' || a.update_mode === stored.update_mode) &&
    a.dnc === stored.dnc &&
    a.owner_id === stored.owner_id &&
    a.tags.length === stored.tags.length &&
    a.tags.every((t, i) => t === stored.tags[i])
  );
}

const SYNC_OPTION_FIELDS = ['dedupe', 'update_mode', 'dnc', 'tags', 'owner_id'] as const;

/**
 * A 422's errors on sync options by member name, whether the request named them at the top
 * (a sync) or under "sync_options." (saving them); none when it names none of them.
 */
export function syncOptionErrors(err: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of err.errors) {
    const name = e.field.startsWith('sync_options.') ? e.field.slice('sync_options.'.length) : e.field;
    const member = SYNC_OPTION_FIELDS.find((f) => name === f || name.startsWith(`${f}[`));
    if (member) out[member] = out[member] ? `${out[member]}; ${e.message}` : e.message;
  }
  return out;
}

/** "Matching leads are updated (overwritten) · Do Not Call numbers flagged · tags: crm · owner: Ada". */
export function syncOptionsText(o: ConnectorSyncOptions, users: User[]): string {
  const dedupe =
    o.dedupe === 'update'
      ? o.update_mode === 'fill'
        ? 'matching leads get their empty fields filled'
        : 'matching leads are overwritten'
      : o.dedupe === 'skip'
        ? 'matching records are skipped'
        : 'matching records become new leads';
  const parts = [dedupe, o.dnc === 'skip' ? 'Do Not Call numbers skipped' : 'Do Not Call numbers flagged'];
  if (o.tags.length) parts.push(`tags: ${o.tags.join(', ')}`);
  if (o.owner_id) {
    const u = users.find((x) => x.id === o.owner_id);
    parts.push(`owner: ${u ? u.name || u.email : 'a user no longer listed'}`);
  }
  const text = parts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// --- the connector form --------------------------------------------------------------------

export interface ConnectorForm {
  kind: ConnectorKind;
  name: string;
  baseUrl: string;
  token: string;
  /** Salesforce: an access token, or a connected app's refresh token (the three fields below). */
  auth: 'token' | 'refresh_token';
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Minutes between scheduled syncs; null: only when asked. */
  every: number | null;
}

/** The credentials members of a create or PATCH body: token, oauth, or none (keep them). */
export function credentialsOf(form: ConnectorForm): {
  token?: string;
  oauth?: { client_id: string; client_secret: string; refresh_token: string };
} {
  if (form.kind === 'salesforce' && form.auth === 'refresh_token') {
    const oauth = {
      client_id: form.clientId.trim(),
      client_secret: form.clientSecret.trim(),
      refresh_token: form.refreshToken.trim(),
    };
    return Object.values(oauth).some(Boolean) ? { oauth } : {};
  }
  const token = form.token.trim();
  return token ? { token } : {};
}

const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Checks made before sending, by field. `creating`: a token is required (when editing, an
 * empty token keeps the stored one).
 */
export function connectorFormErrors(form: ConnectorForm, creating: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = 'Give the connector a name.';
  const url = form.baseUrl.trim();
  if (!url) {
    if (CONNECTOR_KINDS[form.kind].baseUrlRequired) errors.base_url = 'Salesforce needs your org’s instance URL.';
  } else if (!/^https?:\/\/[^\s/?#]+/i.test(url) || /[?#\s]/.test(url)) {
    errors.base_url = 'An http:// or https:// address without a query.';
  }
  if (form.kind === 'salesforce' && form.auth === 'refresh_token') {
    const parts: [string, string, string][] = [
      ['oauth.client_id', form.clientId.trim(), 'the consumer key'],
      ['oauth.client_secret', form.clientSecret.trim(), 'the consumer secret'],
      ['oauth.refresh_token', form.refreshToken.trim(), 'the refresh token'],
    ];
    // Editing: all three empty keep what is stored; any one given replaces all three.
    const given = parts.some(([, v]) => v);
    for (const [field, v, what] of parts) {
      if (!v && (creating || given)) errors[field] = `Enter ${what}.`;
      else if (v && !PRINTABLE.test(v)) errors[field] = 'Printable characters without spaces.';
    }
    return errors;
  }
  const token = form.token.trim();
  if (creating && !token) errors.token = 'The connector needs a token to reach the CRM.';
  else if (token && !PRINTABLE.test(token)) errors.token = 'A token is printable characters without spaces.';
  return errors;
}

// --- describing syncs ----------------------------------------------------------------------

/** "Never synced", or what the latest sync did. */
export function lastSyncText(sync: ConnectorSyncSummary | null): string {
  if (!sync) return 'Never synced';
  const counts = `${sync.created} created, ${sync.updated} updated, ${sync.skipped} skipped, ${sync.failed} failed`;
  switch (sync.status) {
    case 'queued':
      return 'Sync queued';
    case 'running':
      return 'Syncing…';
    case 'completed':
      return `${sync.total_rows} ${sync.total_rows === 1 ? 'record' : 'records'}: ${counts}`;
    case 'failed':
      return sync.error ? `Failed: ${sync.error}` : 'Failed';
    case 'cancelled':
      return 'Cancelled';
    default:
      return sync.status;
  }
}

/**
 * What the next sync will fetch. Only the latest sync is known here: when it did not complete,
 * the since-point is that of an earlier completed one, if any.
 */
export function nextSyncText(kind: ConnectorKind, sync: ConnectorSyncSummary | null, formatTime: (iso: string) => string): string {
  const records = CONNECTOR_KINDS[kind]?.records ?? 'records';
  if (!sync) return `The first sync fetches all ${records}.`;
  if (sync.status === 'completed' && sync.source_cursor) {
    return `The next sync fetches the ${records} changed since ${formatTime(sync.source_cursor)}.`;
  }
  return `The next sync fetches the ${records} changed since the last completed sync (all of them if none has completed).`;
}

/** A queued or running sync: the page keeps reading the connector while there is one. */
export function syncInProgress(sync: ConnectorSyncSummary | null): boolean {
  return !!sync && (sync.status === 'queued' || sync.status === 'running');
}
