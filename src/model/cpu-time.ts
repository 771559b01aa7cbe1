// On-CPU against off-CPU time of each thread (report format 2, `cpu` series), and CPU profile
// samples weighed by CPU time instead of wall time.
//
// A series holds cumulative readings (t_k, on_k, runnable_k) taken every ~50 ms and at span-batch
// flushes. Between two readings the thread was on a CPU for Δon_k µs of the window's Δt_k.
//
// Busy time on a CPU: within each window, the thread's CPU time is credited to its busy part
// (time in task spans) first — an idle event loop uses next to no CPU — so
//   busyOnCpu = Σ_k min(Δon_k, |busy ∩ window_k|).
// It is an upper estimate: never more than the busy time nor than the CPU time. Run-queue time
// goes to the rest of the busy part: busyRunnable = Σ_k min(Δrunnable_k, |busy ∩ window_k| − c_k),
// c_k the CPU time credited; so busy on a core + busy descheduled ≤ busy.
//
// CPU time of samples: V8 weighs each sample by the wall time to the next one, so a thread that
// was descheduled for 50 ms charges those 50 ms to whatever it was running. Here each sample's
// interval [t_i, t_i+1) is split across the reading windows it overlaps; within a window the
// non-idle samples share the window's on-CPU time in proportion to their wall weight, capped at
// their wall weight:
//   cpu_i = Σ_k overlap(i, k) · min(1, Δon_k / nonIdleWall_k)
// '(idle)' samples get none (the thread was waiting for an event); '(program)' and
// '(garbage collector)' are CPU work and share it. So in every window the samples' CPU time is
// at most the thread's CPU time: self CPU time never exceeds on-CPU time. Sample time outside
// the readings (before the first, after the last) gets no CPU time: unknown is not counted.
import type { CpuTimeSeries, Report } from './report';
import { SPAN_DERIVED } from './report';
import { IDLE_FRAME, isIdleFrame, type ProfileIndex } from './profile-index';

export { IDLE_FRAME };

/** The thread's CPU series in the report, if recorded. */
export function cpuSeriesOf(report: Report, thread: number): CpuTimeSeries | undefined {
  return report.cpu?.find((c) => c.thread === thread);
}

/** Samples on '(idle)' or one of the pool's waits for work (the thread had nothing to run: isIdleFrame) and the others. */
export function sampleCounts(index: ProfileIndex): { busy: number; idle: number } {
  let idle = 0;
  const n = index.sampleNode.length;
  const isIdle = idleNodes(index);
  for (let i = 0; i < n; i++) {
    const k = index.sampleNode[i];
    if (k >= 0 && isIdle[k]) idle++;
  }
  return { busy: n - idle, idle };
}

function idleNodes(index: ProfileIndex): Uint8Array {
  const out = new Uint8Array(index.nodes.length);
  for (let k = 0; k < index.nodes.length; k++) if (isIdleFrame(index.nodes[k].callFrame)) out[k] = 1;
  return out;
}

/** CPU weight of every sample, µs (see the header for the method). Same length as index.weights. */
export function cpuSampleWeights(index: ProfileIndex, series: CpuTimeSeries): Float64Array {
  const { times, weights, sampleNode } = index;
  const m = times.length;
  const out = new Float64Array(m);
  const T = series.t, on = series.onCpu;
  const W = T.length - 1; // windows [T[k], T[k+1])
  if (W < 1 || m === 0) return out;
  const isIdle = idleNodes(index);
  const nonIdleWall = new Float64Array(W);
  // Pass 1: wall time of non-idle samples in each window. Samples and windows are both in time
  // order and samples do not overlap, so one forward walk suffices.
  const visit = (add: (i: number, k: number, overlap: number) => void): void => {
    let k = 0;
    for (let i = 0; i < m; i++) {
      const node = sampleNode[i];
      if (node < 0 || isIdle[node]) continue;
      const a = times[i], b = a + weights[i];
      while (k < W && T[k + 1] <= a) k++;
      for (let j = k; j < W && T[j] < b; j++) {
        const overlap = Math.min(b, T[j + 1]) - Math.max(a, T[j]);
        if (overlap > 0) add(i, j, overlap);
      }
    }
  };
  visit((_i, k, overlap) => { nonIdleWall[k] += overlap; });
  const ratio = new Float64Array(W);
  for (let k = 0; k < W; k++) {
    const dOn = Math.max(0, on[k + 1] - on[k]);
    ratio[k] = nonIdleWall[k] > 0 ? Math.min(1, dOn / nonIdleWall[k]) : 0;
  }
  visit((i, k, overlap) => { out[i] += overlap * ratio[k]; });
  return out;
}

