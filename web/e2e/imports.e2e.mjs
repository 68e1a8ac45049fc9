// End to end: the import wizard against a real `leadline serve`. A CSV with three good rows
// and two bad ones goes in through the file input; the preview shows the guessed mapping and
// the bad rows; the import completes with its counts; errors.csv holds the two bad rows; undo
// removes what it created. tests/web_e2e.sh runs this file after app.e2e.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, apiCall, assertAccessibleControls, eventually, launch, randomPhone, run, shot, signIn } from './support.mjs';

let browser;
let page;
const tag = `imp-${run}`;
const filename = `spring-expo-${run}.csv`;
const phones = [randomPhone(), randomPhone(), randomPhone()];
const csv = [
  'First Name,Last Name,Phone Number,E-mail,Budget',
  `Ivy,Imp${run},${phones[0].typed},ivy.${run}@example.com,"350,000"`,
  `Jon,Imp${run},${phones[1].typed},jon.${run}@example.com,420000`,
  `Kai,Imp${run},${phones[2].typed},kai.${run}@example.com,`,
  `Bad,Phone${run},12,badphone.${run}@example.com,1`,
  `Bad,Email${run},,not-an-email,2`,
  '',
].join('\n');
const state = { jobId: null };

before(async () => {
  ({ browser, page } = await launch());
  await signIn(page);
});

after(async () => {
  await browser?.close();
});

const leadsWithTag = async () => {
  const r = await apiCall(page, 'GET', `/api/leads?tag=${tag}&limit=50`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data;
};

describe('Imports', { concurrency: 1 }, () => {
  test('previews a CSV chosen with the file input: the guessed mapping and the bad rows', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Imports' }).click();
    await page.getByRole('heading', { name: 'Imports', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Past imports' }).waitFor();
    await assertAccessibleControls(page, 'imports (empty wizard)');

    // Drag and drop works too; then the file is removed again.
    const dropped = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
      return dt;
    }, csv);
    await page.locator('.dropzone').dispatchEvent('dragenter', { dataTransfer: dropped });
    await page.locator('.dropzone.dragging').waitFor();
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped });
    await page.locator('.file-chosen').filter({ hasText: 'dropped.csv' }).waitFor();
    await page.getByLabel('Lead field for column Phone Number').waitFor();
    await page.getByRole('button', { name: 'Remove file' }).click();
    await page.getByLabel('Lead field for column Phone Number').waitFor({ state: 'detached' });

    await page.getByLabel('CSV or Excel (.xlsx) file').setInputFiles({ name: filename, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const phone = page.getByLabel('Lead field for column Phone Number');
    await phone.waitFor();
    assert.equal(await phone.inputValue(), 'phone');
    assert.equal(await page.getByLabel('Lead field for column E-mail').inputValue(), 'email');
    assert.equal(await page.getByLabel('Lead field for column First Name').inputValue(), 'first_name');
    assert.match(await page.getByLabel('Lead field for column Budget').inputValue(), /^metadata\./);
    // Samples from the file, and the preview's rows: two of them bad, with the API's reasons.
    await page.locator('.mapping-table').getByText('350,000').waitFor();
    const rows = page.locator('.preview-table tbody tr');
    await eventually(async () => assert.equal(await rows.count(), 5));
    await eventually(async () => assert.equal(await page.locator('.preview-table tbody tr.row-error').count(), 2));
    const bad = await page.locator('.preview-table tbody tr.row-error .row-errors').allTextContents();
    assert.ok(bad.some((t) => /phone/i.test(t)), `a phone error: ${bad}`);
    assert.ok(bad.some((t) => /email/i.test(t)), `an email error: ${bad}`);

    // Options: tag every lead of this run; keep the defaults otherwise.
    await page.getByLabel('Tags for every imported lead').fill(tag);
    await page.getByLabel('Default source').fill('spring expo');
    assert.ok(await page.getByLabel('Skip them').isChecked());
    assert.ok(await page.getByLabel('Import and flag the lead').isChecked());
    await page.getByRole('status').filter({ hasText: 'Updating the preview' }).waitFor({ state: 'detached' }).catch(() => undefined);
    await assertAccessibleControls(page, 'imports (preview)');
    await shot(page, 'imports', { fullPage: true });
  });

  test('starts it, follows the progress and shows the final counts', async () => {
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    state.jobId = page.url().split('/').pop();
    await page.getByRole('heading', { name: `Import of ${filename}`, level: 1 }).waitFor();
    await page.locator('.lead-meta .badge').filter({ hasText: 'Completed' }).waitFor({ timeout: 30000 });
    const count = async (label) => (await page.locator('.count').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').textContent()).trim();
    assert.equal(await count('Created'), '3');
    assert.equal(await count('Failed'), '2');
    assert.equal(await count('Updated'), '0');
    assert.equal(await count('Skipped'), '0');
    assert.equal(await page.locator('progress').getAttribute('value'), '100');
    assert.match(await page.locator('.progress-text').textContent(), /^5 of 5 rows processed/);

    const job = await apiCall(page, 'GET', `/api/imports/${state.jobId}`);
    assert.equal(job.status, 200);
    assert.equal(job.body.status, 'completed');
    assert.equal(job.body.created, 3);
    assert.equal(job.body.failed, 2);
    const leads = await leadsWithTag();
    assert.equal(leads.length, 3, 'the three good rows are leads');
    assert.deepEqual(leads.map((l) => l.phone).sort(), phones.map((p) => p.e164).sort());
    assert.ok(leads.every((l) => l.source === 'spring expo'), 'the default source was applied');
    await assertAccessibleControls(page, 'import job');
    await shot(page, 'import-job');
  });

  test('downloads the failed rows as errors.csv', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Download failed rows/ }).click(),
    ]);
    assert.match(download.suggestedFilename(), /errors\.csv$/);
    const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    assert.equal(lines.length, 3, `header and two rows: ${text}`);
    assert.match(lines[0], /^First Name,Last Name,Phone Number,E-mail,Budget,_line,_error/);
    assert.match(lines[1], new RegExp(`Phone${run}`));
    assert.match(lines[2], new RegExp(`Email${run}`));
  });

  test('undoes it after confirmation; the list shows it undone', async () => {
    await page.locator('.page-actions').getByRole('button', { name: 'Undo import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Undo this import?' });
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /The 3 leads it created will be deleted/);
    await dialog.getByRole('button', { name: 'Undo import' }).click();
    await page.getByText('The import was undone.').waitFor();
    await page.locator('.lead-meta .badge').filter({ hasText: 'Undone' }).waitFor();
    assert.equal(await page.locator('.page-actions').getByRole('button', { name: 'Undo import' }).count(), 0);
    await eventually(async () => assert.equal((await leadsWithTag()).length, 0));

    await page.getByRole('link', { name: 'New import' }).click();
    await page.waitForURL(/\/imports$/);
    const row = page.locator('.imports-table tbody tr').filter({ hasText: filename });
    await row.waitFor();
    assert.match(await row.textContent(), /Undone/);
    await row.getByRole('link', { name: filename }).click();
    await page.waitForURL(new RegExp(`/imports/${state.jobId}$`));
    await page.goto(`${BASE}/imports`);
  });
});
