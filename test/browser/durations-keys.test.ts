// The task-durations histogram from the keyboard: one tab stop, arrow keys (Home, End) move between
// the bars with tasks, Enter shows a bar's code in the flamegraph and focus goes with it (to the
// flamegraph, not to <body>); the same for a slow task's "Code" and "Show on timeline" buttons.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { launch, openReport, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report = syntheticReport({ threads: 2, spans: 400, profiles: 3, samplesPerProfile: 1500, seed: 3 });

/** The focused element: its id, or a histogram bar's index among the bars with tasks. */
const focused = (page: Page) => page.evaluate(() => {
  const e = document.activeElement!;
  const bars = [...document.querySelectorAll('#durations-histogram rect[role="button"]')];
  return bars.includes(e) ? `bar ${bars.indexOf(e)}` : e.id ? `#${e.id}` : e.tagName.toLowerCase();
});

test('histogram bars: one tab stop, arrows move between them, Enter opens the flamegraph with focus on it', async () => {
  const p = await openReport(b, report, 'durations-keys', '#view=durations');
  await p.page.waitForSelector('#panel-durations:not([hidden]) #durations-histogram rect[role="button"]');
  const bars = await p.page.$$eval('#durations-histogram rect[role="button"]', (r) => r.map((e) => e.getAttribute('tabindex')));
  assert.ok(bars.length >= 4, `${bars.length} bars with tasks`);
  assert.deepEqual(bars, ['0', ...bars.slice(1).map(() => '-1')], 'one tab stop: the first bar');
  await p.page.focus('#durations-region');
  for (let i = 0; i < 10 && !(await focused(p.page)).startsWith('bar'); i++) await p.page.keyboard.press('Tab');
  assert.equal(await focused(p.page), 'bar 0', 'Tab reaches the bars');
  await p.page.keyboard.press('ArrowRight');
  await p.page.keyboard.press('ArrowRight');
  assert.equal(await focused(p.page), 'bar 2');
  await p.page.keyboard.press('ArrowLeft');
  assert.equal(await focused(p.page), 'bar 1');
  await p.page.keyboard.press('End');
  assert.equal(await focused(p.page), `bar ${bars.length - 1}`);
  await p.page.keyboard.press('ArrowRight');
  assert.equal(await focused(p.page), `bar ${bars.length - 1}`, 'the last bar stays');
  await p.page.keyboard.press('Home');
  await p.page.keyboard.press('ArrowRight');
  const label = await p.page.evaluate(() => document.activeElement!.getAttribute('aria-label'));
  assert.equal(await p.page.$eval('#durations-histogram rect[role="button"][tabindex="0"]', (e) => e.getAttribute('aria-label')), label, 'the tab stop follows the focus');

  await p.page.keyboard.press('Enter');
  await p.page.waitForSelector('#panel-flamegraph:not([hidden])');
  assert.equal(await focused(p.page), '#flamegraph', 'focus lands on the flamegraph it switched to');
  assert.match(await p.page.$eval('#flame-range', (e) => e.textContent!), /^Selection: /);

  // A slow task's buttons: its code in the flamegraph, or the task on the timeline, focus with them.
  await showView(p.page, 'durations');
  await p.page.focus('#durations-slowest tbody tr:first-child .pp-task-code');
  await p.page.keyboard.press('Enter');
  await p.page.waitForSelector('#panel-flamegraph:not([hidden])');
  assert.equal(await focused(p.page), '#flamegraph');
  await showView(p.page, 'durations');
  await p.page.focus('#durations-slowest tbody tr:first-child button');
  await p.page.keyboard.press('Enter');
  await p.page.waitForSelector('#panel-timeline:not([hidden])');
  assert.equal(await p.page.evaluate(() => document.activeElement === document.querySelector('#panel-timeline canvas')), true, 'focus lands on the timeline');
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
