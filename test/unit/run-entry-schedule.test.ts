// The Runs view names the schedule that ran, as the summary does: a raw worker_threads run was
// listed "steal" (the pool default it never used) and a script that crashed before any
// operation "steal" too. Real runs, real workers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { runEntry } from '../../src/model/run-views';
import { record } from './record-helpers';

test('a raw worker_threads run: "worker_threads\'s own", not the pool default', async () => {
  const { report } = await record('interop-pools-raw.js', { args: ['40'] });
  const entry = runEntry(report, analyze(report), '/r.parprof', report.meta.startedAt);
  assert.doesNotMatch(entry.description, /steal|static|dynamic/);
  assert.match(entry.description, / · worker_threads's own · 2 workers \+ main$/);
  assert.match(entry.tooltip, /2 workers \+ main · schedule worker_threads's own · Node /);
});

test('a script that crashed before any operation: no schedule named', async () => {
  const { report } = await record('syntax-error.js');
  const entry = runEntry(report, analyze(report), '/r.parprof', report.meta.startedAt);
  assert.doesNotMatch(`${entry.description}\n${entry.tooltip}`, /steal|static|dynamic/);
  assert.match(entry.tooltip, /0 workers \+ main · no pool operations · Node /);
});
