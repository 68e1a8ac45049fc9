// Shared pieces of the end-to-end files: the browser, signing in, screenshots, API calls with
// the page's session, retries, and the accessible-name check.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.LEADLINE_URL;
export const SHOTS = process.env.LEADLINE_SCREENSHOTS || '';
const CHROMIUM = process.env.LEADLINE_CHROMIUM || '/usr/bin/chromium';
export const EMAIL = 'admin@leadline.demo';
export const PASSWORD = 'leadline-demo';

if (!BASE) throw new Error('LEADLINE_URL is not set (tests/web_e2e.sh sets it)');

/** Unique per run, so scenarios find their own rows in a database that may have others. */
export const run = Date.now().toString(36).slice(-5);

const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
/** A valid, probably unused US number: area 206, exchange 2xx-8xx (never 555). */
export function randomPhone() {
  const exchange = String(rand(201, 899)).replace(/^(\d)55$/, '$166');
  const line = String(rand(1000, 9999));
  return { typed: `(206) ${exchange}-${line}`, e164: `+1206${exchange}${line}` };
}

export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { browser, context, page };
}

export async function signIn(page) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/leads$/);
}

export async function shot(page, name, opts = {}) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  // Dismissing one toast renumbers the rest: always dismiss the first until none is left.
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await page.mouse.move(0, 0);
  if (opts.fullPage) {
    // The sticky top bar is drawn where the viewport is: start from the top, nothing focused.
    await page.evaluate(() => {
      document.activeElement?.blur?.();
      window.scrollTo(0, 0);
    });
  }
  await page.screenshot({ path: join(SHOTS, `${name}.png`), ...opts });
}

/** Calls the API with the page's own session token. */
export async function apiCall(page, method, path, body, headers = {}) {
  const token = await page.evaluate(() => sessionStorage.getItem('leadline.token'));
  const res = await page.context().request.fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    data: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: the text */
  }
  return { status: res.status(), body: parsed };
}

/** Retries an assertion until it holds or time runs out. */
export async function eventually(check, timeout = 10000) {
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
export async function assertAccessibleControls(page, screen) {
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
