// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Connector } from '../api';
import { appState, byLabel, button, click, flush, render, setValue, submit, type Rendered } from '../test/render';

const api = {
  connector: vi.fn(),
  connectors: vi.fn(),
  createConnector: vi.fn(),
  updateConnector: vi.fn(),
  deleteConnector: vi.fn(),
  syncConnector: vi.fn(),
};
vi.mock('../session', () => ({ api }));
const navigate = vi.fn();
vi.mock('../router', async (orig) => ({ ...(await orig<typeof import('../router')>()), navigate: (...a: unknown[]) => navigate(...a) }));

const { ConnectorPage } = await import('./ConnectorPage');
const { ConnectorsPage } = await import('./ConnectorsPage');

function connector(over: Partial<Connector> = {}): Connector {
  return {
    id: 'c1',
    kind: 'hubspot',
    name: 'HubSpot',
    base_url: 'https://api.hubapi.com',
    field_mapping: { hs_lead_status: 'status' },
    effective_field_mapping: [
      { property: 'firstname', target: 'first_name' },
      { property: 'hs_lead_status', target: 'status' },
    ],
    has_credentials: true,
    credentials: 'token',
    created_by: 'u1',
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    sync_every_minutes: null,
    next_sync_at: null,
    sync_options: { dedupe: 'update', update_mode: 'overwrite', dnc: 'flag', tags: [], owner_id: null },
    last_sync: null,
    ...over,
  };
}

let view: Rendered | null = null;
beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  navigate.mockReset();
});
afterEach(() => {
  view?.unmount();
  view = null;
});