/** Node self weights (µs) from per-sample weights: selfWeights' shape, for functionTimes. */
export function nodeWeights(index: ProfileIndex, sampleWeights: Float64Array): Float64Array {
  const self = new Float64Array(index.nodes.length);
  for (let i = 0; i < sampleWeights.length; i++) {
    const k = index.sampleNode[i];
    if (k >= 0) self[k] += sampleWeights[i];
  }
  return self;
}

/**
 * The busy intervals' time split into on a CPU and runnable-but-waiting (µs): per window, CPU
 * time is credited to the busy part first, then run-queue time to what is left of it, so the two
 * never add up to more than the busy time (the rest: blocked, or not accounted).
 */
export function busySplit(series: CpuTimeSeries, intervals: ArrayLike<number>): { onCpu: number; runnable: number } {
  const T = series.t, on = series.onCpu, rq = series.runnable;
  let onCpu = 0, runnable = 0;
  let j = 0;
  const n = intervals.length / 2;
  if (n === 0) return { onCpu, runnable };
  // Reading windows wholly before the first interval or after the last add nothing: start at the
  // reading before the first (binary search) and stop past the last, so that a region's call reads
  // only its own windows (a script of 32,000 small maps read the whole series 32,000 times).
  let lo = 0, hi = T.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (T[mid] <= intervals[0]) lo = mid; else hi = mid - 1;
  }
  const last = intervals[2 * n - 1];
  for (let k = lo; k + 1 < T.length && T[k] < last; k++) {
    const a = T[k], b = T[k + 1];
    while (j < n && intervals[2 * j + 1] <= a) j++;
    let inside = 0;
    for (let q = j; q < n && intervals[2 * q] < b; q++) {
      inside += Math.max(0, Math.min(b, intervals[2 * q + 1]) - Math.max(a, intervals[2 * q]));
    }
    const c = Math.min(Math.max(0, on[k + 1] - on[k]), inside);
    onCpu += c;
    if (rq) runnable += Math.min(Math.max(0, rq[k + 1] - rq[k]), inside - c);
  }
  return { onCpu, runnable };
}

/**
 * Each span's share of its thread's time on a core and of its time waiting for a core (µs), by the
 * rule of busySplit: per reading window, the CPU time is credited to the time the spans cover in
 * it (capped there), the run-queue time to what the CPU time left of that, and each is shared
 * among the spans in the window by their overlap, so two spans in one window do not both take all
 * of it. `waiting` is all zeros without run-queue readings (threadCpuUsage). Spans of one thread in
 * start order. Starts at the reading before the first span (binary search) and stops at the last
 * span's end: linear in the spans and the readings they cover.
 */
