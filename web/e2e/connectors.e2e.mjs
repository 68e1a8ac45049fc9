// End to end: a HubSpot connector set up, synced and changed through the UI against a real
// `leadline serve`. HubSpot itself is a local HTTP server answering in the CRM v3 objects API's
// documented shapes (list with `after` paging, search with filterGroups, error bodies), and
// checking the bearer token. The first sync fetches every contact through the list endpoint;
// the second only the changed one through search; a rotated, rejected token fails the next
// sync with HubSpot's reason; an hourly schedule shows when it is next due; deleting the
// connector keeps what it imported.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { apiCall, assertAccessibleControls, launch, randomPhone, run, shot, signIn } from './support.mjs';

const GOOD_TOKEN = `pat-e2e-${run}`;
const lastName = `Hub${run}`;

/** A HubSpot stand-in: contacts, the list and search endpoints, and every request it got. */
function fakeHubSpot() {
  let clock = Date.parse('2026-11-20T09:00:00.000Z');
  const contacts = [];
  const add = (firstname, extra = {}) => {
    clock += 60000;
    const phone = randomPhone();
    contacts.push({
      id: String(501 + contacts.length),
      created: clock,
      updated: clock,
      props: { firstname, lastname: lastName, email: `${firstname.toLowerCase()}.${run}@example.com`, phone: phone.typed, ...extra },
    });
  };
  add('Ada', { favorite_color: 'teal' });
  add('Bo', { favorite_color: 'amber' });
  add('Cy');
  const requests = [];
  const json = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const view = (c, properties) => {
    const all = { ...c.props, hs_object_id: c.id, createdate: new Date(c.created).toISOString(), lastmodifieddate: new Date(c.updated).toISOString() };
    const props = {};
    for (const p of new Set([...properties, 'hs_object_id', 'createdate', 'lastmodifieddate'])) props[p] = all[p] ?? null;
    return { id: c.id, properties: props, createdAt: all.createdate, updatedAt: all.lastmodifieddate, archived: false };
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url, 'http://fake');
      requests.push({ method: req.method, path: url.pathname, query: url.searchParams, body });
      if (req.headers.authorization !== `Bearer ${GOOD_TOKEN}`) {
        return json(res, 401, {
          status: 'error',
          message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
          correlationId: '0d3c2d6b-2f43-4d7e-9a4c-6d1f0d2f9b11',
          category: 'INVALID_AUTHENTICATION',
        });
      }
      // Two contacts a page, so the list is followed through `paging.next.after`.
      const pageSize = 2;
      if (req.method === 'GET' && url.pathname === '/crm/v3/objects/contacts') {
        const properties = url.searchParams.getAll('properties').flatMap((p) => p.split(','));
        const from = Number(url.searchParams.get('after') ?? 0);
        const page = contacts.slice(from, from + pageSize);
        const next = from + pageSize < contacts.length ? { next: { after: String(from + pageSize), link: `${base()}/crm/v3/objects/contacts?after=${from + pageSize}` } } : undefined;
        return json(res, 200, { results: page.map((c) => view(c, properties)), ...(next ? { paging: next } : {}) });
      }
      if (req.method === 'POST' && url.pathname === '/crm/v3/objects/contacts/search') {
        const q = JSON.parse(body || '{}');
        const filters = q.filterGroups?.[0]?.filters ?? [];
        const since = filters.find((f) => f.propertyName === 'lastmodifieddate' && f.operator === 'GTE');
        const hits = contacts.filter((c) => !since || c.updated >= Number(since.value)).sort((a, b) => a.updated - b.updated);
        const from = Number(q.after ?? 0);
        const page = hits.slice(from, from + pageSize);
        const next = from + pageSize < hits.length ? { paging: { next: { after: String(from + pageSize) } } } : {};
        return json(res, 200, { total: hits.length, results: page.map((c) => view(c, q.properties ?? [])), ...next });
      }
      return json(res, 404, { status: 'error', message: `Unable to infer object type from: ${url.pathname}`, category: 'OBJECT_NOT_FOUND' });
    });
  });
  const base = () => `http://127.0.0.1:${server.address().port}`;
  return {
    contacts,
    requests,
    base,
    listen: () => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)),
    close: () => new Promise((resolve) => server.close(resolve)),
    /** Changes a contact now (after the last sync's since-point). */
    touch: (id, props) => {
      const c = contacts.find((x) => x.id === id);
      Object.assign(c.props, props);
      c.updated = Date.now();
    },
  };
}