describe('ConnectorPage', () => {
  it('lets a manager see the sync state and the mapping, not sync or change anything', async () => {
    api.connector.mockResolvedValue(connector());
    view = render(<ConnectorPage id="c1" />, appState('manager'));
    await flush();
    expect(view.host.textContent).toContain('The first sync fetches all contacts.');
    expect(view.host.textContent).toContain('hs_lead_status');
    expect(view.host.textContent).toContain('Only admins sync, change or delete connectors.');
    expect(() => button(view!.host, 'Sync now')).toThrow();
    expect(() => button(view!.host, 'Save settings')).toThrow();
  });

  it('sends the chosen sync options and opens the sync’s import', async () => {
    api.connector.mockResolvedValue(connector());
    api.syncConnector.mockResolvedValue({ id: 'job-9' });
    view = render(<ConnectorPage id="c1" />);
    await flush();
    setValue(byLabel<HTMLSelectElement>(view.host, 'A record matching a lead'), 'skip');
    setValue(byLabel(view.host, 'Tags for every lead (optional)'), 'crm, q4');
    await submit(view.host.querySelector<HTMLFormElement>('.sync-form')!);
    expect(api.syncConnector).toHaveBeenCalledWith('c1', {
      dedupe: 'skip',
      update_mode: 'overwrite',
      dnc: 'flag',
      tags: ['crm', 'q4'],
      owner_id: null,
    });
    expect(navigate).toHaveBeenCalledWith('/imports/job-9');
  });

  it('starts from the connector’s saved sync options and saves changed ones as its own', async () => {
    const stored = { dedupe: 'skip' as const, update_mode: 'overwrite' as const, dnc: 'skip' as const, tags: ['crm'], owner_id: 'u2' };
    api.connector.mockResolvedValue(connector({ sync_every_minutes: 60, sync_options: stored }));
    api.updateConnector.mockResolvedValue(
      connector({ sync_every_minutes: 60, sync_options: { ...stored, tags: ['crm', 'q4'] } }),
    );
    const app = appState();
    view = render(<ConnectorPage id="c1" />, app);
    await flush();
    const sync = view.host.querySelector<HTMLElement>('section[aria-labelledby="sync-title"]')!;
    expect(sync.textContent).toContain('Matching records are skipped · Do Not Call numbers skipped · tags: crm · owner: Sam Agent');
    expect(byLabel<HTMLSelectElement>(sync, 'A record matching a lead').value).toBe('skip');
    expect(byLabel<HTMLSelectElement>(sync, 'Owner of leads without one').value).toBe('u2');
    const save = button(sync, 'Save as the connector’s options');
    expect(save.disabled).toBe(true); // nothing changed yet
    setValue(byLabel(sync, 'Tags for every lead (optional)'), 'crm, q4');
    expect(save.disabled).toBe(false);
    expect(sync.textContent).toContain('Changed for this sync only');
    click(save);
    await flush();
    expect(api.updateConnector).toHaveBeenCalledWith('c1', {
      sync_options: { dedupe: 'skip', update_mode: 'overwrite', dnc: 'skip', tags: ['crm', 'q4'], owner_id: 'u2' },
    });
    expect(app.notify).toHaveBeenCalledWith('Sync options saved; scheduled syncs use them.', { tone: 'success' });
    expect(sync.textContent).toContain('tags: crm, q4');
    expect(button(sync, 'Save as the connector’s options').disabled).toBe(true);
  });

  it('puts the server’s error on a sync option next to it', async () => {
    api.connector.mockResolvedValue(connector());
    api.syncConnector.mockRejectedValue(
      new ApiError({ status: 422, detail: 'validation failed', errors: [{ field: 'owner_id', message: 'must be an active user of the organization' }] }),
    );
    view = render(<ConnectorPage id="c1" />);
    await flush();
    const sync = view.host.querySelector<HTMLElement>('section[aria-labelledby="sync-title"]')!;
    setValue(byLabel<HTMLSelectElement>(sync, 'Owner of leads without one'), 'u2');
    await submit(sync.querySelector<HTMLFormElement>('.sync-form')!);
    const owner = byLabel<HTMLSelectElement>(sync, 'Owner of leads without one');
    expect(owner.getAttribute('aria-invalid')).toBe('true');
    expect(sync.querySelector(`#${CSS.escape(owner.getAttribute('aria-describedby')!)}`)?.textContent).toBe(
      'must be an active user of the organization',
    );
    expect(sync.textContent).not.toContain('The sync could not be started');
  });

  it('points to the sync already under way on 409', async () => {
    api.connector.mockResolvedValue(connector());
    api.syncConnector.mockRejectedValue(
      new ApiError({ status: 409, detail: 'a sync of this connector is already queued', extra: { existing_job_id: 'job-7' } }),
    );
    view = render(<ConnectorPage id="c1" />);
    await flush();
    await submit(view.host.querySelector<HTMLFormElement>('.sync-form')!);
    expect(view.host.textContent).toContain('A sync of this connector is already under way');
    expect(view.host.querySelector('a[href="/imports/job-7"]')?.textContent).toBe('Follow the sync under way');
  });

  it('cannot sync without a token', async () => {
    api.connector.mockResolvedValue(connector({ has_credentials: false }));
    view = render(<ConnectorPage id="c1" />);
    await flush();
    expect(button(view.host, 'Sync now').disabled).toBe(true);
    expect(view.host.textContent).toContain('No credentials are stored: syncs fail until they are set.');
  });

  it('saves settings without a token unless one is typed, and the overrides as edited', async () => {
    api.connector.mockResolvedValue(connector());
    api.updateConnector.mockResolvedValue(connector({ name: 'HubSpot EU' }));
    view = render(<ConnectorPage id="c1" />);
    await flush();
    const settings = view.host.querySelector<HTMLElement>('section[aria-labelledby="settings-title"]')!;
    setValue(byLabel(settings, 'Name'), 'HubSpot EU');
    setValue(settings.querySelector<HTMLSelectElement>('select[aria-label="Goes to, row 1"]')!, '');
    await submit(settings.querySelector('form')!);
    expect(api.updateConnector).toHaveBeenCalledWith('c1', {
      name: 'HubSpot EU',
      base_url: 'https://api.hubapi.com',
      field_mapping: { hs_lead_status: null },
      sync_every_minutes: null,
    });
  });

  it('shows the schedule and when the next sync is due, and changes it', async () => {
    api.connector.mockResolvedValue(connector({ sync_every_minutes: 90, next_sync_at: '2026-12-01T11:30:00Z' }));
    api.updateConnector.mockResolvedValue(connector({ sync_every_minutes: 1440 }));
    view = render(<ConnectorPage id="c1" />);
    await flush();
    const sync = view.host.querySelector<HTMLElement>('section[aria-labelledby="sync-title"]')!;
    expect(sync.textContent).toContain('Every 90 minutes');
    expect(sync.querySelector('time[datetime="2026-12-01T11:30:00Z"]')).not.toBeNull();
    const settings = view.host.querySelector<HTMLElement>('section[aria-labelledby="settings-title"]')!;
    const every = byLabel<HTMLSelectElement>(settings, 'Sync automatically');
    expect(every.value).toBe('90');
    setValue(every, '1440');
    await submit(settings.querySelector('form')!);
    expect(api.updateConnector).toHaveBeenCalledWith('c1', expect.objectContaining({ sync_every_minutes: 1440 }));
  });

  it('shows the server’s mapping errors on their rows', async () => {
    api.connector.mockResolvedValue(connector());
    api.updateConnector.mockRejectedValue(
      new ApiError({ status: 422, detail: 'invalid connector', errors: [{ field: 'field_mapping.hs_lead_status', message: 'unknown target' }] }),
    );
    view = render(<ConnectorPage id="c1" />);
    await flush();
    const settings = view.host.querySelector<HTMLElement>('section[aria-labelledby="settings-title"]')!;
    await submit(settings.querySelector('form')!);
    const input = settings.querySelector<HTMLInputElement>('input[aria-label="HubSpot property, row 1"]')!;
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(settings.querySelector(`#${CSS.escape(input.getAttribute('aria-describedby')!)}`)?.textContent).toBe('unknown target');
  });
});

