import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { syntheticReport } from '../../src/model/synthetic';
import { validateReport } from '../../src/model/load';
import { buildReport } from './model-build';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);

test('perfect balance: utilization 1, imbalance 1, tail 0, no gain', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1000 }], spans: [
    { thread: 1, start: 0, end: 500 }, { thread: 1, start: 500, end: 1000 },
    { thread: 2, start: 0, end: 400 }, { thread: 2, start: 400, end: 1000 },
  ] });
  validateReport(r);
  const m = analyze(r).regions[0];
  close(m.utilization, 1, 'utilization');
  close(m.imbalance, 1, 'imbalance');
  close(m.tailMs, 0, 'tail');
  close(m.potentialGainMs, 0, 'gain');
  close(m.wallMs, 1, 'wall');
  assert.equal(m.tasks, 4);
  assert.deepEqual(m.threads.map((t) => [t.id, t.tasks]), [[1, 2], [2, 2]]);
});

test('one thread doing all the work: imbalance p, utilization 1/p, tail = wall', () => {
  const r = buildReport({ workers: 4, regions: [{ start: 0, end: 1000, threads: 4 }], spans: [{ thread: 1, start: 0, end: 1000 }] });
  const m = analyze(r).regions[0];
  close(m.imbalance, 4, 'imbalance');
  close(m.utilization, 0.25, 'utilization');
  close(m.potentialGainMs, 0.75, 'gain');
  close(m.tailMs, 1, 'tail');
  // The three idle workers of the pool are listed with busy 0 and idle = wall.
  assert.deepEqual(m.threads.map((t) => [t.id, t.tasks, t.idleMs]), [[1, 1, 0], [2, 0, 1], [3, 0, 1], [4, 0, 1]]);
});

test('known gaps give known utilization, imbalance, tail and potential gain', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1000, threads: 2 }], spans: [
    { thread: 1, start: 0, end: 1000 }, { thread: 2, start: 0, end: 150 }, { thread: 2, start: 250, end: 400 },
  ] });
  const m = analyze(r).regions[0];
  // busy = 1000 and 300: Σ 1300 over p·W = 2000.
  close(m.utilization, 0.65, 'utilization');
  close(m.imbalance, 1000 / 650, 'imbalance');
  close(m.potentialGainMs, (1000 - 650) / 1000, 'gain');
  close(m.tailMs, 0.6, 'tail');
  assert.deepEqual(m.threads.map((t) => t.id), [1, 2]);
  close(m.threads[1].busyMs, 0.3, 'busy of worker 2');
  close(m.threads[1].idleMs, 0.7, 'idle of worker 2');
});

test('queue wait and task duration percentiles are nearest-rank', () => {
  const spans = [];
  for (let i = 0; i < 20; i++) spans.push({ thread: 1 + (i % 2), enqueue: 0, start: (i + 1) * 10, end: (i + 1) * 10 + (i + 1) });
  const m = analyze(buildReport({ workers: 2, regions: [{ start: 0, end: 1000, kind: 'join' }], spans })).regions[0];
  // waits are 10, 20, ..., 200 µs: p50 = rank 10 = 100 µs, p95 = rank 19 = 190 µs.
  close(m.queueWaitMs.p50, 0.1, 'wait p50');
  close(m.queueWaitMs.p95, 0.19, 'wait p95');
  close(m.queueWaitMs.max, 0.2, 'wait max');
  // durations are 1..20 µs.
  close(m.taskMs.p50, 0.01, 'task p50');
  close(m.taskMs.p95, 0.019, 'task p95');
  close(m.taskMs.max, 0.02, 'task max');
});

test('enqueue after start (clock rounding) counts as zero wait, not negative', () => {
  const m = analyze(buildReport({ workers: 1, regions: [{ start: 0, end: 100, kind: 'join' }], spans: [{ thread: 1, enqueue: 12, start: 10, end: 20 }] }));
  assert.equal(m.queueWaitMs.max, 0);
});

test('steals and failed tasks are counted', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 100 }], spans: [
    { thread: 1, start: 0, end: 50 }, { thread: 2, start: 0, end: 50, stolenFrom: 1 }, { thread: 2, start: 50, end: 90, stolenFrom: 1, failed: 1 },
  ] });
  const m = analyze(r);
  assert.equal(m.regions[0].steals, 2);
  assert.equal(m.extra.steals, 2);
  assert.equal(m.extra.failedTasks, 1);
});