let browser;
let page;
const hubspot = fakeHubSpot();
const name = `HubSpot ${run}`;
const state = { connectorId: null };

before(async () => {
  await hubspot.listen();
  ({ browser, page } = await launch());
  await signIn(page);
});

after(async () => {
  await browser?.close();
  await hubspot.close();
});

const hubLeads = async () => {
  const r = await apiCall(page, 'GET', `/api/leads?q=${lastName}&limit=50`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data.filter((l) => l.last_name === lastName);
};

const count = async (label) =>
  (await page.locator('.count').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').textContent()).trim();

/** Starts a sync from the connector's page and waits on the import page until it ends. */
async function syncNow(final) {
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
  await page.locator('.lead-meta .badge').filter({ hasText: final }).waitFor({ timeout: 30000 });
  return page.url().split('/').pop();
}

async function openConnector() {
  await page.getByRole('link', { name: 'CRM connector' }).click();
  await page.waitForURL(new RegExp(`/connectors/${state.connectorId}$`));
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

describe('CRM connectors', { concurrency: 1 }, () => {
  test('an admin adds a HubSpot connector with a mapping change; the token is never shown', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { name: 'CRM connectors', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Connectors', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Add connector' }).click();
    const form = page.locator('section[aria-labelledby="add-connector-title"]');
    assert.ok(await form.getByLabel('HubSpot').isChecked());
    await assertAccessibleControls(page, 'add connector');

    // Checked before sending: no token.
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('API address (optional)').fill(hubspot.base());
    await form.getByRole('button', { name: 'Add connector' }).click();
    await form.getByText('The connector needs a token to reach the CRM.').waitFor();

    await form.getByLabel('Private app access token').fill(GOOD_TOKEN);
    await form.getByRole('button', { name: 'Add a mapping row' }).click();
    await form.getByLabel('HubSpot property, row 1').fill('favorite_color');
    await form.getByLabel('Goes to, row 1').selectOption({ label: 'Metadata…' });
    await form.getByLabel('Metadata key, row 1').fill('color');
    await form.getByLabel('Tags for every lead (optional)').fill('from-hubspot');
    await form.getByRole('button', { name: 'Add connector' }).click();

    await page.waitForURL(/\/connectors\/[0-9a-f-]{36}$/);
    state.connectorId = page.url().split('/').pop();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    const mapping = page.locator('section[aria-labelledby="mapping-title"]');
    const colour = mapping.locator('tr').filter({ hasText: 'favorite_color' });
    assert.match(await colour.textContent(), /Metadata: color/);
    assert.match(await colour.textContent(), /changed/);
    assert.match(await mapping.locator('tr').filter({ hasText: 'firstname' }).textContent(), /First name/);
    assert.match(await page.locator('section[aria-labelledby="sync-title"]').textContent(), /Never synced.*The first sync fetches all contacts/);
    assert.ok(!(await page.content()).includes(GOOD_TOKEN), 'the token is not in the page');
    assert.match(await page.locator('section[aria-labelledby="sync-title"]').textContent(), /Sync options.*tags: from-hubspot/);
    const c = await apiCall(page, 'GET', `/api/connectors/${state.connectorId}`);
    assert.equal(c.body.has_credentials, true);
    assert.deepEqual(c.body.sync_options.tags, ['from-hubspot']);
    assert.ok(!JSON.stringify(c.body).includes(GOOD_TOKEN), 'nor in the API');
    await assertAccessibleControls(page, 'connector');
  });

  test('the first sync fetches every contact, page by page, into leads', async () => {
    const jobId = await syncNow('Completed');
    assert.equal(await count('Created'), '3');
    assert.equal(await count('Failed'), '0');
    const lists = hubspot.requests.filter((r) => r.method === 'GET' && r.path === '/crm/v3/objects/contacts');
    assert.deepEqual(lists.map((r) => r.query.get('after')), [null, '2'], 'the list was followed through paging.next.after');
    assert.equal(hubspot.requests.filter((r) => r.path.endsWith('/search')).length, 0);

    const leads = await hubLeads();
    assert.equal(leads.length, 3);
    const ada = leads.find((l) => l.first_name === 'Ada');
    assert.equal(ada.source, 'hubspot');
    assert.equal(ada.metadata.color, 'teal', 'the mapping change applied');
    assert.equal(ada.metadata.hubspot_id, '501');
    assert.deepEqual(ada.tags, ['from-hubspot'], 'the sync options given when adding it');
    const job = await apiCall(page, 'GET', `/api/imports/${jobId}`);
    assert.equal(job.body.connector_id, state.connectorId);
    await openConnector();
    assert.match(await page.locator('section[aria-labelledby="sync-title"]').textContent(), /3 records: 3 created, 0 updated.*changed since/);
  });

  test('the next sync fetches only what changed, through search', async () => {
    hubspot.touch('502', { favorite_color: 'crimson', company: 'Bo & Co' });
    const sync = page.locator('section[aria-labelledby="sync-title"]');
    await sync.getByLabel('Tags for every lead (optional)').fill('from-hubspot, vip');
    await sync.getByText('Changed for this sync only').waitFor();
    await sync.getByRole('button', { name: 'Save as the connector’s options' }).click();
    await page.getByText('Sync options saved; syncs start from them.').waitFor();
    const saved = await apiCall(page, 'GET', `/api/connectors/${state.connectorId}`);
    assert.deepEqual(saved.body.sync_options.tags, ['from-hubspot', 'vip']);
    const before = hubspot.requests.length;
    await syncNow('Completed');
    assert.equal(await count('Updated'), '1');
    assert.equal(await count('Created'), '0');
    const searches = hubspot.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts/search');
    assert.equal(searches.length, 1);
    const filter = JSON.parse(searches[0].body).filterGroups[0].filters[0];
    assert.equal(filter.propertyName, 'lastmodifieddate');
    assert.equal(filter.operator, 'GTE');
    const bo = (await hubLeads()).find((l) => l.first_name === 'Bo');
    assert.equal(bo.metadata.color, 'crimson');
    assert.deepEqual([...bo.tags].sort(), ['from-hubspot', 'vip'], 'the saved sync options');
    assert.equal(bo.company, 'Bo & Co');
  });

  test('a rotated token that HubSpot rejects fails the sync with the reason', async () => {
    await openConnector();
    const settings = page.locator('section[aria-labelledby="settings-title"]');
    await settings.getByLabel(/Private app access token/).fill('pat-e2e-revoked');
    // Synced a moment ago, so an hourly schedule is not due before this test ends.
    await settings.getByLabel('Sync automatically').selectOption({ label: 'Every hour' });
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved; the new credentials are stored.').waitFor();
    const scheduled = await apiCall(page, 'GET', `/api/connectors/${state.connectorId}`);
    assert.equal(scheduled.body.sync_every_minutes, 60);
    assert.ok(Date.parse(scheduled.body.next_sync_at) > Date.now() + 50 * 60000, scheduled.body.next_sync_at);
    assert.match(await page.locator('section[aria-labelledby="sync-title"]').textContent(), /ScheduleEvery hournext at/);
    await syncNow('Failed');
    await page.getByText('credentials rejected by HubSpot (401)').first().waitFor();
    assert.ok(!(await page.content()).includes('pat-e2e-revoked'), 'the token is not in the error');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    const row = page.locator('.connectors-table tbody tr').filter({ hasText: name });
    await row.waitFor();
    assert.match(await row.textContent(), /Failed: credentials rejected by HubSpot \(401\)/);
    assert.match(await row.textContent(), /Every hour/);
    await assertAccessibleControls(page, 'connectors');
    await shot(page, 'connectors');
  });

  test('deleting the connector after confirmation keeps the leads it imported', async () => {
    await page.locator('.connectors-table').getByRole('link', { name }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await shot(page, 'connector', { fullPage: true });
    await page.getByRole('button', { name: 'Delete connector' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete “${name}”?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete connector' }).click();
    await page.waitForURL(/\/connectors$/);
    await page.getByRole('heading', { name: 'Connectors', level: 2 }).waitFor();
    await page.locator('.connectors-table tbody tr, .state-empty').first().waitFor();
    assert.equal(await page.locator('.connectors-table tbody tr').filter({ hasText: name }).count(), 0);
    assert.equal((await apiCall(page, 'GET', `/api/connectors/${state.connectorId}`)).status, 404);
    assert.equal((await hubLeads()).length, 3);
  });
});