describe('ConnectorsPage', () => {
  it('lists connectors with their latest sync; only admins can add one', async () => {
    api.connectors.mockResolvedValue({
      data: [
        connector({
          last_sync: {
            job_id: 'job-1',
            status: 'completed',
            created_at: '2026-12-01T10:00:00Z',
            started_at: null,
            finished_at: null,
            error: null,
            source_cursor: '2026-12-01T09:55:00Z',
            total_rows: 2,
            created: 2,
            updated: 0,
            skipped: 0,
            failed: 0,
          },
        }),
      ],
      next_cursor: null,
    });
    view = render(<ConnectorsPage />, appState('manager'));
    await flush();
    expect(view.host.querySelector('a[href="/imports/job-1"]')?.textContent).toBe(
      '2 records: 2 created, 0 updated, 0 skipped, 0 failed',
    );
    expect(() => button(view!.host, 'Add connector')).toThrow();
  });

  it('adds a Salesforce connector with a refresh token instead of an access token', async () => {
    api.connectors.mockResolvedValue({ data: [], next_cursor: null });
    api.createConnector.mockResolvedValue(connector({ id: 'c3', kind: 'salesforce', credentials: 'refresh_token' }));
    view = render(<ConnectorsPage />);
    await flush();
    click(button(view.host, 'Add connector'));
    const form = view.host.querySelector<HTMLFormElement>('.connector-form')!;
    click(byLabel(form, 'Salesforce'));
    click(byLabel(form, 'Use a connected app’s refresh token'));
    expect(() => byLabel(form, 'Access token')).toThrow(); // replaced by the three below
    setValue(byLabel(form, 'API address'), 'https://acme.my.salesforce.com');
    setValue(byLabel(form, 'Consumer key'), '3MVG9');
    setValue(byLabel(form, 'Consumer secret'), 'shh');
    setValue(byLabel(form, 'Refresh token'), '5Aep');
    await submit(form);
    expect(api.createConnector).toHaveBeenCalledWith({
      kind: 'salesforce',
      name: 'Salesforce',
      base_url: 'https://acme.my.salesforce.com',
      oauth: { client_id: '3MVG9', client_secret: 'shh', refresh_token: '5Aep' },
    });
  });

  it('checks the form before sending, then creates and opens the connector', async () => {
    api.connectors.mockResolvedValue({ data: [], next_cursor: null });
    api.createConnector.mockResolvedValue(connector({ id: 'c2', kind: 'salesforce', name: 'Salesforce' }));
    view = render(<ConnectorsPage />);
    await flush();
    click(button(view.host, 'Add connector'));
    const form = view.host.querySelector<HTMLFormElement>('.connector-form')!;
    click(byLabel(form, 'Salesforce'));
    expect(byLabel(form, 'Name').value).toBe('Salesforce');
    await submit(form);
    expect(api.createConnector).not.toHaveBeenCalled();
    expect(form.textContent).toContain('Salesforce needs your org’s instance URL.');
    setValue(byLabel(form, 'API address'), 'https://acme.my.salesforce.com');
    setValue(byLabel(form, 'Access token'), '00Dxx!token');
    await submit(form);
    expect(api.createConnector).toHaveBeenCalledWith({
      kind: 'salesforce',
      name: 'Salesforce',
      base_url: 'https://acme.my.salesforce.com',
      token: '00Dxx!token',
    }); // the default sync options are not sent
    setValue(byLabel<HTMLSelectElement>(form, 'Numbers on a Do Not Call list'), 'skip');
    setValue(byLabel(form, 'Tags for every lead (optional)'), 'salesforce');
    await submit(form);
    expect(api.createConnector).toHaveBeenLastCalledWith(
      expect.objectContaining({
        sync_options: { dedupe: 'update', update_mode: 'overwrite', dnc: 'skip', tags: ['salesforce'], owner_id: null },
      }),
    );
    expect(navigate).toHaveBeenCalledWith('/connectors/c2');
  });
});