test('an unfinished region ends at its last span end; with no spans, at the run end', () => {
  const r = buildReport({ workers: 2, durationUs: 5000, regions: [
    { start: 100, end: undefined, outcome: 'unfinished' }, { start: 1000, end: undefined, outcome: 'unfinished' },
  ], spans: [{ thread: 1, start: 100, end: 900 }, { thread: 2, start: 100, end: 500 }] });
  const m = analyze(r);
  close(m.regions[0].wallMs, 0.8, 'wall of region with spans');
  close(m.regions[0].tailMs, 0.4, 'tail');
  close(m.regions[1].wallMs, 4, 'wall of region without spans');
});

test('zero spans: utilization 0, imbalance 1, no gain, no tail, zero percentiles', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1000 }] });
  const m = analyze(r);
  for (const x of [m, m.regions[0]]) {
    assert.equal(x.utilization, 0);
    assert.equal(x.imbalance, 1);
    assert.equal(x.potentialGainMs, 0);
    assert.equal(x.tailMs, 0);
    assert.deepEqual(x.queueWaitMs, { p50: 0, p95: 0, max: 0 });
  }
  assert.equal(m.regions[0].tasks, 0);
  const none = analyze(buildReport({ workers: 0, durationUs: 2000 }));
  assert.equal(none.wallMs, 2);
  assert.equal(none.extra.workerThreads, 0);
});

test('spans are clipped to the region and nested spans are merged, so busy ≤ wall', () => {
  const r = buildReport({ workers: 1, regions: [{ start: 0, end: 1000, threads: 1 }], spans: [
    { thread: 1, start: 0, end: 1000 }, { thread: 1, start: 200, end: 300 }, { thread: 1, start: 900, end: 1200 },
  ] });
  const m = analyze(r).regions[0];
  close(m.threads[0].busyMs, 1, 'busy');
  close(m.utilization, 1, 'utilization');
  close(m.imbalance, 1, 'imbalance');
});

test('span order in the columns does not change the result', () => {
  const spans = [
    { thread: 1, start: 0, end: 300 }, { thread: 2, start: 0, end: 600 }, { thread: 1, start: 300, end: 500 }, { thread: 1, start: 550, end: 700 },
  ];
  const a = analyze(buildReport({ workers: 2, regions: [{ start: 0, end: 1000 }], spans }));
  const b = analyze(buildReport({ workers: 2, regions: [{ start: 0, end: 1000 }], spans: [...spans].reverse() }));
  assert.deepEqual(
    { ...a.regions[0], queueWaitMs: 0, taskMs: 0, threads: a.regions[0].threads.map((t) => t.busyMs) },
    { ...b.regions[0], queueWaitMs: 0, taskMs: 0, threads: b.regions[0].threads.map((t) => t.busyMs) });
  close(a.regions[0].tailMs, 0.4, 'tail');
});

test('whole run spans first region start to last region end over threads that ran spans', () => {
  const r = buildReport({ workers: 3, durationUs: 10_000, regions: [{ start: 1000, end: 2000 }, { start: 3000, end: 4000 }], spans: [
    { thread: 1, region: 0, start: 1000, end: 2000 }, { thread: 2, region: 0, start: 1000, end: 2000 },
    { thread: 1, region: 1, start: 3000, end: 4000 }, { thread: 2, region: 1, start: 3000, end: 3500 },
  ] });
  const m = analyze(r);
  close(m.wallMs, 3, 'wall');
  assert.equal(m.extra.workerThreads, 2);
  close(m.utilization, 3500 / (2 * 3000), 'utilization');
  close(m.imbalance, 2000 / 1750, 'imbalance');
  close(m.tailMs, 0.5, 'tail');
  const w1 = m.threads.find((t) => t.id === 1)!;
  assert.equal(w1.tasks, 2);
  close(w1.busyMs, 2, 'busy of worker 1');
  assert.deepEqual(m.threads.map((t) => t.kind), ['main', 'worker', 'worker', 'worker']);
});

