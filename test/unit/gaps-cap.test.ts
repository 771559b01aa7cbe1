// A late sample does not invent wall self time (unsampled.ts): with a planted 300 ms delta the
// excess over 10 sampling intervals is a '(not sampled)' frame under the frame both neighbouring
// samples share, in the flame tree, the top functions, the CLI's hot functions, the views' call
// trees and flame chart; totals still add up to the thread's wall time. Samples on time: no change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { functionStats, toFlameTree, topDownTree } from '../../src/model/calltree';
import { buildFlameTree, flameChartOfSamples, topFunctions, type FlameNode } from '../../src/model/flame';
import { lineHotness } from '../../src/model/lines';
import { indexProfile, selfWeights } from '../../src/model/profile-index';
import { restrictToSelection } from '../../src/model/selection';
import { functionSelfTimes } from '../../src/model/sweep-report';
import { applyTransform, baseSamples } from '../../src/model/transforms';
import { NOT_SAMPLED, SAMPLE_CAP_INTERVALS, sampleCapUs, unsampledTime } from '../../src/model/unsampled';
import { buildReport } from './model-build';
import { plantedLateProfile } from './gaps-helpers';

const MS = 1000;
const planted = plantedLateProfile;

function child(n: FlameNode, name: string): FlameNode {
  const c = n.children.find((x) => x.name === name);
  assert.ok(c, `${n.name} has a child ${name}: ${n.children.map((x) => x.name).join(', ')}`);
  return c;
}

function reportOf(late: boolean) {
  return buildReport({ workers: 1, durationUs: 700 * MS, profiles: [{ thread: 1, profile: planted(late) }] });
}

test('planted late samples: the excess over the cap is (not sampled) under the shared frame, totals kept', () => {
  const report = reportOf(true);
  assert.equal(sampleCapUs(report), SAMPLE_CAP_INTERVALS * 1000);
  const wall = selfWeights(indexProfile(report.profiles[0].profile)).reduce((a, b) => a + b, 0);
  for (const tree of [buildFlameTree(report), toFlameTree(topDownTree(baseSamples(report)))]) {
    const task = child(tree, 'task');
    const spin = child(task, 'spin');
    // spin: 19 on-time samples + a capped late one (10 ms) + 1 + 4 on time + a capped one (10 ms).
    assert.equal(spin.self, (19 + 10 + 1 + 4 + 10) * MS);
    assert.equal(child(spin, NOT_SAMPLED).total, 290 * MS);
    // other: 9 on time + the late one capped at 10 ms; the excess goes to task, which both share.
    assert.equal(child(task, 'other').self, 19 * MS);
    assert.equal(child(task, NOT_SAMPLED).total, 190 * MS);
    assert.equal(child(tree, NOT_SAMPLED).total, 90 * MS);
    // Nothing is lost: the tree holds the same wall time as the raw weights (idle left out).
    const idle = 1 * MS;
    assert.equal(tree.total, wall - idle);
  }
  const stats = [topFunctions(report), functionStats(baseSamples(report))];
  for (const fns of stats) {
    const ns = fns.find((f) => f.name === NOT_SAMPLED)!;
    assert.equal(ns.self, (290 + 190 + 90) * MS);
    assert.equal(ns.total, ns.self);
    const spin = fns.find((f) => f.name === 'spin')!;
    assert.equal(spin.self, 44 * MS);
    assert.equal(spin.total, (44 + 290) * MS, 'the (not sampled) under spin counts in its total');
    assert.equal(fns.find((f) => f.name === 'task')!.total, (44 + 290 + 19 + 190) * MS);
  }
  // The editor's hot lines: spin's line gets its capped self time; its total counts what ran under it.
  const lines = lineHotness(report)[0].lines;
  assert.deepEqual(lines.map((l) => [l.line, l.selfUs, l.totalUs]), [[1, 0, 543 * MS], [6, 44 * MS, 334 * MS], [10, 19 * MS, 19 * MS]]);
  // Comparisons' function tables (sweep, A/B, compare): capped, the excess not listed as a function.
  assert.deepEqual(functionSelfTimes(report).map((f) => [f.name, f.selfMs]), [['spin', 44], ['other', 19]]);
  const hot = analyze(report).threads.find((t) => t.id === 1)!.topFunctions;
  assert.deepEqual(hot.map((f) => [f.name, f.selfMs]), [[NOT_SAMPLED, 570], ['spin', 44], ['other', 19]]);
});

