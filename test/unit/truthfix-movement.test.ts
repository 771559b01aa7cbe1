// Data-movement advice names the direction the data moved (tryout finding 5): a range() or shared
// input copies nothing in, so it gets no input advice; results copied back get advice about the
// results. Hand-built profiles plant the samples: 1 sample per ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { buildProfile, buildReport } from './model-build';

const RUNTIME = '/work/app/node_modules/parallel-profiler/dist/runtime/index.js';
const WORKER = '/work/app/node_modules/parallel-profiler/dist/runtime/worker.js';

/** A profile of [frame, url, ms] runs of samples, one sample per ms from 0, each frame right under the root. */
function profile(runs: [string, string, number][]) {
  const nodes: [number, string, string, number, number[]][] = [[1, '(root)', '', 0, runs.map((_, k) => k + 2)]];
  runs.forEach(([name, url], k) => nodes.push([k + 2, name, url, 10, []]));
  const samples: [number, number][] = [];
  runs.forEach(([, , ms], k) => { for (let i = 0; i < ms; i++) samples.push([k + 2, samples.length === 0 ? 0 : 1000]); });
  return buildProfile(nodes, samples, samples.length * 1000);
}

/** A 200 ms map call on 2 workers; `main` and `worker` are [frame, ms] runs of samples on each thread. */
function run(main: [string, string, number][], worker: [string, string, number][], taskEndUs = 200_000): Report {
  return buildReport({ workers: 2, regions: [{ name: 'map square', called: 0, start: 0, end: 200_000, threads: 2, items: 200_000 }],
    spans: [{ thread: 1, start: 0, end: taskEndUs }, { thread: 2, start: 0, end: taskEndUs }], durationUs: 200_000,
    profiles: [{ thread: 0, profile: profile(main) }, { thread: 1, profile: profile(worker) }] });
}

const movement = (r: Report) => advise(r, analyze(r)).filter((a) => a.rule === 'data-movement');

test('a range() input whose results come back: advice on the results (40 ms assembling on main), none on the input', () => {
  const r = run([['postMessage', 'node:internal/worker', 1], ['assembleMap', RUNTIME, 40]], [['post', WORKER, 20]]);
  const [a] = movement(r);
  assert.ok(a, 'results copied back are advice');
  assert.doesNotMatch(a.text, /range\(\)|copying its input/);
  assert.match(a.text, /^region 'map square' spent at least 40\.0 ms on the main thread and 20\.0 ms on its workers copying results back and assembling them in a 200 ms call; returning less per item, or writing results into a shared typed array instead of returning them would save ~50\.0 ms$/);
  assert.equal(a.evidence.inputMainMs, 1);
});

test('a range() input to forEach or reduce (nothing to assemble): no data-movement advice at all', () => {
  const r = run([['postMessage', 'node:internal/worker', 2]], [['post', WORKER, 30], ['deserialize', '', 1]]);
  assert.deepEqual(movement(r), []);
});

test('a copied array input: advice on the input, with range() or shared arrays as the fix', () => {
  const r = run([['serialize', '', 30], ['postMessage', 'node:internal/worker', 10]], [['deserialize', '', 20]]);
  const [a] = movement(r);
  assert.match(a.text, /^region 'map square' spent at least 40\.0 ms on the main thread and 20\.0 ms on its workers copying its input to the workers in a 200 ms call; passing range\(\) indices or shared typed arrays \(SharedArrayBuffer\) instead of copies of the input would save ~50\.0 ms$/);
});

test('posting is judged by its time on a core: 40 ms of posting samples with 2 ms on a core (a loaded machine) is no copying advice; on a core, it is', () => {
  const MS = 1000;
  const posting = (onCpuMs: number) => {
    const r = run([['postMessage', 'node:internal/worker', 40], ['(idle)', '', 160]], [['deserialize', '', 1]]);
    r.cpu = [{ thread: 0, source: 'schedstat', t: [0, 40 * MS, 200 * MS], onCpu: [0, onCpuMs * MS, onCpuMs * MS], runnable: [0, (40 - onCpuMs) * MS, (40 - onCpuMs) * MS] }];
    return movement(r);
  };
  assert.deepEqual(posting(2).map((a) => a.text), []);
  const [a] = posting(40);
  assert.ok(a, 'posting on a core for 40 ms is copying');
  assert.equal(a.evidence.inputMainMs, 40);
});

test('a call that returns long after its last task: the finding says how long, and the main thread\'s garbage collection then; silent on that when the call ends with its tasks', () => {
  // Tasks end at 100 ms of the 200 ms call; the main thread then assembles 40 ms and collects garbage 60 ms.
  const r = run([['(idle)', '', 100], ['assembleMap', RUNTIME, 40], ['(garbage collector)', '', 60]], [['post', WORKER, 20]], 100_000);
  const [a] = movement(r);
  assert.ok(a, 'results copied back are advice');
  assert.match(a.text, /^region 'map square' spent at least 40\.0 ms on the main thread and 20\.0 ms on its workers copying results back and assembling them in a 200 ms call that returned 100 ms after its last task ended \(the results' way back and their assembly; the main thread collected garbage for 60\.0 ms of it\); returning less per item/);
  // The same samples, the tasks ending with the call: no such clause (the first test's text is whole).
  const [b] = movement(run([['(idle)', '', 100], ['assembleMap', RUNTIME, 40], ['(garbage collector)', '', 60]], [['post', WORKER, 20]], 200_000));
  assert.doesNotMatch(b.text, /returned|garbage/);
});

test('a worker\'s time in V8\'s own code before its first task is its copy of the input arriving: counted with the main thread\'s posting; inside its task it is not', () => {
  // A 400 ms map on 2 workers; the main thread serializes 10 ms; worker 1 spends 60 ms in
  // '(program)' from the operation's start, then waits, then runs its task.
  const build = (worker1Start: number) =>
    buildReport({ workers: 2, regions: [{ name: 'map square', called: 0, start: 0, end: 400_000, threads: 2, items: 1_000_000 }],
      spans: [{ thread: 1, start: worker1Start, end: 400_000 }, { thread: 2, start: 0, end: 400_000 }], durationUs: 400_000,
      profiles: [{ thread: 0, profile: profile([['serialize', '', 10], ['(idle)', '', 390]]) },
        { thread: 1, profile: profile([['(program)', '', 60], ['(idle)', '', 40], ['square', '/work/app/a.js', 300]]) }] });
  const [a] = movement(build(100_000));
  assert.ok(a, 'the input copied to the workers is advice');
  assert.match(a.text, /^region 'map square' spent at least 10\.0 ms on the main thread and 60\.0 ms on its workers copying its input to the workers in a 400 ms call; passing range\(\) indices or shared typed arrays \(SharedArrayBuffer\) instead of copies of the input would save ~40\.0 ms$/);
  assert.equal(a.evidence.inputWorkersMs, 60);
  // The same samples with worker 1's task from the start: its '(program)' is the task's, and 10 ms of posting is under the call's 5 % (20 ms).
  assert.deepEqual(movement(build(0)), []);
});
