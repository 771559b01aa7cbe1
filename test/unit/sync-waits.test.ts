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
  const lines = [...stdout.matchAll(/^blocked (\d+) (\d+) ([\d.]+)$/gm)].map((m) => ({ attempt: Number(m[1]), thread: Number(m[2]), ms: Number(m[3]) }));
  const attempts = Math.max(...lines.map((l) => l.attempt));
  const last = lines.filter((l) => l.attempt === attempts);
  assert.equal(last.length, 2, stdout);
  // The lock really was contended in the last attempt: each worker waited for the other's ~40 ms holds.
  for (const l of last) assert.ok(l.ms >= 40, `thread ${l.thread} blocked ${l.ms} ms by its own clock in attempt ${attempts}:\n${stdout}`);
  const metrics = analyze(report);
  assert.equal(report.regions.length, attempts, 'one region per attempt');
  const w = report.waits!;
  assert.ok(w.count > 0, 'wait spans recorded');
  for (let k = 1; k < w.count; k++) assert.ok(w.start[k] >= w.start[k - 1] && w.end[k] >= w.start[k]);
  const region = metrics.regions[attempts - 1];
  let sum = 0;
  for (const l of last) {
    near(region.threads.find((x) => x.id === l.thread)!.waitMs!, l.ms, `thread ${l.thread} blocked in the region`);
    sum += l.ms;
  }
  near(region.waitMs!, sum, 'region blocked total');
  // Over the whole run, each thread's total is what it measured over every attempt.
  for (const thread of new Set(lines.map((l) => l.thread))) {
    const own = lines.filter((l) => l.thread === thread).reduce((a, l) => a + l.ms, 0);
    near(metrics.threads.find((x) => x.id === thread)!.waitMs!, own, `thread ${thread} blocked`);
  }
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
