// The critical path of a run in work, not wall time: what compare and sweep judge by, because a
// loaded machine stretches wall time (threads wait for a core) far more than the work (a busy
// machine's shared caches and clock do stretch time on a core, by 3-8 % at load 18-24 on a 2-core
// VM: compare.ts allows for that), and the sum of
// every thread's CPU time cannot see a balance fix (moving work from the busiest thread to an
// idle one leaves the sum unchanged). Times in MILLISECONDS; "work" is time on a core: inside a
// thread's tasks (RegionThreadMetrics.busyOnCpuMs), or the main thread's own code outside operations. Not
// busy time less the wait for a core: at load that kept 100-130 ms of a 300 ms spinning chunk that
// was neither on a core nor runnable (the profiler's own writes), and unchanged code read ±7 %.
import type { RegionMetrics, RunMetrics } from './analysis';
import { busySplit, cpuSeriesOf, spanCoreShares, taskSpansByThread } from './cpu-time';
import { indicesBy } from './stats';
import { mainThreadWork, SAMPLE_USER, workWithin } from './main-thread-work';
import type { Report } from './report';

const MS = 1 / 1000;

/**
 * A region's critical path in work: how long it would have taken had no other process taken the
 * cores, ms. A thread's work is its time on a core in the region's tasks; the question is which
 * split of the work is the program's and which the machine's.
 *
 * - static (and raw worker_threads, whose messages the program posts to a worker of its choice):
 *   the split is fixed by the program, so the busiest thread's work, the max over threads.
 * - dynamic, steal, join, queue pools: a thread takes the next task when it is free, so on a
 *   loaded machine a thread that waits for a core takes fewer tasks and the others more, without
 *   the program having changed. What the program fixes is the tasks, not who ran them: replay
 *   the tasks' work (each task's own time on a core, in the order the schedule hands them out:
 *   taskWorkOnCore) on the region's threads, each taking the next task when free (a join task not
 *   before its parent started).
 *   That is the split the schedule makes when every thread gets a core. A task is never split,
 *   so a thread that ran one 1200 ms chunk counts in full (2 threads, chunks of 1200 and 400 ms:
 *   1200 ms), while eight tasks of 300 and 100 ms replay as 800 ms on each thread whatever split
 *   the load made of them (unchanged code reads the same).
 *
 * Before, the non-static rule was mean work × min(wall imbalance, work imbalance): the load moves
 * the wall imbalance, which both added an imbalance that was not there (unchanged code read +7-9 %
 * at load 10-12) and hid one that was (a planted 1200/400 split read 1.19 instead of 1.5).
 * `taskWork` (taskWorkOnCore) is needed for the replay; undefined when a thread's work is unknown.
 */
export function regionCriticalMs(m: RegionMetrics, taskWork: TaskOnCore[] | undefined, fixedSplit = m.schedule === 'static'): number | undefined {
  if (m.tasks === 0) return 0;
  const p = m.threadTime.threads;
  if (p <= 0 || m.threads.some((t) => t.busyMs > 0 && t.busyOnCpuMs === undefined)) return undefined;
  if (fixedSplit) return Math.max(0, ...m.threads.map((t) => t.busyOnCpuMs ?? 0));
  if (!taskWork) return undefined;
  return replayOnCore(taskWork, p);
}

/** One task of a region, in start order: its time on a core (ms) and the position in the list of the task that spawned it (join), or -1. */
export interface TaskOnCore {
  workMs: number;
  parent: number;
}

/**
 * `tasks` (in the order they are handed out) on `threads` threads, each taking the next task when free, a task not
 * before its parent started: the length, ms. O(tasks × threads); threads are few (the pool's).
 */
export function replayOnCore(tasks: readonly TaskOnCore[], threads: number): number {
  const free = new Float64Array(Math.max(1, threads));
  const started = new Float64Array(tasks.length);
  let length = 0;
  tasks.forEach((t, k) => {
    let j = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[j]) j = i;
    const at = Math.max(free[j], t.parent >= 0 && t.parent < k ? started[t.parent] : 0);
    started[k] = at;
    free[j] = at + t.workMs;
    length = Math.max(length, free[j]);
  });
  return length;
}

/**
 * Every region's critical path (regionCriticalMs), in the order of metrics.regions. The tasks'
 * time on a core is read from their threads' CPU readings: per reading window, the thread's CPU
 * time is credited to the busy part first (as busySplit does) and shared among the tasks in the
 * window by their overlap. Linear in the spans and the readings.
 */
