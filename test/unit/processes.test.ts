// The process dimension of the model, on hand-built reports whose answers are known: validation
// (old reports load as one process; a thread or region naming an unlisted process is refused),
// findings across processes, the summary's process list, the Chrome trace's real pids and the
// speedscope names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { toChromeTrace } from '../../src/model/export-chrome';
import { importReport } from '../../src/model/import';
import { toSpeedscope } from '../../src/model/export-speedscope';
import { parseReport, serializeReport } from '../../src/model/load';
import { threadsByProcess } from '../../src/model/processes';
import { threadsText } from '../../src/model/run-views';
import type { Report } from '../../src/model/report';
import { formatSummary, verdicts } from '../../src/model/summary';
import { buildReport } from './model-build';
import { CHILD, PARENT, twoProcesses } from './processes-build';
import { threadNameWithProcess } from '../../src/model/processes';
import { syntheticReport } from '../../src/model/synthetic';

test('a report without processes loads as one process; a thread or region naming an unlisted process is refused', () => {
  const old = buildReport({ workers: 2 });
  assert.equal(parseReport(serializeReport(old)).processes, undefined);
  assert.deepEqual(threadsByProcess(old).map((g) => [g.process, g.threads.length]), [[undefined, 3]]);

  const r = twoProcesses(false);
  assert.deepEqual(parseReport(serializeReport(r)).processes, r.processes);
  const bad = (edit: (x: Record<string, any>) => void, message: RegExp) => {
    const x = JSON.parse(serializeReport(r));
    edit(x);
    assert.throws(() => parseReport(JSON.stringify(x)), message);
  };
  bad((x) => { x.threads[4].process = 999; }, /threads\[4\]\.process: process 999 is not in processes/);
  bad((x) => { delete x.threads[0].process; }, /threads\[0\]\.process: missing/);
  bad((x) => { x.regions[1].process = 7; }, /regions\[1\]\.process: process 7 is not in processes/);
  bad((x) => { x.processes[1].pid = PARENT; }, /processes\[1\]\.pid: process 4100 appears twice/);
  bad((x) => { x.processes[1].startedBy = 'exec'; }, /processes\[1\]\.startedBy/);
  bad((x) => { x.processes[1].end = -5; }, /processes\[1\]\.end: -5 is before start 1/);
  bad((x) => { delete x.processes; }, /threads\[0\]\.process: the report lists no processes/);
});

test('threads of two processes that never ran at once did not compete for cores; at once, 4 threads on 2 cores did', () => {
  const apart = twoProcesses(false);
  const m = analyze(apart);
  assert.equal(m.extra.peakThreads, 2);
  assert.ok(!verdicts(m, apart).some((v) => /competed/.test(v)), verdicts(m, apart).join('\n'));
  const together = twoProcesses(true);
  const n = analyze(together);
  assert.equal(n.extra.peakThreads, 4);
  assert.ok(verdicts(n, together).includes('4 threads ran tasks at the same time on 2 cores: they competed for cores'));
  // Per process region: each region is its own process's, busy 200 ms on each of its 2 workers.
  for (const r of n.regions) assert.deepEqual(r.threads.map((t) => [t.id, t.busyMs]), r.name === 'parent job' ? [[1, 200], [2, 200]] : [[4, 200], [5, 200]]);
});

test('the summary lists each process with its threads; the views\' thread count says how many processes', () => {
  const r = twoProcesses(false);
  assert.equal(threadsText(r), '4 workers + 2 main threads in 2 processes');
  assert.equal(threadsText(buildReport({ workers: 2 })), '2 workers + main');
  const text = formatSummary(r, analyze(r));
  assert.match(text, /Processes \(2, on one clock; cores are shared by all of them\)\n {2}process 4100 \(main process main\.js\): main \+ 2 workers; exit 0 · started at 0\.00 ms, ended at 600 ms \(600 ms\)\n {2}process 4200 \(fork of main\.js\): main \+ 2 workers; exit 0 · args child · spawned at 0\.00 ms, ended at 550 ms \(550 ms\)\n/);
  r.processes![1].died = { at: 400_000, reason: 'killed by SIGKILL' };
  assert.match(formatSummary(r, analyze(r)), /- process 4200 \(fork of main\.js\) died: killed by SIGKILL; its threads keep what they recorded until then/);
});

