// Choosing an arbitrary set of threads (issue 11): in a real Chromium, a standalone report of three
// profiled workers. Two of the three are picked from the call tree's thread menu by keyboard, then
// by Ctrl-clicking lane labels; the call tree's total and its top rows must equal the model's merge
// of exactly those two threads, and the choice must survive a reload through the URL hash.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { applyTransforms, baseSamples } from '../../src/model/transforms';
import { topDownTree } from '../../src/model/calltree';
import { syntheticReport } from '../../src/model/synthetic';
import { launch, openReport, screenshot, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

// Workers 1..3, each with its own pseudo-random profile (different totals per thread).
const report = syntheticReport({ threads: 3, spans: 300, profiles: 3, samplesPerProfile: 400, seed: 11 });
const samples = applyTransforms(baseSamples(report), []);
const merged = (threads?: number[]) => topDownTree(samples, { threads });

/** The call tree's root rows as name → total µs, from the model. */
function modelRoots(threads: number[]): Map<string, number> {
  const tree = merged(threads);
  const out = new Map<string, number>();
  for (const r of tree.roots) {
    // As the page's rows read (pageRoots): the name up to its first space (the location follows it).
    const name = tree.functions[tree.func[r]].name.split(' ')[0];
    out.set(name, (out.get(name) ?? 0) + tree.total[r]);
  }
  return out;
}

async function total(page: Page): Promise<number> {
  return Number(await page.$eval('#calltree-total', (e) => (e as HTMLElement).dataset.us));
}

async function waitTotal(page: Page, us: number): Promise<void> {
  await page.waitForFunction((want) => Math.abs(Number((document.querySelector('#calltree-total') as HTMLElement | null)?.dataset.us) - want) < 1e-6, us);
}

/** The rows at depth 1 as name → total µs (the tree's table cells carry µs in data-us). */
async function pageRoots(page: Page): Promise<Map<string, number>> {
  const rows = await page.$$eval('#calltree-tree [role="treeitem"][aria-level="1"]', (els) => els.map((e) => [
    e.querySelector('.pp-ct-name')!.textContent!.replace(/^[▸▾]/, '').split(' ')[0],
    Number((e.querySelector('.pp-ct-num') as HTMLElement).dataset.us),
  ] as [string, number]));
  const out = new Map<string, number>();
  for (const [name, us] of rows) out.set(name, (out.get(name) ?? 0) + us);
  return out;
}

const nextFrame = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('two of three threads: the call tree merges exactly them (thread menu by keyboard, Ctrl-click on lane labels, Shift+T on the timeline), and a reload keeps them', async () => {
  const picked = [1, 3];
  const want = merged(picked).totalUs;
  const all = merged().totalUs;
  assert.ok(want > 0 && want < all && Math.abs(want - merged([1, 2]).totalUs) > 0, 'the planted threads differ, so a wrong set would show');

  const { page, errors } = await openReport(b, report, 'thread-choice', '#view=calltree');
  await page.waitForSelector('#panel-calltree:not([hidden]) #calltree-tree [role="treeitem"]');
  await waitTotal(page, all);

  // Keyboard only: the menu button opens the checkboxes; Tab moves to worker 2's, Space unticks it.
  await page.focus('#calltree-threads');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#calltree-threads-menu:not([hidden])');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).dataset.thread), '1', 'focus goes to the first thread');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).dataset.thread), '2');
  await page.keyboard.press('Space');
  await nextFrame(page);
  await waitTotal(page, want);
  assert.deepEqual(await pageRoots(page), modelRoots(picked), 'each top-level row equals the model\'s merge of threads 1 and 3');
  assert.equal(await page.$eval('#calltree-thread', (s) => (s as HTMLSelectElement).selectedOptions[0].textContent), '2 threads (merged)');
  await screenshot(page, 'thread-choice-menu');
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('#calltree-threads-menu', (m) => (m as HTMLElement).hidden), true, 'Escape closes the menu');

  // The flamegraph merges the same threads.
  await showView(page, 'flamegraph');
  await page.waitForFunction((w) => Math.abs(Number((document.querySelector('#flame-total') as HTMLElement).dataset.us) - w) < 1e-6, want);

  // The hash keeps the choice: a reload shows the same merge, the boxes ticked as before.
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes('threads=[1,3]'));
  await page.reload();
  await page.waitForSelector('[role="tablist"]');
  await showView(page, 'calltree');
  await waitTotal(page, want);
  assert.deepEqual(await page.$$eval('#calltree-threads-menu input', (xs) => xs.map((x) => [(x as HTMLInputElement).dataset.thread, (x as HTMLInputElement).checked])),
    [['1', true], ['2', false], ['3', true]]);

  // Back to all threads from the quick select, then Ctrl-click two lane labels on the timeline.
  await page.selectOption('#calltree-thread', 'all');
  await waitTotal(page, all);
  await showView(page, 'timeline');
  await page.click('#timeline-lanes li[data-thread="1"] button', { modifiers: ['Control'] });
  await page.click('#timeline-lanes li[data-thread="3"] button', { modifiers: ['Control'] });
  await nextFrame(page);
  await showView(page, 'calltree');
  await waitTotal(page, want);
  assert.equal(await total(page), want);

  // Keyboard on the timeline: Page Down walks the lanes (main, worker 1, 2, 3), Shift+T adds a lane's thread.
  // (The Ctrl-clicks also selected those threads' samples: Escape on the timeline clears that selection.)
  await showView(page, 'timeline');
  await page.focus('#panel-timeline canvas[aria-roledescription="timeline"]');
  await page.keyboard.press('Escape');
  await showView(page, 'calltree');
  await page.selectOption('#calltree-thread', 'all');
  await waitTotal(page, all);
  await showView(page, 'timeline');
  await page.focus('#panel-timeline canvas[aria-roledescription="timeline"]');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('Shift+T');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('Shift+T');
  await nextFrame(page);
  await showView(page, 'calltree');
  await waitTotal(page, want);
  assert.deepEqual(errors, []);
  await page.close();
});
