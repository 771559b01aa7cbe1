// '(not sampled)' is time no sample saw, not code: "Focus on function" on it gave an empty graph
// ("Total 0.00 ms") with no word why (its time counts only where its late sample does, and a focus
// on it drops that sample). Its menus offer only what means something on it (merge it into the
// frame it hangs under, drop it), and a link that carries a focus on it opens the full profile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildReport } from '../unit/model-build';
import { plantedLateProfile } from '../unit/gaps-helpers';
import { applyTransforms, baseSamples, type Transform } from '../../src/model/transforms';
import { topDownTree } from '../../src/model/calltree';
import { NOT_SAMPLED, NOT_SAMPLED_FRAME } from '../../src/model/unsampled';
import { launch, openReport, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report = buildReport({ workers: 1, durationUs: 700_000, profiles: [{ thread: 1, profile: plantedLateProfile(true) }] });
const modelTotal = (t: Transform[]) => topDownTree(applyTransforms(baseSamples(report), t)).totalUs;
const total = (page: Page, id: string) => page.$eval(id, (e) => Number((e as HTMLElement).dataset.us));

test('(not sampled) in the call tree: its menu and its buttons offer merge and drop only, and drop takes its 570 ms away', async () => {
  const p = await openReport(b, report, 'pseudo-frame-menu', '#view=calltree');
  await p.page.waitForSelector('#calltree-tree [role="treeitem"]');
  const full = modelTotal([]);
  assert.equal(await total(p.page, '#calltree-total'), full);
  await p.page.focus('#calltree-tree');
  await p.page.keyboard.press('End');
  assert.ok((await p.page.textContent('#calltree-details'))!.startsWith(NOT_SAMPLED), 'the last row is (not sampled)');
  assert.deepEqual(await p.page.$$eval('#calltree-details [data-transform]', (bs) => bs.map((x) => x.textContent)),
    ['Merge function', 'Drop samples with this function']);
  await p.page.keyboard.press('ContextMenu');
  await p.page.waitForSelector('.pp-calltree .pp-menu:not([hidden]) button:focus');
  const items = await p.page.$$eval('.pp-calltree .pp-menu button', (els) => els.map((e) => e.textContent));
  assert.deepEqual(items.slice(0, 2), ['Merge function', 'Drop samples with this function']);
  for (const no of ['Focus on function', 'Focus on subtree', 'Collapse recursion']) assert.ok(!items.includes(no), `no "${no}" on (not sampled): ${items.join(', ')}`);
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => document.querySelector('#calltree-transforms')?.textContent?.includes('Drop: (not sampled)'));
  const dropped = modelTotal([{ type: 'drop-function', key: NOT_SAMPLED_FRAME.key }]);
  assert.equal(full - dropped, 570_000, 'the planted excess');
  assert.equal(await total(p.page, '#calltree-total'), dropped);
  // Merged instead: its time goes to the frames it hung under, the total stays.
  await p.page.click('#calltree-transforms .pp-undo');
  await p.page.focus('#calltree-tree');
  await p.page.keyboard.press('End');
  await p.page.click('#calltree-details [data-transform="merge-function"]');
  await p.page.waitForFunction(() => document.querySelector('#calltree-transforms')?.textContent?.includes('Merge: (not sampled)'));
  assert.equal(await total(p.page, '#calltree-total'), full);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});

test('a link with a focus on (not sampled) opens the full profile, not an empty one', async () => {
  const transforms: Transform[] = [{ type: 'focus-function', key: NOT_SAMPLED_FRAME.key }, { type: 'collapse-recursion', key: NOT_SAMPLED_FRAME.key }];
  const p = await openReport(b, report, 'pseudo-frame-link', `#view=flamegraph&transforms=${encodeURIComponent(JSON.stringify(transforms))}`);
  await showView(p.page, 'flamegraph');
  assert.equal(await total(p.page, '#flame-total'), modelTotal([]));
  assert.doesNotMatch(await p.page.$eval('#flame-transforms', (e) => e.textContent!), /Focus|Collapse recursion/);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
