// What a fault lost is shown where the user looks (issue 13 item 5): a real run SIGKILLed while its
// threads spin (test/fixtures/profile-faults.js) has a sample gap per thread; its page draws each
// gap as a grey cross-hatched band over the lane with a tooltip and a screen-reader label, the
// flamegraph, call tree and flame chart say how much of the shown time has no samples, and the
// summary says in words what was lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { parseReport } from '../../src/model/load';
import type { Report, SampleGap } from '../../src/model/report';
import { gapText, lostInWords, unsampledGapUs } from '../../src/model/sample-gaps';
import { record } from '../unit/record-helpers';
import { buildReport } from '../unit/model-build';
import { plantedLateProfile } from '../unit/gaps-helpers';
import { toFlameTree, topDownTree } from '../../src/model/calltree';
import { baseSamples } from '../../src/model/transforms';
import { NOT_SAMPLED, NOT_SAMPLED_MEANING } from '../../src/model/unsampled';
import { flameRects } from '../../webview/layout-flame';
import { launch, openReport, screenshot, showView, type Browser } from './browser';

/** Records profile-faults.js spinning on main and 2 workers; SIGKILLs it once every thread announced 2 chunks. */
async function killedRun(): Promise<Report> {
  let pid = 0;
  let killed = false;
  const chunks = new Map<number, number>();
  let text = '';
  const { file } = await record('profile-faults.js', {
    args: ['spin'],
    onOutput: (s, stream) => {
      if (stream !== 'stdout') return;
      text += s;
      pid ||= Number(/^pid (\d+)$/m.exec(text)?.[1] ?? 0);
      const lines = text.split('\n');
      text = lines.pop()!;
      for (const line of lines) {
        const m = /^chunk (\d+) /.exec(line);
        if (m) chunks.set(Number(m[1]), (chunks.get(Number(m[1])) ?? 0) + 1);
      }
      if (!killed && pid && chunks.size === 3 && [...chunks.values()].every((n) => n >= 2)) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    },
  });
  // The page is made from the file the run wrote, as `parprof report --html` makes it.
  return parseReport(readFileSync(file));
}

