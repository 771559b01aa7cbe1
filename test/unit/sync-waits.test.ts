// Blocking waits: the user's Atomics.wait calls become wait spans on their thread's lane, totalled
// per thread and per region; the pool's own scheduling waits do not count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { waitInside, waitWithin } from '../../src/model/sync-waits';
import { record } from './record-helpers';

/** Relative tolerance plus an absolute floor for short times (ms). */
function near(actual: number, expected: number, what: string): void {
  const tol = Math.max(0.1 * expected, 5);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(2)} ms, expected ${expected.toFixed(2)} ± ${tol.toFixed(2)} ms`);
}

test('a contended Atomics.wait mutex: blocked time per thread matches the script\'s own clock', async () => {
  const { report, stdout } = await record('sync-lock.js');
  assert.equal(report.exit.code, 0, stdout);
  const own = new Map([...stdout.matchAll(/^blocked (\d+) ([\d.]+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]));
  assert.equal(own.size, 2, stdout);
  const metrics = analyze(report);
  const w = report.waits!;
  assert.ok(w.count > 0, 'wait spans recorded');
  for (let k = 1; k < w.count; k++) assert.ok(w.start[k] >= w.start[k - 1] && w.end[k] >= w.start[k]);
  let sum = 0;
  for (const [thread, ms] of own) {
    // The lock really was contended: each worker waited for the other's ~40 ms holds.
    assert.ok(ms >= 40, `thread ${thread} blocked ${ms} ms by its own clock`);
    const t = metrics.threads.find((x) => x.id === thread)!;
    near(t.waitMs!, ms, `thread ${thread} blocked`);
    const region = metrics.regions[0].threads.find((x) => x.id === thread)!;
    near(region.waitMs!, ms, `thread ${thread} blocked in the region`);
    sum += ms;
  }
  near(metrics.regions[0].waitMs!, sum, 'region blocked total');
  assert.equal(metrics.threads.find((t) => t.kind === 'main')!.waitMs, 0);
  assert.match(formatSummary(report, metrics), /blocked in Atomics\.wait [\d.]+ ms in region 'map contend'/);
});

test('the pool\'s own waits (backoff, steal locks) are not the user\'s: a lock-free run has no wait spans', async () => {
  // One worker idles ~250 ms under work stealing, backing off in Atomics.wait (see the fixture).
  const { report } = await record('sync-pool-idle.js');
  assert.equal(report.exit.code, 0);
  assert.ok(report.waits, 'a version-2 report has a waits column set');
  assert.equal(report.waits.count, 0);
  assert.ok(analyze(report).threads.every((t) => t.waitMs === 0));
});

test('waitWithin clips waits to a window', () => {
  const pairs = Float64Array.from([0, 10, 20, 30, 40, 100]);
  assert.equal(waitWithin(pairs, -Infinity, Infinity), 80);
  assert.equal(waitWithin(pairs, 5, 25), 10);
  assert.equal(waitWithin(pairs, 30, 40), 0);
  assert.equal(waitWithin(pairs, 50, 60), 10);
});

test('waitInside counts only the waits inside the tasks, within a window', () => {
  const waits = Float64Array.from([0, 10, 20, 30, 40, 100]);
  const busy = Float64Array.from([5, 25, 50, 60, 90, 200]);
  assert.equal(waitInside(waits, busy, -Infinity, Infinity), 5 + 5 + 10 + 10);
  assert.equal(waitInside(waits, busy, 55, 95), 5 + 5);
  assert.equal(waitInside(waits, busy, 30, 40), 0);
  assert.equal(waitInside(waits, Float64Array.from([]), -Infinity, Infinity), 0);
});
