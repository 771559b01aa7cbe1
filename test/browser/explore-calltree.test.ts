// The call tree and the transforms in a real Chromium, inside a simulated VS Code webview whose
// state (setState/getState) lives in sessionStorage, so it survives a reload as VS Code keeps it.
// The report is the planted profile of test/unit/explore-helpers.ts on two threads: every total
// the page shows is compared with what the model computes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { webviewHtml } from '../../src/model/html-report';
import { applyTransforms, baseSamples, type Transform } from '../../src/model/transforms';
import { topDownTree } from '../../src/model/calltree';
import type { Report } from '../../src/model/report';
import type { WebviewToHost } from '../../src/protocol';
import { buildReport } from '../unit/model-build';
import { plantedProfile } from '../unit/explore-helpers';
import { bundle, launch, openReport, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report: Report = buildReport({ workers: 2, profiles: [{ thread: 1, profile: plantedProfile() }, { thread: 2, profile: plantedProfile() }] });

function modelTotal(transforms: Transform[]): number {
  return topDownTree(applyTransforms(baseSamples(report), transforms)).totalUs;
}

async function init(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __posted?: unknown[] }).__posted?.length);
  await page.evaluate((r) => window.postMessage({ type: 'init', report: r, options: { view: 'calltree', canOpenSource: true } }, '*'), report as unknown as Record<string, unknown>);
  await page.waitForSelector('#panel-calltree:not([hidden]) #calltree-tree [role="treeitem"]');
}

async function total(page: Page): Promise<number> {
  return Number(await page.$eval('#calltree-total', (e) => (e as HTMLElement).dataset.us));
}

async function rows(page: Page): Promise<string[]> {
  return page.$$eval('#calltree-tree [role="treeitem"]', (els) => els.map((e) => e.querySelector('.pp-ct-name')!.textContent!.replace(/^[▸▾]/, '').split(' ')[0]));
}

async function active(page: Page): Promise<{ name: string; expanded: string | null }> {
  return page.evaluate(() => {
    const tree = document.getElementById('calltree-tree')!;
    const row = document.getElementById(tree.getAttribute('aria-activedescendant') ?? '')!;
    return { name: row.querySelector('.pp-ct-name')!.textContent!.replace(/^[▸▾]/, '').split(' ')[0], expanded: row.getAttribute('aria-expanded') };
  });
}

/**
 * Clicks fib in the flamegraph (depth 3 of the left-heavy graph: all › main › row › fib). The
 * graph draws on its next frame after the tab is shown: click again until the click lands on it.
 */
async function selectFib(page: Page, box: { x: number; y: number }): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.mouse.click(box.x + 4, box.y + 3 * 18 + 9);
    if (/fib/.test(await page.$eval('#flame-details', (e) => e.textContent!))) return;
    await page.waitForTimeout(100);
  }
}