export function spanCoreShares(series: CpuTimeSeries, starts: ArrayLike<number>, ends: ArrayLike<number>): { onCpu: Float64Array; waiting: Float64Array } {
  const T = series.t, on = series.onCpu, rq = series.runnable;
  const n = starts.length;
  const onCpu = new Float64Array(n), waiting = new Float64Array(n);
  if (n === 0) return { onCpu, waiting };
  let lo = 0, hi = T.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (T[mid] <= starts[0]) lo = mid; else hi = mid - 1;
  }
  let last = -Infinity;
  for (let q = 0; q < n; q++) if (ends[q] > last) last = ends[q]; // not Math.max(...ends): 10M spans overflow the stack
  let j = 0;
  for (let k = lo; k + 1 < T.length && T[k] < last; k++) {
    const a = T[k], b = T[k + 1];
    while (j < n && ends[j] <= a) j++;
    let inside = 0;
    for (let q = j; q < n && starts[q] < b; q++) inside += Math.max(0, Math.min(b, ends[q]) - Math.max(a, starts[q]));
    if (inside <= 0) continue;
    const c = Math.min(Math.max(0, on[k + 1] - on[k]), inside);
    const w = rq ? Math.min(Math.max(0, rq[k + 1] - rq[k]), inside - c) : 0;
    for (let q = j; q < n && starts[q] < b; q++) {
      const share = Math.max(0, Math.min(b, ends[q]) - Math.max(a, starts[q])) / inside;
      onCpu[q] += c * share;
      waiting[q] += w * share;
    }
  }
  return { onCpu, waiting };
}

/**
 * Merged [start, end) intervals of the given spans (indices into the span columns), flat. One
 * pass when `ids` are in start order (analysis groups them so), else sorted first.
 */
export function mergedIntervals(starts: ArrayLike<number>, ends: ArrayLike<number>, ids: ArrayLike<number>): Float64Array {
  let order = ids;
  for (let k = 1; k < ids.length; k++) {
    if (starts[ids[k]] < starts[ids[k - 1]]) {
      order = Int32Array.from(ids).sort((x, y) => starts[x] - starts[y]);
      break;
    }
  }
  // Two passes: count the merged intervals, then fill an array of exactly that size.
  let count = 0;
  let to = -Infinity;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (count === 0 || starts[i] > to) { count++; to = ends[i]; } else if (ends[i] > to) to = ends[i];
  }
  const out = new Float64Array(2 * count);
  let m = -1;
  for (let k = 0; k < order.length; k++) {
    const i = order[k], s = starts[i], e = ends[i];
    if (m < 0 || s > out[2 * m + 1]) { m++; out[2 * m] = s; out[2 * m + 1] = e; } else if (e > out[2 * m + 1]) out[2 * m + 1] = e;
  }
  return out;
}

/** Merged intervals (flat, in order) clipped to [from, to]; finds the first by binary search. */
export function clipIntervals(intervals: Float64Array, from: number, to: number): Float64Array {
  const n = intervals.length / 2;
  let lo = 0, hi = n;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (intervals[2 * mid + 1] <= from) lo = mid + 1; else hi = mid; }
  const out: number[] = [];
  for (let k = lo; k < n && intervals[2 * k] < to; k++) {
    const a = Math.max(from, intervals[2 * k]), b = Math.min(to, intervals[2 * k + 1]);
    if (b > a) out.push(a, b);
  }
  return Float64Array.from(out);
}

/**
 * The tasks among span indices `ids` (derived busy stretches left out), and the same grouped by
 * thread, each thread's in start order: what spanCoreShares and stretchWork take. One pass.
 */
export function taskSpansByThread(report: Report, ids: Iterable<number>): { picked: number[]; byThread: Map<number, number[]> } {
  const { start, thread, flags } = report.spans;
  const picked: number[] = [];
  const byThread = new Map<number, number[]>();
  for (const k of ids) {
    if (flags && (flags[k] & SPAN_DERIVED) !== 0) continue;
    picked.push(k);
    const list = byThread.get(thread[k]);
    if (list) list.push(k); else byThread.set(thread[k], [k]);
  }
  for (const list of byThread.values()) list.sort((a, b) => start[a] - start[b]);
  return { picked, byThread };
}

/** A stretch on a core at least this share of its time not waiting for one is CPU work (busyWork, taskWorks). */
export const CPU_WORK_SHARE = 0.5;

