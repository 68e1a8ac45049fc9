import { describe, expect, it } from 'vitest';
import { ApiError, type ConnectorSyncSummary } from './api';
import {
  MAPPING_TARGETS,
  connectorFormErrors,
  credentialsOf,
  lastSyncText,
  mappingErrorsByRow,
  mappingFromRows,
  mappingRows,
  nextSyncText,
  DEFAULT_SYNC_OPTIONS,
  sameSyncOptions,
  scheduleLabel,
  syncInProgress,
  syncOptionErrors,
  syncOptionsForm,
  syncOptionsOf,
  syncOptionsText,
  targetLabel,
} from './connectors';

const sync = (over: Partial<ConnectorSyncSummary> = {}): ConnectorSyncSummary => ({
  job_id: 'j1',
  status: 'completed',
  created_at: '2026-12-01T10:00:00Z',
  started_at: '2026-12-01T10:00:01Z',
  finished_at: '2026-12-01T10:00:09Z',
  error: null,
  source_cursor: '2026-12-01T09:55:01Z',
  total_rows: 120,
  created: 100,
  updated: 18,
  skipped: 1,
  failed: 1,
  ...over,
});

describe('mapping rows', () => {
  it('round-trips overrides, a dropped property as an empty target', () => {
    const rows = mappingRows({ hs_lead_status: 'status', mobilephone: null, favorite_color: 'metadata.color' });
    expect(rows).toEqual([
      { property: 'hs_lead_status', target: 'status' },
      { property: 'mobilephone', target: '' },
      { property: 'favorite_color', target: 'metadata.color' },
    ]);
    expect(mappingFromRows(rows)).toEqual({
      mapping: { hs_lead_status: 'status', mobilephone: null, favorite_color: 'metadata.color' },
      errors: {},
    });
  });

  it('trims, skips untouched rows and reports unnamed, half-named and repeated properties by row', () => {
    const r = mappingFromRows([
      { property: '  Score__c ', target: 'lead_score' },
      { property: '', target: '' },
      { property: '', target: 'email' },
      { property: 'score__c', target: 'metadata.score' },
      { property: 'Region__c', target: 'metadata.' },
    ]);
    expect(r.mapping).toEqual({ Score__c: 'lead_score' });
    expect(r.errors[1]).toBeUndefined();
    expect(r.errors[2]).toMatch(/Name the CRM property/);
    expect(r.errors[3]).toMatch(/mapped twice \(row 1\)/);
    expect(r.errors[4]).toMatch(/metadata key/);
  });

  it('offers every import target but external_id, which the connector fills', () => {
    expect(MAPPING_TARGETS).toContain('email');
    expect(MAPPING_TARGETS).toContain('full_name');
    expect(MAPPING_TARGETS).not.toContain('external_id');
    expect(targetLabel(null)).toBe('Not imported');
    expect(targetLabel('metadata.color')).toBe('Metadata: color');
  });

  it("places the server's field_mapping errors on their rows, ignoring case", () => {
    const err = new ApiError({
      status: 422,
      errors: [
        { field: 'field_mapping.Score__C', message: 'unknown target "score"' },
        { field: 'field_mapping', message: 'at most 100 properties' },
        { field: 'name', message: 'is required' },
      ],
    });
    const rows = [
      { property: 'Region__c', target: 'metadata.region' },
      { property: 'score__c', target: 'score' },
    ];
    expect(mappingErrorsByRow(err, rows)).toEqual({ 1: 'unknown target "score"', [-1]: 'at most 100 properties' });
  });
});

