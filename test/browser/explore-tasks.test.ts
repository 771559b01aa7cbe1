// From tasks to code, in a real browser: the first screen answers (numbers, lanes with CPU
// activity, top functions) without a tab switch; the slowest task, clicked in the durations view
// or on the timeline, makes the flamegraph show exactly its samples (checked against a brute-force
// count over the raw profile); slow against fast shows the differential view; the view state
// survives a reload and a URL round trip; every new action works from the keyboard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { analyze } from '../../src/model/analysis';
import { topFunctions } from '../../src/model/flame';
import { diffFunctions, diffTrees } from '../../src/model/flame-diff';
import { selectionSamples, selectionTree, type SelectionSpec } from '../../src/model/selection';
import type { Report } from '../../src/model/report';
import { launch, openReport, screenshot, showView, type Browser, type ReportPage } from './browser';
import { formatCount, formatPercent } from '../../src/model/units';
import { durationHistogram } from '../../webview/layout-histogram';

/** The region the Task durations view shows (the one whose tasks took the most time). */
async function shownRegion(p: { page: import('playwright-core').Page }): Promise<number> {
  return Number(await p.page.$eval('#durations-region', (e) => (e as HTMLSelectElement).value));
}

const report = syntheticReport({ threads: 4, spans: 2000, profiles: 5, samplesPerProfile: 6000, seed: 5 });

/** µs of the samples of `thread` with start ≤ t < end that are code (not '(idle)'/'(program)'), from the raw profile. */
function bruteForceUs(r: Report, thread: number, start: number, end: number): number {
  const p = r.profiles.find((x) => x.thread === thread)!.profile;
  const name = new Map(p.nodes.map((n) => [n.id, n.callFrame.functionName]));
  const times: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) times.push((t += d));
  let us = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < start || times[i] >= end) continue;
    const n = name.get(p.samples[i]);
    if (n === '(idle)' || n === '(program)') continue;
    us += (i + 1 < times.length ? times[i + 1] : Math.max(p.endTime, times[i])) - times[i];
  }
  return us;
}

function slowestSpan(r: Report, region: number): number {
  const s = r.spans;
  let best = -1;
  for (let k = 0; k < s.count; k++) if (s.region[k] === region && (best < 0 || s.end[k] - s.start[k] > s.end[best] - s.start[best])) best = k;
  return best;
}

async function flameTotal(p: ReportPage): Promise<number> {
  await p.page.waitForSelector('#panel-flamegraph:not([hidden])');
  await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return Number(await p.page.$eval('#flame-total', (e) => (e as HTMLElement).dataset.us));
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b));

