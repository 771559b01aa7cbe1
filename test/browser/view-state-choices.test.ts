// The call tree's mode (top-down, inverted, sandwich and the sandwich's function) and the flame
// chart's thread are view state: they survive a reload, through the URL hash of a standalone page
// and through the panel state in VS Code; what a hash says about them is checked like the rest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Report } from '../../src/model/report';
import { webviewHtml } from '../../src/model/html-report';
import { buildReport } from '../unit/model-build';
import { plantedProfile } from '../unit/explore-helpers';
import { bundle, launch, openReport, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report: Report = buildReport({ workers: 2, profiles: [{ thread: 1, profile: plantedProfile() }, { thread: 2, profile: plantedProfile() }] });

const hash = (page: Page) => page.evaluate(() => decodeURIComponent(location.hash));
const heading = (page: Page) => page.$eval('#panel-calltree .pp-ct-heading', (e) => e.textContent);

test('standalone page: the sandwich of a function and the flame chart\'s thread survive a reload', async () => {
  const p = await openReport(b, report, 'view-state-choices', '#view=calltree');
  await p.page.waitForSelector('#calltree-tree [role="treeitem"]');
  const fib = await p.page.$$eval('#calltree-tree [role="treeitem"]', (rows) => rows.findIndex((r) => r.textContent!.includes('fib')));
  await p.page.locator('#calltree-tree [role="treeitem"]').nth(fib).click({ button: 'right' });
  await p.page.click('.pp-calltree .pp-menu:not([hidden]) button:has-text("Show callers and callees (sandwich)")');
  await p.page.waitForFunction(() => decodeURIComponent(location.hash).includes('"sandwich"'));
  assert.equal(await heading(p.page), 'Callers of fib');
  await showView(p.page, 'flamechart');
  const shown = await p.page.inputValue('#chart-thread');
  const other = shown === '1' ? '2' : '1';
  await p.page.selectOption('#chart-thread', other);
  await p.page.waitForFunction((t) => location.hash.includes(`chartThread=${t}`), other);
  assert.match(await hash(p.page), /callTreeMode="sandwich"&.*sandwich="fib/);

  await p.page.reload();
  await p.page.waitForSelector('#panel-flamechart:not([hidden])');
  assert.equal(await p.page.inputValue('#chart-thread'), other, 'the flame chart\'s thread is kept');
  await showView(p.page, 'calltree');
  assert.equal(await p.page.inputValue('#calltree-mode'), 'sandwich');
  assert.equal(await heading(p.page), 'Callers of fib', 'the sandwich\'s function is kept');

  // Back to top-down: the hash drops both.
  await p.page.selectOption('#calltree-mode', 'top-down');
  await p.page.waitForFunction(() => !location.hash.includes('callTreeMode'));
  assert.doesNotMatch(await hash(p.page), /sandwich/);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});

test('a hash with a mode, a thread or a function key that is not one is read as no choice', async () => {
  const bad = `#view=calltree&callTreeMode=${encodeURIComponent('"sideways"')}&sandwich=${encodeURIComponent(JSON.stringify('x'.repeat(20_000)))}&chartThread=99`;
  const p = await openReport(b, report, 'view-state-choices-bad', bad);
  await p.page.waitForSelector('#calltree-tree [role="treeitem"]');
  assert.equal(await p.page.inputValue('#calltree-mode'), 'top-down');
  await showView(p.page, 'flamechart');
  assert.ok(['1', '2'].includes(await p.page.inputValue('#chart-thread')), 'a thread with a profile');
  const state = await p.page.evaluate(() => (window as unknown as { __parprof: { app: { store: { state(): Record<string, unknown> } } } }).__parprof.app.store.state());
  assert.equal(state.callTreeMode, undefined);
  assert.equal(state.sandwich, undefined);
  assert.equal(state.chartThread, undefined);
  // A sandwich key of another type: no sandwich function, the heaviest one shown.
  const q = await openReport(b, report, 'view-state-choices-typed', `#view=calltree&callTreeMode=${encodeURIComponent('"sandwich"')}&sandwich=42`);
  await q.page.waitForSelector('#panel-calltree .pp-ct-heading');
  assert.equal(await q.page.inputValue('#calltree-mode'), 'sandwich');
  assert.match((await heading(q.page))!, /^Callers of /);
  assert.deepEqual([...p.errors, ...q.errors], []);
  await p.page.close();
  await q.page.close();
});

test('VS Code panel: the inverted call tree and the flame chart\'s thread are in the panel state and come back after a reload', async () => {
  const page = await b.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi: () => unknown };
    w.__posted = [];
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m),
      getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null') ?? undefined,
      setState: (s: unknown) => sessionStorage.setItem('state', JSON.stringify(s)) });
  });
  await page.route('https://file+.vscode-resource.vscode-cdn.net/dist/webview.js', (r) => r.fulfill({ body: bundle(), contentType: 'text/javascript' }));
  await page.route('https://panel.test/', (r) => r.fulfill({ contentType: 'text/html',
    body: webviewHtml({ nonce: 'n0nce', cspSource: 'https://*.vscode-cdn.net', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/dist/webview.js' }) }));
  const init = async () => {
    await page.waitForFunction(() => (window as unknown as { __posted?: unknown[] }).__posted?.length);
    await page.evaluate((r) => window.postMessage({ type: 'init', report: r, options: { view: 'calltree', canOpenSource: true } }, '*'), report as unknown as Record<string, unknown>);
    await page.waitForSelector('#panel-calltree:not([hidden]) #calltree-tree [role="treeitem"]');
  };
  await page.goto('https://panel.test/');
  await init();
  await page.selectOption('#calltree-mode', 'inverted');
  await showView(page, 'flamechart');
  await page.selectOption('#chart-thread', '1');
  await page.waitForFunction(() => { const s = JSON.parse(sessionStorage.getItem('state') ?? '{}'); return s.callTreeMode === 'inverted' && s.chartThread === 1; });
  await page.selectOption('#chart-thread', '2');
  await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').chartThread === 2);
  await page.reload();
  await init();
  assert.equal(await page.inputValue('#calltree-mode'), 'inverted');
  await showView(page, 'flamechart');
  assert.equal(await page.inputValue('#chart-thread'), '2');
  assert.deepEqual(errors, []);
  await page.close();
});