describe('connector form checks', () => {
  const form = {
    kind: 'hubspot' as const,
    name: 'HubSpot',
    baseUrl: '',
    token: 'pat-na1-abc',
    auth: 'token' as const,
    clientId: '',
    clientSecret: '',
    refreshToken: '',
    every: null,
  };

  it('accepts a HubSpot connector without an address', () => {
    expect(connectorFormErrors(form, true)).toEqual({});
  });

  it('wants a name, a token when creating, and an instance URL for Salesforce', () => {
    expect(connectorFormErrors({ ...form, name: ' ', token: '' }, true)).toEqual({
      name: expect.any(String),
      token: expect.any(String),
    });
    expect(connectorFormErrors({ ...form, token: '' }, false)).toEqual({});
    expect(connectorFormErrors({ ...form, kind: 'salesforce' }, true).base_url).toMatch(/instance URL/);
  });

  it('rejects addresses that are not http(s) or carry a query, and tokens with spaces', () => {
    expect(connectorFormErrors({ ...form, baseUrl: 'ftp://crm.example' }, true).base_url).toBeDefined();
    expect(connectorFormErrors({ ...form, baseUrl: 'https://crm.example/?x=1' }, true).base_url).toBeDefined();
    expect(connectorFormErrors({ ...form, baseUrl: 'http://127.0.0.1:8099' }, true)).toEqual({});
    expect(connectorFormErrors({ ...form, token: 'two words' }, true).token).toBeDefined();
    expect(connectorFormErrors({ ...form, token: 'tökén' }, true).token).toBeDefined();
  });
});

describe('Salesforce refresh tokens', () => {
  const sf = {
    kind: 'salesforce' as const,
    name: 'Salesforce',
    baseUrl: 'https://acme.my.salesforce.com',
    token: '',
    auth: 'refresh_token' as const,
    clientId: '3MVG9',
    clientSecret: 'secret',
    refreshToken: '5Aep',
    every: null,
  };

  it('sends the three as oauth, or nothing when editing leaves them empty', () => {
    expect(credentialsOf(sf)).toEqual({ oauth: { client_id: '3MVG9', client_secret: 'secret', refresh_token: '5Aep' } });
    expect(credentialsOf({ ...sf, clientId: '', clientSecret: '', refreshToken: '' })).toEqual({});
    expect(credentialsOf({ ...sf, auth: 'token', token: ' 00D!x ' })).toEqual({ token: '00D!x' });
  });

  it('wants all three when adding, or when any one is changed', () => {
    expect(connectorFormErrors(sf, true)).toEqual({});
    const none = { ...sf, clientId: '', clientSecret: '', refreshToken: '' };
    expect(Object.keys(connectorFormErrors(none, true)).sort()).toEqual([
      'oauth.client_id',
      'oauth.client_secret',
      'oauth.refresh_token',
    ]);
    expect(connectorFormErrors(none, false)).toEqual({});
    expect(Object.keys(connectorFormErrors({ ...none, refreshToken: 'new' }, false)).sort()).toEqual([
      'oauth.client_id',
      'oauth.client_secret',
    ]);
    expect(connectorFormErrors({ ...sf, clientSecret: 'has space' }, true)['oauth.client_secret']).toBeDefined();
  });
});

describe('describing syncs', () => {
  it('says what the latest sync did', () => {
    expect(lastSyncText(null)).toBe('Never synced');
    expect(lastSyncText(sync())).toBe('120 records: 100 created, 18 updated, 1 skipped, 1 failed');
    expect(lastSyncText(sync({ total_rows: 1 }))).toMatch(/^1 record:/);
    expect(lastSyncText(sync({ status: 'failed', error: 'credentials rejected by HubSpot (401)' }))).toBe(
      'Failed: credentials rejected by HubSpot (401)',
    );
    expect(lastSyncText(sync({ status: 'running' }))).toBe('Syncing…');
  });

  it('says what the next sync fetches: everything, the changes since the since-point, or since an earlier sync', () => {
    const t = (iso: string) => `<${iso}>`;
    expect(nextSyncText('hubspot', null, t)).toBe('The first sync fetches all contacts.');
    expect(nextSyncText('salesforce', sync(), t)).toBe(
      'The next sync fetches the leads changed since <2026-12-01T09:55:01Z>.',
    );
    expect(nextSyncText('hubspot', sync({ status: 'failed' }), t)).toMatch(/since the last completed sync/);
  });

  it('knows when a sync is under way', () => {
    expect(syncInProgress(null)).toBe(false);
    expect(syncInProgress(sync({ status: 'queued' }))).toBe(true);
    expect(syncInProgress(sync({ status: 'running' }))).toBe(true);
    expect(syncInProgress(sync())).toBe(false);
  });
});

