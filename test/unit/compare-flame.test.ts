// The differential flamegraph of two runs (the comparison page): each run's samples of every
// thread merged into one tree, as shares of its own total; the profiler's frames merged away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runsFlameDiff, type DiffNode } from '../../src/model/flame-diff';
import type { Report } from '../../src/model/report';
import { buildProfile, buildReport } from './model-build';

const APP = '/work/app/main.js';
const PRELOAD = '/usr/lib/node_modules/parallel-profiler/dist/runtime/preload.js';

/** Main thread: `work` ms in work(), `other` ms in other(), 10 ms in the recorder, 1 ms samples; a worker: `work` ms in work(). */
function run(work: number, other: number): Report {
  const nodes: [number, string, string, number, number[]][] = [[1, '(root)', '', 0, [2, 3, 4]], [2, 'work', APP, 3, []], [3, 'other', APP, 9, []], [4, 'begin', PRELOAD, 5, []]];
  const samples: [number, number][] = [];
  for (let k = 0; k < work; k++) samples.push([2, 1000]);
  for (let k = 0; k < other; k++) samples.push([3, 1000]);
  for (let k = 0; k < 10; k++) samples.push([4, 1000]);
  const worker: [number, number][] = [];
  for (let k = 0; k < work; k++) worker.push([2, 1000]);
  return buildReport({ workers: 1, durationUs: 1_000_000, profiles: [
    { thread: 0, profile: buildProfile(nodes, samples, samples.length * 1000) },
    { thread: 1, profile: buildProfile(nodes.slice(0, 2).map((n) => (n[0] === 1 ? [1, '(root)', '', 0, [2]] : n)), worker, worker.length * 1000) },
  ] });
}

function find(root: DiffNode, name: string): DiffNode | undefined {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.name === name) return n;
    stack.push(...n.children);
  }
  return undefined;
}

test('two runs: a function that grew has a positive delta of the planted share (to a sample); a run against itself is zero everywhere', () => {
  // base: work 100 + 100 (worker), other 100, runtime 10 → work 200/310; next: work 300 + 300, other 100, runtime 10 → 600/710.
  const d = runsFlameDiff(run(100, 100), run(300, 100));
  const work = find(d, 'work')!, other = find(d, 'other')!;
  assert.ok(Math.abs(work.delta - (600 / 710 - 200 / 310)) < 1 / 250, `work delta ${work.delta}`);
  assert.ok(Math.abs(other.delta - (100 / 710 - 100 / 310)) < 1 / 250, `other delta ${other.delta}`);
  assert.equal(find(d, 'begin'), undefined, 'the recorder\'s frame is merged away, as in the views');
  const same = runsFlameDiff(run(100, 100), run(100, 100));
  const stack = [same];
  while (stack.length) {
    const n = stack.pop()!;
    assert.ok(Math.abs(n.delta) < 1e-12, `${n.name}: ${n.delta}`);
    stack.push(...n.children);
  }
});
