// A report too large to show whole, in a real Chromium under the webview's own CSP, driven as the
// extension's host drives it (webviewHost.ts sendWindowed): `init-windowed`, the reader's
// `preview`, then one window at a time (`init-slice`: a report of its own, cut by slice.ts and
// packed), and the whole run's `metrics` once the reader has them. The window bar says which
// window shows, and its Earlier / Later / Go ask the host for another (`slice`); the timeline's
// lanes are the window's tasks, while the summary is the whole run's, never the window's.
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport } from '../../src/model/packed-report';
import { reportPreview } from '../../src/model/report-preview';
import { sliceIndex, sliceReport, sliceWindow } from '../../src/model/slice';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { formatCount, formatDurationMs } from '../../src/model/units';
import { taskCount } from '../../src/model/run-views';
import type { SliceInfo } from '../../src/protocol';
import { launch, screenshot, showView, type Browser, webviewPage } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report = syntheticReport({ threads: 4, spans: 20_000, profiles: 2, samplesPerProfile: 2000, seed: 7 });
const index = sliceIndex(report);
/** Small enough that the run takes several windows (the host's is WINDOW_SPANS, 250k). */
const BUDGET = 4000;

interface Window { info: SliceInfo; packed: number[]; gzipped: boolean }

/** The window from `from`, as the host's reader sends it (reportParserProcess.ts sliceReply). */
function windowFrom(from: number, gzipped = false): Window {
  const w = sliceWindow(index, from, BUDGET);
  const slice = sliceReport(report, w.from, w.to);
  return {
    info: { from: w.from, to: w.to, spans: slice.spans.count, totalSpans: report.spans.count, tasks: taskCount(slice), totalTasks: taskCount(report), runFrom: index.from, runTo: index.to, budget: BUDGET },
    packed: [...(gzipped ? gzipSync(packReport(slice), { level: 1 }) : packReport(slice))],
    gzipped,
  };
}

const first = windowFrom(index.from);
// As the reader sends windows: gzip-compressed (the first one is not: both decode).
const second = windowFrom(first.info.to, true);

/** Tasks per thread id that overlap [from, to] (or take no time and lie in it), counted over the whole report. */
function bruteForceLanes(from: number, to: number): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const t of report.threads) counts[t.id] = 0;
  const s = report.spans;
  for (let k = 0; k < s.count; k++) {
    if ((s.start[k] < to && s.end[k] > from) || (s.start[k] === s.end[k] && s.start[k] >= from && s.start[k] <= to)) counts[s.thread[k]]++;
  }
  return counts;
}

/** The window bar's words for a window, as app.ts windowBar says them. */
function windowWords(info: SliceInfo): string {
  const at = (us: number) => (us === 0 ? '0' : formatDurationMs(us / 1000));
  const n = (x: number) => x.toLocaleString('en-US');
  return `Window ${at(info.from)} to ${at(info.to)} of the run's ${at(info.runFrom)} to ${at(info.runTo)}: ${n(info.tasks)} of ${n(info.totalTasks)} tasks `;
}

type Posted = { type: string; [k: string]: unknown };
const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);

