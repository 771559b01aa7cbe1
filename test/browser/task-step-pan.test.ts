// `]` and `[` on the timeline walk a lane's tasks; the task they reach is panned into view, all of
// it when it fits in the window (a task mostly off-screen was left there: only one wholly outside
// the window moved it), at the same zoom.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildReport } from '../unit/model-build';
import { launch, openReport, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

// One worker with ten 1 ms tasks back to back, and one 5 ms task (wider than the window) after them.
const report = buildReport({ workers: 1, durationUs: 20_000, regions: [{ start: 0, end: 16_000 }],
  spans: [...Array.from({ length: 10 }, (_, i) => ({ thread: 1, start: i * 1000, end: i * 1000 + 900 })), { thread: 1, start: 10_000, end: 15_000 }] });

type Win = { from: number; to: number };
const store = (page: Page) => page.evaluate(() => {
  const s = (window as unknown as { __parprof: { app: { store: { window: Win; focusedSpan: number } } } }).__parprof.app.store;
  return { window: { ...s.window }, focused: s.focusedSpan };
});

test('] reaches a task mostly off-screen: the window pans so the whole task shows, zoom kept; a task wider than the window shows its start', async () => {
  // The window shows 0–2.2 ms: task 2 (2.0–2.9 ms) has a fifth of it on screen.
  const p = await openReport(b, report, 'task-step-pan', `#view=timeline&window=${encodeURIComponent(JSON.stringify({ from: 0, to: 2200 }))}`);
  await p.page.waitForFunction(() => (window as unknown as { __parprof?: unknown }).__parprof);
  await p.page.focus('#panel-timeline canvas');
  for (let i = 0; i < 3; i++) await p.page.keyboard.press(']');
  let s = await store(p.page);
  assert.equal(s.focused, 2, 'the third ] focuses task 2');
  assert.ok(s.window.from <= 2000 && s.window.to >= 2900, `task 2 (2000–2900 µs) is wholly in view: ${JSON.stringify(s.window)}`);
  assert.ok(Math.abs(s.window.to - s.window.from - 2200) < 1, 'the zoom is kept');
  assert.match(await p.page.$eval('#timeline-focus', (e) => e.textContent!), /task #2/);

  // [ back to task 1: in view again, and the window does not move for a task already in view.
  await p.page.keyboard.press('[');
  await p.page.keyboard.press('[');
  s = await store(p.page);
  assert.equal(s.focused, 0);
  assert.ok(s.window.from <= 0 && s.window.to >= 900, JSON.stringify(s.window));
  const before = s.window;
  await p.page.keyboard.press(']');
  assert.deepEqual((await store(p.page)).window, before, 'a task wholly in view does not pan the window');

  // The 5 ms task is wider than the 2.2 ms window: its start is shown.
  for (let i = 0; i < 10; i++) await p.page.keyboard.press(']');
  s = await store(p.page);
  assert.equal(s.focused, 10);
  assert.ok(s.window.from <= 10_000 && s.window.to > 10_000 && s.window.to <= 15_000, `the long task's start is in view: ${JSON.stringify(s.window)}`);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