test('call tree: renders the model\'s totals, keyboard walk, a flamegraph transform in the breadcrumb, undo, reload', async () => {
  const page = await b.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
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
  await page.goto('https://panel.test/');
  await init(page);

  // Default view: the pool's runItems is merged away, so row sits right under main; both threads merged.
  assert.equal(await total(page), modelTotal([]));
  assert.equal(await total(page), 380);
  assert.deepEqual((await rows(page)).slice(0, 5), ['main', 'row', 'fib', 'fib', 'fib'], 'the heaviest path is open');
  assert.ok(!(await rows(page)).includes('runItems'));
  const mainSelf = await page.$eval('#calltree-tree-row-0 .pp-ct-num:nth-child(2)', (e) => Number((e as HTMLElement).dataset.us));
  // main's own 10 µs on each thread; the merged runItems' own 10 µs (the pool between tasks) is under 'parprof runtime'.
  assert.equal(mainSelf, 20, 'main 10 µs on two threads');

  // Keyboard only: Tab reaches the tree, arrows move, collapse and expand.
  await page.focus('#calltree-thread');
  for (let i = 0; i < 40 && (await page.evaluate(() => document.activeElement?.id)) !== 'calltree-tree'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'calltree-tree', 'Tab reaches the tree');
  assert.deepEqual(await active(page), { name: 'main', expanded: 'true' });
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await active(page), { name: 'row', expanded: 'true' });
  const before = (await rows(page)).length;
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await active(page), { name: 'row', expanded: 'false' });
  assert.equal((await rows(page)).length, before - 3, 'the three fib rows are hidden');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await active(page), { name: 'row', expanded: 'true' });
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await active(page), { name: 'fib', expanded: 'true' });
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await active(page), { name: 'row', expanded: 'true' }, 'Left on a collapsed row goes to its parent');
  await page.keyboard.press('Enter');
  const posted = await page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
  assert.deepEqual(posted.find((m) => m.type === 'open-source'), { type: 'open-source', file: '/app/a.js', line: 11, column: 5 });

  // A transform from the flamegraph: select fib (depth 3 of the left-heavy graph: all › main › row › fib) and drop it.
  await showView(page, 'flamegraph');
  const box = (await (await page.$('#flamegraph'))!.boundingBox())!;
  await selectFib(page, box);
  assert.match(await page.$eval('#flame-details', (e) => e.textContent!), /fib/);
  await page.click('#flame-actions [data-transform="drop-function"]');
  await page.waitForFunction(() => document.querySelector('#flame-transforms')?.textContent?.includes('Drop: fib'));
  const dropFib: Transform[] = [{ type: 'drop-function', key: 'fib\u0001/app/a.js\u000121' }];
  await showView(page, 'calltree');
  assert.match(await page.$eval('#calltree-transforms', (e) => e.textContent!), /Full profile.*Drop: fib/);
  assert.equal(await total(page), modelTotal(dropFib));
  assert.equal(await total(page), 320);
  assert.ok(!(await rows(page)).includes('fib'));

  // Undo restores the totals; redo it and reload: the transform is still there.
  await page.click('#calltree-transforms .pp-undo');
  assert.equal(await total(page), 380);
  assert.doesNotMatch(await page.$eval('#calltree-transforms', (e) => e.textContent!), /Drop/);
  await showView(page, 'flamegraph');
  await selectFib(page, box);
  await page.click('#flame-actions [data-transform="drop-function"]');
  await showView(page, 'calltree');
  assert.equal(await total(page), 320);
  await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').transforms?.length === 1);
  await page.reload();
  await init(page);
  assert.match(await page.$eval('#calltree-transforms', (e) => e.textContent!), /Drop: fib/);
  assert.equal(await total(page), 320);

  // The toggle shows the pool's frames again (the total does not change: merged time was never lost).
  await page.click('#calltree-show-runtime');
  await page.waitForFunction(() => [...document.querySelectorAll('#calltree-tree [role="treeitem"]')].some((e) => e.textContent!.includes('runItems')));
  assert.equal(await total(page), modelTotal(dropFib));

  // Threads: one of them, or the workers merged (both threads here are workers).
  await page.selectOption('#calltree-thread', '2');
  assert.equal(await total(page), topDownTree(applyTransforms(baseSamples(report), dropFib), { threads: [2] }).totalUs);
  assert.equal(await total(page), 160);
  await page.selectOption('#calltree-thread', 'workers');
  assert.equal(await total(page), 320);

  // Inverted: roots are self times, the heaviest first.
  await page.click('#calltree-show-runtime');
  await page.click('#calltree-transforms .pp-undo');
  await page.selectOption('#calltree-mode', 'inverted');
  assert.equal((await rows(page))[0], 'fib');
  assert.equal(await page.$eval('#calltree-tree-row-0 .pp-ct-num:nth-child(2)', (e) => Number((e as HTMLElement).dataset.us)), 60);
  await page.selectOption('#calltree-mode', 'sandwich');
  assert.match(await page.$eval('#calltree-total', (e) => e.textContent!), /fib: total 0\.060 ms · self 0\.060 ms/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('standalone page: a transform from the call tree\'s context menu, by keyboard only, survives a reload through the URL hash', async () => {
  const p = await openReport(b, report, 'explore-calltree', '#view=calltree');
  await p.page.waitForSelector('#calltree-tree [role="treeitem"]');
  assert.equal(await total(p.page), 380);
  await p.page.focus('#calltree-tree');
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('ArrowDown');
  assert.deepEqual(await active(p.page), { name: 'fib', expanded: 'true' });
  await p.page.keyboard.press('ContextMenu');
  await p.page.waitForSelector('.pp-calltree .pp-menu:not([hidden]) button:focus');
  const items = await p.page.$$eval('.pp-calltree .pp-menu button', (els) => els.map((e) => e.textContent));
  assert.deepEqual(items.slice(0, 5), ['Merge function', 'Focus on function', 'Focus on subtree', 'Drop samples with this function', 'Collapse recursion']);
  for (let i = 0; i < 3; i++) await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => document.querySelector('#calltree-transforms')?.textContent?.includes('Drop: fib'));
  assert.equal(await total(p.page), 320);
  await p.page.waitForFunction(() => location.hash.includes('transforms'));
  await p.page.reload();
  await p.page.waitForSelector('#calltree-tree [role="treeitem"]');
  assert.match(await p.page.$eval('#calltree-transforms', (e) => e.textContent!), /Drop: fib/);
  assert.equal(await total(p.page), 320);
  // The flamegraph reads the same transformed samples.
  await showView(p.page, 'flamegraph');
  assert.equal(Number(await p.page.$eval('#flame-total', (e) => (e as HTMLElement).dataset.us)), 320);
  assert.match(await p.page.$eval('#flame-transforms', (e) => e.textContent!), /Drop: fib/);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});