export function regionCriticalPaths(report: Report, metrics: RunMetrics): (number | undefined)[] {
  const spans = report.spans;
  let byRegion: ((id: number) => Int32Array) | undefined;
  return metrics.regions.map((m, i) => {
    const reg = report.regions[i];
    const fixed = m.schedule === 'static' || (reg?.kind === 'external' && reg.fn === RAW_WORKERS);
    // A thread's work unknown (no CPU readings): undefined, before reading every task's.
    if (fixed || m.tasks === 0 || m.threads.some((t) => t.busyMs > 0 && t.busyOnCpuMs === undefined)) return regionCriticalMs(m, undefined, fixed);
    byRegion ??= indicesBy(spans.region, spans.count);
    return regionCriticalMs(m, taskWorkOnCore(report, byRegion(m.id), reg !== undefined && reg.items > 0 && reg.kind !== 'join' && reg.kind !== 'external'));
  });
}

/** Region.fn of the messages of raw worker_threads workers (src/runtime/instrument-workers.ts). */
const RAW_WORKERS = 'worker_threads';

/**
 * The tasks among `ids` (derived busy stretches left out) with their time on a core, in the order
 * the schedule hands them out: by first item for chunks of items (a dynamic schedule claims them
 * in that order whatever the load; a steal schedule is replayed as dynamic would hand them out, so
 * its replay does not follow the order the load gave its claims and steals), else in creation
 * order (queue pools' submits, join tasks after their parent). undefined when a thread has no CPU readings.
 */
export function taskWorkOnCore(report: Report, ids: ArrayLike<number>, byItem: boolean): TaskOnCore[] | undefined {
  const { start, end, index, parent, first } = report.spans;
  const { picked, byThread } = taskSpansByThread(report, Array.from(ids));
  const work = new Map<number, number>();
  for (const [t, list] of byThread) {
    const series = cpuSeriesOf(report, t);
    if (!series) return undefined;
    spanCoreShares(series, list.map((k) => start[k]), list.map((k) => end[k])).onCpu.forEach((us, q) => work.set(list[q], us * MS));
  }
  picked.sort(byItem ? (a, b) => first[a] - first[b] || index[a] - index[b] : (a, b) => index[a] - index[b]);
  const position = new Map<number, number>();
  picked.forEach((k, q) => position.set(index[k], q));
  return picked.map((k) => ({ workMs: work.get(k) ?? 0, parent: parent[k] >= 0 ? position.get(parent[k]) ?? -1 : -1 }));
}

/**
 * The whole run's critical path over [start, end] (µs from origin, the whole-run window less the
 * `excluded` intervals, e.g. waiting for pool start-up): the main thread's time on a core outside
 * every operation, plus the operations' critical paths. Operations that overlap
 * in time count as one stretch with the largest of their critical paths (a lower bound there).
 * undefined when the main thread or a region lacks CPU times.
 */
export function runCriticalMs(report: Report, metrics: RunMetrics, start: number, end: number, excluded: [number, number][] = [],
  regionCritical: (number | undefined)[] = regionCriticalPaths(report, metrics)): number | undefined {
  const main = cpuSeriesOf(report, 0);
  if (!main) return undefined;
  const windows = report.regions.map((r, i) => ({ from: Math.max(start, r.start), to: Math.min(end, r.start + metrics.regions[i].wallMs / MS), i }))
    .filter((w) => w.to > w.from).sort((a, b) => a.from - b.from);
  let critical = 0;
  const serial: [number, number][] = [];
  let cursor = start;
  for (let k = 0; k < windows.length;) {
    // One stretch of overlapping operations.
    let to = windows[k].to, most = 0;
    const from = windows[k].from;
    for (; k < windows.length && windows[k].from < to; k++) {
      const c = regionCritical[windows[k].i];
      if (c === undefined) return undefined;
      most = Math.max(most, c);
      to = Math.max(to, windows[k].to);
    }
    critical += most;
    if (from > cursor) serial.push([cursor, from]);
    cursor = Math.max(cursor, to);
  }
  if (end > cursor) serial.push([cursor, end]);
  const outside = subtract(serial, excluded);
  // Outside operations, the user's own code on a core (main-thread-work.ts): not Node's start-up,
  // module loading by Node alone, the recorder or the pool runtime, whose CPU time moves between
  // two runs of unchanged code (it read +6.6 % on a whole run whose own code was 5 ms).
  const w = mainThreadWork(report);
  if (w && w.source === 'cpu') return critical + outside.reduce((a, [s, e]) => a + workWithin(w, SAMPLE_USER, s, e), 0) * MS;
  return critical + busySplit(main, toIntervals(outside)).onCpu * MS;
}

/** `from` less `cut` (both sorted or not; small lists): linear in their lengths after sorting. */
function subtract(from: [number, number][], cut: [number, number][]): [number, number][] {
  const cuts = [...cut].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of from) {
    let at = s;
    for (const [cs, ce] of cuts) {
      if (ce <= at || cs >= e) continue;
      if (cs > at) out.push([at, cs]);
      at = Math.max(at, ce);
    }
    if (at < e) out.push([at, e]);
  }
  return out;
}

function toIntervals(list: [number, number][]): Float64Array {
  const out = new Float64Array(list.length * 2);
  list.forEach(([s, e], k) => { out[2 * k] = s; out[2 * k + 1] = e; });
  return out;
}
