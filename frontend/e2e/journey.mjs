// The dashboard's end-to-end journey in a real headless Chromium: sign up, create a key and read it off the page, set
// its limits, call the proxy with it, find the call under Activity and its cost under Usage, buy credits through
// Stripe Checkout and see the balance grow, revoke the key and see it refused.
//
//   node e2e/journey.mjs http://127.0.0.1:8080
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default ../target/screenshots next to this
// folder), JOURNEY_MODEL (default openai/gpt-4o-mini), JOURNEY_REQUIRE (features that must not be skipped, e.g.
// "activity,usage,credits,billing"), JOURNEY_PAYER (see below). Prints one "ok - …" line per step and
// "JOURNEY PASSED" at the end; exits 1 on the first failed step, after a screenshot of the page as it was.
// Steps whose API is not on the server yet (404) check the page's "not available yet" state instead and say SKIP.
//
// Checkout: the browser never reaches Stripe. The journey answers for checkout.stripe.com with a stand-in page whose
// Pay button asks a payer to complete the session, then returns to the dashboard as Stripe's success_url would. With
// JOURNEY_PAYER=stdio the payer is whoever runs the journey (BrowserJourneyIntegrationTests, with the fake Stripe and
// the webhook secret): the journey prints "PAY <session id>" and reads back "PAID <session id> <amount_total in
// cents>" once a signed checkout.session.completed webhook has been accepted, or "FAILED <reason>". Without a payer
// the step stops at the stand-in page and says SKIP.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
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
const TOP_UP_USD = '25.50';
const TOP_UP_MICROS = 25_500_000;
// Answers from the payer, one line each, read only when asked for (see the top of this file).
const payerAnswers = process.env.JOURNEY_PAYER === 'stdio' ? createInterface({ input: process.stdin }) : null;
const payerLines = payerAnswers?.[Symbol.asyncIterator]();

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

async function chat(key, content = 'Count to six in one word') {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  return {
    status: response.status,
    generationId: response.headers.get('x-tollgate-generation-id'),
    requestLimit: response.headers.get('x-ratelimit-limit-requests'),
    body: await response.json(),
  };
}