describe('explore: from tasks to code', () => {
  let b: Browser;
  let p: ReportPage;
  before(async () => {
    b = await launch();
    p = await openReport(b, report, 'explore');
  });
  after(async () => { await b.close(); });

  test('the first screen shows headline numbers, every lane with its CPU activity and the top functions, no tab switch', async () => {
    await p.page.waitForSelector('#panel-timeline:not([hidden]) #timeline-headline');
    assert.equal(await p.page.$eval('#tab-timeline', (e) => e.getAttribute('aria-selected')), 'true');
    const m = analyze(report);
    const headline = (key: string) => p.page.$eval(`#timeline-headline [data-headline="${key}"] dd`, (e) => e.textContent);
    assert.equal(await headline('tasks'), formatCount(report.spans.count));
    assert.equal(await headline('utilization'), formatPercent(m.utilization), 'the one percent formatter (units.ts) the CLI prints with');
    const lanes = await p.page.$$eval('#timeline-lanes li', (li) => li.map((e) => Number(e.getAttribute('data-thread'))));
    assert.deepEqual(lanes, report.threads.map((t) => t.id).sort((x, y) => x - y));
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const [from, to] = await p.page.$eval('#timeline-window', (e) => [Number((e as HTMLElement).dataset.from), Number((e as HTMLElement).dataset.to)]);
    const top = topFunctions(report, { from, to });
    const first = await p.page.$eval('#timeline-top-functions tbody tr', (e) => e.getAttribute('data-function'));
    assert.equal(first, top[0].name);
    // The activity graph under the lanes: pixels of the "your code" colour (#e8743b) on the canvas.
    const userPixels = await p.page.$eval('#panel-timeline canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0xe8) < 6 && Math.abs(data[i + 1] - 0x74) < 6 && Math.abs(data[i + 2] - 0x3b) < 6) n++;
      return n;
    });
    assert.ok(userPixels > 100, `activity graph drawn: ${userPixels} px of the user-code colour`);
    assert.match(await p.page.$eval('#timeline-activity-legend', (e) => e.textContent!), /your code.*pool and recorder.*Node internals/);
    await screenshot(p.page, 'explore-first-screen');
  });

  test('the slowest task, from the durations view: the flamegraph shows exactly its samples', async () => {
    await showView(p.page, 'durations');
    const k = Number(await p.page.$eval('#durations-slowest tbody tr:first-child', (e) => e.getAttribute('data-span')));
    assert.equal(k, slowestSpan(report, (await shownRegion(p))));
    await p.page.click('#durations-slowest tbody tr:first-child .pp-task-code');
    const total = await flameTotal(p);
    const s = report.spans;
    const model = selectionTree(report, selectionSamples(report, { kind: 'spans', spans: [k] })).total;
    const brute = bruteForceUs(report, s.thread[k], s.start[k], s.end[k]);
    assert.ok(brute > 0, 'the slowest task holds samples');
    assert.ok(near(total, model) && near(total, brute), `flamegraph ${total} µs, model ${model}, brute force ${brute}`);
    assert.match(await p.page.$eval('#flame-range', (e) => e.textContent!), new RegExp(`^Selection: task #${s.index[k]} of `));
    // A whole region: every task's samples (a thread's tasks do not overlap here, so the brute force adds them up).
    await showView(p.page, 'durations');
    await p.page.click('#durations-all-code');
    const regionTotal = await flameTotal(p);
    let regionBrute = 0;
    for (let j = 0; j < s.count; j++) if (s.region[j] === (await shownRegion(p))) regionBrute += bruteForceUs(report, s.thread[j], s.start[j], s.end[j]);
    assert.ok(near(regionTotal, regionBrute), `region: flamegraph ${regionTotal} µs, brute force ${regionBrute}`);
  });

  test('the slowest task, clicked on the timeline: the same samples', async () => {
    const s = report.spans;
    const k = slowestSpan(report, report.regions[1].id);
    await p.page.evaluate((span) => (window as unknown as { __parprof: { app: { store: { showSpan(k: number): void } } } }).__parprof.app.store.showSpan(span), k);
    await p.page.waitForSelector('#panel-timeline:not([hidden])');
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const [from, to] = await p.page.$eval('#timeline-window', (e) => [Number((e as HTMLElement).dataset.from), Number((e as HTMLElement).dataset.to)]);
    const bb = (await (await p.page.$('#panel-timeline canvas'))!.boundingBox())!;
    const lane = (await (await p.page.$(`#timeline-lanes li[data-thread="${s.thread[k]}"]`))!.boundingBox())!;
    await p.page.mouse.click(bb.x + (((s.start[k] + s.end[k]) / 2 - from) / (to - from)) * bb.width, lane.y + 4);
    await p.page.waitForFunction(() => document.querySelector('#selection-text')!.textContent!.startsWith('Selected: task'));
    const shown = Number(await p.page.$eval('#selection-text', (e) => (e as HTMLElement).dataset.samples));
    const sets = selectionSamples(report, { kind: 'spans', spans: [k] });
    assert.equal(shown, sets.get(s.thread[k])!.length);
    await p.page.click('#selection-flamegraph');
    const total = await flameTotal(p);
    assert.ok(near(total, bruteForceUs(report, s.thread[k], s.start[k], s.end[k])), `flamegraph ${total} µs`);
    // The flame chart of that thread holds only the task's samples: its bars start at or after the
    // task's first sample and end by the first sample after the task.
    const p0 = report.profiles.find((x) => x.thread === s.thread[k])!.profile;
    const times: number[] = [];
    let t = p0.startTime;
    for (const d of p0.timeDeltas) times.push((t += d));
    const firstIn = times.find((x) => x >= s.start[k])!;
    const firstAfter = times.find((x) => x >= s.end[k]) ?? p0.endTime;
    await showView(p.page, 'flamechart');
    await p.page.selectOption('#chart-thread', String(s.thread[k]));
    await p.page.focus('#flamechart');
    await p.page.keyboard.press('Home');
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const bars = await p.page.evaluate(() => {
      const view = (window as unknown as { __parprof: { app: { views: Map<string, { rects: { frame: { start: number; end: number } }[] }> } } }).__parprof.app.views.get('flamechart')!;
      return { n: view.rects.length, start: Math.min(...view.rects.map((r) => r.frame.start)), end: Math.max(...view.rects.map((r) => r.frame.end)) };
    });
    assert.ok(bars.n > 0, 'the flame chart shows the task');
    assert.ok(bars.start >= firstIn - 1e-6 && bars.end <= firstAfter + 1e-6, `bars ${bars.start}–${bars.end} inside ${firstIn}–${firstAfter}`);
  });

  test('slowest 10 % against fastest 50 %: the differential view and its table match the model', async () => {
    await showView(p.page, 'durations');
    await p.page.click('#durations-compare');
    await p.page.waitForSelector('#panel-timeline:not([hidden]) .pp-diff:not([hidden])');
    const region = (await shownRegion(p));
    const slow: SelectionSpec = { kind: 'rank', region, from: 0.9, to: 1 };
    const fast: SelectionSpec = { kind: 'rank', region, from: 0, to: 0.5 };
    const want = diffFunctions(diffTrees(selectionTree(report, selectionSamples(report, fast)), selectionTree(report, selectionSamples(report, slow))), 15);
    const rows = await p.page.$$eval('#diff-functions tbody tr', (tr) => tr.map((r) => [r.getAttribute('data-function'), Number(r.getAttribute('data-delta'))] as const));
    assert.deepEqual(rows.map((r) => r[0]), want.map((f) => f.name));
    rows.forEach((r, i) => assert.ok(Math.abs(r[1] - want[i].delta) < 1e-12));
    assert.ok(Math.abs(want[0].delta) > 0, 'slow and fast tasks differ somewhere');
    await screenshot(p.page, 'explore-diff');
  });

  test('the view state survives a reload and a URL round trip', async () => {
    await showView(p.page, 'durations');
    const shown = await shownRegion(p);
    await p.page.click('#durations-slowest-code');
    const total = await flameTotal(p);
    // Saving is debounced: wait for the hash to hold this state (the last test's is there before it).
    await p.page.waitForFunction(() => {
      const h = new URLSearchParams(location.hash.slice(1));
      return h.get('view') === 'flamegraph' && JSON.parse(h.get('selection') ?? '{}').from === 0.9 && !h.has('baseline');
    });
    const url = p.page.url();
    const text = await p.page.$eval('#flame-range', (e) => e.textContent);
    await p.page.reload();
    assert.equal(await flameTotal(p), total);
    assert.equal(await p.page.$eval('#flame-range', (e) => e.textContent), text);
    const other = await b.context.newPage();
    await other.goto(url);
    await other.waitForSelector('#panel-flamegraph:not([hidden])');
    await other.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(Number(await other.$eval('#flame-total', (e) => (e as HTMLElement).dataset.us)), total);
    const model = selectionTree(report, selectionSamples(report, { kind: 'rank', region: shown, from: 0.9, to: 1 })).total;
    assert.ok(near(total, model));
    // The window travels too.
    await showView(other, 'timeline');
    const before = await other.$eval('#timeline-window', (e) => Number((e as HTMLElement).dataset.to) - Number((e as HTMLElement).dataset.from));
    await other.click('button[aria-label="Zoom in"]');
    // The view applies the click on its next frame: read the window once it has changed.
    await other.waitForFunction((w) => {
      const d = (document.querySelector('#timeline-window') as HTMLElement).dataset;
      return Number(d.to) - Number(d.from) < w;
    }, before);
    const win = await other.$eval('#timeline-window', (e) => (e as HTMLElement).dataset.to);
    await other.waitForFunction((to) => {
      const h = new URLSearchParams(location.hash.slice(1));
      return h.get('view') === 'timeline' && JSON.parse(h.get('window') ?? '{}').to === to;
    }, Number(win));
    await other.reload();
    await other.waitForSelector('#panel-timeline:not([hidden])');
    await other.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await other.$eval('#timeline-window', (e) => (e as HTMLElement).dataset.to), win);
    await other.close();
  });

  test('keyboard only: walk tasks, select one, select a thread, compare with a baseline, pick a histogram bar', async () => {
    await showView(p.page, 'timeline');
    await p.page.focus('#selection-clear');
    await p.page.keyboard.press('Enter');
    await p.page.focus('#panel-timeline canvas');
    await p.page.keyboard.press('Home');
    await p.page.keyboard.press(']');
    await p.page.keyboard.press(']');
    assert.match(await p.page.$eval('#timeline-focus', (e) => e.textContent!), /^worker 1: task #\d+ of .*Space selects it/);
    await p.page.keyboard.press('PageDown');
    assert.match(await p.page.$eval('#timeline-focus', (e) => e.textContent!), /^worker 2: task #\d+ of /);
    await p.page.keyboard.press(' ');
    await p.page.waitForFunction(() => document.querySelector('#selection-text')!.textContent!.startsWith('Selected: task #'));
    // Thread A as the baseline, thread B as the selection: the diff appears.
    await p.page.focus('#timeline-lanes li[data-thread="1"] button');
    await p.page.keyboard.press('Enter');
    await p.page.waitForFunction(() => document.querySelector('#selection-text')!.textContent!.startsWith('Selected: worker 1 over'));
    await p.page.focus('#selection-baseline');
    await p.page.keyboard.press('Enter');
    await p.page.focus('#timeline-lanes li[data-thread="2"] button');
    await p.page.keyboard.press('Enter');
    await p.page.waitForSelector('#panel-timeline .pp-diff:not([hidden])');
    assert.match(await p.page.$eval('#diff-caption', (e) => e.textContent!), /worker 2 over .* against worker 1 over/);
    // The Flamegraph tab shows the same difference (a tryout landed there and saw only the selection).
    await showView(p.page, 'flamegraph');
    await p.page.waitForSelector('#panel-flamegraph .pp-diff:not([hidden])');
    assert.equal(await p.page.$eval('#flame-diff-caption', (e) => e.textContent!), await p.page.$eval('#diff-caption', (e) => e.textContent!));
    assert.match(await p.page.$eval('#flame-range', (e) => e.textContent!), /^Selection: worker 2 over .* · compared with worker 1 over .* \(the difference is below\)$/);
    assert.equal(await p.page.$$eval('[id="diff-caption"]', (e) => e.length), 1, 'one element per id');
    await showView(p.page, 'timeline');
    await p.page.focus('#panel-timeline canvas');
    await p.page.keyboard.press('Escape');
    await p.page.waitForFunction(() => document.querySelector('#selection-text')!.textContent!.startsWith('No tasks selected'));
    // A histogram bar from the keyboard.
    await showView(p.page, 'durations');
    await p.page.focus('#durations-histogram rect[role="button"]');
    // The first bar with tasks: the region's fastest tasks, as many as the bar counts (ranks 0 to count / n).
    const region = Number(await p.page.$eval('#durations-region', (e) => (e as HTMLSelectElement).value));
    const durations = report.spans.region.flatMap((r, k) => (r === region ? [report.spans.end[k] - report.spans.start[k]] : []));
    const firstBar = durationHistogram(durations, 24).find((b) => b.count > 0)!;
    assert.match(await p.page.evaluate(() => document.activeElement!.getAttribute('aria-label')!), new RegExp(`^${firstBar.count} tasks of `));
    await p.page.keyboard.press('Enter');
    const total = await flameTotal(p);
    assert.match(await p.page.$eval('#flame-range', (e) => e.textContent!), /^Selection: (fastest|tasks ranked)/);
    const spec: SelectionSpec = { kind: 'rank', region, from: 0, to: firstBar.count / durations.length };
    const model = selectionTree(report, selectionSamples(report, spec)).total;
    assert.ok(model > 0 && near(total, model), `flamegraph ${total} µs, the model's ${model} µs for the ${firstBar.count} fastest tasks`);
    const unnamed = await p.page.$$eval('button, select, input, canvas[tabindex], [role="tab"], [role="button"]', (els) =>
      els.filter((e) => !(e.getAttribute('aria-label') || e.textContent?.trim() || (e as HTMLInputElement).labels?.length)).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
  });

  test('high contrast: the activity graph takes the theme\'s category colours', async () => {
    await showView(p.page, 'timeline');
    const count = (rgb: number[]) => p.page.$eval('#panel-timeline canvas', (c, want) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - want[0]) < 6 && Math.abs(data[i + 1] - want[1]) < 6 && Math.abs(data[i + 2] - want[2]) < 6) n++;
      return n;
    }, rgb);
    const redraw = () => p.page.evaluate(() => new Promise((r) => { window.dispatchEvent(new Event('resize')); requestAnimationFrame(() => requestAnimationFrame(r)); }));
    await p.page.evaluate(() => document.body.classList.add('vscode-high-contrast'));
    await redraw();
    assert.ok(await count([0xff, 0x9e, 0x00]) > 100, 'high-contrast user-code colour drawn');
    assert.equal(await count([0xe8, 0x74, 0x3b]), 0, 'no default-theme user-code colour left');
    await screenshot(p.page, 'explore-high-contrast');
    await p.page.evaluate(() => document.body.classList.remove('vscode-high-contrast'));
    await redraw();
  });

  test('no console errors and no network requests', () => {
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.requests, []);
  });
});
