// End to end: the built UI in Chromium against a real `leadline serve` with demo data.
// LEADLINE_URL is the server; LEADLINE_SCREENSHOTS, when set, is where the main screens are
// saved. tests/web_e2e.sh starts the server and runs this file.
//
// The scenarios run in order and share one signed-in page and the lead created early on. A
// scenario whose endpoint is missing fails; none is skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.LEADLINE_URL;
const SHOTS = process.env.LEADLINE_SCREENSHOTS || '';
const CHROMIUM = process.env.LEADLINE_CHROMIUM || '/usr/bin/chromium';
const EMAIL = 'admin@leadline.demo';
const PASSWORD = 'leadline-demo';

if (!BASE) throw new Error('LEADLINE_URL is not set (tests/web_e2e.sh sets it)');

// Unique per run, so the scenarios find their own leads in a database that may have others.
const run = Date.now().toString(36).slice(-5);
const lastName = `Tester${run}`;
const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
// A valid, unused US number: area 206, exchange 2xx-9xx (never 555).
const exchange = String(rand(201, 899)).replace(/^(\d)55$/, '$166');
const line = String(rand(1000, 9999));
const phoneTyped = `(206) ${exchange}-${line}`;
const phoneE164 = `+1206${exchange}${line}`;
const phoneDisplay = `(206) ${exchange}-${line}`;

let browser;
let context;
let page;
const state = { leadId: null, otherLeadId: null };

async function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const b of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await b.click();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Calls the API with the page's own session token. */
async function apiCall(method, path, body, headers = {}) {
  const token = await page.evaluate(() => sessionStorage.getItem('leadline.token'));
  const res = await context.request.fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    data: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : null };
}

