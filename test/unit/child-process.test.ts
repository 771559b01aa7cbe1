// A script's child process (here `fork` of a script with its own pool) inherits the profiler's
// environment. It must not write into the parent's recording: the report keeps exactly the
// parent's threads, names and spans, and names the child in a note and a finding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { checkSpans, fixtures, record } from './record-helpers';
import { join } from 'node:path';

test('a forked child with its own workers is kept apart and named; the parent\'s report is intact', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-fork.js'), { sampleIntervalUs: 0 });
  const childPid = Number(/parent done, child (\d+)/.exec(stdout)?.[1]);
  assert.ok(childPid > 0, stdout);
  assert.match(stdout, new RegExp(`child ${childPid} done`));
  // The parent: main + its 2 pool workers, named after its pool; none of the child's.
  assert.deepEqual(report.threads.map((t) => t.name).sort(), ['main', 'parent 1', 'parent 2'].sort(), JSON.stringify(report.threads.map((t) => t.name)));
  assert.deepEqual(report.regions.map((r) => r.name), ['parent job']);
  let items = 0;
  for (let k = 0; k < report.spans.count; k++) items += report.spans.items[k];
  assert.equal(items, 100, 'exactly the parent\'s 100 items');
  checkSpans(report);
  const note = report.markers.find((m) => m.kind === 'note' && m.message.startsWith(`child process ${childPid} `));
  assert.ok(note, JSON.stringify(report.markers));
  assert.match(note.message, /\(child-fork\.js child\) ran 3 threads and \d+ task spans/);
  assert.match(formatSummary(report, analyze(report)), new RegExp(`- child process ${childPid} \\(child-fork\\.js child\\) ran 3 threads`));
});
