// The metrics of report format 2, added to analyze()'s result: on-CPU time and busy/idle samples
// per thread (cpu-time.ts), blocking waits per thread and region (sync-waits.ts), the run's
// phases and each operation's call time (phases.ts).
import type { FunctionSummary, RunMetrics } from './analysis';
import { busyScheduled, busySplit, busyWork, clipIntervals, cpuSampleWeights, cpuSeriesOf, maxOverMean, mergedIntervals, nodeWeights, sampleCounts, threadCpuMetrics } from './cpu-time';
import { functionTimes } from './flame';
import { RUNTIME_ENTRY, runtimeTimes } from './hot-functions';
import { phaseMetrics, regionPhaseMetrics } from './phases';
import { threadLifeEnd } from './processes';
import { indexProfile } from './profile-index';
import type { Report } from './report';
import { indicesBy } from './stats';
import { waitInside, waitsByThread, waitWithin } from './sync-waits';

const MS = 1 / 1000;

/**
 * `spansOf(thread)`: the thread's span indices in start order (analyze has them grouped already);
 * without it they are grouped here, by a counting pass.
 */
/** A gap this long between a thread's last CPU reading and its end (readings come every ~50 ms, and at flushes) means they stopped. */
const READINGS_STOP_EARLY_US = 500_000;

