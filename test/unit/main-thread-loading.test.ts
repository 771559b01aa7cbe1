// The main thread's own code (serial code) leaves out Node's module loader called by the user's
// code: a `require` resolving `parallel-profiler`'s package exports took 5-23 ms of CPU in a
// loaded CI run and, with a pool run of 123 ms of work, fired "the main thread ran 21.4 ms of
// serial code … spreading it over 2 cores would save ~10.7 ms" for a parent that only forked a
// child (f4-serial 'fork'). No thread count spreads module loading; a required module's own
// top-level code is the user's again, and so is a spin.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { codeWithin, mainThreadWork, SAMPLE_LOADING, SAMPLE_RUNTIME, SAMPLE_USER, userStretches, type MainThreadWork } from '../../src/model/main-thread-work';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProfile, buildReport } from './model-build';
import { fixtures, record, tempDir } from './record-helpers';

const MS = 1000;

/**
 * Main thread: `loadMs` of 1 ms samples in Node's loader under the script's `require`, then
 * `moduleMs` in a required module's top level, then `spinMs` in the script's own `spin`; then a
 * region of 100 ms with one 100 ms task on each of two workers.
 */
function report(loadMs: number, moduleMs: number, spinMs: number) {
  const samples: [number, number][] = [];
  for (let i = 0; i < loadMs; i++) samples.push([5, MS]);
  for (let i = 0; i < moduleMs; i++) samples.push([7, MS]);
  for (let i = 0; i < spinMs; i++) samples.push([8, MS]);
  const serialEnd = (loadMs + moduleMs + spinMs) * MS;
  for (let i = 0; i < 101; i++) samples.push([9, MS]);
  const end = serialEnd + 101 * MS;
  const main = buildProfile([
    [1, '(root)', '', -1, [2, 9]],
    [2, '', '/work/app/main.js', 0, [3, 8]],
    [3, 'require', 'node:internal/modules/helpers', 170, [4]],
    [4, 'Module._load', 'node:internal/modules/cjs/loader', 1000, [5, 6]],
    [5, 'resolvePackageTargetString', 'node:internal/modules/esm/resolve', 380, []],
    [6, 'Module._compile', 'node:internal/modules/cjs/loader', 1400, [7]],
    [7, '', '/work/app/heavy-init.js', 0, []],
    [8, 'spin', '/work/app/main.js', 20, []],
    [9, '(idle)', '', -1, []],
  ], samples, end);
  const worker = buildProfile([[1, '(root)', '', -1, [2]], [2, 'task', '/work/app/task.js', 1, []]], Array.from({ length: 100 }, () => [2, MS] as [number, number]), end);
  return buildReport({ workers: 2, durationUs: end, regions: [{ start: serialEnd, end: serialEnd + 100 * MS }],
    spans: [{ thread: 1, start: serialEnd, end: serialEnd + 100 * MS }, { thread: 2, start: serialEnd, end: serialEnd + 100 * MS }],
    profiles: [{ thread: 0, profile: main }, { thread: 1, profile: worker }, { thread: 2, profile: worker }] });
}

test('Node loading a module for the user\'s require is loading, not the user\'s code; the module\'s own top level and a spin are', () => {
  const r = report(30, 10, 20);
  const w = mainThreadWork(r)!;
  const ms = (kind: number) => (w.cum[kind][w.kind.length] - w.cum[kind][0]) / MS;
  assert.equal(ms(SAMPLE_LOADING), 30);
  assert.equal(ms(SAMPLE_USER), 30);
  const serialEnd = 61 * MS; // the first sample is taken 1 ms after the profile's start
  assert.equal(w.source, 'wall'); // no CPU readings here: the window less waiting, the runtime's and loading
  assert.equal(codeWithin(w, w.starts[0], w.ends[w.ends.length - 1]) / MS, 30);
  // The loading breaks the user's stretch: the module's top level and the spin make one stretch after it.
  assert.deepEqual(userStretches(w, 0, serialEnd), [[31 * MS, serialEnd]]);
});

/**
 * Main thread: 10 samples of Node's loader under the script's require (1 ms apart, from 1 ms), then
 * the sampler falls behind: its next tick is 200 ms later, in the script's `spin` (20 ticks), then
 * 30 ms of waiting. `before` is the node the 10 first samples are in (the loader, or '(idle)').
 */
function gapReport(before: number) {
  const samples: [number, number][] = [];
  for (let i = 0; i < 10; i++) samples.push([before, MS]);
  samples.push([8, 200 * MS]);
  for (let i = 0; i < 19; i++) samples.push([8, MS]);
  for (let i = 0; i < 30; i++) samples.push([9, MS]);
  const end = 261 * MS;
  const main = buildProfile([
    [1, '(root)', '', -1, [2, 9]],
    [2, '', '/work/app/main.js', 0, [3, 8]],
    [3, 'require', 'node:internal/modules/helpers', 170, [4]],
    [4, 'Module._load', 'node:internal/modules/cjs/loader', 1000, [5]],
    [5, 'resolvePackageTargetString', 'node:internal/modules/esm/resolve', 380, []],
    [8, 'spin', '/work/app/main.js', 20, []],
    [9, '(idle)', '', -1, []],
  ], samples, end);
  return buildReport({ workers: 0, durationUs: end, regions: [], spans: [], profiles: [{ thread: 0, profile: main }] });
}

