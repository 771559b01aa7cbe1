// The late-start finding weighs what a worker's start-up ran beyond a peer's: on a loaded machine an
// ordinary start-up waits for a core and is late, and runs longer on one too (a tinypool worker
// that loaded nothing heavy: ready 657 ms into the region, 136 ms on a core against its peer's
// 101). Hand-built: 2 workers created at 0; worker 1 ready at 300 ms after 200 ms on a core, then
// 12 tasks of 50 ms to 900 ms; worker 2 ready at 600 ms, then 6 tasks of 50 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import type { CpuTimeSeries } from '../../src/model/report';
import { buildReport } from './model-build';

const MS = 1000;

function run(late: { on: number[]; runnable: number[] }) {
  const spans = [
    ...Array.from({ length: 12 }, (_, k) => ({ thread: 1, start: (300 + 50 * k) * MS, end: (350 + 50 * k) * MS })),
    ...Array.from({ length: 6 }, (_, k) => ({ thread: 2, start: (600 + 50 * k) * MS, end: (650 + 50 * k) * MS })),
  ];
  const r = buildReport({ workers: 2, durationUs: 900 * MS, spans,
    regions: [{ name: 'tinypool', called: 300 * MS, start: 300 * MS, end: 900 * MS, threads: 2, items: 18, chunkSize: 1 }] });
  r.startup = { spawn: 0, preload: 0, script: 0, workers: [
    { thread: 1, pool: 0, created: 0, ready: 300 * MS, readyBy: 'module-loaded' },
    { thread: 2, pool: 0, created: 0, ready: 600 * MS, readyBy: 'module-loaded' }] };
  const series = (thread: number, t: number[], on: number[], runnable: number[]): CpuTimeSeries =>
    ({ thread, source: 'schedstat', t: t.map((x) => x * MS), onCpu: on.map((x) => x * MS), runnable: runnable.map((x) => x * MS) });
  r.cpu = [series(1, [0, 300, 900], [0, 200, 800], [0, 100, 100]), series(2, [0, 300, 600, 900], late.on, late.runnable)];
  return advise(r, analyze(r));
}

test('a start-up that ran on a core no longer than its peer\'s (late from waiting for one): no late-start finding', () => {
  // 250 ms on a core by its ready, 200 of them in the region; its peer took 200 ms.
  const advice = run({ on: [0, 50, 250, 550], runnable: [0, 250, 350, 350] });
  assert.deepEqual(advice.filter((a) => a.rule === 'late-start').map((a) => a.text), []);
});

test('a start-up that ran 350 ms on a core beyond its peer\'s: the late-start finding names it', () => {
  const advice = run({ on: [0, 250, 550, 850], runnable: [0, 50, 50, 50] });
  const late = advice.filter((a) => a.rule === 'late-start');
  assert.equal(late.length, 1, advice.map((a) => a.text).join('\n'));
  assert.equal(late[0].evidence.lateThread, 2);
  assert.match(late[0].text, /^worker 2 was still starting up during 300 ms of region 'tinypool'/);
});
