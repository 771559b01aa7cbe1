// Call trees on the planted profile of explore-transforms.test.ts: inverted roots are self times,
// sandwich callers and callees add up to the function's total, threads merge, a time range narrows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTransforms, baseSamples, type CallSamples } from '../../src/model/transforms';
import { functionStats, invertedTree, keyPath, sandwich, topDownTree } from '../../src/model/calltree';
import { topFunctions } from '../../src/model/flame';
import { buildReport } from './model-build';
import { plantedProfile, shape } from './explore-helpers';

function twoThreads() {
  return buildReport({ workers: 2, profiles: [{ thread: 1, profile: plantedProfile() }, { thread: 2, profile: plantedProfile() }] });
}

function shown(): CallSamples {
  return applyTransforms(baseSamples(twoThreads()), []);
}

function keyOf(s: CallSamples, name: string): string {
  return s.stacks.functions.find((f) => f.name === name)!.key;
}

test('inverted tree: its roots are the functions\' self times and add up to the total', () => {
  const s = shown();
  const inv = invertedTree(s, { threads: [1] });
  assert.equal(inv.totalUs, 190);
  const roots = inv.roots.map((r) => `${inv.functions[inv.func[r]].name} ${inv.self[r]}/${inv.total[r]}`);
  assert.deepEqual(roots, ['fib 30/30', 'row 20/20', 'cb 20/20', 'x 20/20', 'parprof runtime 20/20', 'task 20/20', 'main 10/10', 'emit 10/10', 'listener 10/10', 'lodash 10/10', 'writeSync 10/10', '(garbage collector) 10/10']);
  assert.equal(inv.roots.reduce((sum, r) => sum + inv.total[r], 0), 190);
  const fib = inv.roots[0];
  assert.equal(shape(inv, [fib]), 'fib 30/30 [fib 0/20 [fib 0/10 [row 0/10 [main 0/10]], row 0/10 [main 0/10]], row 0/10 [main 0/10]]');
  for (const st of functionStats(s, { threads: [1] })) {
    const root = inv.roots.find((r) => inv.functions[inv.func[r]].key === st.key);
    assert.equal(root === undefined ? 0 : inv.self[root], st.self, `${st.name}: inverted root = self time`);
  }
});

test('sandwich: callers and callees of a function both total its time', () => {
  const s = shown();
  const fib = sandwich(s, keyOf(s, 'fib'), { threads: [1] });
  assert.equal(fib.self, 30);
  assert.equal(fib.total, 30);
  assert.equal(shape(fib.callers), 'fib 30/30 [row 0/30 [main 0/30]]', 'outermost call of a recursive function');
  assert.equal(shape(fib.callees), 'fib 10/30 [fib 10/20 [fib 10/10]]');
  const cb = sandwich(s, keyOf(s, 'cb'));
  assert.equal(shape(cb.callers), 'cb 40/40 [listener 0/40 [emit 0/40 [helper 0/40 [main 0/40]]]]', 'both threads merged');
  assert.equal(cb.callees.totalUs, 40);
  const main = sandwich(s, keyOf(s, 'main'), { threads: [2] });
  assert.deepEqual([main.self, main.total, main.callers.totalUs, main.callees.totalUs], [10, 160, 160, 160]);
});

test('top-down: threads merge, a time range narrows, paths name the frames; function totals match topFunctions without transforms', () => {
  const s = shown();
  const both = topDownTree(s);
  assert.equal(both.totalUs, 380);
  assert.match(shape(both), /^main 20\/320 \[row 40\/100/);
  // Samples at t = 10..50 (row, row, fib, fib, fib), 10 µs each: [0, 55) holds 45 µs of them (the last one's first 5).
  const early = topDownTree(s, { threads: [2], from: 0, to: 55 });
  assert.equal(shape(early), 'main 0/45 [row 20/45 [fib 10/25 [fib 10/15 [fib 5/5]]]]');
  const deepest = early.roots.length && (() => { let n = early.roots[0]; while (early.children[n]) n = early.children[n]![0]; return n; })();
  assert.deepEqual(keyPath(early, deepest).map((k) => k.split('\u0001')[0]), ['main', 'row', 'fib', 'fib', 'fib']);
  const raw = baseSamples(twoThreads());
  const ours = functionStats(raw).map((f) => [f.name, f.self, f.total, f.perThread]);
  const theirs = topFunctions(twoThreads()).map((f) => [f.name, f.self, f.total, f.perThread]);
  assert.deepEqual(ours.sort(), theirs.sort());
});

test('a selection of sample indices (the selected tasks\' samples) counts exactly those, on those threads only', () => {
  const s = shown();
  // Thread 1's samples 0, 1 (row, row) and 7 (emit); thread 2 is not in the selection.
  const picked = new Map([[1, Int32Array.from([0, 1, 7])]]);
  const t = topDownTree(s, { samples: picked });
  assert.equal(t.totalUs, 30);
  assert.equal(shape(t), 'main 0/30 [row 20/20, helper 0/10 [emit 10/10]]');
  assert.deepEqual(functionStats(s, { samples: picked }).map((f) => [f.name, f.self, f.total]), [['row', 20, 20], ['emit', 10, 10], ['main', 0, 30], ['helper', 0, 10]]);
  assert.equal(topDownTree(s, { samples: picked, threads: [2] }).totalUs, 0);
  assert.equal(invertedTree(s, { samples: picked }).totalUs, 30);
});
