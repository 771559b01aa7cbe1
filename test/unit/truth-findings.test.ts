// Findings only from true numbers: the gap finding fires on a planted cause (tasks that cost
// less than claiming them) and stays silent on balanced `dynamic` and `steal` runs of the
// examples, where no finding may speak of chunk size, queues or waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { packageRoot } from '../../src/runner/paths';
import { buildReport, type SpanSpec } from './model-build';
import { checkSpans, record } from './record-helpers';

/**
 * Words a finding may use only when the numbers behind them say so: chunk size, queues, tasks
 * or threads waiting for work. (Threads "waiting for a core" is the CPU finding's, about other
 * load on the machine, and true of a loaded one.)
 */
const CHUNK_OR_WAIT = /chunk|queue|wait(?!ing for a core)/i;

/** 2 threads, `tasks` tasks each of `taskUs` µs, `gapUs` µs apart, in one dynamic region. */
function gapped(tasks: number, taskUs: number, gapUs: number): ReturnType<typeof buildReport> {
  const spans: SpanSpec[] = [];
  for (const thread of [1, 2]) for (let i = 0; i < tasks; i++) spans.push({ thread, enqueue: 0, start: i * (taskUs + gapUs), end: i * (taskUs + gapUs) + taskUs });
  const end = tasks * (taskUs + gapUs);
  return buildReport({ workers: 2, regions: [{ start: 0, end, name: 'tiny', threads: 2 }], spans, durationUs: end });
}

test('gaps that cost as much as the tasks are called a per-chunk cost; small gaps are not a finding', () => {
  // 4000 tasks of 2 µs, 1 µs apart: a third of the threads' time between chunks.
  const planted = gapped(4000, 2, 1);
  const v = verdicts(analyze(planted), planted);
  assert.ok(v.includes("threads spent 33 % of region 'tiny' between tasks (gap p50 1.00 µs, task p50 2.00 µs, 8,000 tasks); the gaps are a cost per chunk: larger chunks would help, saving up to ~4.00 ms; try chunkSize 50"),
    v.join('\n'));
  // 4000 tasks of 200 µs, 1 µs apart: 0.5 % between chunks, nothing to say about chunks.
  const fine = gapped(4000, 200, 1);
  const w = verdicts(analyze(fine), fine);
  assert.ok(!w.some((x) => CHUNK_OR_WAIT.test(x)), w.join('\n'));
  assert.ok(w.includes("region 'tiny' is well balanced: utilization 100 %, imbalance 1.00"), w.join('\n'));
});

test('long gaps are waits for work, not a chunk-size problem', () => {
  // 100 tasks of 1 ms, 1 ms apart: half the time between tasks, but the gaps are long. A join
  // region whose tasks were spawned as they started: no task waited in a deque during a gap.
  const r = gapped(100, 1000, 1000);
  r.regions[0].kind = 'join';
  for (let k = 0; k < r.spans.count; k++) r.spans.enqueue[k] = r.spans.start[k];
  const v = verdicts(analyze(r), r);
  assert.ok(v.includes("threads spent 50 % of region 'tiny' between tasks (gap p50 1.00 ms, task p50 1.00 ms, 200 tasks); the gaps are waits for work to take or steal: work handed out sooner (spawned before a task's own part, or split finer) would save up to ~99.0 ms"),
    v.join('\n'));
  assert.ok(!v.some((x) => /larger chunks/.test(x)), v.join('\n'));
});

test('a real run of tasks that do nothing, one item per chunk: the finding says larger chunks would help', async () => {
  const { report } = await record('truth-pool.js', { args: ['tiny', '200000'], sampleIntervalUs: 0 });
  assert.equal(report.exit.code, 0);
  checkSpans(report);
  const m = analyze(report);
  const region = m.regions.find((r) => r.name === 'tiny chunks')!;
  assert.equal(region.tasks, 200_000, 'one span per chunk of one item');
  assert.equal(region.queuedTasks, 0);
  const v = verdicts(m, report);
  assert.ok(v.some((x) => x.startsWith("threads spent ") && x.includes("of region 'tiny chunks' between tasks") && x.includes('larger chunks would help') && /try chunkSize \d+$/.test(x)), v.join('\n'));
});

for (const schedule of ['dynamic', 'steal'] as const) {
  for (const example of ['mandelbrot.js', 'matmul.js']) {
    test(`a balanced ${schedule} run of examples/${example}: no finding speaks of chunk size or waiting`, async () => {
      const { report } = await record(join(packageRoot(), 'examples', example), { threads: 2, schedule, sampleIntervalUs: 0 });
      assert.equal(report.exit.code, 0);
      checkSpans(report);
      const m = analyze(report);
      assert.ok(m.regions.length > 0 && m.regions.every((r) => r.schedule === schedule));
      assert.equal(m.extra.queuedTasks, 0, 'chunks of a map/forEach are pulled, not queued');
      assert.deepEqual(m.queueWaitMs, { p50: 0, p95: 0, max: 0 });
      const v = verdicts(m, report);
      assert.ok(!v.some((x) => CHUNK_OR_WAIT.test(x)), v.join('\n'));
    });
  }
}
