// The first mouse click on a call-tree row, with no row selected, selects the row clicked. It
// used to select row 0: the click focuses the tree, whose focus handler (meant for the keyboard:
// Tab into the tree lands on row 0) selected row 0 and redrew the rows between mousedown and
// mouseup, so the click landed on no row. Keyboard focus still selects row 0. The report is the
// planted profile of test/unit/explore-helpers.ts on two threads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Report } from '../../src/model/report';
import { buildReport } from '../unit/model-build';
import { plantedProfile } from '../unit/explore-helpers';
import { launch, openReport, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report: Report = buildReport({ workers: 2, profiles: [{ thread: 1, profile: plantedProfile() }, { thread: 2, profile: plantedProfile() }] });

/** The selected rows' function names and the row the tree names as active. */
async function selection(page: Page): Promise<{ selected: string[]; active: string | null }> {
  return page.evaluate(() => {
    const tree = document.getElementById('calltree-tree')!;
    const name = (row: Element) => row.querySelector('.pp-ct-name')!.textContent!.replace(/^[▸▾]/, '').split(' ')[0];
    const selected = [...tree.querySelectorAll('[role="treeitem"][aria-selected="true"]')].map(name);
    const activeRow = document.getElementById(tree.getAttribute('aria-activedescendant') ?? '');
    return { selected, active: activeRow ? name(activeRow) : null };
  });
}

async function rowName(page: Page, row: number): Promise<string> {
  return page.$eval(`#calltree-tree-row-${row} .pp-ct-name`, (e) => e.textContent!.replace(/^[▸▾]/, '').split(' ')[0]);
}

test('call tree: the first click selects the row clicked, not row 0', async () => {
  const p = await openReport(b, report, 'calltree-first-click');
  await showView(p.page, 'calltree');
  await p.page.waitForSelector('#calltree-tree-row-2');
  assert.deepEqual(await selection(p.page), { selected: [], active: null }, 'nothing selected before the click');
  const third = await rowName(p.page, 2);
  assert.notEqual(third, await rowName(p.page, 0), 'rows 0 and 2 are different functions');
  await p.page.click('#calltree-tree-row-2 .pp-ct-num');
  assert.deepEqual(await selection(p.page), { selected: [third], active: third });
  assert.match(await p.page.$eval('#calltree-details', (e) => e.textContent!), new RegExp(third));
  assert.deepEqual(p.errors, []);
});

test('call tree: keyboard focus with nothing selected selects row 0', async () => {
  const p = await openReport(b, report, 'calltree-first-focus');
  await showView(p.page, 'calltree');
  await p.page.waitForSelector('#calltree-tree-row-2');
  const first = await rowName(p.page, 0);
  await p.page.focus('#calltree-tree');
  assert.deepEqual(await selection(p.page), { selected: [first], active: first });
  await p.page.keyboard.press('ArrowDown');
  const second = await rowName(p.page, 1);
  assert.deepEqual(await selection(p.page), { selected: [second], active: second });
  assert.deepEqual(p.errors, []);
});
