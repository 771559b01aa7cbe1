// Tasks that wait for a timer are inside a task without wanting a core: more such threads than
// cores at once do not compete for cores. Before, 16 setTimeout tasks on 4 piscina workers on 2
// cores (on a core 2.6 % of their time in tasks) read "4 threads ran tasks at the same time on 2
// cores: they competed for cores". Real piscina from npm, real threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

test('piscina tasks waiting on setTimeout, more workers than cores: not "competed for cores"', async () => {
  const { report, stdout, stderr } = await record('piscina-sleepers.js');
  assert.match(stdout, /done/, stderr);
  const metrics = analyze(report);
  assert.ok(metrics.extra.tasks >= 2 * (report.meta.cores + 2), `${metrics.extra.tasks} tasks`);
  const summary = formatSummary(report, metrics);
  assert.doesNotMatch(summary, /competed for cores/);
  // Every worker was inside a task at once: the summary says so, and what the threads did then.
  if ((metrics.extra.peakThreads ?? 0) > report.meta.cores && report.cpu?.length) assert.match(summary, /did not compete for cores/);
});