/**
 * The work of each [starts[q], ends[q]) stretch (µs; in start order, disjoint): a stretch on a core
 * at least CPU_WORK_SHARE of its time not waiting for one is CPU work, and its work is its time on
 * a core: its time neither on a core nor waiting for one is the machine's (its GC waiting for
 * helper threads that wait for a core, page faults), not the work's (three 100 ms chunks of CPU
 * read 135, 183 and 117 ms at load 5 as time not waiting for a core). A stretch mostly off a core
 * (timers, I/O, locks) keeps its time not waiting for a core: the blocking is its own.
 * schedstat series only (undefined without run-queue times).
 */
export function stretchWork(series: CpuTimeSeries, starts: ArrayLike<number>, ends: ArrayLike<number>): Float64Array | undefined {
  if (!series.runnable) return undefined;
  const { onCpu, waiting } = spanCoreShares(series, starts, ends);
  const out = new Float64Array(starts.length);
  for (let q = 0; q < starts.length; q++) {
    const notWaiting = Math.max(0, ends[q] - starts[q] - waiting[q]);
    out[q] = onCpu[q] >= CPU_WORK_SHARE * notWaiting ? Math.min(onCpu[q], notWaiting) : notWaiting;
  }
  return out;
}

/** The work of busy intervals (flat [start, end, ...], disjoint, in order), µs: stretchWork summed. */
export function busyWork(series: CpuTimeSeries, intervals: Float64Array): number | undefined {
  const n = intervals.length / 2;
  const starts = new Float64Array(n), ends = new Float64Array(n);
  for (let q = 0; q < n; q++) { starts[q] = intervals[2 * q]; ends[q] = intervals[2 * q + 1]; }
  const work = stretchWork(series, starts, ends);
  if (!work) return undefined;
  let sum = 0;
  for (let q = 0; q < n; q++) sum += work[q];
  return sum;
}

/**
 * Busy time not spent waiting for a core (µs): on a core, or blocked. schedstat series only
 * (undefined without run-queue times): what the busy intervals would have taken undescheduled.
 */
export function busyScheduled(series: CpuTimeSeries, intervals: Float64Array): number | undefined {
  if (!series.runnable) return undefined;
  let busy = 0;
  for (let k = 0; k < intervals.length; k += 2) busy += intervals[k + 1] - intervals[k];
  return Math.max(0, busy - busySplit(series, intervals).runnable);
}

/** max / mean of per-thread values over p threads (those missing count 0); undefined when nothing ran. */
export function maxOverMean(values: number[], p: number): number | undefined {
  const sum = values.reduce((a, b) => a + b, 0);
  if (sum <= 0 || p <= 0) return undefined;
  return values.reduce((a, b) => Math.max(a, b), 0) / (sum / p);
}

/** Per-thread CPU numbers for the metrics; ms. */
export interface ThreadCpuMetrics {
  /** On a CPU from thread creation to its last reading. */
  onCpuMs: number;
  /** Runnable but waiting for a CPU over the same time; undefined when the source does not tell. */
  runnableMs?: number;
  /** Of the thread's busy (task span) time, the part on a CPU (upper estimate). */
  busyOnCpuMs: number;
  /**
   * Of the thread's busy time, the part runnable but waiting for a CPU — descheduled, as opposed
   * to blocked (sleeping in Atomics.wait or I/O); same crediting as busyOnCpuMs. schedstat only.
   */
  busyRunnableMs?: number;
}

export function threadCpuMetrics(series: CpuTimeSeries, busyIntervals: ArrayLike<number>): ThreadCpuMetrics {
  const last = series.t.length - 1;
  const split = busySplit(series, busyIntervals);
  return {
    onCpuMs: series.onCpu[last] / 1000,
    ...(series.runnable ? { runnableMs: series.runnable[last] / 1000 } : {}),
    busyOnCpuMs: split.onCpu / 1000,
    ...(series.runnable ? { busyRunnableMs: split.runnable / 1000 } : {}),
  };
}
