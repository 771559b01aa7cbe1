// The summary's words say what ran (tryout findings 7 and 8): the header names the schedules the
// operations ran, not the default parprof was given; a run parprof stopped says by which signal,
// not the 143 its SIGTERM gave the script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary, schedulesRan, verdicts } from '../../src/model/summary';
import { runEndText } from '../../src/model/run-views';
import { advise } from '../../src/model/advice';
import { buildReport } from './model-build';

test('header: the schedules the regions ran, a join as steal (join), a third-party pool by its library; none without operations', () => {
  const r = buildReport({ workers: 2, regions: [{ name: 'fork', kind: 'join', schedule: 'steal' }], spans: [{ thread: 1, start: 0, end: 500 }] });
  r.meta.pool.schedule = 'static'; // what --schedule said
  const text = formatSummary(r, analyze(r));
  assert.match(text.split('\n')[1], /· schedule steal \(join\) ·/);
  assert.doesNotMatch(text.split('\n')[1], /static/);
  const mixed = buildReport({ workers: 2, regions: [{ name: 'a', schedule: 'static' }, { name: 'b', schedule: 'dynamic' }, { name: 'c', schedule: 'static' }] });
  assert.equal(schedulesRan(mixed), 'schedules static, dynamic');
  const piscina = buildReport({ workers: 2, regions: [{ name: 'piscina', kind: 'external', schedule: 'external', fn: 'piscina', threads: 0 }] });
  assert.equal(schedulesRan(piscina), "schedule piscina's own");
  assert.equal(schedulesRan(buildReport({ workers: 0 })), 'no pool operations');
});

test('a run parprof stopped on Ctrl-C says "stopped by SIGINT (Ctrl-C)" in the header, the findings and the Runs view, not exit 143', () => {
  const r = buildReport({ workers: 2, regions: [{ name: 'a' }], spans: [{ thread: 1, start: 0, end: 500 }], durationUs: 2_000_000 });
  r.exit = { code: 143, signal: null, error: null };
  r.markers.push({ t: 2_000_000, thread: 0, kind: 'cancelled', message: 'stopped by SIGINT (Ctrl-C)' });
  const text = formatSummary(r, analyze(r));
  assert.match(text, /· stopped by SIGINT \(Ctrl-C\) \(the script got SIGTERM from parprof and exited 143\)\n/);
  assert.doesNotMatch(text, /· exit 143/);
  assert.match(text, /- the run was stopped by SIGINT \(Ctrl-C\) after 2000 ms and the script stopped/);
  assert.equal(runEndText(r), 'stopped by SIGINT (Ctrl-C) after 2.00 s; the report holds what ran until then');
  // Cancelled from the editor (no signal): 'cancelled'.
  r.markers[0].message = 'run cancelled';
  assert.match(formatSummary(r, analyze(r)), /· cancelled \(the script got SIGTERM from parprof and exited 143\)\n/);
});

test('start-up is named as the call\'s, not the region\'s: a 573 ms call, 312 ms of it workers starting, a 261 ms region', () => {
  // Workers created at 0 and ready at 312 ms; the call at 0, the tasks available at 312 ms, the last result at 573 ms.
  const r = buildReport({ workers: 2, regions: [{ name: 'map square', called: 0, start: 312_000, end: 573_000, threads: 2 }], spans: [
    { thread: 1, start: 312_000, end: 372_000 }, { thread: 2, start: 312_000, end: 372_000 },
  ], durationUs: 600_000 });
  r.startup = { spawn: 0, preload: 0, script: 0, workers: [1, 2].map((thread) => ({ thread, pool: 0, created: 0, ready: 312_000, readyBy: 'module-loaded' as const })) };
  const m = analyze(r);
  assert.equal(Math.round(m.regions[0].callMs!), 573);
  assert.equal(Math.round(m.regions[0].startupMs!), 312);
  const v = verdicts(m, r);
  const line = v.find((x) => x.startsWith('threads were busy only'));
  assert.ok(line, v.join('\n'));
  assert.match(line!, /^threads were busy only 23 % of region 'map square' once their workers were ready \(its call took 573 ms, 312 ms of it waiting for workers to start, the region itself 261 ms\)/);
  assert.doesNotMatch(v.join('\n'), /312 ms of it was workers starting|of its 261 ms starting workers/);
});

test('a sequential run that waited for a core is not told to use fewer threads (tryout finding 10); an oversubscribed one is', () => {
  const r = buildReport({ workers: 0, regions: [{ name: 'inline', threads: 0, start: 0, end: 100_000 }], spans: [{ thread: 0, start: 0, end: 100_000 }], durationUs: 100_000 });
  r.meta.pool.threads = 0;
  r.cpu = [{ thread: 0, source: 'schedstat', t: [0, 100_000], onCpu: [0, 30_000], runnable: [0, 70_000] }];
  const [a] = advise(r, analyze(r)).filter((x) => x.rule === 'descheduled');
  assert.ok(a, 'the wait for a core is still a finding');
  assert.doesNotMatch(a.text, /threads than/);
  assert.match(a.text, /other processes took the CPU \(this run had at most 1 thread busy at once on the 2 cores\), so wall-time utilization and self times overstate the work; a machine without that load would give back up to ~70\.0 ms$/);
  // Three busy workers at once on 2 cores: the run's own threads competed.
  const over = buildReport({ workers: 3, regions: [{ name: 'map', threads: 3, start: 0, end: 100_000 }],
    spans: [1, 2, 3].map((thread) => ({ thread, start: 0, end: 100_000 })), durationUs: 100_000 });
  over.cpu = [1, 2, 3].map((thread) => ({ thread, source: 'schedstat' as const, t: [0, 100_000], onCpu: [0, 30_000], runnable: [0, 70_000] }));
  const [b] = advise(over, analyze(over)).filter((x) => x.rule === 'descheduled');
  assert.match(b.text, /more runnable threads \(3 at once\) than the 2 cores could run, or other processes, took the CPU.*; no more threads than free cores would give back up to ~70\.0 ms$/);
});

test('the summary says what "potential gain" is: not a saving, and no promise that a finding names one', () => {
  const r = buildReport({ workers: 2, regions: [{ name: 'a' }], spans: [{ thread: 1, start: 0, end: 1000 }, { thread: 2, start: 0, end: 500 }] });
  assert.match(formatSummary(r, analyze(r)), /\n {2}potential gain {2}0\.250 ms \(idle per thread: wall − mean busy: the most a perfect balance could give back, not what a fix saves\)\n/);
});
