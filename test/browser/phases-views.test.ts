// The views of a version-2 report in a real browser: the summary's phases, CPU-time and
// operation-call tables show what the model computes, the timeline shows a blocking wait and a
// descheduled stretch on the thread's lane; a version-1 report shows none of these sections.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis';
import { parseReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';
import { phaseRows } from '../../src/model/summary-v2';
import { packageRoot } from '../../src/runner/paths';
import { launch, openReport, screenshot, showView, type Browser } from './browser';
import { msValue, percent } from '../../webview/dom';

const v1Text = readFileSync(join(packageRoot(), 'test', 'fixtures', 'phases-v1-report.parprof'), 'utf8');

/** The v1 fixture with planted format-2 data: worker 2 blocks 170–185 ms, worker 1 waits for a core most of its task. */
function plantedV2(): Report {
  const r = JSON.parse(v1Text);
  r.version = 2;
  r.startup = { spawn: 0.5, preload: r.threads[0].start, script: 90_000, workers: [
    { thread: 1, pool: 0, created: 150_000, ready: 170_000, readyBy: 'module-loaded' },
    { thread: 2, pool: 0, created: 150_100, ready: 171_000, readyBy: 'module-loaded' }] };
  r.cpu = [{ thread: 1, source: 'schedstat', t: [164_000, 190_000, 209_000, 213_000], onCpu: [0, 5_000, 9_000, 10_000], runnable: [0, 1_000, 15_000, 15_500] }];
  r.waits = { count: 1, thread: [2], start: [170_000], end: [185_000] };
  r.regions[0].called = 150_050;
  return parseReport(JSON.stringify(r));
}

describe('format-2 sections of the views', () => {
  let b: Browser;
  before(async () => { b = await launch(); });
  after(async () => { await b.close(); });

  test('summary: phases, CPU time and calls as the model computes them', async () => {
    const report = plantedV2();
    const m = analyze(report);
    const p = await openReport(b, report, 'format2');
    await showView(p.page, 'summary');
    const rows = (id: string) => p.page.$$eval(`#${id} tbody tr`, (tr) => tr.map((r) => [...r.children].map((c) => c.textContent)));
    const phases = await rows('summary-phases');
    assert.deepEqual(phases.map((r) => r.slice(0, 3)), phaseRows(m.extra.phases!).map((r) => [r.label, msValue(r.ms), percent(r.share)]));
    const cpu = await rows('summary-cpu');
    const w1 = cpu.find((r) => r[0] === 'pool 1')!;
    assert.equal(w1[1], msValue(10));
    assert.match(w1[5]!, /— descheduled$/);
    const w2 = cpu.find((r) => r[0] === 'pool 2')!;
    assert.equal(w2[6], msValue(15));
    const calls = await rows('summary-calls');
    assert.equal(calls[0][2], msValue((report.regions[0].end! - 150_050) / 1000));
    assert.deepEqual(p.errors, []);
    await screenshot(p.page, 'format2-summary');
  });

  test('timeline: the wait on its lane and the descheduled stretch in the tooltip', async () => {
    const report = plantedV2();
    const p = await openReport(b, report, 'format2-timeline');
    await showView(p.page, 'timeline');
    const legend = await p.page.$eval('.pp-legend', (e) => e.textContent);
    assert.match(legend!, /hatched bottom band: blocked in Atomics\.wait/);
    const from = Number(await p.page.$eval('#timeline-window', (e) => (e as HTMLElement).dataset.from));
    const to = Number(await p.page.$eval('#timeline-window', (e) => (e as HTMLElement).dataset.to));
    const canvas = (await p.page.$('.pp-canvas-box canvas'))!;
    const bb = (await canvas.boundingBox())!;
    const lane = async (thread: number) => (await (await p.page.$(`#timeline-lanes li[data-thread="${thread}"]`))!.boundingBox())!;
    const xAt = (t: number) => bb.x + ((t - from) / (to - from)) * bb.width;
    const l2 = await lane(2);
    await p.page.mouse.move(xAt(177_500), l2.y + l2.height - 2);
    const tip = await p.page.$eval('.pp-tooltip', (e) => e.textContent);
    assert.match(tip!, /blocked in Atomics\.wait: 15\.0 ms/);
    // Pixels of the hatched band differ from the plain lane around it.
    const band = await p.page.$eval('.pp-canvas-box canvas', (c, at) => {
      const canvas = c as HTMLCanvasElement;
      const r = canvas.getBoundingClientRect();
      const sx = canvas.width / r.width, sy = canvas.height / r.height;
      const px = (x: number, y: number) => Array.from(canvas.getContext('2d')!.getImageData(Math.round((x - r.left) * sx), Math.round((y - r.top) * sy), 1, 1).data);
      const ys = [0, 1, 2, 3].map((d) => px(at.x, at.y - d).join());
      return { inBand: new Set(ys).size, outside: px(at.x, at.y - 12).join() };
    }, { x: xAt(177_500), y: l2.y + l2.height - 1 });
    assert.ok(band.inBand > 1, 'the hatch alternates colours down the band');
    const l1 = await lane(1);
    await p.page.mouse.move(xAt(200_000), l1.y + l1.height / 2);
    const tip1 = await p.page.$eval('.pp-tooltip', (e) => e.textContent);
    assert.match(tip1!, /waiting for a core 74 % of this stretch \(descheduled\)/);
    assert.deepEqual(p.errors, []);
    await screenshot(p.page, 'format2-timeline');
  });

  test('a version-1 report shows no format-2 sections', async () => {
    const p = await openReport(b, parseReport(v1Text), 'format1');
    await showView(p.page, 'summary');
    assert.equal(await p.page.$('#summary-phases'), null);
    assert.equal(await p.page.$('#summary-cpu'), null);
    assert.deepEqual(p.errors, []);
  });
});