test('a sampler that fell behind: the 200 ms between a tick in the loader and the next, in the user\'s loop, is split between them, not all the loader\'s; a gap after waiting stays waiting', () => {
  const ms = (w: MainThreadWork, kind: number) => (w.cum[kind][w.kind.length] - w.cum[kind][0]) / MS;
  const w = mainThreadWork(gapReport(5))!;
  // Before: the loader 209 ms, the loop 20. The loader's last tick (10 ms) and the loop's first
  // (210 ms) each take the half of the gap nearer to them: the loop's code starts at 110 ms.
  assert.equal(ms(w, SAMPLE_LOADING), 9 + 100);
  assert.equal(ms(w, SAMPLE_USER), 100 + 20);
  assert.deepEqual(userStretches(w, 0, 230 * MS), [[110 * MS, 230 * MS]]);
  // A moment the recorder saw in the gap (new ThreadPool creating a worker at 150 ms) comes before
  // the loop: the split is not before it.
  const created = { ...gapReport(5), startup: { spawn: 0, preload: 0, script: 0, workers: [{ thread: 1, pool: 0, created: 150 * MS, readyBy: 'module-loaded' as const }] } };
  assert.deepEqual(userStretches(mainThreadWork(created)!, 0, 230 * MS), [[150 * MS, 230 * MS]]);
  // After '(idle)' the thread woke at some instant no tick saw: the gap stays the wait's, as V8 weighs it.
  const idle = mainThreadWork(gapReport(9))!;
  assert.equal(ms(idle, SAMPLE_USER), 20);
  assert.deepEqual(userStretches(idle, 0, 230 * MS), [[210 * MS, 230 * MS]]);
});

test('a GC the recorder\'s chunk cut sets off inside the user\'s loop is the recorder\'s, and does not break the loop\'s stretch of code in two', () => {
  const samples: [number, number][] = [];
  for (let i = 0; i < 10; i++) samples.push([8, MS]);
  samples.push([10, MS], [10, MS], [11, MS], [11, MS]);
  for (let i = 0; i < 10; i++) samples.push([8, MS]);
  const main = buildProfile([
    [1, '(root)', '', -1, [2, 11]],
    [2, '', '/work/app/main.js', 0, [8]],
    [8, 'spin', '/work/app/main.js', 20, [10]],
    [10, 'cut', '/work/node_modules/parallel-profiler/dist/runtime/preload.js', 1, []],
    [11, '(garbage collector)', '', -1, []],
  ], samples, 25 * MS);
  const w = mainThreadWork(buildReport({ workers: 0, durationUs: 25 * MS, regions: [], spans: [], profiles: [{ thread: 0, profile: main }] }))!;
  assert.deepEqual([...w.kind.slice(10, 14)], [SAMPLE_RUNTIME, SAMPLE_RUNTIME, SAMPLE_RUNTIME, SAMPLE_RUNTIME], 'the cut and its GC are the recorder\'s');
  assert.deepEqual(userStretches(w, 0, 25 * MS), [[MS, 25 * MS]], 'one stretch of the user\'s code around them');
});

test('serial finding: a script that requires 600 modules before a pool run has no serial code of its own; the loading is not serial (a real run)', async () => {
  const dir = tempDir('parprof-require-');
  for (let i = 0; i < 600; i++) writeFileSync(join(dir, `m${i}.js`), `'use strict';\nexports.value${i} = function value() { return ${i}; };\n`);
  const { report, stderr } = await record(join(fixtures(), 'f4-serial.js'), { args: ['require', dir] });
  assert.ok(report, stderr);
  const w = mainThreadWork(report)!;
  const loadingMs = (w.cum[SAMPLE_LOADING][w.kind.length]) / MS;
  assert.ok(loadingMs >= 10, `the loader's samples under the script's require: ${loadingMs} ms`);
  const p = analyze(report).extra.phases!;
  assert.ok(p.serialCodeMs! < loadingMs, `serial code ${p.serialCodeMs} ms leaves out the ${loadingMs} ms of loading`);
  const serial = advise(report, analyze(report)).filter((a) => a.rule === 'serial');
  assert.deepEqual(serial.map((a) => a.text), []);
});

test('serial code: an ES module with 600 static imports before a pool run: the linking Node does before its first line is loading, not the module\'s serial code (a real run)', async () => {
  const dir = tempDir('parprof-import-');
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    writeFileSync(join(dir, `m${i}.mjs`), `export function value${i}() { return ${i}; }\n`);
    lines.push(`import { value${i} } from './m${i}.mjs';`);
  }
  lines.push("import { ThreadPool } from 'parallel-profiler';");
  lines.push(`const pool = new ThreadPool({ module: ${JSON.stringify(join(fixtures(), 'f4-serial.js'))}, threads: 2 });`);
  lines.push("await pool.map('item', [25, 25, 25, 25], { name: 'esm map' });");
  lines.push('await pool.close();');
  lines.push('console.log(`sum ${value0() + value599()}`);');
  writeFileSync(join(dir, 'main.mjs'), `${lines.join('\n')}\n`);
  const { report, stdout, stderr } = await record(join(dir, 'main.mjs'));
  assert.match(stdout, /sum 599/, stderr);
  const w = mainThreadWork(report)!;
  const loadingMs = (w.cum[SAMPLE_LOADING][w.kind.length]) / MS;
  assert.ok(loadingMs >= 10, `the loader's samples before the module's first line: ${loadingMs} ms`);
  // Before, that linking read as the module's own code: 331 ms of serial code for a module whose
  // only code is the pool call. What is left is engine work at the stack's root ('(program)', the
  // close events of the ports of the ESM hooks' requests): 21-32 ms here, still counted as code.
  const p = analyze(report).extra.phases!;
  assert.ok(p.serialCodeMs! < loadingMs / 3, `serial code ${p.serialCodeMs} ms leaves out the ${loadingMs} ms of loading`);
});