test('the Chrome trace puts each thread on its real pid, names each process, and reads back with the same thread ids', () => {
  const r = twoProcesses(true);
  const trace = toChromeTrace(r, { profiles: true });
  const names = trace.traceEvents.filter((e) => e.name === 'process_name').map((e) => [e.pid, (e.args as { name: string }).name]);
  assert.deepEqual(names, [[PARENT, 'parprof /work/app/main.js'], [CHILD, 'fork of main.js']]);
  for (const e of trace.traceEvents) {
    if (e.ph === 'M' && e.name.startsWith('process_')) continue;
    assert.equal(e.pid, e.tid >= 3 ? CHILD : PARENT, `${e.ph} ${e.name} on tid ${e.tid}`);
  }
  // The child's region is drawn on the child's main lane (thread 3), the parent's on thread 0.
  const regionLanes = trace.traceEvents.filter((e) => e.cat === 'region' && e.ph === 'b').map((e) => [e.name, e.tid]);
  assert.deepEqual(regionLanes, [['parent job', 0], ['child job', 3]]);
  // Read back (and validated) with its processes: each thread's and region's, the mains, and
  // export -> import -> export is the same trace.
  const back = importReport(JSON.parse(JSON.stringify(trace)), 'x.json');
  assert.deepEqual(back.processes, r.processes);
  assert.deepEqual(back.threads.map((t) => [t.id, t.name, t.kind, t.process]), r.threads.map((t) => [t.id, t.name, t.kind, t.process]));
  assert.deepEqual(back.regions.map((g) => [g.name, g.process]), r.regions.map((g) => [g.name, g.process]));
  assert.equal(back.spans.count, 8);
  assert.deepEqual([...back.spans.thread].sort(), [...r.spans.thread].sort());
  assert.equal(JSON.stringify(toChromeTrace(back, { profiles: true })), JSON.stringify(trace));
});

test('speedscope names a child process\'s threads with their process', () => {
  const names = toSpeedscope(twoProcesses(false)).profiles.map((p) => p.name);
  assert.deepEqual(names, ['child 1 (fork of main.js, pid 4200) (thread 4)', 'child 2 (fork of main.js, pid 4200) (thread 5)']);
});

test('a child\'s main thread, named with its pid by the recorder, gets its pid once in export names', () => {
  const r = twoProcesses(false);
  const child = r.threads.find((t) => t.name === 'child 1')!;
  child.name = 'main (pid 4200)';
  assert.equal(threadNameWithProcess(r, child), 'main (fork of main.js, pid 4200)');
  assert.equal(toSpeedscope(r).profiles[0].name, 'main (fork of main.js, pid 4200) (thread 4)');
});

test('a replaced worker and its replacement, one name in one process: the Chrome (and so Firefox) export tells them apart', () => {
  const r = syntheticReport({ threads: 3, spans: 60, profiles: 0, samplesPerProfile: 0, seed: 2 });
  r.threads[1].name = 'pool 1';
  r.threads[2].name = 'pool 1';
  r.threads[1].died = { at: 10, reason: 'exit code 1' };
  const names = (rep: typeof r) => toChromeTrace(rep).traceEvents.filter((e) => e.name === 'thread_name').map((e) => (e.args as { name: string }).name);
  const others = (k: number, a: string, b: string) => r.threads.map((t, i) => (i === 1 ? a : i === 2 ? b : t.name));
  assert.deepEqual(names(r), others(0, 'pool 1 (died)', 'pool 1'));
  // Neither died: their ids.
  delete r.threads[1].died;
  assert.deepEqual(names(r), others(0, `pool 1 (thread ${r.threads[1].id})`, `pool 1 (thread ${r.threads[2].id})`));
  // Distinct names are kept as they are.
  r.threads[2].name = 'pool 2';
  assert.deepEqual(names(r), others(0, 'pool 1', 'pool 2'));
});
