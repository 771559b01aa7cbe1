// Cluster workers are processes whose main threads handle no messages: their busy time is read
// from their CPU samples (interop-busy.ts clusterBusy), one region per primary. Planted truth:
// f1-cluster.js's workers spin a known amount of their own CPU time (150 and 550 ms; 350 and
// 350 for the balanced run), so each one's busy time on a core holds its planted work, and the
// run's imbalance with waiting for a core left out follows the plant both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { toChromeTrace } from '../../src/model/export-chrome';
import { importReport } from '../../src/model/import';
import type { Report } from '../../src/model/report';
import { SPAN_DERIVED } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

/** Start-up and the profiler's own work in a worker's busy stretches, on a CPU: measured 20-30 ms at load 8; generous. */
const OVERHEAD_MS = 200;

async function recordCluster(planted: number[], env?: Record<string, string>): Promise<{ report: Report; stdout: string }> {
  const { report, stdout } = await record('f1-cluster.js', { args: planted.map(String), ...(env ? { env } : {}) });
  assert.match(stdout, /primary done/);
  return { report, stdout };
}

/** The cluster workers' main threads in fork order (worker ids from the fixture's lines), with their planted ms. */
function clusterWorkers(report: Report, stdout: string, planted: number[]): { thread: number; planted: number }[] {
  return planted.map((ms, k) => {
    const m = new RegExp(`^worker ${k + 1} pid (\\d+) spun ${ms} ms exit 0$`, 'm').exec(stdout);
    assert.ok(m, `worker ${k + 1} line in ${stdout}`);
    const t = report.threads.find((x) => x.process === Number(m[1]) && x.kind === 'main');
    assert.ok(t, `main thread of pid ${m[1]}`);
    return { thread: t.id, planted: ms };
  });
}

test('cluster workers get busy time from their CPU samples, in one region, and it holds their planted work', async () => {
  const planted = [150, 550];
  const { report, stdout } = await recordCluster(planted);
  const workers = clusterWorkers(report, stdout, planted);
  const region = report.regions.find((r) => r.name === 'cluster f1-cluster.js');
  assert.ok(region, report.regions.map((r) => r.name).join(', '));
  assert.deepEqual([region.kind, region.threads], ['external', 2]);
  const flags = report.spans.flags ?? [];
  for (const w of workers) {
    const own = Array.from({ length: report.spans.count }, (_, k) => k).filter((k) => report.spans.thread[k] === w.thread);
    assert.ok(own.length > 0, `thread ${w.thread} has busy stretches`);
    assert.ok(own.every((k) => (flags[k] & SPAN_DERIVED) !== 0 && report.spans.region[k] === region.id), 'derived spans of the cluster region only');
  }
  const metrics = analyze(report);
  for (const w of workers) {
    const t = metrics.threads.find((x) => x.id === w.thread)!;
    assert.equal(t.tasks, 0, 'busy stretches are no tasks');
    assert.ok(t.busyOnCpuMs !== undefined, 'schedstat readings');
    assert.ok(t.busyOnCpuMs >= 0.9 * w.planted && t.busyOnCpuMs <= w.planted + OVERHEAD_MS,
      `thread ${w.thread}: busy on a core ${t.busyOnCpuMs} ms, planted ${w.planted} ms`);
  }
  // The whole run's (the cluster is its one region; a region's own needs tasks). Planted: max 550
  // over mean 350 = 1.57; each worker's overhead pulls it toward 1.
  const imbalance = metrics.extra.cpuImbalance;
  assert.ok(imbalance !== undefined && imbalance > 1.3, `imbalance on a core ${imbalance}`);
  // Through our Chrome trace and back, busy stretches stay no tasks (the export keeps span flags).
  const back = importReport(JSON.parse(JSON.stringify(toChromeTrace(report, { profiles: true }))), 'run.trace.json');
  const backMetrics = analyze(back);
  for (const w of workers) assert.equal(backMetrics.threads.find((x) => x.id === w.thread)?.tasks, 0, `thread ${w.thread} after a Chrome round trip`);
  assert.deepEqual(Array.from(back.spans.flags ?? []), Array.from(report.spans.flags ?? []));
  const text = formatSummary(report, metrics);
  assert.match(text, /2 cluster worker processes: their main threads' busy time is read from CPU samples/);
  assert.doesNotMatch(text, /no parallel-profiler pool|handled no messages/);
});

test('a balanced cluster (350 and 350 ms) after a pool operation of the primary is measured balanced', async () => {
  const planted = [350, 350];
  const { report, stdout } = await recordCluster(planted, { F1_POOL_FIRST: '1' });
  const workers = clusterWorkers(report, stdout, planted);
  const region = report.regions.find((r) => r.name === 'cluster f1-cluster.js');
  const pool = report.regions.find((r) => r.kind === 'map');
  assert.ok(region && pool, report.regions.map((r) => r.name).join(', '));
  // Each span in its own region: the pool's 20 tasks on its workers, the cluster's busy stretches on its workers' main threads.
  const flags = report.spans.flags ?? [];
  const clusterThreads = new Set(workers.map((w) => w.thread));
  let poolTasks = 0;
  for (let k = 0; k < report.spans.count; k++) {
    const derived = (flags[k] & SPAN_DERIVED) !== 0;
    assert.equal(report.spans.region[k], derived ? region.id : pool.id, `span ${k}`);
    assert.equal(clusterThreads.has(report.spans.thread[k]), derived, `span ${k} thread`);
    if (!derived) poolTasks++;
  }
  assert.equal(poolTasks, 20);
  const metrics = analyze(report);
  const onCpu = workers.map((w) => metrics.threads.find((x) => x.id === w.thread)?.busyOnCpuMs ?? 0);
  for (const ms of onCpu) assert.ok(ms >= 0.9 * 350 && ms <= 350 + OVERHEAD_MS, `busy on a core ${onCpu.join(', ')} ms, planted 350 each`);
  // Busy time on a core, max over mean: 1.00 planted. (The run's imbalance with waiting for a core
  // left out was 1.01-1.06 in 7 runs at load 8-16, and 1.28 once: its wait estimate is not the plant's.)
  assert.ok(Math.max(...onCpu) / (onCpu.reduce((a, b) => a + b, 0) / onCpu.length) < 1.2, `busy on a core ${onCpu.join(', ')} ms`);
});
