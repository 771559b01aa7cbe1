// The summary's words say what ran (tryout findings 7 and 8): the header names the schedules the
// operations ran, not the default parprof was given; a run parprof stopped says by which signal,
// not the 143 its SIGTERM gave the script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary, schedulesRan } from '../../src/model/summary';
import { runEndText } from '../../src/model/run-views';
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
