// The event-loop-utilization line of a lane is broken where the series has no measurements: a
// worker whose loop was blocked for 4 s took no measurement in between, and a line drawn straight
// from the last point before to the first after said something nobody measured.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Report } from '../../src/model/report';
import { buildReport } from '../unit/model-build';
import { eluRuns } from '../../webview/layout-timeline';
import { launch, openReport, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const S = 1e6;
/** Worker 1 busy with one task 0–6 s; `elu` its ELU series (or none). */
function report(elu: boolean): Report {
  const r = buildReport({ workers: 1, durationUs: 6 * S, regions: [{ start: 0, end: 6 * S }], spans: [{ thread: 1, start: 0, end: 6 * S }] });
  if (elu) {
    // Every 50 ms up to 1 s (high), none from 1 s to 5 s, every 50 ms from 5 s (low).
    const t: number[] = [], u: number[] = [];
    for (let x = 50_000; x <= S; x += 50_000) { t.push(x); u.push(0.9); }
    for (let x = 5 * S; x <= 6 * S; x += 50_000) { t.push(x); u.push(0.1); }
    r.elu = [{ thread: 1, t, u }];
  }
  return r;
}

/** The timeline canvas's pixels (RGBA) between the times a and b, µs, over its whole height. */
function pixelsBetween(page: Page, a: number, bUs: number): Promise<number[]> {
  return page.evaluate(({ a, bUs, end }) => {
    const canvas = document.querySelector('#panel-timeline canvas') as HTMLCanvasElement;
    const x0 = Math.round((a / end) * canvas.width);
    const x1 = Math.round((bUs / end) * canvas.width);
    return [...canvas.getContext('2d')!.getImageData(x0, 0, x1 - x0, canvas.height).data];
  }, { a, bUs, end: 6 * S });
}

const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('the ELU line has a gap over 4 s without measurements, and is drawn where there are', async () => {
  const shown: number[][] = [];
  for (const elu of [true, false]) {
    const p = await openReport(b, report(elu), `elu-gaps-${elu}`, '#view=timeline');
    await p.page.waitForSelector('#panel-timeline canvas');
    await settle(p.page);
    shown.push(await pixelsBetween(p.page, 1.5 * S, 4.5 * S), await pixelsBetween(p.page, 5.2 * S, 5.8 * S));
    assert.deepEqual(p.errors, []);
    await p.page.close();
  }
  const [gapWith, measuredWith, gapWithout, measuredWithout] = shown;
  assert.notDeepEqual(measuredWith, measuredWithout, 'the line is drawn where there are measurements');
  assert.ok(gapWith.length > 0);
  assert.deepEqual(gapWith, gapWithout, 'nothing is drawn between 1 s and 5 s, where there is no measurement');
});

test('eluRuns: a gap over a few times the usual interval splits the series', () => {
  const t = [50, 100, 150, 200, 4000, 4050, 4100];
  assert.deepEqual(eluRuns(t), [[0, 4], [4, 7]]);
  assert.deepEqual(eluRuns([10, 20, 30]), [[0, 3]]);
  assert.deepEqual(eluRuns([]), []);
  // Uneven but no stretch far beyond the usual one: one run.
  assert.deepEqual(eluRuns([50, 100, 160, 200, 260, 300]), [[0, 6]]);
});
