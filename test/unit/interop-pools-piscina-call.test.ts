// piscina's region in the summary, checked against the script's own clock. The recorder moves an
// instrumented library's region start to its first worker's readiness and makes the worker's
// creation its "call" (src/runner/report-build.ts); the summary's "Operation calls" line and the
// phases must then say true things: the time from the first worker's creation lies inside the
// script's `new Piscina()` → last run() resolve, the wait before the first worker was ready plus
// the wall is that time, a later worker still starting while the first runs tasks is said to be
// inside the wall (not waited for), and every printed number is the report's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { formatMs } from '../../src/model/units';
import { result } from './interop-pools-helpers';
import { record } from './record-helpers';

interface Own { beforeNew: number; afterNew: number; firstResolved: number; allResolved: number }

/** Length of the union of [a, b) intervals clipped to [from, to), computed here apart from the model's. */
function unionWithin(list: [number, number][], from: number, to: number): number {
  let total = 0;
  let cursor = from;
  for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
    const lo = Math.max(a, cursor), hi = Math.min(b, to);
    if (hi > lo) { total += hi - lo; cursor = hi; }
  }
  return total;
}

test('piscina: the call, start-up and operation numbers of its region are the script\'s own and add up', async () => {
  const { report, stdout } = await record('interop-pools-piscina-call.js');
  assert.equal(report.exit.code, 0);
  const own = result<Own>(stdout);
  // The script's times on the report's clock (µs from origin): the same process.hrtime.
  const at = (t: number) => t - report.meta.originUs;
  const region = report.regions.find((r) => r.kind === 'external')!;
  assert.ok(region && region.called !== undefined && region.end !== undefined, 'an external region with its call');
  const workers = report.startup!.workers.filter((w) => w.pool === region.pool);
  assert.equal(workers.length, 2);
  assert.ok(workers.every((w) => w.ready !== undefined && w.readyBy === 'first-message'));
  const created = Math.min(...workers.map((w) => w.created));
  const firstReady = Math.min(...workers.map((w) => w.ready!));

  // What the report says against what the script saw.
  assert.ok(at(own.beforeNew) <= region.called && region.called <= created && created <= at(own.afterNew),
    `the call begins at the first worker's creation, inside new Piscina(): ${at(own.beforeNew)} ≤ ${region.called} ≤ ${created} ≤ ${at(own.afterNew)}`);
  assert.equal(region.start, firstReady, 'the region starts at the first worker\'s readiness');
  let firstTaskEnd = Infinity, lastTaskEnd = -Infinity;
  for (let k = 0; k < report.spans.count; k++) {
    if (report.spans.region[k] !== region.id) continue;
    firstTaskEnd = Math.min(firstTaskEnd, report.spans.end[k]);
    lastTaskEnd = Math.max(lastTaskEnd, report.spans.end[k]);
  }
  assert.ok(region.start < firstTaskEnd && firstTaskEnd <= at(own.firstResolved), 'the first run() resolved after the first task ended');
  assert.ok(lastTaskEnd <= region.end && region.end <= at(own.allResolved), 'the region ends after the last task, by the last resolve');

  const metrics = analyze(report);
  const r = metrics.regions.find((x) => x.id === region.id)!;
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} against ${b}`);
  near(r.wallMs, (region.end - region.start) / 1000, 'wall');
  near(r.callMs!, (region.end - region.called) / 1000, 'from the first worker\'s creation');
  assert.ok(r.callMs! <= (own.allResolved - own.beforeNew) / 1000, 'no longer than the script\'s new Piscina() → last resolve');
  const starting = workers.map((w): [number, number] => [w.created, w.ready!]);
  const before = unionWithin(starting, region.called, region.start) / 1000;
  const inWall = unionWithin(starting, region.start, region.end) / 1000;
  near(before, (region.start - created) / 1000, 'the wait before the first worker was ready: its whole start-up');
  near(r.startupMs!, before + inWall, 'start-up over the call = before + inside the wall');
  near(r.startupInWallMs!, inWall, 'start-up inside the wall');
  // The call is the wait and the wall, nothing counted twice (the 'before' ends where the wall starts).
  near(r.callMs!, (created - region.called) / 1000 + before + r.wallMs, 'call = (creation − call) + wait + wall');

  const text = formatSummary(report, metrics);
  const line = text.split('\n').find((l) => l.startsWith('  piscina: wall '));
  assert.equal(line, `  piscina: wall ${formatMs(r.wallMs)} · ${formatMs(r.callMs!)} from its first worker's creation · ${formatMs(before)} of it before its first worker was ready`
    + (inWall > 0 ? ` · workers still starting during ${formatMs(inWall)} of the wall` : ''));
  // A finding that names the start-up counts only the wait as waiting.
  for (const l of text.split('\n').filter((x) => x.includes('waiting for the first worker to start'))) {
    assert.ok(l.includes(`${formatMs(r.callMs!)} from its first worker's creation, ${formatMs(before)} of it waiting for the first worker to start, the region itself ${formatMs(r.wallMs)}`), l);
  }
  assert.doesNotMatch(text, /of it waiting for workers to start/, 'an external pool waited for its first worker only');

  // Phases: the start-up before the first readiness is the pool start-up phase; the longest start-up is a worker's own.
  const p = metrics.extra.phases!;
  near(p.longestWorkerStartupMs, Math.max(...workers.map((w) => w.ready! - w.created)) / 1000, 'longest worker start-up');
  assert.match(text, new RegExp(`^  pool start-up\\s+${formatMs(p.poolStartupMs).replace('.', '\\.')}\\s.*2 worker start-ups \\(thread creation → ready; the workers are not a ThreadPool's: ready is their first message, so any wait for the program's first task counts here\\), the time no operation overlapped; the longest start-up ${formatMs(p.longestWorkerStartupMs).replace('.', '\\.')}$`, 'm'));
  // ...less the script's own code the main thread ran meanwhile (its run() calls): serial, not start-up.
  const ownCode = p.intervals.filter((x) => x.kind === 'serial').reduce((a, x) => a + Math.max(0, Math.min(x.end, region.start) - Math.max(x.start, created)), 0) / 1000;
  assert.ok(p.poolStartupMs + ownCode >= before - 1e-6, `the pool start-up phase ${p.poolStartupMs} ms and the script's own code ${ownCode} ms in it hold the wait ${before} ms`);
  assert.ok(p.operationsMs >= r.wallMs - 1e-6 && p.operationsMs <= r.callMs! + 1e-6, `operations ${p.operationsMs} ms: the wall ${r.wallMs} ms, within the call`);
});