/** Retries an assertion until it holds or time runs out (lists refresh asynchronously). */
async function eventually(check, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Every visible form control has a label and every visible button an accessible name. */
async function assertAccessibleControls(screen) {
  const problems = await page.evaluate(() => {
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const named = (el) =>
      (el.getAttribute('aria-label') || '').trim() ||
      (el.getAttribute('aria-labelledby') || '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent?.trim())
        .join('') ||
      [...(el.labels ?? [])].map((l) => l.textContent.trim()).join('');
    const out = [];
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      if (visible(el) && !named(el)) out.push(`unlabelled ${el.tagName.toLowerCase()}#${el.id}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (visible(el) && !(el.getAttribute('aria-label') || el.textContent).trim()) out.push(`nameless ${el.outerHTML.slice(0, 80)}`);
    }
    return out;
  });
  assert.deepEqual(problems, [], `${screen}: ${problems.join(', ')}`);
}

const rowCount = () => page.locator('table.leads-table tbody tr').count();

function requireLead() {
  assert.ok(state.leadId, 'the lead of the create scenario is needed (it failed)');
}

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await browser?.close();
});

describe('Leadline web UI', { concurrency: 1 }, () => {
  test('signs in with the demo credentials', async () => {
    await page.goto(`${BASE}/leads`);
    await page.waitForURL(/\/login/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertAccessibleControls('login');
    await shot('login');

    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/leads$/);
    await page.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem('leadline.token'));
    assert.ok(token, 'the session token is kept in sessionStorage');
    // The demo data shows up in the table.
    await page.locator('table.leads-table tbody tr').first().waitFor();
    assert.ok((await rowCount()) >= 5, 'the demo leads are listed');
    await assertAccessibleControls('lead list');
    await page.mouse.move(0, 0);
    await shot('leads');
  });

  test('creates a lead: a bad phone shows the field error, then a good one is saved', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New lead' }).click();
    await page.getByRole('heading', { name: 'New lead' }).waitFor();
    await page.getByLabel('First name').fill('Erin');
    await page.getByLabel('Last name').fill(lastName);
    await page.getByLabel('Phone').fill('12');
    await page.getByLabel('Source').fill('e2e');
    await page.getByRole('button', { name: 'Create lead' }).click();

    const phone = page.getByLabel('Phone');
    await page.locator('#lead-phone-error').waitFor();
    assert.equal(await phone.getAttribute('aria-invalid'), 'true');
    const message = (await page.locator('#lead-phone-error').textContent()).trim();
    assert.ok(message.length > 0, 'the phone error has a message');
    assert.match(await phone.getAttribute('aria-describedby'), /lead-phone-error/);
    assert.match(page.url(), /\/leads\/new$/, 'nothing was created');
    await assertAccessibleControls('new lead');

    await phone.fill(phoneTyped);
    await page.getByText(`Will be saved as ${phoneDisplay}`).waitFor();
    await page.getByRole('button', { name: 'Create lead' }).click();
    await page.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
    state.leadId = page.url().split('/').pop();
    await page.getByRole('heading', { name: `Erin ${lastName}`, level: 1 }).waitFor();

    const lead = await apiCall('GET', `/api/leads/${state.leadId}`);
    assert.equal(lead.status, 200);
    assert.equal(lead.body.phone, phoneE164, 'the server normalised the typed phone to E.164');
    // Shown in national format.
    await page.locator('.fields').getByText(phoneDisplay, { exact: true }).waitFor();
  });

  test('finds the lead with search and filters, and the URL keeps the filter', async () => {
    requireLead();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click();
    await page.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
    await page.getByLabel('Search').fill(lastName);
    const row = page.getByRole('link', { name: `Erin ${lastName}` });
    await row.waitFor();
    await page.waitForURL(new RegExp(`q=${lastName}`));
    await eventually(async () => assert.equal(await rowCount(), 1));

    // Status filter: "New" keeps it, "Lost" alone hides it.
    await page.getByRole('group', { name: 'Status' }).getByLabel('New').check();
    await page.waitForURL(/status=new/);
    await row.waitFor();
    await page.getByRole('group', { name: 'Status' }).getByLabel('New').uncheck();
    await page.getByRole('group', { name: 'Status' }).getByLabel('Lost').check();
    await page.waitForURL(/status=lost/);
    await page.getByText('No leads match these filters.').waitFor();

    // More filters: source and score range.
    await page.getByRole('group', { name: 'Status' }).getByLabel('Lost').uncheck();
    await page.getByRole('button', { name: /More filters/ }).click();
    const source = page.getByRole('textbox', { name: 'Source' });
    await source.fill('e2e');
    await source.press('Enter');
    await page.waitForURL(/source=e2e/);
    const minScore = page.getByRole('spinbutton', { name: 'Min score' });
    await minScore.fill('0');
    await minScore.press('Enter');
    await page.waitForURL(/score_min=0/);
    await row.waitFor();

    // Bookmarkable: a fresh load of the URL shows the same filter and result.
    const url = page.url();
    await page.goto(url);
    await row.waitFor();
    assert.equal(await page.getByLabel('Search').inputValue(), lastName);

    // Sorting by score changes the URL and aria-sort.
    await page.getByRole('button', { name: /^Score/ }).click();
    await page.waitForURL(/sort=-lead_score/);
    assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);

    // The CSV export has the current filter's leads.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const path = await download.path();
    const csv = (await import('node:fs')).readFileSync(path, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines.length, 2, `header and one lead: ${csv}`);
    assert.match(lines[0], /phone/);
    assert.match(lines[1], new RegExp(lastName));
  });

  test('saves a view, chooses columns, and "/" jumps to the search box', async () => {
    requireLead();
    const filtered = page.url();
    await page.getByRole('button', { name: 'Saved views' }).click();
    await page.getByLabel('View name').fill(`Mine ${run}`);
    await page.getByRole('button', { name: 'Save current view' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click();
    await page.waitForURL(/\/leads$/);
    await page.getByRole('button', { name: 'Saved views' }).click();
    await page.getByRole('link', { name: `Mine ${run}` }).click();
    await page.waitForURL(filtered);
    await page.getByRole('link', { name: `Erin ${lastName}` }).waitFor();

    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('group', { name: 'Visible columns' }).getByLabel('Email').uncheck();
    await eventually(async () => assert.equal(await page.getByRole('columnheader', { name: 'Email' }).count(), 0));
    await page.getByRole('group', { name: 'Visible columns' }).getByLabel('Email').check();
    await page.getByRole('columnheader', { name: 'Email' }).waitFor();
    await page.keyboard.press('Escape');

    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lead-search');
  });

  test('edits the lead inline, with the API’s field errors next to the field', async () => {
    requireLead();
    await page.goto(`${BASE}/leads/${state.leadId}`);
    await page.getByRole('heading', { name: `Erin ${lastName}`, level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Edit Email' }).click();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#edit-email-error').waitFor();
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Email').fill(`erin.${run}@example.com`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Edit Email' }).waitFor();
    await page.locator('.fields').getByText(`erin.${run}@example.com`).waitFor();

    await page.getByRole('button', { name: 'Edit Company' }).click();
    await page.getByLabel('Company').fill('Acme Realty');
    await page.getByLabel('Company').press('Enter');
    await page.locator('.fields').getByText('Acme Realty').waitFor();

    const lead = await apiCall('GET', `/api/leads/${state.leadId}`);
    assert.equal(lead.body.email, `erin.${run}@example.com`);
    assert.equal(lead.body.company, 'Acme Realty');
  });

  test('changes its status', async () => {
    requireLead();
    await page.getByLabel('Status').selectOption('contacted');
    await page.locator('.lead-meta .badge.status-contacted').waitFor();
    const lead = await apiCall('GET', `/api/leads/${state.leadId}`);
    assert.equal(lead.body.status, 'contacted');
  });

  test('shows the audit history and the status history', async () => {
    requireLead();
    const panel = page.getByRole('tabpanel');
    await page.getByRole('tab', { name: 'History', exact: true }).click();
    await panel.getByRole('rowheader', { name: 'email' }).first().waitFor();
    await panel.getByText(`erin.${run}@example.com`).first().waitFor();
    await panel.getByRole('rowheader', { name: 'status' }).first().waitFor();

    await page.getByRole('tab', { name: 'Status history' }).click();
    await panel.locator('.badge.status-contacted').first().waitFor();
    await panel.locator('.badge.status-new').first().waitFor();
    await page.getByRole('tab', { name: 'History', exact: true }).click();
    await assertAccessibleControls('lead detail');
  });

  test('a stale edit (someone else changed the lead) asks to reload', async () => {
    requireLead();
    const current = await apiCall('GET', `/api/leads/${state.leadId}`);
    const bumped = await apiCall('PATCH', `/api/leads/${state.leadId}`, { title: 'Broker' }, { 'If-Match': `"${current.body.version}"` });
    assert.equal(bumped.status, 200);
    await page.getByRole('button', { name: 'Edit First name' }).click();
    await page.getByLabel('First name').fill('Erina');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'changed by someone else' }).waitFor();
    await page.getByRole('button', { name: 'Reload lead' }).click();
    await page.locator('.fields').getByText('Broker').waitFor();
  });

  test('adds its number to the DNC list and the call is refused with the reason', async () => {
    requireLead();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Do Not Call' }).click();
    await page.getByRole('heading', { name: 'Do Not Call', level: 1 }).waitFor();
    await page.getByLabel('Phone number', { exact: true }).fill(phoneTyped);
    await page.getByLabel('Reason (optional)').fill('asked not to be called');
    await page.getByRole('button', { name: 'Add to Do Not Call list' }).click();
    await page.getByRole('rowheader', { name: phoneDisplay }).waitFor();

    // Batch check: the listed number and one that is not.
    const unlisted = `(206) ${exchange}-${String((Number(line) + 1) % 10000).padStart(4, '0')}`;
    await page.getByLabel('Phone numbers to check').fill(`${phoneTyped}\n${unlisted}`);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const results = page.getByRole('table', { name: 'Check results' });
    await results.getByRole('row', { name: phoneDisplay }).getByText('Do not call (organization)').waitFor();
    await results.getByRole('row', { name: unlisted }).getByText('OK to call').waitFor();
    await assertAccessibleControls('do not call');
    await page.mouse.move(0, 0);
    await shot('dnc');

    await page.goto(`${BASE}/leads/${state.leadId}`);
    await page.getByText(/On Do Not Call list/).waitFor();
    await page.getByRole('button', { name: /^Call/ }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Call refused' });
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /Do Not Call list/i);
    assert.match(await refusal.locator('.problem-type code').textContent(), /\/dnc$/);
    await page.getByRole('tabpanel').locator('.timeline-item').first().waitFor();
    await shot('lead-detail');

    // An admin removes a number (not this lead's) again.
    await page.goto(`${BASE}/dnc`);
    await page.getByLabel('Phone number', { exact: true }).fill(unlisted);
    await page.getByRole('button', { name: 'Add to Do Not Call list' }).click();
    await page.getByRole('button', { name: `Remove ${unlisted}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: `${unlisted} was removed` }).waitFor();
    await eventually(async () => assert.equal(await page.getByRole('rowheader', { name: unlisted }).count(), 0));
    await page.getByRole('rowheader', { name: phoneDisplay }).waitFor();
  });

  test('bulk-tags leads', async () => {
    requireLead();
    const other = await apiCall('POST', '/api/leads', { first_name: 'Bo', last_name: lastName, email: `bo.${run}@example.com` });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    state.otherLeadId = other.body.id;

    await page.goto(`${BASE}/leads?q=${lastName}`);
    await page.getByRole('link', { name: `Bo ${lastName}` }).waitFor();
    await page.getByRole('link', { name: `Erin ${lastName}` }).waitFor();
    await eventually(async () => assert.equal(await rowCount(), 2));
    await page.getByLabel('Select all leads on this page').check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('2 selected').waitFor();
    await assertAccessibleControls('bulk actions');
    const tag = `bulk-${run}`;
    await bar.getByLabel('Tag').fill(tag);
    await bar.getByRole('button', { name: 'Add tag' }).click();
    await page.getByRole('status').filter({ hasText: 'Tagged 2 of 2' }).waitFor();

    await page.goto(`${BASE}/leads?tag=${tag}`);
    await page.getByRole('link', { name: `Bo ${lastName}` }).waitFor();
    await eventually(async () => assert.equal(await rowCount(), 2));
    for (const id of [state.leadId, state.otherLeadId]) {
      const l = await apiCall('GET', `/api/leads/${id}`);
      assert.ok(l.body.tags.includes(tag), `lead ${id} carries ${tag}`);
    }
  });

  test('records consent and revokes it for one channel', async () => {
    requireLead();
    await page.goto(`${BASE}/leads/${state.leadId}`);
    await page.getByRole('heading', { name: `Erin ${lastName}`, level: 1 }).waitFor();
    const panel = page.getByRole('region', { name: 'Consent', exact: true });
    await panel.getByText('No consent recorded for this lead.').waitFor();

    await panel.getByRole('button', { name: 'Record consent' }).click();
    // The API's field error, next to its field.
    await panel.getByRole('button', { name: 'Save consent' }).click();
    await page.locator('#consent-text-error').waitFor();
    assert.equal(await panel.getByLabel('Disclosure text the lead agreed to').getAttribute('aria-invalid'), 'true');
    await assertAccessibleControls('consent form');

    const disclosure = `I agree to receive text messages from Leadline Realty (${run}).`;
    await panel.getByLabel('Channel', { exact: true }).selectOption('sms');
    await panel.getByLabel('How it was given').selectOption('web_form');
    await panel.getByLabel('Disclosure text the lead agreed to').fill(disclosure);
    await panel.getByLabel('Lead’s IP address (optional)').fill('203.0.113.7');
    await panel.getByRole('button', { name: 'Save consent' }).click();
    const records = panel.getByRole('list', { name: 'Consent records' });
    const record = records.getByRole('listitem').filter({ hasText: disclosure });
    await record.waitFor();
    assert.match(await record.textContent(), /SMS/);
    assert.match(await record.textContent(), /Web form/);
    assert.match(await record.textContent(), /203\.0\.113\.7/);
    const sms = panel.locator('.channel-state').filter({ hasText: 'Text messages' });
    await sms.getByText('Consented').waitFor();

    await panel.getByRole('button', { name: 'Revoke consent for text messages' }).click();
    assert.equal(await panel.getByLabel('Revoke for').inputValue(), 'sms');
    await panel.getByLabel('Reason (optional)').fill('replied STOP');
    await panel.getByLabel('How it was asked (optional)').selectOption('sms_reply');
    await panel.getByRole('button', { name: 'Record revocation' }).click();
    await sms.getByText('Revoked').waitFor();
    const revocation = panel.getByRole('list', { name: 'Revocations' }).getByRole('listitem').filter({ hasText: 'replied STOP' });
    await revocation.waitFor();
    assert.match(await revocation.textContent(), /Text message reply/);
    await panel.locator('.channel-state').filter({ hasText: 'Calls' }).getByText('No consent on record').waitFor();

    const list = await apiCall('GET', `/api/leads/${state.leadId}/consents`);
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 1);
    assert.equal(list.body.data[0].channel, 'sms');
    assert.equal(list.body.data[0].disclosure_text, disclosure);
    assert.equal(list.body.revocations.length, 1);
    assert.equal(list.body.revocations[0].scope, 'sms');
  });

  test('finds a duplicate (same email), merges it and lands on the surviving lead', async () => {
    requireLead();
    const erin = await apiCall('GET', `/api/leads/${state.leadId}`);
    const dupTag = `dup-${run}`;
    const dup = await apiCall('POST', '/api/leads', {
      first_name: 'Erin',
      last_name: `${lastName}-web`,
      email: erin.body.email,
      tags: [dupTag],
    });
    assert.equal(dup.status, 201, JSON.stringify(dup.body));

    // On the duplicate's page, Erin is suggested; keep Erin.
    await page.goto(`${BASE}/leads/${dup.body.id}`);
    await page.getByRole('heading', { name: `Erin ${lastName}-web`, level: 1 }).waitFor();
    const dups = page.getByRole('region', { name: 'Duplicates', exact: true });
    const suggestion = dups.getByRole('list', { name: 'Suggested duplicates' }).getByRole('listitem').filter({ hasText: `Erin ${lastName}` });
    await suggestion.waitFor();
    assert.match(await suggestion.textContent(), /same email/);
    await assertAccessibleControls('duplicates');
    await suggestion.getByRole('button', { name: `Compare and merge with Erin ${lastName}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge duplicates' });
    await dialog.waitFor();
    await dialog.getByLabel(`Erin ${lastName} (other lead)`).check();
    const company = dialog.getByRole('row', { name: /^Company/ });
    assert.match(await company.textContent(), /Acme Realty/);
    await assertAccessibleControls('merge dialog');
    await shot('lead-merge');
    await dialog.getByRole('button', { name: `Merge into Erin ${lastName}` }).click();

    await page.waitForURL(new RegExp(`/leads/${state.leadId}$`));
    await page.getByRole('heading', { name: `Erin ${lastName}`, level: 1 }).waitFor();
    const notice = page.getByRole('status').filter({ hasText: 'was merged into' });
    await notice.waitFor();
    assert.match(await notice.textContent(), new RegExp(`Tags added: ${dupTag}`));

    const gone = await apiCall('GET', `/api/leads/${dup.body.id}`);
    assert.equal(gone.status, 404, 'the merged-away lead is gone');
    const kept = await apiCall('GET', `/api/leads/${state.leadId}`);
    assert.ok(kept.body.tags.includes(dupTag), 'its tags moved to the survivor');
    await page.locator('.tag').filter({ hasText: dupTag }).first().waitFor();
    await dups.getByText('No other lead has this phone or email.').waitFor();
    await page.getByRole('region', { name: 'Consent', exact: true }).scrollIntoViewIfNeeded();
    await shot('lead-consent');
  });

  test('logs out, and an expired session goes back to the login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('leadline.token')), null);

    // A token the server does not know: the first 401 ends the session.
    await page.evaluate(() => sessionStorage.setItem('leadline.token', 'lls_not-a-real-token'));
    await page.goto(`${BASE}/dnc`);
    await page.waitForURL(/\/login\?next=%2Fdnc/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