test('a merged top-level function\'s own time is in the total and said to be under no row; the default view puts all of it under rows', async () => {
  const p = await openReport(b, report, 'explore-calltree-merged-root', '#view=calltree');
  await p.page.waitForSelector('#calltree-tree [role="treeitem"]');
  // The default view: the rows add up to the total (the pool's own time is 'parprof runtime').
  assert.equal(await p.page.$eval('#calltree-total', (e) => e.textContent), 'Total 0.380 ms');
  await p.page.focus('#calltree-tree');
  assert.equal((await active(p.page)).name, 'main');
  await p.page.keyboard.press('ContextMenu');
  await p.page.waitForSelector('.pp-calltree .pp-menu:not([hidden]) button:focus');
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => document.querySelector('#calltree-transforms')?.textContent?.includes('Merge: main'));
  // main's own 10 µs on each thread now sits on the root: 20 µs of the 380 under no row.
  const model = topDownTree(applyTransforms(baseSamples(report), [{ type: 'merge-function', key: baseSamples(report).stacks.functions.find((f) => f.name === 'main')!.key }]));
  const onRoot = model.totalUs - model.roots.reduce((s, r) => s + model.total[r], 0);
  assert.equal(onRoot, 20);
  assert.equal(await total(p.page), 380);
  assert.equal(await p.page.$eval('#calltree-total', (e) => e.textContent), 'Total 0.380 ms (0.020 ms of it under no row: the own time of merged top-level functions)');
  assert.deepEqual(p.errors, []);
  await p.page.close();
});

test('standalone page: a hash changed after load (an edit, a link, Back) shows the view it names', async () => {
  const p = await openReport(b, report, 'explore-hashchange', '#view=summary');
  const view = () => p.page.evaluate(() => (window as unknown as { __parprof: { app: { store: { view: string } } } }).__parprof.app.store.view);
  await p.page.waitForFunction(() => (window as unknown as { __parprof?: unknown }).__parprof);
  assert.equal(await view(), 'summary');
  await p.page.evaluate(() => { location.hash = '#view=calltree'; });
  await p.page.waitForFunction(() => (window as unknown as { __parprof: { app: { store: { view: string } } } }).__parprof.app.store.view === 'calltree');
  await p.page.waitForSelector('#panel-calltree:not([hidden]) #calltree-tree [role="treeitem"]');
  assert.equal(await total(p.page), 380);
  // Back: the hash before, and its view.
  await p.page.evaluate(() => history.back());
  await p.page.waitForFunction(() => (window as unknown as { __parprof: { app: { store: { view: string } } } }).__parprof.app.store.view === 'summary');
  assert.match(p.page.url(), /#view=summary$/);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