describe('schedules', () => {
  it('names the offered schedules and any other number of minutes', () => {
    expect(scheduleLabel(null)).toBe('Only when asked');
    expect(scheduleLabel(60)).toBe('Every hour');
    expect(scheduleLabel(10080)).toBe('Every week');
    expect(scheduleLabel(2880)).toBe('Every 2 days');
    expect(scheduleLabel(120)).toBe('Every 2 hours');
    expect(scheduleLabel(90)).toBe('Every 90 minutes');
  });
});

describe('sync options', () => {
  const users = [
    { id: 'u2', organization_id: 'o1', email: 'sam@x', name: 'Sam', role: 'agent' as const, is_active: true, created_at: '' },
  ];

  it('round-trips through the form, tags as typed', () => {
    const stored = { dedupe: 'update' as const, update_mode: 'fill' as const, dnc: 'skip' as const, tags: ['crm', 'q4'], owner_id: 'u2' };
    const form = syncOptionsForm(stored);
    expect(form.tags).toBe('crm, q4');
    expect(syncOptionsOf(form)).toEqual(stored);
    expect(syncOptionsOf({ ...form, tags: ' crm ,, q4, crm ', owner: '' })).toEqual({ ...stored, owner_id: null });
    expect(syncOptionsOf(syncOptionsForm())).toEqual(DEFAULT_SYNC_OPTIONS);
  });

  it('compares with the stored options, the update mode only when updating', () => {
    const skip = { ...DEFAULT_SYNC_OPTIONS, dedupe: 'skip' as const };
    expect(sameSyncOptions({ ...syncOptionsForm(skip), updateMode: 'fill' }, skip)).toBe(true);
    expect(sameSyncOptions({ ...syncOptionsForm(), updateMode: 'fill' }, DEFAULT_SYNC_OPTIONS)).toBe(false);
    expect(sameSyncOptions({ ...syncOptionsForm(), tags: 'a' }, DEFAULT_SYNC_OPTIONS)).toBe(false);
    expect(sameSyncOptions({ ...syncOptionsForm(), owner: 'u2' }, DEFAULT_SYNC_OPTIONS)).toBe(false);
  });

  it('describes them', () => {
    expect(syncOptionsText(DEFAULT_SYNC_OPTIONS, users)).toBe('Matching leads are overwritten · Do Not Call numbers flagged');
    expect(
      syncOptionsText({ dedupe: 'update', update_mode: 'fill', dnc: 'skip', tags: ['crm'], owner_id: 'u2' }, users),
    ).toBe('Matching leads get their empty fields filled · Do Not Call numbers skipped · tags: crm · owner: Sam');
    expect(syncOptionsText({ ...DEFAULT_SYNC_OPTIONS, dedupe: 'create', owner_id: 'gone' }, users)).toBe(
      'Matching records become new leads · Do Not Call numbers flagged · owner: a user no longer listed',
    );
  });

  it('finds the server’s errors on options, at the top or under sync_options', () => {
    const err = new ApiError({
      status: 422,
      detail: 'validation failed',
      errors: [
        { field: 'owner_id', message: 'must be an active user of the organization' },
        { field: 'sync_options.tags', message: 'each tag must be 1 to 50 characters' },
        { field: 'name', message: 'is required' },
      ],
    });
    expect(syncOptionErrors(err)).toEqual({
      owner_id: 'must be an active user of the organization',
      tags: 'each tag must be 1 to 50 characters',
    });
  });
});
