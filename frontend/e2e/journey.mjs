// The dashboard's end-to-end journey in a real headless Chromium: sign up, create a key and read it off the page,
// call the proxy with it, find the call under Activity and its cost under Usage, revoke the key and see it refused.
//
//   node e2e/journey.mjs http://127.0.0.1:8080
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default ../target/screenshots next to this
// folder), JOURNEY_MODEL (default openai/gpt-4o-mini), JOURNEY_REQUIRE (features that must not be skipped, e.g.
// "activity,usage,credits"). Prints one "ok - …" line per step and "JOURNEY PASSED" at the
// end; exits 1 on the first failed step, after a screenshot of the page as it was.
// Steps whose API is not on the server yet (404) check the page's "not available yet" state instead and say SKIP.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const baseUrl = (process.argv[2] ?? '').replace(/\/$/, '');
if (!/^https?:\/\//.test(baseUrl)) {
  console.error('usage: node e2e/journey.mjs <baseUrl>   e.g. http://127.0.0.1:8080');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const screenshotDir = resolve(process.env.SCREENSHOT_DIR ?? join(here, '..', '..', 'target', 'screenshots'));
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const model = process.env.JOURNEY_MODEL ?? 'openai/gpt-4o-mini';
const TIMEOUT = 15_000;
// Features whose API must be on the server: a 404 from one of them fails the journey instead of skipping its step.
const required = new Set((process.env.JOURNEY_REQUIRE ?? '').split(',').map((name) => name.trim()).filter(Boolean));

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

let passed = 0;
let shot = 0;

async function step(name, action) {
  const started = Date.now();
  try {
    const note = await action();
    passed++;
    console.log(`ok - ${name}${note ? ` (${note})` : ''} [${Date.now() - started} ms]`);
  } catch (error) {
    console.log(`not ok - ${name}: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
    throw error;
  }
}

async function screenshot(page, name) {
  shot++;
  const file = join(screenshotDir, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Whether the signed-in browser's session can reach a feature's API (false while it is not on the server). */
async function available(page, feature, path) {
  const response = await page.request.get(`${baseUrl}${path}`);
  if (response.status() === 404) {
    if (required.has(feature)) throw new Error(`GET ${path} answered 404 but JOURNEY_REQUIRE names ${feature}`);
    return false;
  }
  if (!response.ok()) throw new Error(`GET ${path} answered ${response.status()}: ${await response.text()}`);
  return true;
}

async function chat(key) {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Count to six in one word' }] }),
  });
  return { status: response.status, generationId: response.headers.get('x-tollgate-generation-id'), body: await response.json() };
}

/** Reloads the page until the locator shows up: usage becomes visible within seconds of a call, not instantly. */
async function eventually(page, locator, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.reload();
    }
  }
}

async function main() {
  await mkdir(screenshotDir, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'tollgate-journey-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
    baseURL: baseUrl,
    timeout: TIMEOUT,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  const email = `journey-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = 'correct horse battery';
  let key = '';
  let generationId = '';
  let activityCost = '';

  try {
    await step('a deep link to a dashboard page sends a visitor to log in', async () => {
      await page.goto('/keys');
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await screenshot(page, 'login');
    });

    await step('sign up', async () => {
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Email').fill('not an email');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Enter an email address like ada@example.com.').waitFor();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByLabel('Organization (optional)').fill('Journey Labs');
      await screenshot(page, 'signup');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
      await page.getByText('No keys yet').waitFor();
      return email;
    });

    await step('create a key and read it off the page', async () => {
      await page.getByLabel('Name').fill('journey key');
      await page.getByRole('button', { name: 'Create key' }).click();
      const field = page.getByTestId('new-key');
      await field.waitFor();
      key = await field.inputValue();
      if (!/^sk-tg-v1-[0-9a-f]{64}$/.test(key)) throw new Error(`the page shows no key of the contract's form: ${key}`);
      await page.getByText('It will not be shown again').waitFor();
      await screenshot(page, 'key-created');
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByRole('cell', { name: 'journey key', exact: true }).waitFor();
      return `${key.slice(0, 15)}…`;
    });

    await step('the key calls /v1/chat/completions', async () => {
      const result = await chat(key);
      if (result.status !== 200) throw new Error(`status ${result.status}: ${JSON.stringify(result.body)}`);
      generationId = result.generationId ?? result.body.id;
      return generationId;
    });

    await step('the Activity page shows the call', async () => {
      await page.getByRole('link', { name: 'Activity' }).click();
      await page.getByRole('heading', { name: 'Activity' }).waitFor();
      if (!(await available(page, 'activity', '/api/activity?page=0&size=1'))) {
        await page.getByText('Activity is not available yet').waitFor();
        await screenshot(page, 'activity-not-available');
        return 'SKIP: /api/activity is not on this server yet';
      }
      const row = page.getByRole('row').filter({ hasText: model });
      await eventually(page, row);
      activityCost = (await row.first().locator('td[data-label="Cost"]').innerText()).trim();
      await screenshot(page, 'activity');
      await row.first().getByRole('link').click();
      await page.getByRole('heading', { name: 'Generation' }).waitFor();
      await page.getByText(generationId).first().waitFor();
      await page.getByText('Time to first token').waitFor();
      await screenshot(page, 'generation');
      return `cost ${activityCost}`;
    });

    await step('the Usage page shows its cost', async () => {
      await page.getByRole('link', { name: 'Usage' }).click();
      await page.getByRole('heading', { name: 'Usage', exact: true }).waitFor();
      if (!(await available(page, 'usage', `/api/usage?from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}&groupBy=model`))) {
        await page.getByText('Usage is not available yet').waitFor();
        await screenshot(page, 'usage-not-available');
        return 'SKIP: /api/usage is not on this server yet';
      }
      const spend = page.getByTestId('total-spend');
      await eventually(page, page.getByRole('cell', { name: model }));
      const text = (await spend.innerText()).trim();
      if (activityCost && text !== activityCost) throw new Error(`Usage shows ${text} but Activity showed ${activityCost}`);
      if (!/^\$\d/.test(text) || text === '$0.00') throw new Error(`Usage shows no spend: ${text}`);
      await page.locator('.recharts-bar-rectangle').first().waitFor();
      await screenshot(page, 'usage');
      return `spend ${text}`;
    });

    await step('the Credits page shows the balance and the call’s charge', async () => {
      await page.getByRole('link', { name: 'Credits' }).click();
      await page.getByRole('heading', { name: 'Credits', exact: true }).waitFor();
      if (!(await available(page, 'credits', '/api/credits?page=0&size=1'))) {
        await page.getByText('Credits is not available yet').waitFor();
        await screenshot(page, 'credits-not-available');
        return 'SKIP: /api/credits is not on this server yet';
      }
      const balance = page.getByTestId('balance');
      await balance.waitFor();
      await page.locator('#ledger-title').waitFor();
      await page.getByLabel('Show each request’s charge').check();
      // The call's debit is in the ledger (written with its request-log row), linked to its generation.
      await page.locator(`a[href="/activity/${encodeURIComponent(generationId)}"]`).waitFor();
      await screenshot(page, 'credits');
      return `balance ${await balance.innerText()}`;
    });

    await step('the Models page lists the catalog and searches it', async () => {
      await page.getByRole('link', { name: 'Models' }).click();
      await page.getByRole('cell', { name: new RegExp(model) }).first().waitFor();
      await screenshot(page, 'models');
      await page.getByRole('searchbox', { name: 'Search models' }).fill('sonnet');
      await page.getByText(/^1 of \d+ models$|^\d+ of \d+ models$/).waitFor();
      if (await page.getByRole('cell', { name: new RegExp(model) }).count()) throw new Error('search did not filter');
    });

    await step('the Quickstart page shows the base URL and the key prefix', async () => {
      await page.getByRole('link', { name: 'Quickstart' }).click();
      await page.getByTestId('base-url').filter({ hasText: `${baseUrl}/v1` }).waitFor();
      await page.getByText(`export TOLLGATE_API_KEY=${key.slice(0, 15)}`).waitFor();
      await screenshot(page, 'quickstart');
    });

    await step('the dashboard fits a phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('link', { name: 'API keys' }).click();
      // Phone tables are stacked cards: match the text, since the cells no longer lay out as a table.
      await page.getByText('journey key', { exact: true }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await screenshot(page, 'keys-phone');
      await page.setViewportSize({ width: 1280, height: 860 });
      if (overflow > 1) throw new Error(`the page is ${overflow}px wider than a phone screen`);
    });

    await step('revoke the key after confirming', async () => {
      await page.getByRole('button', { name: 'Revoke key journey key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke this key?' });
      await dialog.waitFor();
      await screenshot(page, 'revoke-confirm');
      await dialog.getByRole('button', { name: 'Revoke key' }).click();
      await page.getByText('No keys yet').waitFor();
    });

    await step('the revoked key gets 401', async () => {
      const result = await chat(key);
      if (result.status !== 401) throw new Error(`status ${result.status}: ${JSON.stringify(result.body)}`);
      return result.body?.error?.code;
    });

    await step('log out, and log in again', async () => {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Usage', exact: true }).waitFor();
    });

    if (pageErrors.length) throw new Error(`uncaught errors in the page: ${pageErrors.join(' | ')}`);
    console.log(`JOURNEY PASSED ${passed} steps; screenshots in ${screenshotDir}`);
  } catch (error) {
    const file = await screenshot(page, 'failure').catch(() => null);
    console.log(`JOURNEY FAILED after ${passed} steps at ${page.url()}${file ? `; screenshot ${file}` : ''}`);
    if (pageErrors.length) console.log(`page errors: ${pageErrors.join(' | ')}`);
    console.log(error instanceof Error ? error.stack : String(error));
    process.exitCode = 1;
  } finally {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
}

await main();
