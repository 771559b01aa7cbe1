// "Profile with N Threads…" and the options wizard pass what the user picked to the script's pools
// as defaults: a pool or an operation that gives its own keeps it. The run then says so in one
// line instead of showing "2 workers" for the 1 thread picked (real runs, real workers).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { requestNotApplied } from '../../src/model/variant-applied';
import { record } from './record-helpers';

test('a pool that gives threads: 2 itself, run with 1 thread picked: the line names the operation, what ran and the way out', async () => {
  const { report } = await record('f4-serial.js', { args: ['none'], threads: 1 });
  const why = requestNotApplied(report, { threads: 1 });
  assert.match(why ?? '', /^operation '[^']+' ran on 2 threads, not the 1 you picked: the script gives its ThreadPool `threads` itself \(leave it out, or pass defaultThreads\(\)/);
});

test('a pool that leaves threads open and gives its operation a schedule: the threads apply, the schedule picked does not', async () => {
  const { report } = await record('sweep-own-schedule.js', { threads: 1, schedule: 'static' });
  assert.equal(requestNotApplied(report, { threads: 1 }), undefined);
  assert.match(requestNotApplied(report, { threads: 1, schedule: 'static' }) ?? '', /^operation '[^']+' ran under schedule 'dynamic', not the 'static' you picked: the script gives it \(or its ThreadPool\) `schedule` itself/);
  assert.equal(requestNotApplied(report, {}), undefined, 'nothing picked, nothing to say');
});
