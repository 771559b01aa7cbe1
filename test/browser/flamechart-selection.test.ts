// With tasks selected, the flame chart shows only their samples. On a thread where the selection
// has none (or none in the visible window) it drew a blank chart and said nothing; now a note says
// what it shows, and offers the thread that has them, a zoom to them, or clearing the selection.
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

// Two workers running the planted profile (0–210 µs), one task each over it: span 0 on worker 1, span 1 on worker 2.
const report: Report = buildReport({ workers: 2, durationUs: 1000, regions: [{ start: 0, end: 220 }],
  spans: [{ thread: 1, start: 0, end: 215 }, { thread: 2, start: 0, end: 215 }],
  profiles: [{ thread: 1, profile: plantedProfile() }, { thread: 2, profile: plantedProfile() }] });

const rows = (page: Page) => page.$eval('#flamechart', (c) => Number((c as HTMLCanvasElement).dataset.rows));
const note = (page: Page) => page.$eval('#chart-selection', (e) => ((e as HTMLElement).hidden ? '' : e.textContent!));
const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('a selected task on another thread: the flame chart says so and offers its thread; Clear shows every sample again', async () => {
  const selection = encodeURIComponent(JSON.stringify({ kind: 'spans', spans: [0] }));
  const p = await openReport(b, report, 'flamechart-selection', `#view=flamechart&selection=${selection}`);
  await showView(p.page, 'flamechart');
  await p.page.selectOption('#chart-thread', '2');
  await settle(p.page);
  assert.equal(await rows(p.page), 0, 'worker 2 has none of the selected task\'s samples');
  assert.match(await note(p.page), /only the samples of the selection \(task #0 of .* on worker 1 .*\): none on worker 2/);
  await p.page.click('#chart-selection button:has-text("Show worker 1")');
  await settle(p.page);
  assert.equal(await p.page.inputValue('#chart-thread'), '1');
  assert.ok(await rows(p.page) > 0, 'worker 1 draws the task\'s stacks');
  assert.match(await note(p.page), /only the samples of the selection .* on worker 1/);
  assert.doesNotMatch(await note(p.page), /none/);
  await p.page.click('#chart-selection button:has-text("Clear the selection")');
  await settle(p.page);
  assert.equal(await note(p.page), '', 'no selection, no note');
  await p.page.selectOption('#chart-thread', '2');
  await settle(p.page);
  assert.ok(await rows(p.page) > 0, 'worker 2 draws every sample again');
  assert.deepEqual(p.errors, []);
  await p.page.close();
});

test('the selection\'s samples outside the visible window: the note says so and zooms to them', async () => {
  const selection = encodeURIComponent(JSON.stringify({ kind: 'spans', spans: [0] }));
  const win = encodeURIComponent(JSON.stringify({ from: 500, to: 1000 }));
  const p = await openReport(b, report, 'flamechart-selection-window', `#view=flamechart&selection=${selection}&window=${win}`);
  await showView(p.page, 'flamechart');
  await p.page.selectOption('#chart-thread', '1');
  await settle(p.page);
  assert.equal(await rows(p.page), 0);
  assert.match(await note(p.page), /none in the visible window/);
  await p.page.click('#chart-selection button:has-text("Zoom to them")');
  await settle(p.page);
  const w = await p.page.evaluate(() => (window as unknown as { __parprof: { app: { store: { window: { from: number; to: number } } } } }).__parprof.app.store.window);
  assert.ok(w.from <= 0 && w.to >= 215, JSON.stringify(w));
  assert.ok(await rows(p.page) > 0);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