/** Waits until the page has posted `n` messages that pass `check`; returns them. */
async function postedWhen(page: Page, check: (m: Posted) => boolean, n = 1): Promise<Posted[]> {
  for (let k = 0; k < 600; k++) {
    const found = (await posted(page)).filter(check);
    if (found.length >= n) return found;
    if ((await posted(page)).some((m) => m.type === 'error')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${n} such messages, posted: ${JSON.stringify((await posted(page)).map((m) => [m.type, m.stage, m.message]))}`);
}

const isDrawnSlice = (m: Posted) => m.type === 'drawn' && m.stage === 'slice';
const sliceAsks = async (page: Page) => (await posted(page)).filter((m) => m.type === 'slice');

async function sendWindowed(page: Page): Promise<void> {
  const preview = reportPreview(report, 600);
  await page.evaluate(({ total, p }) => {
    window.postMessage({ type: 'init-windowed', bytes: 123_456, totalSpans: total, options: { view: 'timeline' } }, '*');
    window.postMessage({ type: 'preview', preview: { ...p, lanes: p.lanes.map((l) => ({ ...l, busy: new Uint8Array(l.busy) })) } }, '*');
  }, { total: report.spans.count, p: { ...preview, lanes: preview.lanes.map((l) => ({ ...l, busy: [...l.busy] })) } });
}

async function sendSlice(page: Page, w: Window): Promise<void> {
  await page.evaluate(({ packed, slice, gzipped }) => window.postMessage({ type: 'init-slice', packed: new Uint8Array(packed), gzipped, slice, options: { view: 'timeline' } }, '*'), { packed: w.packed, slice: w.info, gzipped: w.gzipped });
}

async function sendMetrics(page: Page): Promise<{ tasks: number; findings: string[] }> {
  const metrics = analyze(report);
  const findings = verdicts(metrics, report);
  await page.evaluate(({ m, f }) => window.postMessage({ type: 'metrics', metrics: m, findings: f }, '*'), { m: JSON.parse(JSON.stringify(metrics)), f: findings });
  return { tasks: metrics.extra.tasks, findings };
}

/** The timeline's lanes as listed: thread id -> task count, in list order. */
async function listedLanes(page: Page): Promise<[number, number][]> {
  return page.$$eval('#timeline-lanes li[data-tasks]', (items) => items.map((li) => [Number((li as HTMLElement).dataset.thread), Number((li as HTMLElement).dataset.tasks)] as [number, number]));
}

/** A page that was sent `init-windowed`, the preview and the first window, once it drew it. */
async function firstWindowPage(): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await webviewPage(b);
  await sendWindowed(page);
  await postedWhen(page, (m) => m.type === 'drawn' && m.stage === 'preview');
  await sendSlice(page, first);
  await postedWhen(page, isDrawnSlice);
  return { page, errors };
}

test('the windows differ: the first is a part of the run and the second follows it', () => {
  assert.equal(first.info.from, index.from);
  assert.ok(first.info.to < index.to && second.info.from === first.info.to, JSON.stringify([first.info, second.info]));
  assert.ok(first.info.spans < report.spans.count / 2 && second.info.spans < report.spans.count / 2);
});

test('the first window: the bar says which and how many of the run\'s tasks, the lanes are its tasks, Earlier is off and Later on, drawn as a slice', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    const drawn = (await postedWhen(page, isDrawnSlice))[0];
    const text = (await page.textContent('#window-text'))!;
    assert.ok(text.startsWith(windowWords(first.info)), `${text}\n  expected to start with\n${windowWords(first.info)}`);
    const expected = bruteForceLanes(first.info.from, first.info.to);
    const lanes = await listedLanes(page);
    assert.deepEqual(Object.fromEntries(lanes), expected);
    assert.equal(lanes.length, report.threads.length);
    assert.equal(lanes.reduce((s, [, n]) => s + n, 0), first.info.spans);
    assert.deepEqual(drawn.laneTasks, lanes.map(([, n]) => n));
    assert.equal(drawn.via, 'init-packed');
    assert.equal(await page.isDisabled('#window-earlier'), true);
    assert.equal(await page.isEnabled('#window-later'), true);
    assert.equal(await page.isEnabled('#window-go'), true);
    // The timeline opens on the window, whole.
    const shown = await page.evaluate(() => (window as unknown as { __parprof: { app: { store: { window: { from: number; to: number } } } } }).__parprof.app.store.window);
    assert.deepEqual(shown, { from: first.info.from, to: first.info.to });
    assert.equal(await sliceAsks(page).then((a) => a.length), 0, 'a window was asked for unprompted');
    await screenshot(page, 'windowed-first');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('Later asks for the window that starts where this one ends, once, and says it is getting it; the keyboard stays on Later in the next window; a time typed into "Start at" with Enter, or Go, asks for the window from there (µs), one outside the run the nearest, said', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    assert.equal(await page.inputValue('#window-at'), String(first.info.from / 1000), 'Start at shows where the window starts');
    await page.focus('#window-later');
    await page.keyboard.press('Enter');
    await postedWhen(page, (m) => m.type === 'slice');
    assert.deepEqual(await sliceAsks(page), [{ type: 'slice', from: first.info.to }]);
    assert.match((await page.textContent('#window-refused'))!, /^Getting the window from .* from the report's reader…$/);
    // While it comes, no other window is asked for.
    await page.fill('#window-at', '3');
    await page.press('#window-at', 'Enter');
    await page.click('#window-later');
    await page.waitForTimeout(200);
    assert.equal((await sliceAsks(page)).length, 1, 'a second window was asked for while the first was on its way');
    await sendSlice(page, second);
    await postedWhen(page, isDrawnSlice, 2);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'window-later', 'the keyboard left Later');
    await page.fill('#window-at', '12.5');
    await page.press('#window-at', 'Enter');
    await postedWhen(page, (m) => m.type === 'slice', 2);
    assert.deepEqual((await sliceAsks(page))[1], { type: 'slice', from: 12_500 });
    // The host answers with a window; its bar's Go asks again; a time before the run asks for its start, and says so.
    await sendSlice(page, second);
    await postedWhen(page, isDrawnSlice, 3);
    await page.fill('#window-at', '-5');
    await page.click('#window-go');
    await postedWhen(page, (m) => m.type === 'slice', 3);
    assert.deepEqual(await sliceAsks(page), [{ type: 'slice', from: first.info.to }, { type: 'slice', from: 12_500 }, { type: 'slice', from: index.from }]);
    assert.match((await page.textContent('#window-refused'))!, /-5(\.0+)? ms is outside the run's 0 to /);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('the bar draws the whole run small (the reader\'s preview) with this window outlined; a click there asks for the window that starts at that time', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    const box = await page.$eval('#window-overview', (c) => { const r = c.getBoundingClientRect(); return { w: r.width, h: r.height, painted: (() => { const g = (c as HTMLCanvasElement).getContext('2d')!; const d = g.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data; let n = 0; for (let k = 3; k < d.length; k += 4) if (d[k]) n++; return n; })() }; });
    assert.ok(box.w > 100 && box.h >= report.threads.length * 3, JSON.stringify(box));
    assert.ok(box.painted > 0, 'the overview is blank');
    assert.match((await page.getAttribute('#window-overview', 'aria-label'))!, /outlined part is this window/);
    await page.click('#window-overview', { position: { x: box.w / 2, y: 2 } });
    const ask = (await postedWhen(page, (m) => m.type === 'slice'))[0];
    const endUs = reportPreview(report, 600).endUs;
    assert.ok(Math.abs((ask.from as number) - endUs / 2) <= endUs / box.w, `${ask.from} against the middle of ${endUs}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a window refused by the host is said in the bar and its move works again; Go with an empty box asks nothing; zoom and "Whole window" stay inside the window', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    await page.fill('#window-at', '');
    await page.click('#window-go');
    await page.waitForTimeout(200);
    assert.equal((await sliceAsks(page)).length, 0, 'Go with an empty box asked for a window');
    await page.click('#window-later');
    await postedWhen(page, (m) => m.type === 'slice');
    await page.evaluate(() => window.postMessage({ type: 'window-refused', message: 'the report\'s reader has stopped: reopen the report to see other windows' }, '*'));
    await page.waitForFunction(() => (document.getElementById('window-refused')?.textContent ?? '') !== '');
    assert.equal(await page.textContent('#window-refused'), 'No other window: the report\'s reader has stopped: reopen the report to see other windows.');
    assert.equal(await page.isEnabled('#window-later'), true, 'Later stays off after the host refused its window');
    // It asks again.
    await page.click('#window-later');
    await postedWhen(page, (m) => m.type === 'slice', 2);
    assert.equal(await page.isDisabled('#window-earlier'), true, 'Earlier came on in the first window');
    // Zoomed out as far as it goes, and "Whole window": the window, never the run around it (no lanes there to read as idle).
    const store = () => page.evaluate(() => (window as unknown as { __parprof: { app: { store: { window: { from: number; to: number }; setWindow(a: number, b: number): void } } } }).__parprof.app.store.window);
    await page.evaluate(() => (window as unknown as { __parprof: { app: { store: { setWindow(a: number, b: number): void } } } }).__parprof.app.store.setWindow(0, 1e15));
    assert.deepEqual(await store(), { from: first.info.from, to: first.info.to });
    await page.evaluate((to) => (window as unknown as { __parprof: { app: { store: { setWindow(a: number, b: number): void } } } }).__parprof.app.store.setWindow(to - 10, to + 1000), first.info.to);
    const panned = await store();
    assert.ok(panned.to <= first.info.to && panned.from >= first.info.from && Math.abs(panned.to - panned.from - 1010) < 1e-6, JSON.stringify(panned));
    await page.click('#panel-timeline button:has-text("Whole window")');
    assert.deepEqual(await store(), { from: first.info.from, to: first.info.to });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('the summary waits for the whole run\'s metrics (none from the window), then shows the whole run\'s task count and the findings given', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    await showView(page, 'summary');
    assert.match((await page.textContent('#summary-pending'))!, /being computed by the report reader/);
    assert.equal(await page.$('#panel-summary [data-metric]'), null, 'numbers of the window are shown as the run\'s');
    assert.equal(await page.$('#summary-verdicts'), null);
    const { tasks, findings } = await sendMetrics(page);
    assert.equal(tasks, report.spans.count);
    assert.notEqual(tasks, first.info.spans);
    await page.waitForSelector('[data-metric="tasks"] dd', { timeout: 30_000 });
    assert.equal(await page.textContent('[data-metric="tasks"] dd'), formatCount(tasks));
    assert.equal(await page.$('#summary-pending'), null);
    assert.deepEqual(await page.$$eval('#summary-verdicts li', (lis) => lis.map((li) => li.textContent)), findings);
    await screenshot(page, 'windowed-summary');
    // The next window keeps the whole run's numbers (its metrics message came once, for every window).
    await sendSlice(page, second);
    await postedWhen(page, isDrawnSlice, 2);
    await showView(page, 'summary');
    await page.waitForSelector('[data-metric="tasks"] dd', { timeout: 30_000 });
    assert.equal(await page.textContent('[data-metric="tasks"] dd'), formatCount(tasks));
    assert.deepEqual(await page.$$eval('#summary-verdicts li', (lis) => lis.map((li) => li.textContent)), findings);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a second window replaces the first: the bar and the lanes are the second\'s', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    const before = await listedLanes(page);
    await sendSlice(page, second);
    const drawn = (await postedWhen(page, isDrawnSlice, 2))[1];
    const text = (await page.textContent('#window-text'))!;
    assert.ok(text.startsWith(windowWords(second.info)), `${text}\n  expected to start with\n${windowWords(second.info)}`);
    assert.equal(await page.$$eval('#window-text', (ps) => ps.length), 1, 'two window bars');
    const lanes = await listedLanes(page);
    assert.deepEqual(Object.fromEntries(lanes), bruteForceLanes(second.info.from, second.info.to));
    assert.notDeepEqual(lanes, before);
    assert.deepEqual(drawn.laneTasks, lanes.map(([, n]) => n));
    assert.equal(await page.$$eval('#timeline-lanes', (ls) => ls.length), 1);
    // Not the first window any more: Earlier leads back.
    assert.equal(await page.isEnabled('#window-earlier'), true);
    await page.click('#window-earlier');
    await postedWhen(page, (m) => m.type === 'slice');
    assert.deepEqual(await sliceAsks(page), [{ type: 'slice', to: second.info.from }]);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('`invalid` after init-windowed shows the reader\'s reason and nothing else, not even a window sent after it', async () => {
  const { page } = await webviewPage(b, { consoleErrors: false });
  try {
    await sendWindowed(page);
    await postedWhen(page, (m) => m.type === 'drawn' && m.stage === 'preview');
    await page.evaluate(() => window.postMessage({ type: 'invalid', message: 'spans.end[7]: 1 is before start 2' }, '*'));
    await postedWhen(page, (m) => m.type === 'error');
    assert.match((await page.$eval('.pp-error-box', (e) => e.textContent))!, /spans\.end\[7\]: 1 is before start 2/);
    // A window (or metrics) the host sent before it heard is not shown.
    await sendSlice(page, first);
    await sendMetrics(page);
    await page.waitForTimeout(1000);
    assert.deepEqual((await posted(page)).map((m) => [m.type, m.stage]), [['ready', undefined], ['drawn', 'preview'], ['error', undefined]]);
    assert.equal(await page.$$eval('#parprof-app > *', (xs) => xs.length), 1);
    assert.equal(await page.$('#window-text'), null);
    assert.equal(await page.$('[role="tablist"]'), null);
    assert.equal(await page.$('#preview-lanes'), null);
  } finally {
    await page.close();
  }
});

test('the durations tab of a window lists the pool operations with a task in the window (and says how many of the run\'s), no other; its histogram is of their tasks in the window', async () => {
  const { page, errors } = await firstWindowPage();
  try {
    await showView(page, 'durations');
    const s = report.spans;
    const { from, to } = first.info;
    const inWindow = new Map<number, number>();
    for (let k = 0; k < s.count; k++) {
      if ((s.start[k] < to && s.end[k] > from) || (s.start[k] === s.end[k] && s.start[k] >= from && s.start[k] <= to)) inWindow.set(s.region[k], (inWindow.get(s.region[k]) ?? 0) + 1);
    }
    assert.ok(inWindow.size >= 1 && inWindow.size < report.regions.length, `the first window holds tasks of ${inWindow.size} of ${report.regions.length} regions: a test of the filter needs some, not all`);
    const listed = await page.$$eval('#durations-region option', (os) => os.map((o) => Number((o as HTMLOptionElement).value)));
    assert.deepEqual(listed, report.regions.map((r) => r.id).filter((id) => inWindow.has(id)));
    assert.equal(await page.textContent('#durations-window'), `This window's tasks: the ${inWindow.size} of the run's ${report.regions.length} pool operations with a task in it.`);
    const shown = Number(await page.$eval('#durations-region', (e) => (e as HTMLSelectElement).value));
    const label = await page.$eval('#durations-histogram svg', (e) => e.getAttribute('aria-label'));
    assert.ok(label?.startsWith(`Histogram of ${inWindow.get(shown)} task durations of `), `${label}; expected ${inWindow.get(shown)} tasks of region ${shown}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
