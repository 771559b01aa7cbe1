// The pure parts of the interop work, on planted inputs: busy stretches from CPU samples (idle
// samples and blocking waits split them), the most threads running at once, the message shapes
// of the known pools, and what analysis and the findings make of derived and concurrent spans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyFromSamples, peakThreads } from '../../src/model/interop-busy';
import { analyze } from '../../src/model/analysis';
import { SPAN_CONCURRENT, SPAN_DERIVED, SPAN_NO_ENQUEUE, emptySpans, type CpuProfile, type Report } from '../../src/model/report';
import { verdicts } from '../../src/model/summary';
import { replyOf, taskOf } from '../../src/runtime/interop-messages';

/** A profile sampling every 1000 µs from t = 10,000 on V8's clock: 'w' work, 'i' idle. */
function profileOf(pattern: string): CpuProfile {
  const nodes = [
    { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 3] },
    { id: 2, callFrame: { functionName: '(idle)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } },
    { id: 3, callFrame: { functionName: 'work', scriptId: '1', url: 'file:///w.js', lineNumber: 0, columnNumber: 0 } },
  ];
  const samples = [...pattern].map((c) => (c === 'w' ? 3 : 2));
  return { nodes, startTime: 10_000, endTime: 10_000 + 1000 * samples.length, samples, timeDeltas: samples.map(() => 1000) };
}

test('busy stretches: runs of busy samples, each standing for the time since the previous one', () => {
  // Samples at 11,000 ... 20,000 (µs, V8 clock); offset 10,000 puts them at 1,000 ... 10,000.
  const busy = busyFromSamples(profileOf('wwwiiwwiww'), undefined, 10_000);
  assert.deepEqual(busy, { start: [0, 5000, 8000], end: [3000, 7000, 10_000] });
});

test('busy stretches: samples inside a blocking Atomics.wait are idle (V8 shows the caller\'s stack there)', () => {
  const busy = busyFromSamples(profileOf('wwwwwwwwww'), Float64Array.from([3500, 6500]), 10_000);
  assert.deepEqual(busy, { start: [0, 6000], end: [3000, 10_000] });
});

test('peak threads: nested spans count once, a hand-over at one instant is no overlap', () => {
  const spans = { count: 4, thread: [1, 1, 2, 3], start: [0, 2, 10, 15], end: [10, 8, 20, 25] };
  assert.equal(peakThreads(spans), 2);
  assert.equal(peakThreads({ count: 3, thread: [1, 2, 3], start: [0, 10, 20], end: [10, 20, 30] }), 1, 'six workers one after another never compete');
  assert.equal(peakThreads({ count: 0, thread: [], start: [], end: [] }), 0);
});

test('known pools: task messages and replies are told from the pool\'s own messages', () => {
  assert.equal(taskOf('piscina', { filename: 'x', port: {}, sharedBuffer: {} }, 1), null, 'handshake');
  assert.deepEqual(taskOf('piscina', { task: 3, taskId: 7, filename: 'x', name: 'default' }, 1), { id: 7, submitKey: 7, submittedPerfMs: NaN });
  assert.equal(taskOf('workerpool', { id: 2, method: '__workerpool-cleanup__' }, 3), null, 'cleanup');
  assert.equal(taskOf('workerpool', '__workerpool-terminate__', 3), null, 'terminate');
  assert.deepEqual(taskOf('workerpool', { id: 2, method: 'f', params: [] }, 3), { id: 2, submitKey: 3 * 2 ** 32 + 2, submittedPerfMs: NaN });
  assert.equal(taskOf('poolifier', { statistics: { runTime: false } }, 1), null, 'statistics');
  assert.equal(taskOf('poolifier', { taskId: 'u', taskOperation: 'abort' }, 1), null, 'abort');
  assert.deepEqual(taskOf('poolifier', { taskId: 'u', data: {}, name: 'default', timestamp: 12.5 }, 1), { id: 'u', submitKey: -1, submittedPerfMs: 12.5 });
  assert.deepEqual(replyOf('workerpool', { id: 2, result: 1, error: null }), { id: 2, failed: false });
  assert.equal(replyOf('workerpool', { id: 2, isEvent: true, payload: 1 }), undefined, 'progress event');
  assert.equal(replyOf('workerpool', 'ready'), undefined);
  assert.deepEqual(replyOf('poolifier', { taskId: 'u', workerError: { message: 'x' } }), { id: 'u', failed: true });
  assert.equal(replyOf('poolifier', { ready: true, workerId: 1 }), undefined);
});

/** One external region, threads 1 and 2, the given spans. */
function reportOf(spans: { thread: number; start: number; end: number; enqueue?: number; flags: number }[], cores = 2): Report {
  const s = emptySpans();
  s.flags = [];
  spans.forEach((x, k) => {
    s.thread.push(x.thread); s.region.push(0); s.index.push(x.flags & SPAN_DERIVED ? -1 : k); s.first.push(0); s.items.push(1);
    s.enqueue.push(x.enqueue ?? x.start); s.start.push(x.start); s.end.push(x.end); s.stolenFrom.push(-1); s.parent.push(-1); s.failed.push(0);
    s.flags!.push(x.flags);
  });
  s.count = spans.length;
  const threads = [...new Set([0, ...spans.map((x) => x.thread)])].map((id) => ({ id, name: id ? `worker ${id}` : 'main', kind: id ? 'worker' as const : 'main' as const, start: 0, end: 100_000, pool: id ? 0 : undefined }));
  return {
    format: 'parprof', version: 2,
    meta: { script: '/s.js', args: [], cwd: '/', nodeVersion: 'v20', nodePath: 'node', cores, platform: 'linux', startedAt: 0, originUs: 0, durationUs: 100_000, pool: { threads: 2, schedule: 'steal' }, sampleIntervalUs: 1000, recorder: 'test' },
    threads, regions: [{ id: 0, name: 'worker_threads s.js:1', kind: 'external', pool: 0, fn: 'worker_threads', schedule: 'external', threads: 2, items: 0, chunkSize: 0, start: 0, end: 100_000, outcome: 'ok' }],
    spans: s, profiles: [], elu: [], markers: [], dropped: { spans: 0, samples: 0, profiles: 0 }, exit: { code: 0, signal: null, error: null },
  };
}

test('derived spans are busy time, never tasks: no task count, wait or duration', () => {
  const report = reportOf([
    { thread: 1, start: 0, end: 60_000, flags: SPAN_DERIVED },
    { thread: 2, start: 0, end: 30_000, flags: SPAN_DERIVED },
    { thread: 2, start: 40_000, end: 50_000, enqueue: 10_000, flags: 0 },
  ]);
  const m = analyze(report);
  assert.equal(m.extra.tasks, 1);
  assert.equal(m.extra.derivedSpans, 2);
  assert.equal(m.threads.find((t) => t.id === 1)!.tasks, 0);
  assert.equal(m.threads.find((t) => t.id === 1)!.busyMs, 60);
  assert.equal(m.threads.find((t) => t.id === 2)!.busyMs, 40);
  assert.equal(m.regions[0].tasks, 1);
  assert.equal(m.regions[0].queueWaitMs.p50, 30, 'only the real task waited');
  assert.equal(m.regions[0].taskMs.p50, 10);
  // 100 ms of busy over 2 threads × 100 ms of region wall.
  assert.equal(m.regions[0].utilization, 0.5);
});

test('a message whose post is unknown (SPAN_NO_ENQUEUE) is a task with no queue wait, not a wait of 0', () => {
  const report = reportOf([
    { thread: 1, start: 10_000, end: 20_000, flags: SPAN_NO_ENQUEUE },
    { thread: 2, start: 30_000, end: 40_000, enqueue: 0, flags: 0 },
  ]);
  const m = analyze(report);
  assert.equal(m.extra.tasks, 2);
  assert.equal(m.regions[0].queuedTasks, 1);
  assert.equal(m.regions[0].queueWaitMs.p50, 30, 'the unknown wait does not pull the median to 0');
  assert.equal(m.queueWaitMs.p50, 30);
});

test('"competed for cores" only when more threads than cores ran at the same time', () => {
  const oneAfterAnother = reportOf([1, 2, 3, 4].map((t) => ({ thread: t, start: (t - 1) * 20_000, end: t * 20_000, flags: 0 })));
  assert.ok(!verdicts(analyze(oneAfterAnother), oneAfterAnother).some((v) => v.includes('competed')));
  const atOnce = reportOf([1, 2, 3].map((t) => ({ thread: t, start: 0, end: 50_000, flags: SPAN_CONCURRENT })));
  assert.ok(verdicts(analyze(atOnce), atOnce).includes('3 threads ran tasks at the same time on 2 cores: they competed for cores'));
});
