// Call-tree transforms on a planted profile whose every total is worked out by hand, and the
// default view on real recordings of the examples: the task function right under the root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { applyTransforms, baseSamples, resourceOf, transformLabel, validTransforms, type CallSamples, type Transform } from '../../src/model/transforms';
import { functionStats, toFlameTree, topDownTree, type CallTree } from '../../src/model/calltree';
import { buildFlameTree, flameChart, flameChartOfSamples, type FlameNode } from '../../src/model/flame';
import { parseReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';
import { buildReport } from './model-build';
import { plantedProfile, shape } from './explore-helpers';

function planted(): CallSamples {
  return baseSamples(buildReport({ workers: 1, profiles: [{ thread: 1, profile: plantedProfile() }] }));
}

function key(samples: CallSamples, name: string): string {
  const f = samples.stacks.functions.find((x) => x.name === name);
  assert.ok(f, `function ${name}`);
  return f.key;
}

function tree(transforms: Transform[], showRuntime = false): CallTree {
  const base = planted();
  return topDownTree(applyTransforms(base, transforms, { showRuntime }));
}

function stat(samples: CallSamples, name: string): [number, number] {
  const s = functionStats(samples).find((f) => f.name === name);
  return s ? [s.self, s.total] : [0, 0];
}

test('untransformed, with the runtime shown: the planted tree, as buildFlameTree builds it', () => {
  const t = tree([], true);
  assert.equal(t.totalUs, 190);
  assert.equal(shape(t), 'main 10/160 [runItems 10/60 [row 20/50 [fib 10/30 [fib 10/20 [fib 10/10]]]], helper 0/40 [emit 10/40 [listener 10/30 [cb 20/20]]], ' +
    'lodash 10/30 [x 20/20], flush 10/20 [writeSync 10/10]], (anonymous) 0/20 [operation 0/20 [task 20/20]], (garbage collector) 10/10');
  const r = buildReport({ workers: 1, profiles: [{ thread: 1, profile: plantedProfile() }] });
  const flat = (n: FlameNode): string => `${n.name} ${n.self}/${n.total} [${[...n.children].sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1)).map(flat).join(', ')}]`;
  assert.equal(flat(toFlameTree(t)), flat(buildFlameTree(r)));
});

test('default view: runtime frames with user code below merge away (with the Node frames leading to them), the rest collapses to one frame', () => {
  const t = tree([]);
  assert.equal(t.totalUs, 190, 'no time is lost');
  // runItems' own 10 (the pool's loop between tasks) is the runtime's: 'parprof runtime' under main
  // (10 of flush + 10 of runItems), not main's own time, where no row would show it; what flush
  // calls (Node's writeSync) stays below it under its own name, as the terminal counts it.
  assert.equal(shape(t), 'main 10/160 [row 20/50 [fib 10/30 [fib 10/20 [fib 10/10]]], helper 0/40 [emit 10/40 [listener 10/30 [cb 20/20]]], ' +
    'lodash 10/30 [x 20/20], parprof runtime 20/30 [writeSync 10/10]], task 20/20, (garbage collector) 10/10');
});

test('merge function: its self time moves to the caller, its callees move up', () => {
  const base = applyTransforms(planted(), []);
  const after = applyTransforms(planted(), [{ type: 'merge-function', key: key(base, 'row') }]);
  assert.deepEqual(stat(base, 'main'), [10, 160]);
  assert.deepEqual(stat(after, 'main'), [30, 160]);
  assert.deepEqual(stat(after, 'row'), [0, 0]);
  assert.equal(shape(topDownTree(after)).startsWith('main 30/160 [helper 0/40'), true);
  assert.match(shape(topDownTree(after)), /main 30\/160 \[.*fib 10\/30 \[fib 10\/20 \[fib 10\/10\]\]/);
});

test('drop function: exactly the samples with it on the stack leave', () => {
  const base = applyTransforms(planted(), []);
  const t = topDownTree(applyTransforms(planted(), [{ type: 'drop-function', key: key(base, 'fib') }]));
  assert.equal(t.totalUs, 160);
  assert.match(shape(t), /^main 10\/130 \[.*row 20\/20\]/);
  assert.ok(!shape(t).includes('fib'));
});

test('focus on a function merges all its calls under one root; focus on a subtree keeps one path', () => {
  const base = applyTransforms(planted(), []);
  const f = topDownTree(applyTransforms(planted(), [{ type: 'focus-function', key: key(base, 'fib') }]));
  assert.equal(shape(f), 'fib 10/30 [fib 10/20 [fib 10/10]]');
  assert.equal(f.totalUs, 30);
  const path = ['main', 'helper', 'emit'].map((n) => key(base, n));
  const s = topDownTree(applyTransforms(planted(), [{ type: 'focus-subtree', path }]));
  assert.equal(shape(s), 'emit 10/40 [listener 10/30 [cb 20/20]]');
  assert.equal(s.totalUs, 40);
  const none = topDownTree(applyTransforms(planted(), [{ type: 'focus-subtree', path: ['nope'] }]));
  assert.equal(none.totalUs, 0, 'a path that is not in the tree keeps nothing');
});

test('collapse resource: node:internal frames and a package become one frame each', () => {
  const n = topDownTree(applyTransforms(planted(), [{ type: 'collapse-resource', resource: 'node:internal' }]));
  assert.match(shape(n), /helper 0\/40 \[node:internal 20\/40 \[cb 20\/20\]\]/);
  const l = topDownTree(applyTransforms(planted(), [{ type: 'collapse-resource', resource: 'npm:lodash' }]));
  assert.match(shape(l), /lodash 30\/30(,|\])/);
  assert.equal(l.totalUs, 190);
  assert.deepEqual(resourceOf('/a/node_modules/@scope/pkg/node_modules/inner/i.js'), { id: 'npm:inner', label: 'inner' });
  assert.deepEqual(resourceOf('/a/node_modules/@scope/pkg/lib/x.js'), { id: 'npm:@scope/pkg', label: '@scope/pkg' });
  assert.equal(resourceOf('/app/a.js'), undefined);
  assert.equal(resourceOf('/x/parallel-profiler/dist/runtime/worker.js')?.id, 'parprof');
});

test('collapse recursion: a function calling itself becomes one frame with all its time', () => {
  const base = applyTransforms(planted(), []);
  const t = topDownTree(applyTransforms(planted(), [{ type: 'collapse-recursion', key: key(base, 'fib') }]));
  assert.match(shape(t), /row 20\/50 \[fib 30\/30\]/);
});

test('transforms stack: each applies to the previous one\'s tree; labels; a persisted stack is checked', () => {
  const base = applyTransforms(planted(), []);
  const stack: Transform[] = [{ type: 'focus-function', key: key(base, 'main') }, { type: 'merge-function', key: key(base, 'helper') }, { type: 'collapse-resource', resource: 'node:internal' }];
  assert.equal(shape(topDownTree(applyTransforms(planted(), stack))).split(' [')[0], 'main 10/160');
  assert.match(shape(topDownTree(applyTransforms(planted(), stack))), /node:internal 20\/40 \[cb 20\/20\]/);
  assert.deepEqual(stack.map(transformLabel), ['Focus: main', 'Merge: helper', 'Collapse: node:internal']);
  const collapsed = applyTransforms(planted(), [{ type: 'collapse-resource', resource: 'npm:lodash' }]);
  const lodash = collapsed.stacks.functions.find((f) => f.name === 'lodash' && f.file === '')!;
  assert.equal(transformLabel({ type: 'merge-function', key: lodash.key }), 'Merge: lodash', 'a collapsed resource\'s frame is named after it');
  assert.equal(transformLabel({ type: 'merge-function', key: key(applyTransforms(planted(), []), 'parprof runtime') }), 'Merge: parprof runtime');
  assert.deepEqual(validTransforms(JSON.parse(JSON.stringify(stack))), stack);
  assert.deepEqual(validTransforms([{ type: 'merge-function' }, { type: 'x', key: 'a' }, 3, null, { type: 'focus-subtree', path: [1] }]), []);
  assert.deepEqual(validTransforms('nope'), []);
});

test('flame chart of transformed samples: the raw one equals flameChart; merged frames leave the chart', () => {
  const profile = plantedProfile();
  const base = baseSamples(buildReport({ workers: 1, profiles: [{ thread: 1, profile }] }));
  const raw = flameChartOfSamples(base.stacks, base.threads[0], 0, 1000);
  // Frames of the stack table also carry their function's key (the chart's menu needs it).
  assert.ok(raw.every((f) => typeof f.key === 'string' && f.key.startsWith(`${f.name}\u0001`)));
  assert.deepEqual(raw.map(({ key: _key, ...f }) => f), flameChart(profile, 0, 1000));
  const hidden = applyTransforms(base, []);
  const chart = flameChartOfSamples(hidden.stacks, hidden.threads[0], 0, 1000);
  assert.deepEqual(chart.filter((f) => f.depth === 0).map((f) => [f.name, f.start, f.end]),
    [['main', 10, 150], ['(garbage collector)', 160, 170], ['main', 170, 190], ['task', 190, 210]], 'idle (150-160) leaves a gap');
  assert.deepEqual(chart.filter((f) => f.depth === 1 && f.start < 150).map((f) => [f.name, f.start, f.end]),
    [['row', 10, 60], ['parprof runtime', 60, 70], ['helper', 80, 120], ['lodash', 120, 150]], 'runItems merged: row right under main; its own time (60-70) the runtime\'s; main alone 70-80');
  assert.ok(!chart.some((f) => f.name === 'runItems'));
});

const root = packageRoot();

function recordExample(example: string): CallSamples {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-explore-'));
  try {
    const out = join(dir, 'run.parprof');
    const rec = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'record', '--threads', '2', '--out', out, join(root, 'examples', example)],
      { encoding: 'utf8', timeout: 180_000 });
    assert.equal(rec.status, 0, `record ${example} failed:\n${rec.stdout}\n${rec.stderr}`);
    const report = parseReport(readFileSync(out), { gunzip: (b) => gunzipSync(b) });
    const workers = new Set(report.threads.filter((t) => t.kind === 'worker').map((t) => t.id));
    const samples = baseSamples(report);
    return { stacks: samples.stacks, threads: samples.threads.filter((t) => workers.has(t.thread)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [example, fn] of [['mandelbrot.js', 'row'], ['sum.js', 'addSteps'], ['matmul.js', 'multiplyRow']]) {
  test(`default view of ${example}: ${fn} is the first frame under the root on every worker`, () => {
    const raw = recordExample(example);
    assert.equal(raw.threads.length, 2, 'two workers profiled');
    const shown = applyTransforms(raw, []);
    for (const t of shown.threads) {
      const tree = topDownTree(shown, { threads: [t.thread] });
      const first = tree.functions[tree.func[tree.roots[0]]];
      // V8 names `exports.addSteps = (...) => ...` after the property: 'exports.addSteps'.
      assert.match(first.name, new RegExp(`^(exports\\.)?${fn}$`), `thread ${t.thread}: ${shape(tree).slice(0, 300)}`);
      assert.ok(!first.file.includes('/runtime/'));
      // Without the default, the task function is deeper (under the pool's frames).
      const rawTree = topDownTree(raw, { threads: [t.thread] });
      assert.doesNotMatch(rawTree.functions[rawTree.func[rawTree.roots[0]]].name, new RegExp(fn));
      assert.equal(Math.round(tree.totalUs), Math.round(rawTree.totalUs), 'the default view loses no time');
      // And every bit of it is under a row: the pool's own time between tasks (runItems' self) is
      // 'parprof runtime', not time on the root that no row shows (a tryout's rows added up to 46 % of the total).
      const rows = tree.roots.reduce((sum, r) => sum + tree.total[r], 0);
      assert.ok(Math.abs(rows - tree.totalUs) <= 1e-6 * tree.totalUs, `thread ${t.thread}: rows ${rows} µs of ${tree.totalUs}`);
    }
  });
}

test('a profile nobody validated: a cycle is left out, not followed, and every transform stays bounded', () => {
  const frame = (functionName: string) => ({ functionName, scriptId: '1', url: 'file:///app/x.js', lineNumber: 1, columnNumber: 1 });
  const cyclic = { nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2] },
    { id: 2, callFrame: frame('a'), children: [3] },
    { id: 3, callFrame: frame('b'), children: [4] },
    { id: 4, callFrame: frame('c'), children: [2] },
    { id: 9, callFrame: frame('orphan'), children: [9] },
  ], startTime: 0, endTime: 500, samples: [2, 3, 4, 4, 9, 77], timeDeltas: [0, 100, 100, 100, 100, 50] };
  const base = baseSamples(buildReport({ workers: 1, profiles: [{ thread: 1, profile: cyclic }] }));
  const t = topDownTree(base);
  assert.equal(shape(t), 'a 100/400 [b 100/300 [c 200/200]]', 'the edge back to a is ignored; the self-parented orphan and unknown id 77 drop');
  const key = base.stacks.functions.find((f) => f.name === 'b')!.key;
  for (const tr of [{ type: 'merge-function', key }, { type: 'focus-function', key }, { type: 'drop-function', key }, { type: 'collapse-recursion', key }, { type: 'collapse-resource', resource: 'npm:x' }] as Transform[]) {
    const out = topDownTree(applyTransforms(base, [tr], { showRuntime: true }));
    assert.ok(Number.isFinite(out.totalUs) && out.totalUs <= 400, tr.type);
  }
  assert.deepEqual(flameChartOfSamples(base.stacks, base.threads[0], 0, 1000).map((f) => `${f.name}@${f.depth}`), ['a@0', 'b@1', 'c@2']);
});