/** Share of the timeline canvas's pixels in a box (CSS px) that are the theme's muted grey. */
function mutedShare(page: Page, box: { x0: number; x1: number; top: number; h: number; ratio: number }): Promise<number> {
  return page.evaluate(({ x0, x1, top, h, ratio }) => {
    const canvas = document.querySelector('#panel-timeline canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const muted = getComputedStyle(canvas).getPropertyValue('--pp-muted').trim() || '#6b6b6b';
    const probe = document.createElement('canvas').getContext('2d')!;
    probe.fillStyle = muted;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    const img = ctx.getImageData(Math.round(x0 * ratio), Math.round(top * ratio), Math.max(1, Math.round((x1 - x0) * ratio)), Math.max(1, Math.round(h * ratio))).data;
    let near = 0;
    for (let i = 0; i < img.length; i += 4) if (Math.abs(img[i] - r) + Math.abs(img[i + 1] - g) + Math.abs(img[i + 2] - b) < 60 && img[i + 3] > 200) near++;
    return near / (img.length / 4);
  }, box);
}

const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe('sample gaps of a SIGKILLed run in the views', () => {
  let b: Browser;
  let report: Report;
  let gaps: SampleGap[];

  before(async () => {
    report = await killedRun();
    assert.equal(report.exit.signal, 'SIGKILL');
    gaps = report.dropped.sampleGaps ?? [];
    assert.equal(gaps.length, 3, `one gap per spinning thread: ${JSON.stringify(gaps)}`);
    b = await launch();
  });
  after(async () => { await b?.close(); });

  test('the summary\'s header says what was lost, in words', async () => {
    const p = await openReport(b, report, 'gaps-summary', '#view=summary');
    await showView(p.page, 'summary');
    const text = await p.page.textContent('#summary-lost');
    assert.equal(text, lostInWords(report));
    assert.match(text!, /lost the CPU samples of 3 stretches/);
    for (const g of gaps) assert.ok(text!.includes(report.threads.find((t) => t.id === g.thread)!.name), `names thread ${g.thread}: ${text}`);
    assert.equal(await p.page.getAttribute('#summary-lost', 'role'), 'note');
    assert.deepEqual(p.errors, []);
  });

  test('the timeline draws each gap as a hatched band over its lane, with a tooltip and a lane label that say why', async () => {
    // A worker's gap, with the window zoomed so that the gap is its middle third.
    const g = gaps.find((x) => report.threads.find((t) => t.id === x.thread)?.kind === 'worker')!;
    const len = g.to - g.from;
    const hash = `#view=timeline&window=${JSON.stringify({ from: g.from - len, to: g.to + len })}`;
    const p = await openReport(b, report, 'gaps-timeline', hash);
    await showView(p.page, 'timeline');
    const lane = `#timeline-lanes li[data-thread="${g.thread}"]`;
    assert.equal(await p.page.getAttribute(lane, 'data-sample-gaps'), '1');
    const label = await p.page.getAttribute(`${lane} button`, 'aria-label');
    assert.ok(label!.includes(gapText(report, g)), `the lane's label says it: ${label}`);
    assert.match(gapText(report, g), /^no CPU samples from .* to .*: the thread ended \(killed, terminated, or its process stopped\) before it saved them/);
    for (const other of report.threads.filter((t) => !gaps.some((x) => x.thread === t.id))) {
      assert.equal(await p.page.getAttribute(`#timeline-lanes li[data-thread="${other.id}"]`, 'data-sample-gaps'), null);
    }
    const geo = await p.page.evaluate((sel) => {
      const canvas = document.querySelector('#panel-timeline canvas') as HTMLCanvasElement;
      const c = canvas.getBoundingClientRect();
      const l = document.querySelector(sel)!.getBoundingClientRect();
      return { left: c.left, top: c.top, width: c.width, laneTop: l.top - c.top, laneH: l.height, ratio: canvas.width / c.width };
    }, lane);
    // The window is [from − len, to + len]: the band is the middle third.
    const bandX0 = geo.width / 3, bandX1 = (2 * geo.width) / 3;
    const y = geo.laneTop + geo.laneH / 2;
    await p.page.mouse.move(geo.left + (bandX0 + bandX1) / 2, geo.top + y);
    const tip = await p.page.textContent('#panel-timeline .pp-tooltip');
    assert.ok(tip!.includes(gapText(report, g)), `tooltip over the band: ${tip}`);
    assert.ok(!/: idle\n/.test(tip!), `a lost stretch is not called idle: ${tip}`);
    // Over the activity graph at the bottom of the lane too: the band covers the whole lane.
    await p.page.mouse.move(geo.left + (bandX0 + bandX1) / 2, geo.top + geo.laneTop + geo.laneH - 2);
    assert.ok((await p.page.textContent('#panel-timeline .pp-tooltip'))!.includes('no CPU samples'));
    await p.page.mouse.move(geo.left + bandX0 / 2, geo.top + y);
    const before = await p.page.textContent('#panel-timeline .pp-tooltip');
    assert.ok(!before!.includes('no CPU samples'), `tooltip before the band: ${before}`);
    // What is drawn: the band's pixels are the muted grey of its hatch; the spinning stretch before it is not.
    const share = await mutedShare(p.page, { x0: bandX0 + 4, x1: bandX1 - 4, top: geo.laneTop + 2, h: geo.laneH - 4, ratio: geo.ratio });
    const outside = await mutedShare(p.page, { x0: 4, x1: bandX0 - 8, top: geo.laneTop + 2, h: geo.laneH - 4, ratio: geo.ratio });
    await screenshot(p.page, 'gaps-timeline');
    assert.ok(share > 0.08, `the band is hatched: ${share} of its pixels are the muted grey (outside: ${outside})`);
    assert.ok(outside < share / 3, `before the band the lane is not: ${outside} against ${share}`);
    // From the keyboard: Page Down moves lane by lane; the lane with the gap announces it.
    await p.page.focus('#panel-timeline canvas');
    const laneIndex = [...report.threads].sort((x, y) => x.id - y.id).findIndex((t) => t.id === g.thread);
    for (let k = 0; k <= laneIndex; k++) await p.page.keyboard.press('PageDown');
    const said = await p.page.textContent('#timeline-focus');
    const sentence = gapText(report, g);
    assert.ok(said!.includes(`${sentence[0].toUpperCase()}${sentence.slice(1)}.`), `the focused lane announces its lost samples: ${said}`);
    const legend = await p.page.textContent('#panel-timeline .pp-legend');
    assert.match(legend!, /grey cross-hatched band: CPU samples lost there/);
    assert.deepEqual(p.errors, []);
  });

  test('the flamegraph, call tree and flame chart say how much of the shown time has no samples, and only when a gap is in it', async () => {
    const all = gaps.reduce((s, g) => s + (g.to - g.from), 0);
    assert.equal(unsampledGapUs(report, {}), all);
    const p = await openReport(b, report, 'gaps-flame', '#view=flamegraph');
    await showView(p.page, 'flamegraph');
    const note = async (id: string) => ({
      hidden: await p.page.$eval(id, (e) => (e as HTMLElement).hidden),
      us: Number(await p.page.getAttribute(id, 'data-us')),
      text: (await p.page.textContent(id)) ?? '',
    });
    let n = await note('#flame-gap-note');
    assert.equal(n.hidden, false);
    assert.ok(Math.abs(n.us - all) < 1e-6, `flamegraph: ${n.us} µs without samples, the gaps hold ${all}`);
    assert.match(n.text, /of the shown threads' time here has no CPU samples .* so the flamegraph leaves it out/);
    await showView(p.page, 'calltree');
    n = await note('#calltree-gap-note');
    assert.equal(n.hidden, false);
    assert.ok(Math.abs(n.us - all) < 1e-6, `call tree: ${n.us}`);
    await showView(p.page, 'flamechart');
    const g = gaps.find((x) => report.threads.find((t) => t.id === x.thread)?.kind === 'worker')!;
    await p.page.selectOption('#chart-thread', String(g.thread));
    await settle(p.page);
    n = await note('#chart-gap-note');
    assert.equal(n.hidden, false);
    assert.ok(Math.abs(n.us - (g.to - g.from)) < 1e-6, `flame chart of thread ${g.thread}: ${n.us}, its gap ${g.to - g.from}`);
    assert.deepEqual(p.errors, []);

    // A range that ends before every gap: nothing to say.
    const first = Math.min(...gaps.map((x) => x.from));
    const q = await openReport(b, report, 'gaps-flame-range', `#view=flamegraph&range=${JSON.stringify({ from: 0, to: first - 1 })}`);
    await showView(q.page, 'flamegraph');
    assert.equal(await q.page.$eval('#flame-gap-note', (e) => (e as HTMLElement).hidden), true);
    // A range over the second half of one gap, that thread alone in the call tree: half of it.
    const half = (g.from + g.to) / 2;
    const r = await openReport(b, report, 'gaps-calltree-range', `#view=calltree&threads=[${g.thread}]&range=${JSON.stringify({ from: half, to: g.to + 1 })}`);
    await showView(r.page, 'calltree');
    const us = Number(await r.page.getAttribute('#calltree-gap-note', 'data-us'));
    assert.ok(Math.abs(us - (g.to - half)) < 1e-6, `call tree over half the gap: ${us}, expected ${g.to - half}`);
    assert.deepEqual([...q.errors, ...r.errors], []);
  });
});

test('a late sample\'s excess is a (not sampled) frame in the flamegraph, whose tooltip says what it is, and a row of the top functions', async () => {
  const report = buildReport({ workers: 1, durationUs: 700_000, profiles: [{ thread: 1, profile: plantedLateProfile(true) }] });
  const b = await launch();
  try {
    const p = await openReport(b, report, 'gaps-not-sampled', '#view=flamegraph');
    await showView(p.page, 'flamegraph');
    const rows = await p.page.$$eval('#panel-flamegraph table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    assert.ok(rows.some((r) => r.includes(NOT_SAMPLED) && r.includes('570')), `the top functions list (not sampled) with 570 ms: ${rows.join(' | ')}`);
    // Where the view lays the frame out (the same layout function), then hover it.
    const width = await p.page.$eval('#flamegraph', (c) => (c as HTMLCanvasElement).getBoundingClientRect().width);
    const rects = flameRects(toFlameTree(topDownTree(baseSamples(report))), [], width);
    const under = rects.find((r) => r.node.name === NOT_SAMPLED && r.depth === 3);
    assert.ok(under, 'a (not sampled) frame under spin');
    const box = (await p.page.$('#flamegraph'))!;
    await box.hover({ position: { x: under.x + under.width / 2, y: under.depth * 18 + 9 } });
    const tip = await p.page.textContent('#panel-flamegraph .pp-tooltip');
    assert.ok(tip!.startsWith(NOT_SAMPLED) && tip!.includes('total 290 ms') && tip!.includes(NOT_SAMPLED_MEANING), `tooltip: ${tip}`);
    // The call tree: its row at the root (the late sample before the idle one) explains itself when selected.
    await showView(p.page, 'calltree');
    const row = await p.page.$$eval('#calltree-tree [role="treeitem"]', (rows, name) => rows.find((r) => r.getAttribute('aria-level') === '1' &&
      r.querySelector('.pp-ct-name')!.textContent!.replace(/^[▸▾]/, '').startsWith(name))?.id, NOT_SAMPLED);
    assert.equal(row, 'calltree-tree-row-5', 'the last row: (not sampled) at the root');
    // From the keyboard, as a screen-reader user would: End selects the last row.
    await p.page.focus('#calltree-tree');
    await p.page.keyboard.press('End');
    const details = await p.page.textContent('#calltree-details');
    assert.ok(details!.startsWith(NOT_SAMPLED) && details!.includes('total 90.0 ms') && details!.includes(NOT_SAMPLED_MEANING), `details: ${details}`);
    assert.deepEqual(p.errors, []);
  } finally {
    await b.close();
  }
});