export function addFormat2Metrics(report: Report, m: RunMetrics, spansOf?: (thread: number) => Int32Array): void {
  // Busy intervals per thread (merged spans) for on-CPU-while-busy.
  const s = report.spans;
  const idsOf = spansOf ?? indicesBy(s.thread, s.count);
  const waits = waitsByThread(report);
  const busyOf = new Map<number, Float64Array>();
  const busy = (thread: number): Float64Array => {
    let b = busyOf.get(thread);
    if (!b) busyOf.set(thread, (b = mergedIntervals(s.start, s.end, idsOf(thread))));
    return b;
  };

  const threadInfo = new Map(report.threads.map((x) => [x.id, x]));
  for (const t of m.threads) {
    const series = cpuSeriesOf(report, t.id);
    // A thread that never yields (an endless loop) takes no CPU readings: past its last one, its
    // on-CPU time is not known, and neither is the CPU share of the samples taken there.
    const info = threadInfo.get(t.id);
    const lastReading = series && series.t.length ? series.t[series.t.length - 1] : undefined;
    const endUs = info ? threadLifeEnd(report, info) : report.meta.durationUs;
    const readingsStopEarly = lastReading !== undefined && endUs - lastReading > READINGS_STOP_EARLY_US;
    if (readingsStopEarly) {
      t.cpuReadingsEndMs = lastReading! * MS;
      t.lifeEndMs = endUs * MS;
    }
    for (const tp of report.profiles) {
      if (tp.thread !== t.id) continue;
      const index = indexProfile(tp.profile);
      const counts = sampleCounts(index);
      // Only for profiled threads: an unprofiled thread has no samples to split.
      t.busySamples = (t.busySamples ?? 0) + counts.busy;
      t.idleSamples = (t.idleSamples ?? 0) + counts.idle;
      if (!series || readingsStopEarly) continue;
      const cpuSelf = nodeWeights(index, cpuSampleWeights(index, series));
      const cpu = functionTimes(index, cpuSelf);
      const byKey = new Map(index.functions.map((f, i) => [`${f.name}\n${f.file}\n${f.line}`, i]));
      for (const f of t.topFunctions as FunctionSummary[]) {
        if (f.name === RUNTIME_ENTRY && f.file === '') {
          const r = runtimeTimes(index, cpuSelf);
          f.selfCpuMs = (f.selfCpuMs ?? 0) + r.self * MS;
          f.totalCpuMs = (f.totalCpuMs ?? 0) + r.total * MS;
          continue;
        }
        const i = byKey.get(`${f.name}\n${f.file}\n${f.line}`);
        if (i === undefined) continue;
        f.selfCpuMs = (f.selfCpuMs ?? 0) + cpu.self[i] * MS;
        f.totalCpuMs = (f.totalCpuMs ?? 0) + cpu.total[i] * MS;
      }
    }
    if (series) {
      Object.assign(t, threadCpuMetrics(series, busy(t.id)));
      t.cpuSource = series.source;
    }
    const w = waits.get(t.id);
    if (report.waits) t.waitMs = w ? waitWithin(w, -Infinity, Infinity) * MS : 0;
  }

  const regionPhases = regionPhaseMetrics(report, m.regions.map((r) => r.threads), m.regions.map((r, i) => report.regions[i].start + r.wallMs / MS));
  m.regions.forEach((r, i) => {
    const reg = report.regions[i];
    const p = regionPhases[i];
    if (p.callMs !== undefined) r.callMs = p.callMs;
    r.startupMs = p.startupMs;
    r.startupInWallMs = p.startupInWallMs;
    r.utilizationAfterStartup = r.tasks > 0 ? p.utilizationAfterStartup : 0;
    const from = reg.start, to = reg.start + r.wallMs / MS; // analysis' window
    // The work's own balance: each thread's busy time in the window less its time waiting for a core.
    let known = true;
    for (const row of r.threads) {
      const series = cpuSeriesOf(report, row.id);
      const clipped = series && row.busyMs > 0 ? clipIntervals(busy(row.id), from, to) : undefined;
      const us = clipped ? busyScheduled(series!, clipped) : row.busyMs > 0 ? undefined : 0;
      if (us === undefined) known = false;
      else row.busyScheduledMs = Math.min(row.busyMs, us * MS);
      const work = clipped ? busyWork(series!, clipped) : row.busyMs > 0 ? undefined : 0;
      if (work !== undefined) row.busyWorkMs = Math.min(row.busyScheduledMs ?? row.busyMs, work * MS);
      // On a core inside its tasks (readings at task boundaries make it exact): the critical path's work.
      if (clipped) row.busyOnCpuMs = Math.min(row.busyMs, busySplit(series!, clipped).onCpu * MS);
      else if (row.busyMs === 0 && series) row.busyOnCpuMs = 0;
    }
    // Threads that lived one after another (more busy rows than the region's p, its slots): a
    // per-thread max over a per-slot mean would mean nothing, so none is given.
    const slotted = r.threads.filter((x) => x.busyMs > 0).length > r.threadTime.threads;
    const cpuImbalance = known && r.tasks > 0 && !slotted ? maxOverMean(r.threads.map((x) => x.busyWorkMs ?? 0), r.threadTime.threads) : undefined;
    if (cpuImbalance !== undefined) r.cpuImbalance = cpuImbalance;
    if (!report.waits) return;
    let total = 0;
    // Inside the thread's tasks only: a worker blocked between tasks is a pool's idle wait
    // (piscina's workers wait for work in Atomics.wait), not the tasks' blocking.
    for (const row of r.threads) {
      const w = waits.get(row.id);
      row.waitMs = w ? waitInside(w, busy(row.id), from, to) * MS : 0;
      total += row.waitMs;
    }
    r.waitMs = total;
  });

  const phases = phaseMetrics(report);
  if (phases) m.extra.phases = phases;
  if (report.waits) m.extra.waitMs = m.threads.reduce((a, t) => a + (t.waitMs ?? 0), 0);
  const ran = m.threads.filter((t) => t.busyMs > 0);
  if (ran.length && m.extra.concurrentThreads === undefined) {
    // Each thread's work as a region weighs it (busyWork over all its busy time): with one region
    // the whole run's number is the region's, under the same words.
    const work = ran.map((t) => {
      const series = cpuSeriesOf(report, t.id);
      return series ? busyWork(series, busy(t.id)) : undefined;
    });
    const x = work.every((w) => w !== undefined) ? maxOverMean(work.map((w) => w! * MS), Math.max(ran.length, m.extra.workerThreads)) : undefined;
    if (x !== undefined) m.extra.cpuImbalance = x;
  }
}
