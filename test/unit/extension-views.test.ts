// How the extension words and places runs: the end of a run, thread counts, Runs view entries,
// relative times and the editor group a run's report opens in.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { relativeTime, reportColumn, runEnd, runEndText, runEntry, scheduleText, threadsText } from '../../src/model/run-views';
import type { Report } from '../../src/model/report';
import { formatDurationMs } from '../../src/model/units';

type Shape = Pick<Report, 'meta' | 'threads' | 'regions' | 'exit' | 'markers'>;

function run(over: Partial<{ exit: Report['exit']; markers: Report['markers']; regions: unknown[] }> = {}): Shape {
  return {
    meta: { script: '/w/pool-demo.js', args: ['--n', '3'], durationUs: 2_310_000, startedAt: Date.UTC(2026, 11, 2, 3, 0), nodeVersion: 'v20.20.2',
      pool: { threads: 2, schedule: 'dynamic' } },
    threads: [{ id: 0, name: 'main', kind: 'main' }, { id: 1, name: 'pool 1', kind: 'worker' }, { id: 2, name: 'pool 2', kind: 'worker' }],
    regions: over.regions ?? [{ schedule: 'static' }, { schedule: 'static' }],
    exit: over.exit ?? { code: 0, signal: null, error: null },
    markers: over.markers ?? [],
  } as unknown as Shape;
}

test('each way a run ends is named as what it was; a cancelled run is not "exit code 143"', () => {
  assert.equal(runEnd(run()), 'clean');
  assert.equal(runEndText(run()), 'finished in 2.31 s');
  const cancelled = run({ exit: { code: 143, signal: null, error: null }, markers: [{ t: 1, thread: 0, kind: 'cancelled', message: 'run cancelled' }] });
  assert.equal(runEnd(cancelled), 'cancelled');
  assert.equal(runEndText(cancelled), 'cancelled after 2.31 s; the report holds what ran until then');
  assert.doesNotMatch(runEndText(cancelled), /143|exit/);
  assert.equal(runEndText(run({ exit: { code: null, signal: 'SIGKILL', error: null } })), 'killed by SIGKILL after 2.31 s');
  assert.equal(runEndText(run({ exit: { code: 1, signal: null, error: { message: 'Error: boom', stack: '' } } })), 'crashed after 2.31 s: uncaught Error: boom');
  assert.equal(runEndText(run({ exit: { code: 3, signal: null, error: null } })), 'exited with code 3 after 2.31 s');
});

test('threads are counted one way: workers, plus main', () => {
  assert.equal(threadsText(run()), '2 workers + main');
  assert.equal(threadsText({ threads: [{ id: 0, name: 'main', kind: 'main' }, { id: 1, name: 'w', kind: 'worker' }] } as Shape), '1 worker + main');
});

test('schedule: the one the regions used, "mixed", a library\'s own, or none without regions (never the unused default)', () => {
  assert.equal(scheduleText(run()), 'static');
  assert.equal(scheduleText(run({ regions: [{ schedule: 'static' }, { schedule: 'steal' }] })), 'mixed');
  assert.equal(scheduleText(run({ regions: [] })), undefined);
  assert.equal(scheduleText(run({ regions: [{ schedule: 'external', fn: 'piscina' }] })), 'piscina\'s own');
});

test('relative times and wall times', () => {
  const t = Date.UTC(2026, 0, 1);
  assert.equal(relativeTime(t, t + 10_000), 'just now');
  assert.equal(relativeTime(t, t - 10_000), 'just now');
  assert.equal(relativeTime(t, t + 4 * 60_000), '4 min ago');
  assert.equal(relativeTime(t, t + 3 * 3600_000), '3 h ago');
  assert.equal(relativeTime(t, t + 24 * 3600_000), '1 day ago');
  assert.equal(relativeTime(t, t + 50 * 3600_000), '2 days ago');
  assert.equal(formatDurationMs(850.4), '850 ms');
  assert.equal(formatDurationMs(2312), '2.31 s');
});

test('a Runs view entry: script as label, numbers and age first, then schedule and threads; the end in the tooltip', () => {
  const r = run();
  const e = runEntry(r, { wallMs: 1234, utilization: 0.934, imbalance: 1.081 }, '/w/.parprof/a.parprof', r.meta.startedAt + 5 * 60_000);
  assert.equal(e.label, 'pool-demo.js');
  assert.equal(e.description, '1.23 s · util 93 % · 5 min ago · static · 2 workers + main');
  assert.match(e.tooltip, /^\/w\/pool-demo\.js --n 3\nfinished in 2\.31 s · /);
  assert.match(e.tooltip, /2 workers \+ main · schedule static/);
  // The runner's marker (an operation's own 'cancelled' marker does not cancel the run: abort-op.test).
  const cancelled = run({ markers: [{ t: 1, thread: 0, kind: 'cancelled', message: 'run cancelled' }] });
  assert.match(runEntry(cancelled, { wallMs: 1, utilization: 0, imbalance: 1 }, 'f', 0).description, /^cancelled · /);
});

test('a run\'s report opens where reports are, else beside the editor, and never in a third group', () => {
  assert.equal(reportColumn([{ viewColumn: 1, isActive: true, hasReport: false }]), 'beside');
  assert.equal(reportColumn([{ viewColumn: 1, isActive: true, hasReport: false, isEmpty: true }]), 1);
  assert.equal(reportColumn([{ viewColumn: 1, isActive: true, hasReport: false }, { viewColumn: 2, isActive: false, hasReport: false }]), 2);
  assert.equal(reportColumn([{ viewColumn: 1, isActive: false, hasReport: false }, { viewColumn: 2, isActive: true, hasReport: false }]), 1);
  assert.equal(reportColumn([{ viewColumn: 1, isActive: true, hasReport: true }, { viewColumn: 2, isActive: false, hasReport: false }]), 1);
  assert.equal(reportColumn([
    { viewColumn: 1, isActive: false, hasReport: false }, { viewColumn: 2, isActive: true, hasReport: false }, { viewColumn: 3, isActive: false, hasReport: false },
  ]), 3);
});
