import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFlameTree, flameChart, sampleTimes, topFunctions } from '../../src/model/flame';
import type { FlameNode } from '../../src/model/flame';
import { lineHotness } from '../../src/model/lines';
import { syntheticReport } from '../../src/model/synthetic';
import { buildProfile, buildReport } from './model-build';

// (root) -> main -> work -> work (recursion); (idle); (garbage collector). Every sample weighs 10 µs.
function profile() {
  return buildProfile([
    [1, '(root)', '', -1, [2, 5, 6]],
    [2, 'main', 'file:///app/a.js', 0, [3]],
    [3, 'work', 'file:///app/a.js', 10, [4], [{ line: 12, ticks: 2 }, { line: 13, ticks: 1 }]],
    [4, 'work', 'file:///app/a.js', 10, []],
    [5, '(idle)', '', -1, []],
    [6, '(garbage collector)', '', -1, []],
  ], [[3, 10], [3, 10], [4, 10], [2, 10], [5, 10], [6, 10], [3, 10]], 80);
}

function shape(n: FlameNode): unknown {
  return [n.name, n.self, n.total, n.children.map(shape)];
}

test('flame tree merges frames, drops idle, keeps GC, sorts left-heavy', () => {
  const r = buildReport({ workers: 1, profiles: [{ thread: 1, profile: profile() }] });
  const tree = buildFlameTree(r);
  assert.deepEqual(shape(tree), ['all', 0, 60, [
    ['main', 10, 50, [['work', 30, 40, [['work', 10, 10, []]]]]],
    ['(garbage collector)', 10, 10, []],
  ]]);
  const main = tree.children[0];
  assert.equal(main.file, '/app/a.js');
  assert.equal(main.line, 1);
  assert.equal(main.column, 5);
  assert.equal(main.children[0].line, 11);
});

test('flame tree: thread filter, merged threads and time range', () => {
  const r = buildReport({ workers: 2, profiles: [{ thread: 1, profile: profile() }, { thread: 2, profile: profile() }] });
  assert.equal(buildFlameTree(r).total, 120);
  assert.equal(buildFlameTree(r).children[0].children.length, 1, 'same frames of two threads merge');
  assert.equal(buildFlameTree(r, { threads: [2] }).total, 60);
  assert.equal(buildFlameTree(r, { threads: [] }).total, 0);
  // Samples at t = 10, 20, 30 (work, work, work(recursive)) stand for [10, 40): [0, 35) holds 25 µs
  // of them, the recursive sample's first 5 (a range holds at most its own length of a thread's time).
  const early = buildFlameTree(r, { threads: [1], from: 0, to: 35 });
  assert.deepEqual(shape(early), ['all', 0, 25, [['main', 0, 25, [['work', 20, 25, [['work', 5, 5, []]]]]]]]);
  assert.equal(buildFlameTree(r, { from: 60, to: 61 }).children[0].name, '(garbage collector)');
});

test('top functions: by self (ties: by total), total once per stack under recursion, per thread', () => {
  const r = buildReport({ workers: 2, profiles: [{ thread: 1, profile: profile() }, { thread: 2, profile: profile() }] });
  const top = topFunctions(r);
  assert.deepEqual(top.map((f) => [f.name, f.self, f.total]), [['work', 80, 80], ['main', 20, 100], ['(garbage collector)', 20, 20]]);
  assert.deepEqual(top[0].perThread, [{ thread: 1, self: 40, total: 40 }, { thread: 2, self: 40, total: 40 }]);
  assert.equal(top[0].file, '/app/a.js');
  // [35, 80): the last 5 µs of the recursive work sample at 30, main at 40, GC at 60, work at 70.
  assert.deepEqual(topFunctions(r, { threads: [1], from: 35, to: 80 }).map((f) => [f.name, f.self, f.total]),
    [['work', 15, 15], ['main', 10, 25], ['(garbage collector)', 10, 10]]);
});

test('sample times are absolute', () => {
  const p = profile();
  p.startTime = 1000;
  assert.deepEqual([...sampleTimes(p)], [1010, 1020, 1030, 1040, 1050, 1060, 1070]);
});

test('flame chart merges runs of identical frames per depth', () => {
  const bars = flameChart(profile(), 0, 80).map((b) => [b.name, b.depth, b.start, b.end]);
  assert.deepEqual(bars, [
    ['main', 0, 10, 50], ['work', 1, 10, 40], ['work', 2, 30, 40],
    ['(garbage collector)', 0, 60, 70],
    ['main', 0, 70, 80], ['work', 1, 70, 80],
  ]);
  assert.deepEqual(flameChart(profile(), 15, 35).map((b) => [b.name, b.depth, b.start, b.end]),
    [['main', 0, 15, 35], ['work', 1, 15, 35], ['work', 2, 30, 35]]);
  assert.deepEqual(flameChart(profile(), 0, 80, { maxDepth: 1 }).map((b) => b.name), ['main', '(garbage collector)', 'main']);
  assert.deepEqual(flameChart(profile(), 0, 80, { minWidthUs: 20 }).map((b) => [b.name, b.depth]), [['main', 0], ['work', 1]]);
});

