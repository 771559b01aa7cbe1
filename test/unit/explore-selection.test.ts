// From tasks to code: a selection of spans gives exactly the samples whose timestamps fall inside
// those spans on those threads (checked by brute force against the raw profile), the flame tree of
// a selection equals the model's time-range tree where the two describe the same samples, and the
// differential tree of a selection with itself is zero everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { buildFlameTree, topFunctions } from '../../src/model/flame';
import type { FlameNode } from '../../src/model/flame';
import type { Report } from '../../src/model/report';
import {
  asSelectionSpec, rankedSpans, restrictToSelection, selectionFunctions, samplesInIntervals, samplesInPairs, selectionIntervals, selectionPairs, selectionSamples, selectionTree, type SpanInterval,
} from '../../src/model/selection';
import { baseSamples } from '../../src/model/transforms';
import { topDownTree } from '../../src/model/calltree';
import { indexProfile } from '../../src/model/profile-index';
import { buildProfile, buildReport } from './model-build';
import { diffFunctions, diffTrees, maxDelta, type DiffNode } from '../../src/model/flame-diff';

const report = syntheticReport({ threads: 4, spans: 2400, profiles: 5, samplesPerProfile: 3000, seed: 11 });

/** Raw sample times of a thread's profile, from startTime + the deltas, no index. */
function rawTimes(r: Report, thread: number): number[] {
  const p = r.profiles.find((x) => x.thread === thread)!.profile;
  const out: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) out.push((t += d));
  return out;
}

/** Brute force: every sample of every thread against every interval. */
function bruteForce(r: Report, intervals: SpanInterval[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const tp of r.profiles) {
    const mine = intervals.filter((i) => i.thread === tp.thread);
    if (!mine.length) continue;
    out.set(tp.thread, rawTimes(r, tp.thread).flatMap((t, i) => (mine.some((x) => t >= x.start && t < x.end) ? [i] : [])));
  }
  return out;
}

function asArrays(m: Map<number, Int32Array>): Map<number, number[]> {
  return new Map([...m].map(([k, v]) => [k, Array.from(v)]));
}

test('one span: exactly the samples inside it, on its thread only', () => {
  const s = report.spans;
  const k = rankedSpans(report, 0, 0.99, 1).pop()!;
  const got = selectionSamples(report, { kind: 'spans', spans: [k] });
  const want = bruteForce(report, [{ thread: s.thread[k], start: s.start[k], end: s.end[k] }]);
  assert.deepEqual(asArrays(got), want);
  assert.ok(want.get(s.thread[k])!.length > 0, 'the slowest span holds samples');
  assert.deepEqual([...got.keys()], [s.thread[k]]);
});

test('the slowest 10 % of a region, overlapping intervals, a thread over a range: brute force agrees', () => {
  const slowest = { kind: 'rank' as const, region: 1, from: 0.9, to: 1 };
  const intervals = selectionIntervals(report, slowest);
  const inRegion = report.spans.region.filter((r) => r === 1).length;
  assert.ok(inRegion > 100);
  assert.equal(intervals.length, inRegion - Math.floor(inRegion * 0.9 + 1e-9));
  assert.deepEqual(asArrays(selectionSamples(report, slowest)), bruteForce(report, intervals));
  // Nested and overlapping intervals (fork-join tasks nest): a sample is counted once.
  const nested: SpanInterval[] = [
    { thread: 2, start: 5000, end: 9000 }, { thread: 2, start: 6000, end: 7000 }, { thread: 2, start: 8500, end: 12000 },
    { thread: 2, start: 20000, end: 20001 }, { thread: 3, start: 0, end: 1e12 }, { thread: 99, start: 0, end: 1e12 },
  ];
  assert.deepEqual(asArrays(samplesInIntervals(report, nested)), bruteForce(report, nested));
  // Threads × a range: every sample that overlaps it (it counts clipped to the range).
  const threads = { kind: 'threads' as const, threads: [1, 3], from: 10_000, to: 60_000 };
  const overlapping = new Map(report.profiles.filter((tp) => threads.threads.includes(tp.thread)).map((tp) => {
    const { times, weights } = indexProfile(tp.profile);
    return [tp.thread, Array.from(times.keys()).filter((i) => times[i] < threads.to && times[i] + weights[i] > threads.from)];
  }));
  assert.deepEqual(asArrays(selectionSamples(report, threads)), overlapping);
  assert.deepEqual(selectionSamples(report, threads).clip, { from: 10_000, to: 60_000 });
});

