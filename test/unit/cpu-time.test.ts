// On-CPU against off-CPU time: each thread's CPU time as the kernel counts it, the descheduled
// share with CPU hogs beside the job, CPU-weighted self times that never exceed on-CPU time.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { busySplit, cpuSampleWeights, cpuSeriesOf, nodeWeights, sampleCounts, spanCoreShares } from '../../src/model/cpu-time';
import { indexProfile } from '../../src/model/profile-index';
import type { CpuProfile, CpuTimeSeries, Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { NOT_SAMPLED } from '../../src/model/unsampled';
import { record } from './record-helpers';
import { buildReport } from './model-build';

const DESCHEDULED = /descheduled while busy/;
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** What each worker's thread read from the kernel: cumulative at its task's end, and the task's share runnable. */
interface Kernel { onMs: number; wallMs: number; taskRunnableMs: number }
function kernelLines(stdout: string): Map<number, Kernel> {
  return new Map([...stdout.matchAll(/^kernel (\d+) (\d+) (\d+) ([\d.]+) (\d+) (\d+)$/gm)]
    .map((m) => [Number(m[1]), { onMs: Number(m[2]) / 1e6, wallMs: Number(m[4]), taskRunnableMs: (Number(m[3]) - Number(m[6])) / 1e6 }]));
}

/** The report's cumulative on-CPU time of a thread at time t (µs), interpolated between readings. */
function onCpuAt(s: CpuTimeSeries, t: number): number {
  let k = 0;
  while (k + 1 < s.t.length && s.t[k + 1] <= t) k++;
  if (k + 1 >= s.t.length) return s.onCpu[k];
  return s.onCpu[k] + (s.onCpu[k + 1] - s.onCpu[k]) * Math.max(0, (t - s.t[k]) / (s.t[k + 1] - s.t[k]));
}

/** Each worker's CPU time in the report at its task's end against what the kernel said then. */
function checkAgainstKernel(report: Report, kernel: Map<number, Kernel>): void {
  assert.equal(kernel.size, 2);
  for (const [thread, k] of kernel) {
    const series = cpuSeriesOf(report, thread);
    assert.ok(series, `CPU series of thread ${thread}`);
    assert.equal(series.source, 'schedstat');
    const s = report.spans;
    let end = -Infinity;
    for (let i = 0; i < s.count; i++) if (s.thread[i] === thread) end = Math.max(end, s.end[i]);
    const reportMs = onCpuAt(series, end) / 1000;
    const tol = Math.max(0.1 * k.onMs, 5);
    assert.ok(Math.abs(reportMs - k.onMs) <= tol, `thread ${thread}: on CPU ${reportMs.toFixed(1)} ms in the report, ${k.onMs.toFixed(1)} ms by the kernel`);
    // The last reading is at the thread's end: at least what the kernel said at the task's end.
    assert.ok(series.onCpu.at(-1)! / 1000 >= k.onMs - 1);
  }
}

/** Self CPU time of every function and of the whole profile stays within the thread's on-CPU time. */
function checkSelfCpuBound(report: Report): void {
  const metrics = analyze(report);
  for (const tp of report.profiles) {
    const series = cpuSeriesOf(report, tp.thread);
    if (!series) continue;
    const index = indexProfile(tp.profile);
    const self = nodeWeights(index, cpuSampleWeights(index, series));
    const total = self.reduce((a, b) => a + b, 0);
    const onCpu = series.onCpu.at(-1)! - series.onCpu[0];
    assert.ok(total <= onCpu + 1e-6, `thread ${tp.thread}: ${total} µs of self CPU time > ${onCpu} µs on CPU`);
    const t = metrics.threads.find((x) => x.id === tp.thread)!;
    // '(not sampled)' (late samples' excess, unsampled.ts) is no code: it has no CPU column.
    for (const f of t.topFunctions) if (f.name !== NOT_SAMPLED) assert.ok(f.selfCpuMs! <= t.onCpuMs! + 1e-9, `${f.name}: self CPU ${f.selfCpuMs} > on CPU ${t.onCpuMs}`);
    const counts = sampleCounts(index);
    assert.equal(t.busySamples, counts.busy);
    assert.equal(t.idleSamples, counts.idle);
    assert.equal(counts.busy + counts.idle, tp.profile.samples.length);
  }
}

test('CPU hogs beside a 2-thread job: on-CPU time as the kernel counts it, the descheduled share shown', async () => {
  // Everything on core 0 where taskset exists (3 hogs + 2 workers + main); else more hogs than cores.
  const cores = hasTaskset ? 1 : 4;
  const hogs: ChildProcess[] = [];
  for (let i = 0; i < cores + 2; i++) {
    hogs.push(spawn(hasTaskset ? 'taskset' : process.execPath, [...(hasTaskset ? ['-c', '0', process.execPath] : []), '-e', 'for(;;);'], { stdio: 'ignore' }));
  }
  try {
    const { report, stdout } = await record('cpu-hog-job.js', hasTaskset ? { node: 'taskset', nodeArgs: ['-c', '0', process.execPath] } : {});
    assert.equal(report.exit.code, 0, stdout);
    const kernel = kernelLines(stdout);
    checkAgainstKernel(report, kernel);
    // Beside the hogs the workers mostly waited for the core.
    for (const [thread, k] of kernel) assert.ok(k.taskRunnableMs > 0.5 * k.wallMs, `thread ${thread}: kernel says runnable ${k.taskRunnableMs} of ${k.wallMs} ms`);
    const metrics = analyze(report);
    for (const thread of kernel.keys()) {
      const t = metrics.threads.find((x) => x.id === thread)!;
      assert.ok(t.busyRunnableMs! > 0.5 * t.busyMs, `thread ${thread}: descheduled ${t.busyRunnableMs} of ${t.busyMs} ms busy`);
      assert.ok(t.busyOnCpuMs! < 0.5 * t.busyMs);
      assert.ok(t.busyOnCpuMs! <= t.onCpuMs!);
      assert.ok(t.busyOnCpuMs! + t.busyRunnableMs! <= t.busyMs + 1e-9);
    }
    const text = formatSummary(report, metrics);
    assert.match(text, DESCHEDULED);
    assert.match(text, /CPU time \(the kernel's per-thread schedstat/);
    checkSelfCpuBound(report);
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
});

test('the same job without hogs: on-CPU time matches the kernel, and the descheduled finding follows the kernel (silent when the workers ran)', async () => {
  const { report, stdout } = await record('cpu-hog-job.js', { args: ['300'] });
  assert.equal(report.exit.code, 0, stdout);
  const kernel = kernelLines(stdout);
  checkAgainstKernel(report, kernel);
  // The finding reports the machine as the kernel saw it. This machine is shared, so the job may
  // be descheduled even without our hogs: silent when the kernel says the workers mostly ran,
  // present when it says they mostly waited, and in between the report's share near the kernel's.
  const metrics = analyze(report);
  const text = formatSummary(report, metrics);
  // Threads that yield take readings to their end: no lower bound, no "readings stop" line.
  assert.deepEqual(metrics.threads.filter((t) => t.cpuReadingsEndMs !== undefined).map((t) => t.name), []);
  assert.doesNotMatch(text, /CPU readings stop|≥/);
  const worst = Math.max(...[...kernel.values()].map((k) => k.taskRunnableMs / k.wallMs));
  if (worst < 0.4) assert.doesNotMatch(text, DESCHEDULED, `kernel: runnable at most ${(worst * 100).toFixed(0)} % of the task`);
  else if (worst > 0.6) assert.match(text, DESCHEDULED, `kernel: runnable up to ${(worst * 100).toFixed(0)} % of the task`);
  for (const [thread, k] of kernel) {
    const t = metrics.threads.find((x) => x.id === thread)!;
    const share = t.busyRunnableMs! / t.busyMs;
    assert.ok(Math.abs(share - k.taskRunnableMs / k.wallMs) <= 0.15, `thread ${thread}: descheduled ${share} in the report, ${k.taskRunnableMs / k.wallMs} by the kernel`);
  }
  checkSelfCpuBound(report);
});

/** A profile of `n` samples every `stepUs` µs from t = 0 on one node (name), then an idle stretch. */
function profile(names: string[], stepUs: number): CpuProfile {
  const nodes = [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 3] },
    { id: 2, callFrame: { functionName: 'work', scriptId: '1', url: 'file:///w.js', lineNumber: 0, columnNumber: 0 } },
    { id: 3, callFrame: { functionName: '(idle)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } }];
  return { nodes, startTime: 0, endTime: names.length * stepUs, samples: names.map((n) => (n === 'idle' ? 3 : 2)), timeDeltas: names.map((_, i) => (i === 0 ? 0 : stepUs)) };
}

test('sample CPU weights: each window\'s on-CPU time shared by its non-idle samples, idle ones get none', () => {
  // 10 samples of 1 ms: 6 in 'work', then 4 idle. Readings at 0, 4 ms, 10 ms: 1 ms on CPU in the
  // first window (4 ms of work), 1.5 ms in the second (2 ms of work, 4 ms idle).
  const p = profile(['w', 'w', 'w', 'w', 'w', 'w', 'idle', 'idle', 'idle', 'idle'], 1000);
  const series: CpuTimeSeries = { thread: 1, source: 'schedstat', t: [0, 4000, 10_000], onCpu: [0, 1000, 2500], runnable: [0, 3000, 3500] };
  const index = indexProfile(p);
  const w = cpuSampleWeights(index, series);
  for (let i = 0; i < 4; i++) assert.equal(w[i], 250);
  assert.equal(w[4], 750);
  assert.equal(w[5], 750);
  for (let i = 6; i < 10; i++) assert.equal(w[i], 0);
  // More CPU than non-idle wall time (a window mostly idle): capped at the wall weight.
  const capped = cpuSampleWeights(index, { ...series, onCpu: [0, 1000, 9000] });
  assert.equal(capped[4], 1000);
  // Busy on a core: CPU time credited to the busy part first, never more than either.
  assert.equal(busySplit(series, [0, 6000]).onCpu, 1000 + 1500);
  assert.equal(busySplit(series, [0, 2000]).onCpu, 1000);
  assert.equal(busySplit(series, [4000, 4500]).onCpu, 500);
  // Run-queue time goes to what is left of the busy part: the two never exceed it.
  assert.deepEqual(busySplit(series, [0, 6000]), { onCpu: 2500, runnable: 3000 + 500 });
  assert.deepEqual(busySplit(series, [0, 2000]), { onCpu: 1000, runnable: 1000 });
});

test('spanCoreShares: a window\'s time on a core and waiting for one, shared among its spans by overlap (planted readings, answers by hand)', () => {
  // Windows of 50 ms. First: 30 ms on a core, 15 ms runnable; A covers 20 ms of it and B 30 ms, so
  // A gets 30 × 20/50 = 12 ms on a core and 15 × 20/50 = 6 ms waiting, B 18 and 9.
  // Second: 10 ms on a core, 40 ms runnable; B covers 10 ms (to 60 ms) and C 10 ms (70-80 ms), 20 ms in all:
  // 10 ms on a core, and of the runnable only the 10 ms the CPU time left of the 20 ms, halved.
  // Third: 50 ms on a core but D covers 10 ms of it: capped at 10, nothing left to wait.
  const series: CpuTimeSeries = { thread: 1, source: 'schedstat', t: [0, 50_000, 100_000, 150_000], onCpu: [0, 30_000, 40_000, 90_000], runnable: [0, 15_000, 55_000, 55_000] };
  const starts = [0, 20_000, 70_000, 100_000], ends = [20_000, 60_000, 80_000, 110_000];
  const shares = spanCoreShares(series, starts, ends);
  assert.deepEqual([...shares.onCpu], [12_000, 18_000 + 5000, 5000, 10_000]);
  assert.deepEqual([...shares.waiting], [6000, 9000 + 5000, 5000, 0]);
  // Never more than busySplit gives all of them together.
  const all = busySplit(series, starts.flatMap((s, i) => [s, ends[i]]));
  assert.equal(shares.onCpu.reduce((a, b) => a + b, 0), all.onCpu);
  assert.equal(shares.waiting.reduce((a, b) => a + b, 0), all.runnable);
  // Starting later (the binary search to the reading before the first span) reads the same for the same spans.
  assert.deepEqual([...spanCoreShares(series, [70_000, 100_000], [80_000, 110_000]).onCpu], [10_000, 10_000]);
  // Without run-queue readings (threadCpuUsage): no waiting, the same time on a core.
  const noRq = spanCoreShares({ ...series, source: 'threadCpuUsage', runnable: undefined }, starts, ends);
  assert.deepEqual([...noRq.onCpu], [...shares.onCpu]);
  assert.deepEqual([...noRq.waiting], [0, 0, 0, 0]);
  assert.equal(spanCoreShares(series, [], []).onCpu.length, 0);
});

test('a main thread stuck in a loop that never yields: its on-CPU time is a lower bound, said so, and its functions get no CPU share', async () => {
  const abort = new AbortController();
  const { report } = await record('cpu-stuck-main.js', {
    signal: abort.signal,
    onOutput: (text) => { if (text.includes('looping')) setTimeout(() => abort.abort('SIGINT'), 1500); },
  });
  const m = analyze(report);
  const main = m.threads.find((t) => t.kind === 'main')!;
  const text = formatSummary(report, m);
  const stuck = main.topFunctions.find((f) => f.name === 'stuckForever');
  assert.ok(stuck, 'the loop is sampled');
  // The profile chunks' helper thread may interrupt the loop and a reading come with the cut;
  // then the readings reach the end and the numbers are whole. Either way nothing claims more
  // than was read: stopped readings give a lower bound and no CPU share for the loop.
  if (main.cpuReadingsEndMs !== undefined) {
    assert.ok(main.lifeEndMs! - main.cpuReadingsEndMs >= 500, `readings end ${main.cpuReadingsEndMs} ms, life ${main.lifeEndMs} ms`);
    assert.match(text, /^ {2}main +≥ \d/m, text);
    assert.match(text, /main: CPU readings stop at .* of its life to .*: its on-CPU time is at least the number above/);
    assert.equal(stuck!.selfCpuMs, undefined, 'no CPU share where no reading was taken');
  } else if (!report.cpu?.some((x) => x.thread === main.id)) {
    // At a load average of 20 the loop began before the main thread's readings reached the
    // spool, and no cut came in the 1.5 s: nothing read, nothing claimed.
    assert.equal(main.onCpuMs, undefined, 'no on-CPU time without a reading');
    assert.equal(stuck!.selfCpuMs, undefined, 'no CPU share without a reading');
  } else {
    const series = report.cpu!.find((x) => x.thread === main.id)!;
    const end = report.threads.find((t) => t.id === main.id)!.end ?? report.meta.durationUs;
    assert.ok(end - series.t[series.t.length - 1] <= 500_000, 'readings reach the end of the thread');
    assert.doesNotMatch(text, /CPU readings stop|≥/);
    assert.ok(stuck!.selfCpuMs! > 0, 'the loop has its CPU share');
  }
});

test('a thread\'s CPU source is said once in the metrics (--json): cpuSource, no second copy named source', () => {
  const report = buildReport({ workers: 1, regions: [{ start: 0, end: 4000 }], spans: [{ thread: 1, start: 0, end: 4000 }] });
  report.cpu = [{ thread: 1, source: 'schedstat', t: [0, 2000, 4000], onCpu: [0, 1500, 3000], runnable: [0, 500, 1000] }];
  const t = analyze(report).threads.find((x) => x.id === 1)!;
  assert.equal(t.cpuSource, 'schedstat');
  assert.equal(t.onCpuMs, 3);
  assert.ok(!('source' in t), `keys: ${Object.keys(t).join(', ')}`);
});