test('planted late samples: range and task selections take a late sample\'s excess with it; transforms move it', () => {
  const report = reportOf(true);
  const samples = baseSamples(report);
  // The first late sample is the 20th (index 19), at 20 ms, standing for [20, 320) ms: a range of
  // exactly that holds it all, its excess included; a range of its first half holds half of it
  // (its own 10 ms, then the excess), as a range counts each sample's part inside it.
  const only = toFlameTree(topDownTree(samples, { from: 20 * MS, to: 320 * MS }));
  assert.equal(only.total, 300 * MS);
  assert.equal(child(child(child(only, 'task'), 'spin'), NOT_SAMPLED).total, 290 * MS);
  const half = toFlameTree(topDownTree(samples, { from: 20 * MS, to: 170 * MS }));
  assert.equal(half.total, 150 * MS);
  assert.equal(child(child(child(half, 'task'), 'spin'), NOT_SAMPLED).total, 140 * MS);
  const picked = toFlameTree(topDownTree(samples, { samples: new Map([[1, Int32Array.from([0, 1, 19])]]) }));
  assert.equal(picked.total, (2 + 300) * MS);
  const without = toFlameTree(topDownTree(samples, { samples: new Map([[1, Int32Array.from([0, 1, 18])]]) }));
  assert.equal(without.total, 3 * MS, 'no excess without its sample');
  // Restricted to a selection (the flame chart's input), an unpicked late sample's excess goes with it.
  const restricted = restrictToSelection(samples, new Map([[1, Int32Array.from([0, 1, 18])]]));
  assert.equal(toFlameTree(topDownTree(restricted)).total, 3 * MS);
  assert.ok(!flameChartOfSamples(restricted.stacks, restricted.threads[0], 0, 700 * MS).some((b) => b.name === NOT_SAMPLED));
  const spinKey = samples.stacks.functions.find((f) => f.name === 'spin')!.key;
  const merged = toFlameTree(topDownTree(applyTransform(samples, { type: 'merge-function', key: spinKey })));
  assert.equal(child(child(merged, 'task'), NOT_SAMPLED).total, (290 + 190) * MS, 'merged into task with spin');
  const dropped = toFlameTree(topDownTree(applyTransform(samples, { type: 'drop-function', key: spinKey })));
  assert.equal(child(child(dropped, 'task'), NOT_SAMPLED).total, 190 * MS, 'dropped with spin');
  // The flame chart draws the excess as a (not sampled) bar under spin, from the cap to the next sample.
  const bars = flameChartOfSamples(samples.stacks, samples.threads[0], 0, 700 * MS);
  const ns = bars.filter((b) => b.name === NOT_SAMPLED).map((b) => [b.depth, b.start, b.end]);
  assert.deepEqual(ns, [[2, 30 * MS, 320 * MS], [1, 340 * MS, 530 * MS], [0, 544 * MS, 634 * MS]]);
});

test('samples on time: the cap never fires and every view is what the raw weights give', () => {
  const report = reportOf(false);
  const index = indexProfile(report.profiles[0].profile);
  assert.equal(unsampledTime(index, sampleCapUs(report)).samples.length, 0);
  const raw = selfWeights(index);
  for (const tree of [buildFlameTree(report), toFlameTree(topDownTree(baseSamples(report)))]) {
    const task = child(tree, 'task');
    assert.equal(child(task, 'spin').self, 26 * MS);
    assert.equal(child(task, 'other').self, 10 * MS);
    assert.equal(tree.total, raw.reduce((a, b) => a + b, 0) - raw[4]);
    const names: string[] = [];
    const walk = (n: FlameNode) => { names.push(n.name); n.children.forEach(walk); };
    walk(tree);
    assert.ok(!names.includes(NOT_SAMPLED));
  }
  assert.ok(!topFunctions(report).some((f) => f.name === NOT_SAMPLED));
  assert.equal(baseSamples(report).threads[0].late, undefined);
});

test('a report without a known sampling interval is not capped', () => {
  const report = reportOf(true);
  report.meta.sampleIntervalUs = 0;
  assert.equal(sampleCapUs(report), Infinity);
  assert.ok(!topFunctions(report).some((f) => f.name === NOT_SAMPLED));
  assert.equal(child(child(buildFlameTree(report), 'task'), 'spin').self, (19 + 300 + 1 + 4 + 100) * MS);
});
