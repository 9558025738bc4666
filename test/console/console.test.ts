/**
 * The reference agent console in a real browser: Debian's Chromium, headless, driven by
 * puppeteer-core, against a real botgraph with its embedded simulators. It sees all three
 * providers, takes a conversation over, replies and sees the reply arrive through the
 * subscription, gives it back, and shows a banner when a provider fails.
 * `npm run screenshot` runs this with CONSOLE_SCREENSHOT=docs/console.png.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../helpers/botgraph.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT ?? join(tmpdir(), 'botgraph-console.png');

let bg: TestBotgraph;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install -y chromium (.ci/run does this)');
  bg = await startTestBotgraph({ POLL_INTERVAL_MS: '300', POLL_FAST_INTERVAL_MS: '300', POLL_IDLE_INTERVAL_MS: '300', POLL_GRACE_MS: '300' });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

afterAll(async () => {
  await browser?.close();
});

const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');

// A browser page's waits (up to 15 s each, for conditions) exceed the suite's 20 s test timeout on a loaded machine.
describe('agent console (examples/console) in Chromium', { timeout: 60_000 }, () => {
  it('shows the live inbox of all three providers, newest first, with badges', async () => {
    await page.goto(`${bg.url}/console`, { waitUntil: 'load' });
    // Page functions are strings: they run in the browser, and this project's types are Node's.
    await page.waitForFunction(
      `new Set([...document.querySelectorAll('[data-testid=inbox] [data-testid=conversation]')].map((e) => e.dataset.provider)).size === 3`,
      { timeout: 15_000 },
    );
    await page.waitForFunction(`document.querySelector('[data-testid=connection]')?.textContent === 'connected'`, { timeout: 10_000 });
    const providers = await page.$$eval('[data-testid=inbox] [data-testid=conversation]', (els) => els.map((e) => e.getAttribute('data-provider')));
    expect(new Set(providers)).toEqual(new Set(['CLOSER', 'BOTONE', 'CXONE']));
    expect(await page.$$('[data-testid=inbox] .badge.status')).not.toHaveLength(0);
    expect(pageErrors).toEqual([]);
  });

  it('opens a CXone conversation with intents and quick replies', async () => {
    const res = await bg.gql(`{ conversations(first: 10, filter: { providers: [CXONE] }) { nodes { id } } }`);
    const id = res.data.conversations.nodes[0].id as string;
    await page.click(`[data-testid=inbox] [data-id="${id}"]`);
    await page.waitForSelector('[data-testid=detail] [data-testid=intent]', { timeout: 10_000 });
    expect(await page.$$('[data-testid=detail] .quick-reply')).not.toHaveLength(0);
  });

  it('takes a conversation over, replies (seen through the subscription) and gives it back', async () => {
    const res = await bg.gql(`{ conversations(first: 30, filter: { providers: [CLOSER], statuses: [ACTIVE] }) { nodes { id handoff } } }`);
    const id = (res.data.conversations.nodes as { id: string; handoff: string }[]).find((c) => c.handoff === 'BOT')!.id;
    await page.click(`[data-testid=inbox] [data-id="${id}"]`);
    await page.waitForSelector('[data-testid=detail][data-handoff=BOT] [data-testid=take-over]');
    await page.click('[data-testid=take-over]');
    await page.waitForSelector('[data-testid=detail][data-handoff=OPERATOR] [data-testid=reply-text]', { timeout: 10_000 });

    const reply = `안녕하세요, 상담원입니다 ${Date.now()}`;
    await page.type('[data-testid=reply-text]', reply);
    await page.keyboard.press('Enter');
    // The console adds a message only when messageAdded delivers it.
    await page.waitForFunction(
      `[...document.querySelectorAll('[data-testid=message] .text')].some((e) => e.textContent === ${JSON.stringify(reply)})`,
      { timeout: 10_000 },
    );
    const stored = await bg.gql(`query($id: ID!) { conversation(id: $id) { handoff messages(last: 3) { nodes { sender text } } } }`, { id });
    expect(stored.data.conversation.handoff).toBe('OPERATOR');
    expect(stored.data.conversation.messages.nodes).toContainEqual({ sender: 'OPERATOR', text: reply });

    await page.screenshot({ path: SCREENSHOT });

    await page.click('[data-testid=give-back]');
    await page.waitForSelector('[data-testid=detail][data-handoff=BOT]', { timeout: 10_000 });
    const after = await bg.gql(`query($id: ID!) { conversation(id: $id) { handoff } }`, { id });
    expect(after.data.conversation.handoff).toBe('BOT');
  });

  it('a provider that fails shows a banner, and the other providers stay listed', async () => {
    bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 503 });
    try {
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('[data-testid=banner]', { timeout: 15_000 });
      expect(await text('[data-testid=banner]')).toMatch(/CLOSER/);
      await page.waitForSelector('[data-testid=inbox] [data-provider=BOTONE]', { timeout: 10_000 });
    } finally {
      bg.sim('CLOSER').faults.clear();
    }
    expect(pageErrors).toEqual([]);
  });
});

describe('agent console against an auth-enabled botgraph', { timeout: 60_000 }, () => {
  const OPERATOR_KEY = 'operator-console-key-0123456789';
  let secured: TestBotgraph;
  let keyed: Page;
  beforeAll(async () => {
    secured = await startTestBotgraph({ BOTGRAPH_API_KEYS: `operator:${OPERATOR_KEY}`, POLL_INTERVAL_MS: '300', POLL_FAST_INTERVAL_MS: '300' });
    keyed = await browser.newPage();
    keyed.on('pageerror', (error) => pageErrors.push(String(error)));
  });

  it('without a key shows the refusal to the person; with the key entered it lists all three providers live', async () => {
    await keyed.goto(`${secured.url}/console`, { waitUntil: 'load' });
    await keyed.waitForSelector('[data-testid=error]', { timeout: 15_000 });
    expect(await keyed.$eval('[data-testid=error]', (el) => el.textContent ?? '')).toMatch(/UNAUTHENTICATED|credential|key/i);
    expect(await keyed.$$('[data-testid=inbox] [data-testid=conversation]')).toHaveLength(0);

    await keyed.type('[data-testid=api-key]', OPERATOR_KEY);
    await Promise.all([keyed.waitForNavigation({ waitUntil: 'load' }), keyed.click('form.key button')]);
    await keyed.waitForFunction(
      `new Set([...document.querySelectorAll('[data-testid=inbox] [data-testid=conversation]')].map((e) => e.dataset.provider)).size === 3`,
      { timeout: 15_000 },
    );
    await keyed.waitForFunction(`document.querySelector('[data-testid=connection]')?.textContent === 'connected'`, { timeout: 10_000 });
    expect(await keyed.$$('[data-testid=error]')).toHaveLength(0);
    expect(pageErrors).toEqual([]);
  });
});
