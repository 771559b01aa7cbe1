// The views label the wall-time imbalance as such and show the work's own imbalance beside it
// when the report has run-queue times (tryout finding 1): planted 3:1 work whose light thread
// waited two thirds of its busy time for a core reads 1.00 in wall time and 1.50 on CPU.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../unit/model-build';
import { launch, openReport, showView, type Browser } from './browser';

function planted(withRunQueue: boolean) {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1_000_000, name: 'items', schedule: 'static', threads: 2, items: 100 }],
    spans: [{ thread: 1, start: 0, end: 1_000_000 }, { thread: 2, start: 0, end: 1_000_000 }], durationUs: 1_000_000 });
  r.cpu = [
    { thread: 1, source: 'schedstat', t: [0, 1_000_000], onCpu: [0, 1_000_000], runnable: [0, 0] },
    { thread: 2, source: 'schedstat', t: [0, 1_000_000], onCpu: [0, 333_333], runnable: [0, 666_667] },
  ];
  if (!withRunQueue) for (const s of r.cpu) { s.source = 'threadCpuUsage'; delete s.runnable; }
  return r;
}

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

test('summary: imbalance 1.00 labelled wall time, imbalance on CPU 1.50 beside it; none without run-queue times', async () => {
  const p = await openReport(b, planted(true), 'truthfix-cpu');
  await showView(p.page, 'summary');
  const metric = (id: string) => p.page.$eval(`[data-metric="${id}"]`, (e) => [e.querySelector('dt')!.textContent, e.querySelector('dd')!.textContent]);
  assert.deepEqual(await metric('imbalance'), ['Imbalance (max / mean busy, wall time)', '1.00']);
  assert.deepEqual(await metric('cpuImbalance'), ['Imbalance on CPU (time waiting for a core left out)', '1.50']);
  const q = await openReport(b, planted(false), 'truthfix-wall');
  await showView(q.page, 'summary');
  assert.equal(await q.page.$('[data-metric="cpuImbalance"]'), null);
});
