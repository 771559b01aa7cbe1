// The pool start-up phase says what "ready" means for workers that are not a ThreadPool's: their
// first message (a tryout read "pool start-up 1219 ms (thread creation → ready)" for a piscina
// pool whose workers were up in 300 ms and the script slept 1.2 s before its first task).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { phaseRows } from '../../src/model/summary-v2';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

const NOTE = /the workers are not a ThreadPool's: ready is their first message, so any wait for the program's first task counts here/;

test('raw workers up at once, sent their first message 300 ms later: their start-up says it ends at the first message (and holds the wait)', async () => {
  const { report, stderr } = await record('phases-raw-late.js');
  assert.equal(report.exit.code, 0, stderr);
  const metrics = analyze(report);
  const p = metrics.extra.phases!;
  assert.equal(p.workerStartups, 2);
  assert.equal(p.workerStartupsToFirstMessage, 2);
  // Its number is what its words say: creation to the first message, the 300 ms wait included.
  assert.ok(p.longestWorkerStartupMs >= 300, `longest start-up ${p.longestWorkerStartupMs} ms`);
  const row = phaseRows(p).find((r) => r.label === 'pool start-up')!;
  assert.match(row.note, NOTE);
  assert.match(formatSummary(report, metrics), NOTE);
});

test('a ThreadPool\'s workers: ready when their module is loaded, no first-message note', async () => {
  const { report, stderr } = await record('f3-chunks.js', { args: ['even'] });
  assert.equal(report.exit.code, 0, stderr);
  const p = analyze(report).extra.phases!;
  assert.equal(p.workerStartups, 2);
  assert.equal(p.workerStartupsToFirstMessage, undefined);
  assert.doesNotMatch(phaseRows(p).find((r) => r.label === 'pool start-up')!.note, /first message/);
});
