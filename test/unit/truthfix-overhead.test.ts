// The profiler's own time is not shown as the user's (tryout finding 6): the CLI's hottest
// functions fold the runtime's frames (pool, recorder, preload) into one 'parprof runtime' line as
// the views do; the serial-section advice leaves out the main thread's time in them and in the
// ESM loader hooks; and a plain ES module gets no loader hooks at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { functionSelfTimes } from '../../src/model/sweep-report';
import { buildProfile, buildReport } from './model-build';
import { record, sampledFunctions } from './record-helpers';

const PRELOAD = '/usr/lib/node_modules/parallel-profiler/dist/runtime/preload.js';
const SCRIPT = '/work/app/main.js';

/** Main thread busy 20 → 400 ms before one 500 ms operation: `ms` ms in `frame` at `url`, the rest of the stretch in the user's `prepare`. */
function serialRun(frame: string, url: string, ms: number): Report {
  const nodes: [number, string, string, number, number[]][] = [[1, '(root)', '', 0, [2, 3]], [2, frame, url, 5, []], [3, 'prepare', SCRIPT, 9, []]];
  const samples: [number, number][] = [];
  for (let k = 0; k < 380; k++) samples.push([k < ms ? 2 : 3, k === 0 ? 20_000 : 1000]);
  const r = buildReport({ workers: 2, regions: [{ name: 'map work', called: 400_000, start: 400_000, end: 900_000, threads: 2, callSite: { file: SCRIPT, line: 20, column: 1 } }],
    spans: [{ thread: 1, start: 400_000, end: 900_000 }, { thread: 2, start: 400_000, end: 900_000 }], durationUs: 1_000_000,
    profiles: [{ thread: 0, profile: buildProfile(nodes, samples, 400_000) }] });
  r.startup = { spawn: 0, preload: 10_000, script: 20_000, workers: [] };
  return r;
}

const serial = (r: Report) => advise(r, analyze(r)).filter((a) => a.rule === 'serial');

test('serial advice leaves out the preload\'s and the ESM hooks\' time: 300 of 380 ms in them is no 380 ms serial section', () => {
  for (const [frame, url] of [['atomicsWait', PRELOAD], ['waitForWorker', 'node:internal/modules/esm/hooks']]) {
    const r = serialRun(frame, url, 300);
    assert.deepEqual(serial(r), [], `${frame}: 80 ms of user code in a 1000 ms run is below the serial threshold`);
  }
  // Planted twin: 380 ms of the user's own code before the operation is serial advice, all of it.
  const [a] = serial(serialRun('atomicsWait', PRELOAD, 0));
  assert.ok(a, 'the user\'s 380 ms are serial advice');
  assert.equal(Math.round(a.evidence.serialMs), 380);
  assert.equal(a.evidence.profilerMs, 0);
  // 100 ms of preload waiting and 280 ms of user code: 280 ms.
  const [b] = serial(serialRun('atomicsWait', PRELOAD, 100));
  assert.equal(Math.round(b.evidence.serialMs), 280);
  assert.equal(Math.round(b.evidence.profilerMs), 100);
  assert.match(b.text, /^the main thread ran 280 ms of serial code in wall time \(no CPU readings for the main thread\)/);
});

test('the CLI\'s hottest functions fold the runtime\'s frames into one "parprof runtime" line', () => {
  const r = serialRun('atomicsWait', PRELOAD, 300);
  const top = analyze(r).threads.find((t) => t.id === 0)!.topFunctions;
  assert.deepEqual(top.map((f) => [f.name, f.file, Math.round(f.selfMs)]), [['parprof runtime', '', 300], ['prepare', SCRIPT, 80]]);
  const text = formatSummary(r, analyze(r));
  assert.doesNotMatch(text, /preload\.js|atomicsWait/);
  assert.match(text, /\n {9}300 ms self {6}300 ms total  parprof runtime\n/);
});

test('the functions a comparison lists fold the runtime\'s frames into "parprof runtime" too', () => {
  const r = serialRun('atomicsWait', PRELOAD, 300);
  const fns = functionSelfTimes(r);
  assert.deepEqual(fns.map((f) => [f.name, f.file, Math.round(f.selfMs)]), [['parprof runtime', '', 300], ['prepare', 'main.js', 80]], 'files relative to the run\'s cwd');
});

test('a plain ES module that finds the package on its own runs without the ESM loader hooks', async () => {
  const { report, stdout, stderr } = await record('truthfix-plain.mjs');
  assert.match(stdout, /fib 196418/, stderr);
  const main = report.profiles.find((p) => p.thread === 0)!;
  assert.ok(sampledFunctions(main.profile).size > 0);
  assert.ok(!main.profile.nodes.some((n) => n.callFrame.url.startsWith('node:internal/modules/esm/hooks')), 'no loader-hooks frames on the main thread');
});
