// One piscina task longer than an even share of its region's work holds the region up however
// the tasks are spread, and the fix is the program's (a queue pool's task is its unit of work):
// split that task. Before, the balance and chunk rules counted the task as an item no schedule can
// split and said nothing (tinypool, one task of 593 ms of work and four of 77 ms on 2 threads:
// utilization 60 %, no finding at all). Planted truth: 8 units of CPU work in one task and 4 of 1
// (piscina-long-task.js), against 12 equal tasks. Real piscina from npm, real threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { advise, QUEUE_POOLS } from '../../src/model/advice';
import { formatSummary } from '../../src/model/summary';
import { KNOWN_POOLS } from '../../src/runtime/interop-messages';
import { record } from './record-helpers';

test('the model\'s queue pools are the runtime\'s known pools', () => {
  assert.deepEqual([...QUEUE_POOLS].sort(), [...KNOWN_POOLS].sort());
});

test('piscina: one task of 8 units of work and four of 1 on 2 threads: the long-task advice names it; 12 equal tasks: no such advice', async () => {
  const long = await record('piscina-long-task.js', { args: ['long'] });
  assert.match(long.stdout, /done/, long.stderr);
  const metrics = analyze(long.report);
  const advice = advise(long.report, metrics).filter((a) => a.rule === 'long-task');
  assert.equal(advice.length, 1, formatSummary(long.report, metrics));
  const a = advice[0];
  // The long task is the one of 8 units: the next longest is one of the others (1 unit, or 2 with the first one's compiling).
  assert.ok(a.evidence.longestTaskMs > a.evidence.evenMs && a.evidence.nextTaskMs < a.evidence.evenMs, JSON.stringify(a.evidence));
  assert.ok(a.savingMs > 0);
  assert.match(formatSummary(long.report, metrics), /region 'piscina': its longest task, .* splitting that task into smaller ones would save/);

  const even = await record('piscina-long-task.js', { args: ['even'] });
  assert.match(even.stdout, /done/, even.stderr);
  assert.deepEqual(advise(even.report, analyze(even.report)).filter((x) => x.rule === 'long-task'), []);
});
