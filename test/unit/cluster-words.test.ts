// A cluster run's words count what they say and its balance is judged. Planted truth:
// f1-cluster.js's workers spin a known amount of their own CPU time, 200 and 400 ms (a 1:2
// split: the imbalance finding names it) or 300 and 300 (balanced: no finding). A cluster has no
// tasks: the summary prints no task times for it ('-', not 0.00), and the threads card counts
// cluster worker processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { threadsWithTasksLabel, threadsWithTasksText } from '../../src/model/headline';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

async function recordCluster(planted: number[]) {
  const { report, stdout } = await record('f1-cluster.js', { args: planted.map(String) });
  assert.match(stdout, /primary done/);
  const metrics = analyze(report);
  return { report, metrics, advice: advise(report, metrics), text: formatSummary(report, metrics) };
}

test('a 1:2 split between two cluster workers gets the imbalance finding, naming the busier worker', async () => {
  const { report, metrics, advice, text } = await recordCluster([200, 400]);
  const a = advice.find((x) => x.rule === 'imbalance');
  assert.ok(a, advice.map((x) => x.text).join('\n'));
  assert.match(a.text, /^region 'cluster f1-cluster\.js': its 2 worker processes did uneven work: main \(pid \d+\) was busy on a core \d+ ms against \d+ ms on main \(pid \d+\)/);
  // Planted: 400 against a mean of 300 (1.33); each worker's start-up (20-30 ms measured) pulls it toward 1.
  assert.ok(a.evidence.imbalance > 1.15 && a.evidence.imbalance < 1.5, `imbalance ${a.evidence.imbalance}`);
  assert.ok(a.savingMs > 50 && a.savingMs < 150, `saving ${a.savingMs} ms (planted 100)`);
  assert.ok(text.includes(a.text), 'the summary prints the finding');
  // No tasks: no task times, no gaps between tasks.
  const row = text.split('\n').find((l) => /^\s+cluster f1-cluster\.js\s+external/.test(l));
  assert.ok(row, text);
  assert.match(row, /\s0\s+0\s+-$/, row);
  assert.doesNotMatch(text, /0\.00\/0\.00/);
  assert.equal(threadsWithTasksLabel(metrics), 'Busy threads (read from CPU samples)');
  assert.equal(threadsWithTasksText(report, metrics), `2 cluster worker processes on ${report.meta.cores} cores`);
});

test('a balanced cluster (300 and 300 ms) gets no imbalance finding', async () => {
  const { advice } = await recordCluster([300, 300]);
  assert.deepEqual(advice.filter((x) => x.rule === 'imbalance').map((x) => x.text), []);
});