test('line hotness: self from positionTicks, total on the declaration line, per thread', () => {
  const r = buildReport({ workers: 2, profiles: [{ thread: 1, profile: profile() }, { thread: 2, profile: profile() }] });
  const files = lineHotness(r);
  assert.equal(files.length, 1);
  assert.equal(files[0].file, '/app/a.js');
  const rows = files[0].lines.map((l) => [l.line, l.selfUs, l.totalUs]);
  // node 3: 30 µs self split 2:1 over lines 12 and 13; node 4 (no ticks): 10 µs on line 11; main: 10 µs on line 1.
  assert.deepEqual(rows, [[1, 20, 100], [11, 20, 80], [12, 40, 40], [13, 20, 20]]);
  assert.deepEqual(files[0].lines[2].perThread, [{ thread: 1, selfUs: 20 }, { thread: 2, selfUs: 20 }]);
  assert.deepEqual(lineHotness(r, { thread: 2 })[0].lines.map((l) => l.selfUs), [10, 10, 20, 10]);
  assert.deepEqual(lineHotness(r, { thread: 7 }), []);
});

test('synthetic report: the tree total equals the non-idle sample time, and children never exceed parents', () => {
  const r = syntheticReport({ threads: 3, spans: 100, profiles: 3, samplesPerProfile: 3000, seed: 9 });
  const tree = buildFlameTree(r);
  const stack = [tree];
  let nodes = 0;
  while (stack.length) {
    const n = stack.pop()!;
    nodes++;
    const sum = n.children.reduce((a, c) => a + c.total, 0);
    assert.ok(Math.abs(n.self + sum - n.total) < 1e-6 * Math.max(1, n.total), `${n.name}: self + children = total`);
    for (let i = 1; i < n.children.length; i++) assert.ok(n.children[i - 1].total >= n.children[i].total, 'left-heavy');
    stack.push(...n.children);
  }
  assert.ok(nodes > 20, `a deep tree, got ${nodes} nodes`);
  const top = topFunctions(r);
  const selfSum = top.reduce((a, f) => a + f.self, 0);
  assert.ok(Math.abs(selfSum - tree.total) < 1e-6 * tree.total, 'function self times add up to the tree');
  for (const f of top) assert.ok(f.total <= tree.total + 1e-6, `${f.name} total ≤ all`);
  const bars = flameChart(r.profiles[0].profile, 0, r.meta.durationUs);
  assert.ok(bars.length > 100);
  assert.ok(bars.every((b) => b.end > b.start));
});

test('flame chart equals a naive stack-by-stack reference on a deep synthetic profile', () => {
  const r = syntheticReport({ threads: 2, spans: 10, profiles: 1, samplesPerProfile: 2000, seed: 4 });
  const p = r.profiles[0].profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const times = sampleTimes(p);
  const from = times[100], to = times[1500] + 1;
  for (const maxDepth of [Infinity, 4]) {
    // Reference: the full stack of every sample, then runs of equal (node, depth) prefixes.
    const expected: [string, number, number, number][] = [];
    let open: { id: number; start: number }[] = [];
    const closeTo = (keep: number, t: number) => {
      while (open.length > keep) {
        const b = open.pop()!;
        const s = Math.max(b.start, from), e = Math.min(t, to);
        if (e > s) expected.push([byId.get(b.id)!.callFrame.functionName, open.length, s, e]);
      }
    };
    let lastEnd = from;
    for (let i = 0; i < times.length; i++) {
      const end = i + 1 < times.length ? times[i + 1] : p.endTime;
      if (times[i] >= to) break;
      if (end <= from) continue;
      lastEnd = end;
      const stack: number[] = [];
      for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) stack.unshift(id);
      const names = stack.map((id) => byId.get(id)!.callFrame.functionName);
      let frames = names[0] === '(root)' ? stack.slice(1) : stack;
      if (names.some((x) => x === '(idle)' || x === '(program)')) frames = [];
      frames = frames.slice(0, maxDepth);
      let same = 0;
      while (same < open.length && same < frames.length && open[same].id === frames[same]) same++;
      closeTo(same, times[i]);
      for (let d = same; d < frames.length; d++) open.push({ id: frames[d], start: times[i] });
    }
    closeTo(0, lastEnd);
    open = [];
    expected.sort((a, b) => a[2] - b[2] || a[1] - b[1]);
    const actual = flameChart(p, from, to, { maxDepth }).map((b) => [b.name, b.depth, b.start, b.end]);
    assert.ok(expected.length > 500, `${expected.length} bars`);
    assert.deepEqual(actual, expected);
  }
});