test('a selection\'s pairs per thread (what the views draw and pick samples by) are its intervals grouped by thread in start order, whatever order the spans were given in', () => {
  const s = report.spans;
  // Every 7th span backwards, some twice, some out of range: not in start order.
  const spans = [-1, s.count, 0.5];
  for (let k = s.count - 1; k >= 0; k -= 7) spans.push(k);
  spans.push(spans[5], spans[9]);
  const spec = { kind: 'spans' as const, spans };
  const want = new Map<number, number[][]>();
  for (const i of selectionIntervals(report, spec)) {
    const list = want.get(i.thread) ?? [];
    list.push([i.start, i.end]);
    want.set(i.thread, list);
  }
  const pairs = selectionPairs(report, spec);
  assert.deepEqual([...pairs.keys()].sort(), [...want.keys()].sort());
  for (const [thread, list] of want) {
    const got = pairs.get(thread)!;
    // The same multiset of intervals...
    const asList = Array.from({ length: got.length / 2 }, (_, q) => [got[2 * q], got[2 * q + 1]]);
    const key = (x: number[]) => `${x[0]}:${x[1]}`;
    assert.deepEqual(asList.map(key).sort(), list.map(key).sort(), `thread ${thread}`);
    // ...in start order.
    for (let q = 2; q < got.length; q += 2) assert.ok(got[q] >= got[q - 2], `thread ${thread} pair ${q / 2} in start order`);
  }
  // Picking samples by them is the brute force over the intervals.
  assert.deepEqual(asArrays(samplesInPairs(report, pairs)), bruteForce(report, selectionIntervals(report, spec)));
  // A rank spec, and threads over a range: one pair per thread.
  const rank = { kind: 'rank' as const, region: 1, from: 0.5, to: 0.8 };
  assert.equal([...selectionPairs(report, rank).values()].reduce((n, p) => n + p.length / 2, 0), selectionIntervals(report, rank).length);
  assert.deepEqual([...selectionPairs(report, { kind: 'threads', threads: [1, 3], from: 5, to: 9 })].map(([t, p]) => [t, [...p]]), [[1, [5, 9]], [3, [5, 9]]]);
});

/** A tree as nested arrays, children by key (ties in total may order differently between builders). */
function shape(n: FlameNode): unknown {
  return [n.key, Math.round(n.self * 1000), Math.round(n.total * 1000), [...n.children].sort((a, b) => (a.key < b.key ? -1 : 1)).map(shape)];
}

test('a threads × range selection builds the same tree as the model\'s time-range flame tree', () => {
  const from = 10_000, to = 60_000;
  const viaSelection = selectionTree(report, selectionSamples(report, { kind: 'threads', threads: [2], from, to }));
  const viaModel = buildFlameTree(report, { threads: [2], from, to });
  assert.deepEqual(shape(viaSelection), shape(viaModel));
  assert.ok(viaModel.total > 0);
  const round = (f: { key: string; self: number; total: number }[]) => f.map((x) => [x.key, Math.round(x.self * 1000), Math.round(x.total * 1000)]);
  const samples = selectionSamples(report, { kind: 'threads', threads: [1, 2], from, to });
  assert.deepEqual(round(selectionFunctions(report, samples)), round(topFunctions(report, { threads: [1, 2], from, to })));
  // A range holds at most its own length of each thread's time (samples that straddle its edges count in part).
  for (const thread of [1, 2]) {
    const one = selectionTree(report, selectionSamples(report, { kind: 'threads', threads: [thread], from, to }));
    assert.ok(one.total <= to - from + 1e-6, `thread ${thread}: ${one.total} µs in a ${to - from} µs range`);
  }
});