test('metrics have exactly the keys the CLI prints', () => {
  const m = analyze(syntheticReport({ threads: 4, spans: 2000, profiles: 2, samplesPerProfile: 500, seed: 3 }));
  assert.deepEqual(Object.keys(m).sort(), ['dropped', 'exit', 'extra', 'imbalance', 'potentialGainMs', 'queueWaitMs', 'regions', 'tailMs',
    'threads', 'utilization', 'wallMs'].sort());
  // Format-2 keys (on-CPU time, waits, call times) appear only when the report has their data.
  assert.deepEqual(Object.keys(m.threads[1]).sort(), ['busyMs', 'busySamples', 'id', 'idleSamples', 'kind', 'name', 'samples', 'tasks', 'topFunctions']);
  assert.deepEqual(Object.keys(m.regions[0]).sort(), ['chunkGapMs', 'id', 'imbalance', 'kind', 'name', 'potentialGainMs', 'queueWaitMs', 'queuedTasks',
    'schedule', 'startDelayMs', 'startupInWallMs', 'startupMs', 'steals', 'tailMs', 'taskMs', 'tasks', 'threadTime', 'threads', 'utilization', 'utilizationAfterStartup', 'wallMs']);
  assert.deepEqual(Object.keys(m.threads[1].topFunctions[0]).sort(), ['file', 'line', 'name', 'selfMs', 'totalMs']);
  assert.ok(m.threads[1].topFunctions.length <= 5 && m.threads[1].topFunctions.length > 0);
  assert.equal(m.regions.reduce((a, r) => a + r.tasks, 0), 2000);
  for (const r of m.regions) {
    assert.ok(r.utilization > 0 && r.utilization <= 1, `utilization ${r.utilization}`);
    assert.ok(r.imbalance >= 1, `imbalance ${r.imbalance}`);
    assert.equal(r.threads.reduce((a, t) => a + t.tasks, 0), r.tasks);
  }
  assert.equal(m.threads.find((t) => t.id === 1)!.samples, 500);
});

test('pulled chunks have no queue wait; queued tasks (join, external) do', () => {
  // Region 0: dynamic map, chunks enqueued with the operation at 0 and run up to 900 µs later.
  // Region 1: join, tasks submitted at 1000 and started 50 and 150 µs later.
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1000 }, { start: 1000, end: 2000, kind: 'join' }], spans: [
    { thread: 1, region: 0, enqueue: 0, start: 0, end: 500 }, { thread: 1, region: 0, enqueue: 0, start: 500, end: 900 },
    { thread: 2, region: 0, enqueue: 0, start: 100, end: 1000 },
    { thread: 1, region: 1, enqueue: 1000, start: 1050, end: 2000 }, { thread: 2, region: 1, enqueue: 1000, start: 1150, end: 2000 },
  ] });
  const m = analyze(r);
  assert.equal(m.regions[0].queuedTasks, 0);
  assert.deepEqual(m.regions[0].queueWaitMs, { p50: 0, p95: 0, max: 0 });
  assert.equal(m.regions[1].queuedTasks, 2);
  close(m.regions[1].queueWaitMs.p50, 0.05, 'join wait p50');
  close(m.regions[1].queueWaitMs.max, 0.15, 'join wait max');
  assert.equal(m.extra.queuedTasks, 2);
  close(m.queueWaitMs.max, 0.15, 'run wait max: only the queued tasks');
});

test('thread time splits into tasks, start delay, gaps and tail idle, and sums to wall × threads', () => {
  // 3 threads could run it: thread 1 starts at 100, runs 100-400 and 450-700, ends 700; thread 2
  // starts at 300, runs 300-1000; thread 3 runs nothing. Wall 1000 µs.
  const r = buildReport({ workers: 3, regions: [{ start: 0, end: 1000, threads: 3 }], spans: [
    { thread: 1, start: 100, end: 400 }, { thread: 1, start: 450, end: 700 }, { thread: 2, start: 300, end: 1000 },
  ] });
  const m = analyze(r).regions[0];
  const t = m.threadTime;
  assert.equal(t.threads, 3);
  close(t.taskMs, (300 + 250 + 700) / 1000, 'task');
  close(t.startDelayMs, (100 + 300) / 1000, 'start delay');
  close(t.gapMs, 50 / 1000, 'gaps');
  close(t.tailIdleMs, (300 + 0 + 1000) / 1000, 'tail idle (thread 3 whole)');
  close(t.taskMs + t.startDelayMs + t.gapMs + t.tailIdleMs, 3 * m.wallMs, 'sum');
  const [w1, w2, w3] = m.threads;
  close(w1.startDelayMs, 0.1, 'worker 1 start delay');
  close(w1.gapMs, 0.05, 'worker 1 gaps');
  close(w1.tailIdleMs, 0.3, 'worker 1 tail');
  close(w1.idleMs, w1.startDelayMs + w1.gapMs + w1.tailIdleMs, 'worker 1 idle = its parts');
  close(w2.startDelayMs, 0.3, 'worker 2 start delay');
  assert.deepEqual([w3.tasks, w3.startDelayMs, w3.gapMs], [0, 0, 0]);
  close(w3.tailIdleMs, 1, 'worker 3 idle all along');
  close(m.startDelayMs.max, 0.3, 'start delay max over threads that ran tasks');
  close(m.startDelayMs.p50, 0.1, 'start delay p50');
  assert.deepEqual(m.chunkGapMs, { p50: 0.05, p95: 0.05, max: 0.05 });
  const run = analyze(r).extra.threadTime;
  close(run.gapMs, t.gapMs, 'run sums its regions');
});
