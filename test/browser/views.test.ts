// The views in a real browser (Debian's chromium), on a standalone HTML report built from a
// synthetic report: what they show must match what the model computes from the same data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { analyze } from '../../src/model/analysis';
import { buildFlameTree, flameChartOfSamples, topFunctions } from '../../src/model/flame';
import { applyTransforms, baseSamples } from '../../src/model/transforms';
import { verdicts } from '../../src/model/summary';
import { BUSY_NOT_TASKS, busyNotTasks } from '../../src/model/summary-v2';
import { formatCount, formatMsFromUs, formatPercent, formatRatio } from '../../src/model/units';
import { searchTree } from '../../webview/layout-flame';
import { durationHistogram } from '../../webview/layout-histogram';
import { frameColor } from '../../webview/theme';
import { launch, openReport, screenshot, showView, type Browser, type ReportPage } from './browser';

/** The flame chart's geometry (webview/flamechart-view.ts): rows start below the axis and the task strip. */
const CHART_TOP = 40;
const CHART_ROW_H = 16;
const CHART_MAX_DEPTH = 48;
/** The flamegraph's row height (webview/flame-view.ts): depth d is drawn from y = 18 d. */
const FLAME_ROW_H = 18;

const report = syntheticReport({ threads: 4, spans: 2000, profiles: 5, samplesPerProfile: 4000, seed: 7 });

/** Pixels of the search-highlight colour (#d10085 in the light theme) on a canvas. */
function highlightPixels(p: ReportPage, selector: string): Promise<number> {
  return p.page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 180 && data[i + 1] < 40 && data[i + 2] > 100 && data[i + 2] < 170 && data[i + 3] > 200) n++;
    return n;
  });
}