test('diff of a selection with itself is zero everywhere; sides are normalised to their totals', () => {
  const tree = selectionTree(report, selectionSamples(report, { kind: 'rank', region: 0, from: 0.9, to: 1 }));
  const same = diffTrees(tree, tree);
  assert.equal(maxDelta(same), 0);
  for (const f of diffFunctions(same, 1000)) assert.equal(f.delta, 0);
  assert.equal(same.totalA, 1);
  assert.equal(same.totalB, 1);
  // A planted difference: B is A plus extra self time on one frame; only that frame and the
  // renormalised rest differ, and the deltas over the tree sum to zero (both sides sum to 1).
  const fast = selectionTree(report, selectionSamples(report, { kind: 'rank', region: 0, from: 0, to: 0.5 }));
  const diff = diffTrees(fast, tree);
  let sum = 0;
  const stack: DiffNode[] = [diff];
  while (stack.length) { const n = stack.pop()!; sum += n.delta; stack.push(...n.children); }
  assert.ok(Math.abs(sum) < 1e-9, `deltas sum to 0, got ${sum}`);
  assert.ok(maxDelta(diff) > 0);
});

test('a selection from untrusted input: accepted when well-formed, else undefined', () => {
  assert.deepEqual(asSelectionSpec({ kind: 'spans', spans: [1, 2] }), { kind: 'spans', spans: [1, 2] });
  assert.equal(asSelectionSpec({ kind: 'spans', spans: ['x'] }), undefined);
  assert.equal(asSelectionSpec({ kind: 'rank', region: 0, from: 0.9 }), undefined);
  assert.equal(asSelectionSpec(null), undefined);
  assert.deepEqual(selectionIntervals(report, { kind: 'spans', spans: [-1, 1e9, 0.5] }), []);
});

test('call samples restricted to a selection: the call tree holds exactly the selection\'s weight', () => {
  const spec = { kind: 'rank' as const, region: 0, from: 0.8, to: 1 };
  const sets = selectionSamples(report, spec);
  const tree = topDownTree(restrictToSelection(baseSamples(report), sets));
  assert.ok(Math.abs(tree.totalUs - selectionTree(report, sets).total) < 1e-6, `${tree.totalUs} vs ${selectionTree(report, sets).total}`);
  assert.ok(tree.totalUs > 0);
});

test('planted slow vs fast: the slow task runs only slowPart, the fast ones only fastPart; the diff says exactly that', () => {
  // Thread 1: two fast tasks [0, 400) and [400, 800) running fastPart, one slow task [800, 2000) running
  // slowPart 3/4 of its samples and fastPart 1/4; every sample weighs 100 µs.
  const profile = buildProfile([
    [1, '(root)', '', -1, [2]],
    [2, 'task', 'file:///app/t.js', 0, [3, 4]],
    [3, 'fastPart', 'file:///app/t.js', 10, []],
    [4, 'slowPart', 'file:///app/t.js', 20, []],
  ], [
    ...Array.from({ length: 8 }, () => [3, 100] as [number, number]),
    ...Array.from({ length: 12 }, (_, i) => [i % 4 === 0 ? 3 : 4, 100] as [number, number]),
  ], 2100);
  const r = buildReport({ workers: 1, regions: [{}], spans: [{ thread: 1, start: 50, end: 450 }, { thread: 1, start: 450, end: 850 }, { thread: 1, start: 850, end: 2050 }], profiles: [{ thread: 1, profile }] });
  const fast = selectionTree(r, selectionSamples(r, { kind: 'rank', region: 0, from: 0, to: 2 / 3 }));
  const slow = selectionTree(r, selectionSamples(r, { kind: 'rank', region: 0, from: 2 / 3, to: 1 }));
  assert.equal(fast.total, 800);
  assert.equal(slow.total, 1200);
  const byName = new Map(diffFunctions(diffTrees(fast, slow)).map((f) => [f.name, f]));
  assert.ok(Math.abs(byName.get('slowPart')!.delta - 0.75) < 1e-12);
  assert.ok(Math.abs(byName.get('fastPart')!.delta + 0.75) < 1e-12);
  assert.equal(byName.get('task')!.delta, 0);
});
