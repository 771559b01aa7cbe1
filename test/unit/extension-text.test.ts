// The extension's pure text helpers: where CodeLens and workload items go, and what they say.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { findPoolCalls, findWorkloads, blankCommentsAndStrings } from '../../src/extension/sourceScan';
import { heatLevel, HEAT_LEVELS, regionLensText, hotLineText } from '../../src/extension/format';

const script = [
  "const { ThreadPool, range, workload } = require('parallel-profiler');",
  'const items = [1, 2, 3];',
  'items.forEach((x) => x); // an array, not a pool',
  "// pool.map('commented', range(0, 1))",
  "const p = new ThreadPool({ module: 'tasks.js' });",
  "await p.map('spin', range(0, 10));",
  "const s = 'pool.reduce(';",
  "await workerPool.reduce('add', items, { identity: 0 });",
  "workload('first', async () => {});",
  'workload("second", () => {});',
  '// workload(\'commented\', () => {})',
].join('\n');

test('pool calls: creations and operations on pool receivers only, 0-based positions', () => {
  assert.deepEqual(findPoolCalls(script).map((c) => [c.kind, c.line]), [['create', 4], ['map', 5], ['reduce', 7]]);
  assert.equal(findPoolCalls(script)[1].column, 6);
});

test('workload declarations with any quote, not in comments', () => {
  assert.deepEqual(findWorkloads(script).map((w) => [w.name, w.line, w.column]), [['first', 8, 0], ['second', 9, 0]]);
});

test('blanking keeps offsets and newlines', () => {
  const blanked = blankCommentsAndStrings(script);
  assert.equal(blanked.length, script.length);
  assert.equal(blanked.split('\n').length, script.split('\n').length);
  assert.ok(!blanked.includes('commented'));
});

test('region lens text: workers counted as in the rest of the extension, queue p95 only for queued tasks', () => {
  assert.equal(regionLensText({ workers: 2, utilization: 0.934, imbalance: 1.0812, queuedTasks: 0, queueWaitMs: { p95: 0 } }),
    '2 workers · utilization 93 % · imbalance 1.08');
  assert.equal(regionLensText({ workers: 1, utilization: 1, imbalance: 1, queuedTasks: 40, queueWaitMs: { p95: 250 } }),
    '1 worker · utilization 100 % · imbalance 1.00 · queue p95 250 ms');
});

test('heat levels: hottest line is the top level, ordering is monotonic, zero is level 0', () => {
  assert.equal(heatLevel(1000, 1000), HEAT_LEVELS - 1);
  assert.equal(heatLevel(0, 1000), 0);
  let last = 0;
  for (let us = 1; us <= 1000; us *= 2) {
    const level = heatLevel(us, 1000);
    assert.ok(level >= last);
    last = level;
  }
  assert.equal(hotLineText(12_345, 40_100), '  12.3 ms self · 40.1 ms total');
});
