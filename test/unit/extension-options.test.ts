// The choices of "Profile with Options…": a "default" entry first and selected, then the values.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseSampleInterval, scheduleChoices, splitArgs, sweepThreadCounts, threadChoices } from '../../src/model/profile-options';

test('threads: default first (the pool\'s own, or the setting), then 1…cores with all cores named', () => {
  const c = threadChoices(4, undefined);
  assert.deepEqual(c.map((x) => x.label), ['default', '1', '2', '3', '4']);
  assert.deepEqual(c.map((x) => x.value), [undefined, 1, 2, 3, 4]);
  assert.deepEqual(c.filter((x) => x.isDefault).map((x) => x.label), ['default']);
  assert.match(c[0].description!, /all 4 cores.* · default$/);
  assert.equal(c[4].description, 'all cores');
  const set = threadChoices(4, 3);
  assert.equal(set[0].value, 3);
  assert.match(set[0].description!, /^3 \(parallelProfiler\.threads\) · default$/);
});

test('schedules: a "default" that leaves each pool its own, then static, dynamic, steal', () => {
  const c = scheduleChoices(undefined);
  assert.deepEqual(c.map((x) => x.label), ['default', 'static', 'dynamic', 'steal']);
  assert.equal(c[0].value, undefined);
  assert.ok(c[0].isDefault && c.slice(1).every((x) => !x.isDefault));
  assert.equal(scheduleChoices('static')[0].value, 'static');
});

test('sampling interval and arguments', () => {
  assert.deepEqual(parseSampleInterval(' 500 '), { value: 500 });
  assert.deepEqual(parseSampleInterval('0'), { value: 0 });
  assert.deepEqual(parseSampleInterval('1e3'), { error: "sampling interval must be a whole number of µs, got '1e3'" });
  assert.deepEqual(splitArgs(`a "b c" 'd' e`), ['a', 'b c', 'd', 'e']);
  assert.deepEqual(splitArgs('   '), []);
});

test('sweep thread counts: 1, powers of 2, the cores', () => {
  assert.deepEqual(sweepThreadCounts(1), [1]);
  assert.deepEqual(sweepThreadCounts(2), [1, 2]);
  assert.deepEqual(sweepThreadCounts(6), [1, 2, 4, 6]);
  assert.deepEqual(sweepThreadCounts(8), [1, 2, 4, 8]);
});
