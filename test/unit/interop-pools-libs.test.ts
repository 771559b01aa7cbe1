// Unmodified parallel code recorded as it is: piscina, tinypool and workerpool driven the way
// their documentation shows, raw worker_threads driven by messages, and workers that pull their
// work through shared memory. Planted truth: task counts, the queue waits the fixture measured
// itself, the busy time the shared-memory workers measured themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { SPAN_DERIVED, SPAN_NO_ENQUEUE } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { checkSpans, record, sampledFunctions } from './record-helpers';
import { assertProfilesKept, assertQueueWaits, recordPool, regionSpans, result } from './interop-pools-helpers';

for (const lib of ['piscina', 'tinypool', 'workerpool']) {
  test(`${lib}: exactly 200 task spans, queue waits as measured, both profiles kept after the pool ends`, async () => {
    const { report, waits, region } = await recordPool(lib);
    assert.equal(waits.length, 200);
    assert.equal(regionSpans(report, region.id).length, 200, 'one span per task, none for the pool\'s own messages');
    assertQueueWaits(report, region.id, waits);
    assertProfilesKept(report, region.pool, 'interopSpin');
    for (const t of report.threads.filter((x) => x.pool === region.pool)) assert.match(t.name, new RegExp(`^${lib} \\d+$`));
    checkSpans(report);
  });
}

for (const lib of ['piscina', 'tinypool']) {
  test(`${lib} never destroyed: the process ends with both workers idle in Atomics.wait, and their profiles are kept`, async () => {
    const { report, region } = await recordPool(lib, undefined, true);
    assert.equal(regionSpans(report, region.id).length, 200);
    assertProfilesKept(report, region.pool, 'interopSpin');
    checkSpans(report);
  });
}

test('piscina and tinypool imported from an ES module: exactly 50 spans each, no span for the loader hooks\' messages, profiles kept', async () => {
  const { report, stdout } = await record('interop-pools-esm.mjs');
  assert.match(stdout, /done/);
  for (const lib of ['piscina', 'tinypool']) {
    const region = report.regions.find((r) => r.name === lib);
    assert.ok(region, lib);
    assert.equal(regionSpans(report, region.id).length, 50, lib);
    assertProfilesKept(report, region.pool, 'interopSpin');
  }
  assert.ok(!report.spans.flags!.some((f) => f !== 0), 'one task at a time per worker: nothing concurrent');
  checkSpans(report);
});

test('raw worker_threads: 500 messages give exactly 500 spans, and terminate() keeps both profiles', async () => {
  const { report, stdout } = await record('interop-pools-raw.js', { args: ['500'] });
  assert.match(stdout, /answered 500/);
  const region = report.regions.find((r) => r.name.startsWith('worker_threads interop-pools-raw.js'));
  assert.ok(region);
  assert.equal(regionSpans(report, region.id).length, 500);
  // Each worker.postMessage was stamped and paired with its receipt in order: every wait is known
  // (interop-raw-waits.test.ts checks them against the fixture's own).
  const metrics = analyze(report);
  assert.equal(metrics.regions.find((r) => r.id === region.id)!.queuedTasks, 500);
  assert.ok(regionSpans(report, region.id).every((k) => !(report.spans.flags![k] & SPAN_NO_ENQUEUE)));
  assert.doesNotMatch(formatSummary(report, metrics), /queue wait +not known/);
  assert.equal(report.dropped.profiles, 0);
  for (const w of report.threads.filter((t) => t.kind === 'worker')) {
    assert.ok(w.terminated && w.died === undefined, `${w.name}: terminated by its owner, not died`);
    assert.ok(sampledFunctions(report.profiles.find((p) => p.thread === w.id)!.profile).has('rawSpin'), `${w.name}: rawSpin sampled`);
  }
  checkSpans(report);
});

test('workers that pull work through shared memory get busy lanes from their samples, counted as no task', async () => {
  const { report, stdout } = await record('interop-pools-shared.js', { args: ['100'] });
  const measured = result<{ busy: Record<string, number> }>(stdout).busy;
  const metrics = analyze(report);
  const region = report.regions.find((r) => r.name.startsWith('worker_threads interop-pools-shared.js'))!;
  assert.equal(metrics.regions.find((r) => r.id === region.id)!.tasks, 0, 'no task: nothing was a message');
  assert.equal(metrics.extra.tasks, 0);
  const flags = report.spans.flags!;
  for (const [tid, ms] of Object.entries(measured)) {
    let busy = 0;
    for (let k = 0; k < report.spans.count; k++) {
      if (report.spans.thread[k] !== Number(tid)) continue;
      assert.ok(flags[k] & SPAN_DERIVED, 'every span of the worker is derived');
      assert.equal(report.spans.index[k], -1);
      busy += report.spans.end[k] - report.spans.start[k];
    }
    // The worker spun `ms` by its own clock; its lane must show at least most of it.
    assert.ok(busy / 1000 >= 0.8 * ms, `worker ${tid}: derived busy ${(busy / 1000).toFixed(1)} ms, it worked ${ms.toFixed(1)} ms`);
    assert.ok(metrics.threads.find((t) => t.id === Number(tid))!.busyMs >= 0.8 * ms);
  }
  const text = formatSummary(report, metrics);
  assert.match(text, /2 workers handled no messages/);
  assert.doesNotMatch(text, /no pool tasks were recorded/);
  checkSpans(report);
});