/** Rejects when `promise` has not settled within `ms`: a deadline on a condition, not a pause. */
function within(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Asks the payer to complete a Checkout Session; resolves to the cents Stripe charged for it. */
async function pay(session) {
  console.log(`PAY ${session}`);
  const { value, done } = await within(payerLines.next(), TIMEOUT, 'the payer did not answer');
  const answer = done ? '' : value.trim();
  const match = /^PAID (\S+) (\d+)$/.exec(answer);
  if (!match || match[1] !== session) throw new Error(`the payer answered "${answer}" to PAY ${session}`);
  return Number(match[2]);
}

/** The dashboard's money text for micro-dollars of a cent or more: $1,234.57 (half up, as lib/money.ts). */
function usd(micros) {
  const cents = Math.floor((Math.abs(micros) + 5_000) / 10_000);
  const dollars = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${micros < 0 ? '-' : ''}$${dollars}.${String(cents % 100).padStart(2, '0')}`;
}

/** Stripe Checkout as the journey plays it: the session's page with a Pay button, and the page after paying. */
function checkoutPage(session, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout (stand-in)</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1a1f36}
button,a{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#635bff;
color:#fff;font:inherit;text-decoration:none}code{font-size:.85rem}</style></head>
<body><p>Stand-in for Stripe Checkout (the test's fake Stripe)</p><h1>Pay Tollgate</h1>
<p>Session <code>${session}</code></p>${body}</body></html>`;
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
  let topUpPaid = false;

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

    await step('set the key’s credit and rate limits', async () => {
      const row = page.getByRole('row').filter({ hasText: 'journey key' });
      await row.getByRole('button', { name: 'Edit limits of key journey key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Limits of “journey key”' });
      await dialog.getByLabel('Credit limit in USD').fill('5');
      await dialog.getByLabel('Requests per minute').fill('60');
      await dialog.getByLabel('Tokens per minute').fill('100,000');
      await screenshot(page, 'key-limits');
      await dialog.getByRole('button', { name: 'Save limits' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await row.getByText('60 requests/min').waitFor();
      await row.getByText('100,000 tokens/min').waitFor();
      await row.getByText('$5.00').waitFor();
      await screenshot(page, 'keys-with-limits');
    });

    await step('the key calls /v1/chat/completions', async () => {
      const result = await chat(key);
      if (result.status !== 200) throw new Error(`status ${result.status}: ${JSON.stringify(result.body)}`);
      // The rate limit set on the page is the one the proxy applies.
      if (result.requestLimit !== '60') throw new Error(`x-ratelimit-limit-requests is ${result.requestLimit}, not 60`);
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

    await step('top up through Stripe Checkout and see the balance grow', async () => {
      if (!(await available(page, 'billing', '/api/billing/config'))) {
        await page.getByText(/Card payments are not configured/).first().waitFor();
        return 'SKIP: /api/billing/config is not on this server yet';
      }
      const config = await (await page.request.get(`${baseUrl}/api/billing/config`)).json();
      if (!config.enabled) {
        if (required.has('billing')) throw new Error('billing is required but /api/billing/config says "enabled":false');
        await page.getByText(/Card payments are not configured/).first().waitFor();
        await screenshot(page, 'credits-billing-off');
        return 'SKIP: Stripe is not configured on this server';
      }
      const before = (await (await page.request.get(`${baseUrl}/api/credits?page=0&size=1`)).json()).balanceMicros;
      const balance = page.getByTestId('balance');
      if ((await balance.innerText()).trim() !== usd(before)) throw new Error(`the page shows ${await balance.innerText()}, the API ${usd(before)}`);

      const autoTopUp = page.getByLabel('Top up automatically when my balance runs low');
      if (await autoTopUp.isEnabled()) throw new Error('automatic top-up is offered before any card was saved');
      const form = page.getByRole('form', { name: 'Add credits' });
      await form.getByLabel('Amount of credits (USD)').fill(TOP_UP_USD);
      const quote = form.getByLabel('Price');
      await quote.getByText(usd(TOP_UP_MICROS), { exact: true }).waitFor();
      const fee = (await quote.locator('dt', { hasText: 'Purchase fee' }).locator('xpath=following-sibling::dd').innerText()).trim();
      const total = (await quote.locator('.quote-total dd').innerText()).trim();
      await screenshot(page, 'credits-quote');

      let session = '';
      let chargedCents = -1;
      await page.route(/^https:\/\/checkout\.stripe\.com\//, async (route) => {
        session = new URL(route.request().url()).pathname.split('/').pop() ?? '';
        if (route.request().method() === 'GET') {
          await route.fulfill({ contentType: 'text/html', body: checkoutPage(session,
            `<form method="post"><button type="submit">Pay</button></form>`) });
          return;
        }
        try {
          chargedCents = await pay(session);
          await route.fulfill({ contentType: 'text/html', body: checkoutPage(session,
            `<p>Paid.</p><a href="${baseUrl}/credits?checkout=success&amp;session_id=${session}">Return to Tollgate</a>`) });
        } catch (error) {
          await route.fulfill({ status: 500, contentType: 'text/plain', body: String(error) });
        }
      });
      await form.getByRole('button', { name: 'Continue to payment' }).click();
      await page.waitForURL(/^https:\/\/checkout\.stripe\.com\//);
      if (!/^cs_/.test(session)) throw new Error(`the dashboard opened ${page.url()}, not a Checkout Session`);
      await page.getByRole('button', { name: 'Pay' }).waitFor();
      await screenshot(page, 'checkout');
      if (!payerLines) {
        if (required.has('billing')) throw new Error('billing is required but no payer completes Checkout (JOURNEY_PAYER)');
        await page.goto('/credits');
        return `SKIP: opened ${session} (${total}); no payer to complete it (JOURNEY_PAYER=stdio)`;
      }
      await page.getByRole('button', { name: 'Pay' }).click();
      await page.getByRole('link', { name: 'Return to Tollgate' }).click();
      await page.getByRole('heading', { name: 'Credits', exact: true }).waitFor();
      // What the page quoted is what Stripe charged: credits plus the fee, to the cent.
      if (usd(chargedCents * 10_000) !== total) throw new Error(`the page quoted ${total} but Stripe charged ${usd(chargedCents * 10_000)}`);
      await page.getByText(`Payment received: ${usd(TOP_UP_MICROS)} of credits were added to your balance.`).waitFor();
      await balance.filter({ hasText: usd(before + TOP_UP_MICROS) }).waitFor();
      await page.getByRole('row').filter({ hasText: 'Top-up' }).filter({ hasText: `+${usd(TOP_UP_MICROS)}` }).first().waitFor();
      await screenshot(page, 'credits-topped-up');
      topUpPaid = true;
      return `${session}: paid ${total} (fee ${fee}), balance ${usd(before)} → ${usd(before + TOP_UP_MICROS)}`;
    });

    await step('automatic top-up uses the card of that purchase', async () => {
      if (!topUpPaid) return 'SKIP: no top-up was paid';
      const form = page.getByRole('form', { name: 'Automatic top-up' });
      // Enabled once Stripe's payment_intent.succeeded saved the card (the page was loaded after it).
      await form.getByLabel('Top up automatically when my balance runs low').check();
      await form.getByLabel('When the balance falls below (USD)').fill('2');
      await form.getByLabel('Add this much (USD)').fill('20');
      await form.getByRole('button', { name: 'Save settings' }).click();
      await form.getByText('Saved.').waitFor();
      const saved = await (await page.request.get(`${baseUrl}/api/billing/auto-topup`)).json();
      if (!saved.enabled || saved.thresholdUsd !== 2 || saved.amountUsd !== 20 || !saved.hasPaymentMethod) {
        throw new Error(`the server kept ${JSON.stringify(saved)}`);
      }
      await screenshot(page, 'auto-topup');
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

    await step('guardrails redact personal data, and the call says so', async () => {
      await page.getByRole('link', { name: 'Guardrails' }).click();
      await page.getByRole('heading', { name: 'Guardrails' }).waitFor();
      await page.getByLabel('Redact personal data').check();
      await page.getByRole('button', { name: 'Save guardrails' }).click();
      await page.getByText(/^Saved\./).waitFor();
      await screenshot(page, 'guardrails');
      const result = await chat(key, 'Write to ada@example.com about it');
      if (result.status !== 200) throw new Error(`status ${result.status}: ${JSON.stringify(result.body)}`);
      await page.goto(`${baseUrl}/activity/${encodeURIComponent(result.generationId)}`);
      await page.getByRole('heading', { name: 'Generation' }).waitFor();
      const redacted = page.getByText('Personal data redacted');
      await eventually(page, redacted);
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
    payerAnswers?.close();
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
}

await main();