describe('views of a synthetic report', () => {
  let b: Browser;
  let p: ReportPage;
  before(async () => {
    b = await launch();
    p = await openReport(b, report, 'synthetic');
  });
  after(async () => { await b.close(); });

  test('summary shows the metrics and findings the model computes', async () => {
    const m = analyze(report);
    await showView(p.page, 'summary');
    const text = (id: string) => p.page.$eval(`[data-metric="${id}"] dd`, (e) => e.textContent);
    assert.equal(await text('utilization'), formatPercent(m.utilization));
    assert.equal(await text('imbalance'), formatRatio(m.imbalance));
    assert.equal(await text('tasks'), formatCount(report.spans.count));
    assert.equal(await text('steals'), formatCount(m.extra.steals));
    // The header's line counts with the same separators (2,000 tasks).
    assert.ok(report.spans.count >= 1000, 'a count with a separator to check');
    assert.ok((await p.page.$eval('.pp-shape', (e) => e.textContent ?? '')).includes(` · ${formatCount(report.spans.count)} tasks · `));
    const found = await p.page.$$eval('#summary-verdicts li', (li) => li.map((e) => e.textContent));
    assert.deepEqual(found, verdicts(m, report));
    const rows = await p.page.$$eval('#summary-threads tbody tr', (tr) => tr.map((r) => r.firstElementChild!.textContent));
    assert.deepEqual(rows, m.threads.map((t) => t.name));
    // Idle means what `parprof report` prints: a worker's life outside its tasks; none for main.
    const idle = await p.page.$$eval('#summary-threads tbody tr', (tr) => tr.map((r) => r.children[3].textContent));
    m.threads.forEach((t, i) => {
      const info = report.threads.find((x) => x.id === t.id)!;
      if (t.kind !== 'worker') { assert.equal(idle[i], '–', `${t.name}: no idle for the main thread`); return; }
      const expected = ((info.end ?? report.meta.durationUs) - info.start) / 1000 - t.busyMs;
      assert.ok(Math.abs(parseFloat(idle[i]!) - Math.max(0, expected)) <= Math.max(0.01, 0.005 * expected), `${t.name}: idle ${idle[i]}, expected ${expected.toFixed(3)} ms`);
    });
    // Busy as `parprof report` prints it: '-' for a main thread that ran no tasks (it was not idle), with the legend.
    const busy = await p.page.$$eval('#summary-threads tbody tr', (tr) => tr.map((r) => r.children[2].textContent));
    assert.deepEqual(busy.map((x) => x === '-'), m.threads.map(busyNotTasks));
    assert.ok(busy.includes('-'), 'the synthetic run has a main thread with no tasks');
    assert.equal(await p.page.$eval('#summary-threads-legend', (e) => e.textContent), `(${BUSY_NOT_TASKS})`);
    await screenshot(p.page, 'synthetic-summary');
  });

  test('timeline has one lane per thread, main included, with the right names and task counts', async () => {
    await showView(p.page, 'timeline');
    const lanes = await p.page.$$eval('#timeline-lanes li', (li) => li.map((e) => ({ id: Number(e.getAttribute('data-thread')), name: e.textContent, tasks: Number(e.getAttribute('data-tasks')) })));
    const expected = [...report.threads].sort((a, b) => a.id - b.id);
    assert.deepEqual(lanes.map((l) => [l.id, l.name]), expected.map((t) => [t.id, t.name]));
    for (const lane of lanes) assert.equal(lane.tasks, report.spans.thread.filter((t) => t === lane.id).length);
    assert.equal(lanes[0].name, 'main');
    await screenshot(p.page, 'synthetic-timeline');
  });

  test('zoom and pan change the visible range shown in the page (buttons, wheel, keyboard)', async () => {
    await showView(p.page, 'timeline');
    const win = async () => p.page.$eval('#timeline-window', (e) => [Number((e as HTMLElement).dataset.from), Number((e as HTMLElement).dataset.to)]);
    const widthOf = () => p.page.$eval('#timeline-window', (e) => Number((e as HTMLElement).dataset.to) - Number((e as HTMLElement).dataset.from));
    await p.page.click('button[aria-label="Show the whole run"]');
    // The view applies a click on its next frame (a loaded machine can take a while to draw it).
    let whole = await widthOf();
    for (let same = 0; same < 3; await p.page.waitForTimeout(100)) {
      const w = await widthOf();
      same = w === whole ? same + 1 : 0;
      whole = w;
    }
    const [f0, t0] = await win();
    await p.page.click('button[aria-label="Zoom in"]');
    await p.page.waitForFunction((w) => {
      const d = (document.querySelector('#timeline-window') as HTMLElement).dataset;
      return Number(d.to) - Number(d.from) < w;
    }, t0 - f0, { timeout: 5000 }).catch(() => undefined);
    const [f1, t1] = await win();
    assert.ok(Math.abs((t1 - f1) - (t0 - f0) / 2) < 1e-6 * (t0 - f0), `zoom in halves the window: ${t0 - f0} -> ${t1 - f1}`);
    const box = (await p.page.$('#panel-timeline canvas'))!;
    const bb = (await box.boundingBox())!;
    await p.page.mouse.move(bb.x + bb.width * 0.25, bb.y + bb.height / 2);
    await p.page.mouse.wheel(0, -400);
    await p.page.waitForFunction((w) => Number((document.querySelector('#timeline-window') as HTMLElement).dataset.to) - Number((document.querySelector('#timeline-window') as HTMLElement).dataset.from) < w, t1 - f1);
    // Chromium may deliver one wheel gesture as several events over a few frames: let them all land.
    for (let last = '', same = 0; same < 3; await p.page.waitForTimeout(100)) {
      const now = String(await win());
      same = now === last ? same + 1 : 0;
      last = now;
    }
    const [f2, t2] = await win();
    assert.ok(t2 - f2 < t1 - f1);
    await box.focus();
    await p.page.keyboard.press('ArrowRight');
    await p.page.waitForFunction((f) => Number((document.querySelector('#timeline-window') as HTMLElement).dataset.from) > f, f2);
    const [f3, t3] = await win();
    assert.ok(Math.abs((t3 - f3) - (t2 - f2)) < 1e-6 * (t2 - f2), 'panning keeps the width');
    assert.match(await p.page.$eval('#timeline-window', (e) => e.textContent!), /^Showing [\d.]+ ms – [\d.]+ ms/);
    await p.page.keyboard.press('Home');
    // The view applies a key on its next frame: wait for it rather than read the old window.
    await p.page.waitForFunction(([f, t]) => {
      const d = (document.querySelector('#timeline-window') as HTMLElement).dataset;
      return Number(d.from) === f && Number(d.to) === t;
    }, [f0, t0], { timeout: 5000 }).catch(() => undefined);
    assert.deepEqual(await win(), [f0, t0]);
  });

  test('a range selected on the timeline narrows the flamegraph to the samples inside it', async () => {
    await showView(p.page, 'flamegraph');
    const whole = Number(await p.page.$eval('#flame-total', (e) => (e as HTMLElement).dataset.us));
    assert.ok(Math.abs(whole - buildFlameTree(report).total) < 1e-6);
    await showView(p.page, 'timeline');
    await p.page.click('button[aria-label="Show the whole run"]');
    const bb = (await (await p.page.$('#panel-timeline canvas'))!.boundingBox())!;
    await p.page.keyboard.down('Shift');
    await p.page.mouse.move(bb.x + bb.width * 0.3, bb.y + 100);
    await p.page.mouse.down();
    await p.page.mouse.move(bb.x + bb.width * 0.45, bb.y + 100, { steps: 5 });
    await p.page.mouse.up();
    await p.page.keyboard.up('Shift');
    // The selection shows on the view's next frame.
    await p.page.waitForFunction(() => ((document.querySelector('#timeline-range') as HTMLElement).dataset.to ?? '') !== '', undefined, { timeout: 5000 }).catch(() => undefined);
    const range = await p.page.$eval('#timeline-range', (e) => ({ from: Number((e as HTMLElement).dataset.from), to: Number((e as HTMLElement).dataset.to), text: e.textContent }));
    assert.ok(range.to > range.from, `a range was selected: ${range.text}`);
    assert.match(range.text!, /^Selected /);
    await screenshot(p.page, 'synthetic-timeline-selection');
    await showView(p.page, 'flamegraph');
    const narrowed = Number(await p.page.$eval('#flame-total', (e) => (e as HTMLElement).dataset.us));
    const expected = buildFlameTree(report, { from: range.from, to: range.to }).total;
    assert.ok(narrowed < whole, `range total ${narrowed} < whole ${whole}`);
    assert.ok(Math.abs(narrowed - expected) < 1e-6 * whole, `flamegraph total ${narrowed} = model ${expected}`);
    await p.page.click('button[aria-label="Clear the time range"]');
    await p.page.waitForFunction((w) => Number((document.querySelector('#flame-total') as HTMLElement).dataset.us) === w, whole);
  });

  test('top functions table lists the worker functions and is keyboard navigable', async () => {
    await showView(p.page, 'flamegraph');
    const names = await p.page.$$eval('#top-functions tbody tr', (tr) => tr.map((r) => r.getAttribute('data-function')));
    const expected = topFunctions(report).map((f) => f.name);
    assert.deepEqual(names.slice(0, 5), expected.slice(0, 5));
    await p.page.focus('#top-functions tbody tr:first-child');
    await p.page.keyboard.press('ArrowDown');
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('data-function')), names[1]);
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.$eval('#flame-search', (e) => (e as HTMLInputElement).value), names[1]);
    await p.page.fill('#flame-search', '');
  });

  test('search highlights the matching frames and shows how many match', async () => {
    await showView(p.page, 'flamegraph');
    assert.equal(await highlightPixels(p, '#flamegraph'), 0);
    await p.page.fill('#flame-search', 'mandel');
    await p.page.waitForFunction(() => (document.querySelector('#flame-matches') as HTMLElement).dataset.count !== '0');
    const count = Number(await p.page.$eval('#flame-matches', (e) => (e as HTMLElement).dataset.count));
    assert.equal(count, searchTree(buildFlameTree(report), 'mandel').frames);
    assert.ok(count > 0);
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    assert.ok(await highlightPixels(p, '#flamegraph') > 100, 'matches are painted in the highlight colour');
    // Frame by frame: a frame whose name or file holds the query is painted in the highlight colour
    // (#d10085), every other frame is not (dimmed). Read at each bar's left edge, left of its label.
    const bars = await p.page.evaluate((rowH) => {
      const view = (window as unknown as { __parprof: { app: { views: Map<string, { rects: { node: { name: string; file: string }; x: number; width: number; depth: number; ancestor: boolean }[] }> } } }).__parprof.app.views.get('flamegraph')!;
      const c = document.querySelector('#flamegraph') as HTMLCanvasElement;
      const dpr = c.width / c.clientWidth;
      const ctx = c.getContext('2d')!;
      return view.rects.filter((r) => !r.ancestor && r.width >= 3).map((r) => ({ name: r.node.name, file: r.node.file,
        rgba: [...ctx.getImageData(Math.floor((r.x + 1) * dpr), Math.floor((r.depth * rowH + 2) * dpr), 1, 1).data] }));
    }, FLAME_ROW_H);
    const isHighlight = ([r, g, b, a]: number[]) => r > 180 && g < 40 && b > 100 && b < 170 && a > 200;
    const wanted = (f: { name: string; file: string }) => `${f.name}\n${f.file}`.toLowerCase().includes('mandel');
    assert.ok(bars.filter(wanted).length >= 2 && bars.length > bars.filter(wanted).length, `${bars.filter(wanted).length} of ${bars.length} frames match`);
    for (const f of bars) assert.equal(isHighlight(f.rgba), wanted(f), `${f.name} (${f.file}) painted ${f.rgba}`);
    await screenshot(p.page, 'synthetic-flamegraph-search');
    await p.page.fill('#flame-search', '');
  });

  test('clicking a frame zooms into it and shows its details and source path', async () => {
    await showView(p.page, 'flamegraph');
    const heaviest = buildFlameTree(report).children[0];
    const bb = (await (await p.page.$('#flamegraph'))!.boundingBox())!;
    await p.page.mouse.click(bb.x + 4, bb.y + 18 + 9);
    await p.page.waitForSelector('#flame-details strong');
    assert.equal(await p.page.$eval('#flame-details strong', (e) => e.textContent), heaviest.name);
    assert.equal(await p.page.$eval('#flame-location', (e) => e.textContent), `${heaviest.file}:${heaviest.line}`);
    assert.equal(await p.page.$('#flame-details button'), null, 'no "Open source" outside VS Code');
    await screenshot(p.page, 'synthetic-flamegraph-zoomed');
    await p.page.click('button[aria-label="Zoom out to the whole tree"]');
    await p.page.selectOption('#flame-thread', String(report.profiles[0].thread));
    await p.page.waitForFunction((t) => Number((document.querySelector('#flame-total') as HTMLElement).dataset.us) > 0 && Math.abs(Number((document.querySelector('#flame-total') as HTMLElement).dataset.us) - t) < 1e-3, buildFlameTree(report, { threads: [report.profiles[0].thread] }).total);
    await p.page.selectOption('#flame-thread', 'all');
  });

  test('flame chart draws the model\'s frames: its rows, and the frame at each depth under the pointer', async () => {
    await showView(p.page, 'flamechart');
    const thread = Number(await p.page.$eval('#chart-thread', (e) => (e as HTMLSelectElement).value));
    const samples = applyTransforms(baseSamples(report), []);
    const ofThread = samples.threads.find((t) => t.thread === thread)!;
    const box = (await (await p.page.$('#flamechart'))!.boundingBox())!;
    const tooltip = () => p.page.$eval('#panel-flamechart .pp-tooltip', (e) => ((e as HTMLElement).hidden ? null : e.textContent));
    let painted = 0;
    const check = async (where: string) => {
      const { from, to } = await p.page.evaluate(() => (window as unknown as { __parprof: { app: { store: { window: { from: number; to: number } } } } }).__parprof.app.store.window);
      const width = await p.page.$eval('#flamechart', (c) => c.parentElement!.clientWidth);
      // The model's chart of that thread in that window (no transforms), bars of half a pixel or more.
      const pxUs = (to - from) / width;
      const frames = flameChartOfSamples(samples.stacks, ofThread, from, to, { maxDepth: CHART_MAX_DEPTH }).filter((f) => (f.end - f.start) / pxUs >= 0.5);
      const rows = Math.max(...frames.map((f) => f.depth)) + 1;
      assert.ok(rows >= 3, `${where}: the synthetic thread ${thread} has stacks ${rows} deep`);
      assert.equal(Number(await p.page.$eval('#flamechart', (c) => (c as HTMLElement).dataset.rows)), rows, `${where}: one row per depth of the model's deepest frame`);
      // At every depth, the model's widest frame: hovering its middle names it, and it is painted in its colour.
      for (let depth = 0; depth < rows; depth++) {
        const f = frames.filter((x) => x.depth === depth).sort((a, b) => (b.end - b.start) - (a.end - a.start))[0];
        const x0 = (f.start - from) / pxUs;
        const x1 = (f.end - from) / pxUs;
        const top = CHART_TOP + depth * CHART_ROW_H;
        await p.page.mouse.move(box.x + (x0 + x1) / 2, box.y + top + CHART_ROW_H / 2);
        const expected = [f.name || '(anonymous)', `${formatMsFromUs(f.end - f.start)} from ${formatMsFromUs(f.start)}`, f.file ? `${f.file}:${f.line}` : ''].filter(Boolean).join('\n');
        await p.page.waitForFunction((t) => document.querySelector('#panel-flamechart .pp-tooltip')?.textContent === t, expected, { timeout: 5000 }).catch(() => undefined);
        assert.equal(await tooltip(), expected, `${where}, depth ${depth}: the frame under the pointer`);
        if (x1 - x0 < 4) continue;
        // Left of the label (drawn from x + 3): the bar's own fill.
        const [drawn, fill] = await p.page.evaluate(([x, y, color]) => {
          const c = document.querySelector('#flamechart') as HTMLCanvasElement;
          const dpr = c.width / c.clientWidth;
          const at = c.getContext('2d')!.getImageData(Math.floor(x * dpr), Math.floor(y * dpr), 1, 1).data;
          const probe = document.createElement('canvas').getContext('2d')!;
          probe.fillStyle = color;
          probe.fillRect(0, 0, 1, 1);
          return [[...at.slice(0, 3)], [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)]];
        }, [Math.ceil(x0) + 1, top + 2, frameColor(f.name, f.file)] as const);
        assert.ok(drawn.every((v, i) => Math.abs(v - fill[i]) <= 2), `${where}, depth ${depth}: ${f.name} painted ${drawn}, its colour is ${fill}`);
        painted++;
      }
      // Below the deepest row, nothing: no frame answers there.
      const deepest = frames.find((f) => f.depth === rows - 1)!;
      await p.page.mouse.move(box.x + ((deepest.start + deepest.end) / 2 - from) / pxUs, box.y + CHART_TOP + rows * CHART_ROW_H + CHART_ROW_H / 2);
      await p.page.waitForFunction(() => (document.querySelector('#panel-flamechart .pp-tooltip') as HTMLElement).hidden, undefined, { timeout: 5000 }).catch(() => undefined);
      assert.equal(await tooltip(), null, `${where}: no frame below the deepest row`);
    };
    await check('whole run');
    await screenshot(p.page, 'synthetic-flamechart');
    // Zoomed in about 20 times (the chart rebuilds its bars for the new scale), where bars are wide enough to sample their paint.
    await p.page.focus('#flamechart');
    for (let i = 0; i < 14; i++) await p.page.keyboard.press('ArrowUp');
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await check('zoomed in');
    assert.ok(painted >= 3, `the paint of ${painted} frames was checked`);
    await p.page.keyboard.press('Home');
  });

  test('task durations draw; a slow task opens on the timeline', async () => {
    await showView(p.page, 'durations');
    // It opens on the region whose tasks took the most time, summed here from the spans.
    const total = new Map<number, number>();
    report.spans.region.forEach((r, k) => total.set(r, (total.get(r) ?? 0) + report.spans.end[k] - report.spans.start[k]));
    const main = report.regions.reduce((a, b) => ((total.get(b.id) ?? 0) > (total.get(a.id) ?? 0) ? b : a)).id;
    // Its histogram: one bar per bin, each titled with its task count, counted here from the spans.
    assert.equal(await p.page.$eval('#durations-region', (e) => Number((e as HTMLSelectElement).value)), main);
    const titles = await p.page.$$eval('#durations-histogram rect', (r) => r.map((e) => e.querySelector('title')!.textContent));
    const of = report.spans.region.flatMap((r, k) => (r === main ? [report.spans.end[k] - report.spans.start[k]] : []));
    const bins = durationHistogram(of, 24);
    assert.ok(bins.length > 3, `${bins.length} bins`);
    const counted = bins.map((b, i) => of.filter((d) => d >= b.x0 && (d < b.x1 || (i === bins.length - 1 && d === b.x1))).length);
    assert.equal(counted.reduce((a, b) => a + b, 0), of.length, 'the bins hold every task of the region once');
    assert.deepEqual(titles, bins.map((b, i) => `${counted[i]} tasks of ${formatMsFromUs(b.x0)} – ${formatMsFromUs(b.x1)}`));
    await screenshot(p.page, 'synthetic-durations');
    const k = Number(await p.page.$eval('#durations-slowest tbody tr:first-child', (e) => e.getAttribute('data-span')));
    const s = report.spans;
    const longest = Math.max(...s.region.map((r, i) => (r === main ? s.end[i] - s.start[i] : 0)));
    assert.equal(s.end[k] - s.start[k], longest);
    await p.page.click('#durations-slowest tbody tr:first-child button');
    await p.page.waitForSelector('#tab-timeline[aria-selected="true"]');
    const [from, to] = await p.page.$eval('#timeline-window', (e) => [Number((e as HTMLElement).dataset.from), Number((e as HTMLElement).dataset.to)]);
    assert.ok(from <= s.start[k] && to >= s.end[k] && to - from < report.meta.durationUs / 2);
  });

  test('tabs work from the keyboard and every control has an accessible name', async () => {
    await p.page.focus('#tab-summary');
    await p.page.click('#tab-summary');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await p.page.$eval('#tab-timeline', (e) => e.getAttribute('aria-selected')), 'true');
    for (const v of ['flamegraph', 'flamechart', 'durations']) await showView(p.page, v);
    const unnamed = await p.page.$$eval('button, select, input, canvas[tabindex], [role="tab"]', (els) =>
      els.filter((e) => !(e.getAttribute('aria-label') || e.textContent?.trim())).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
  });

  test('dark colour scheme: dark background, light text, views redrawn in it', async () => {
    await p.page.emulateMedia({ colorScheme: 'dark' });
    await p.page.reload();
    await p.page.waitForSelector('[role="tablist"]');
    const lum = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const colors = await p.page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
    assert.ok(lum(colors.bg) < 0.25 && lum(colors.fg) > 0.6, `dark: ${colors.bg} / ${colors.fg}`);
    await showView(p.page, 'timeline');
    await screenshot(p.page, 'synthetic-dark-timeline');
    await showView(p.page, 'flamegraph');
    await screenshot(p.page, 'synthetic-dark-flamegraph');
    await p.page.emulateMedia({ colorScheme: 'light' });
  });

  test('no console errors and no network requests', () => {
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.requests, []);
  });
});
