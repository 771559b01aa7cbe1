// From tasks to code: a selection of task spans (one task, a thread's tasks, the slowest tenth of
// a region, a time range across chosen lanes) turned into the CPU samples taken inside them, and
// the flame tree of exactly those samples. Pure data in, data out.
//
// A sample belongs to a task's interval [start, end) when its timestamp does; its whole weight (time
// to the next sample of its profile) counts. Threads × a time range count as a time range does:
// every sample that overlaps it, only its part inside it. Intervals of one
// thread that overlap (fork-join tasks nest) are merged first, so a sample is counted once.
import type { Report } from './report';
import { indexProfile } from './profile-index';
import type { FlameNode, FunctionStat } from './flame';
import { DROPPED, baseSamples, type CallSamples } from './transforms';
import { functionStats, toFlameTree, topDownTree } from './calltree';

/** One interval of one thread, µs from origin. */
export interface SpanInterval { thread: number; start: number; end: number }

/**
 * What the user selected, kept as a description (small enough for a URL, and it survives a
 * reload): explicit task spans; a region's tasks ranked by duration, from the fraction `from` to
 * `to` of that ranking (0.9–1 = the slowest 10 %); or threads over a time range.
 */
export type SelectionSpec =
  | { kind: 'spans'; spans: number[] }
  | { kind: 'rank'; region: number; from: number; to: number }
  | { kind: 'threads'; threads: number[]; from: number; to: number };

/**
 * Sample indices (into the thread's profile samples) per profiled thread, ascending. `clip`: a
 * threads × range selection holds the samples that overlap the range, of which only the part
 * inside it counts (as a time range counts them: calltree.ts stackSelf).
 */
export type SampleSets = Map<number, Int32Array> & { clip?: { from: number; to: number } };

/** The report spans a rank spec names: the region's tasks sorted by duration (ties by index), the slice [from, to) of that order. */
export function rankedSpans(report: Report, region: number, from: number, to: number): number[] {
  const s = report.spans;
  const spans: number[] = [];
  for (let k = 0; k < s.count; k++) if (s.region[k] === region) spans.push(k);
  spans.sort((a, b) => (s.end[a] - s.start[a]) - (s.end[b] - s.start[b]) || a - b);
  const lo = Math.max(0, Math.min(spans.length, Math.floor(from * spans.length + 1e-9)));
  const hi = Math.max(lo, Math.min(spans.length, Math.ceil(to * spans.length - 1e-9)));
  return spans.slice(lo, hi);
}

/** The intervals a selection covers. Span indices out of range are skipped. */
export function selectionIntervals(report: Report, spec: SelectionSpec): SpanInterval[] {
  const s = report.spans;
  const ofSpans = (ks: number[]) => ks.filter((k) => Number.isInteger(k) && k >= 0 && k < s.count)
    .map((k) => ({ thread: s.thread[k], start: s.start[k], end: s.end[k] }));
  switch (spec.kind) {
    case 'spans': return ofSpans(spec.spans);
    case 'rank': return ofSpans(rankedSpans(report, spec.region, spec.from, spec.to));
    case 'threads': return spec.threads.map((thread) => ({ thread, start: spec.from, end: spec.to }));
  }
}

/**
 * A selection's intervals per thread as flat [start, end, ...] pairs in start order (what the
 * views draw and the samples are picked by). Typed columns, no object per interval: 100,000
 * selected tasks made 100,000 objects per call, and three views asked for them on one click.
 * Linear: a thread's pairs are sorted only when its spans were not in start order already (a
 * recorded report's spans are).
 */
export type PairsByThread = Map<number, Float64Array>;

export function selectionPairs(report: Report, spec: SelectionSpec): PairsByThread {
  const out: PairsByThread = new Map();
  if (spec.kind === 'threads') {
    for (const thread of spec.threads) out.set(thread, Float64Array.of(spec.from, spec.to));
    return out;
  }
  const s = report.spans;
  const ks = spec.kind === 'spans' ? spec.spans : rankedSpans(report, spec.region, spec.from, spec.to);
  const valid = (k: number) => Number.isInteger(k) && k >= 0 && k < s.count;
  const counts = new Map<number, number>();
  for (const k of ks) if (valid(k)) counts.set(s.thread[k], (counts.get(s.thread[k]) ?? 0) + 1);
  const fill = new Map<number, number>();
  for (const [thread, n] of counts) { out.set(thread, new Float64Array(2 * n)); fill.set(thread, 0); }
  for (const k of ks) {
    if (!valid(k)) continue;
    const t = s.thread[k];
    const at = fill.get(t)!;
    const pairs = out.get(t)!;
    pairs[at] = s.start[k];
    pairs[at + 1] = s.end[k];
    fill.set(t, at + 2);
  }
  for (const [thread, pairs] of out) out.set(thread, inStartOrder(pairs));
  return out;
}

/** `pairs` sorted by start (itself when it already is). */
function inStartOrder(pairs: Float64Array): Float64Array {
  let sorted = true;
  for (let i = 2; i < pairs.length && sorted; i += 2) if (pairs[i] < pairs[i - 2]) sorted = false;
  if (sorted) return pairs;
  const n = pairs.length / 2;
  const order = new Uint32Array(n);
  for (let q = 0; q < n; q++) order[q] = q;
  order.sort((a, b) => pairs[2 * a] - pairs[2 * b] || a - b);
  const out = new Float64Array(pairs.length);
  for (let q = 0; q < n; q++) { out[2 * q] = pairs[2 * order[q]]; out[2 * q + 1] = pairs[2 * order[q] + 1]; }
  return out;
}

/**
 * The samples inside the intervals, per thread. Linear after one sort: intervals are sorted and
 * merged per thread, then each profile's samples (in time order) are walked once against them.
 */
export function samplesInIntervals(report: Report, intervals: SpanInterval[]): SampleSets {
  const lists = new Map<number, number[]>();
  for (const i of intervals) {
    let list = lists.get(i.thread);
    if (!list) lists.set(i.thread, (list = []));
    list.push(i.start, i.end);
  }
  const byThread: PairsByThread = new Map();
  for (const [thread, list] of lists) byThread.set(thread, inStartOrder(Float64Array.from(list)));
  return samplesInPairs(report, byThread);
}

/** The samples inside per-thread [start, end] pairs in start order (selectionPairs), per thread; each profile walked once. */
export function samplesInPairs(report: Report, byThread: PairsByThread): SampleSets {
  const out: SampleSets = new Map();
  for (const tp of report.profiles) {
    const pairs = byThread.get(tp.thread);
    if (!pairs) continue;
    const times = indexProfile(tp.profile).times;
    const picked = new Int32Array(times.length);
    let n = 0;
    // The merged union of the pairs (empty ones left out), consumed as the samples advance.
    let j = 0;
    let curStart = 0, curEnd = 0;
    const advance = (): boolean => {
      while (j < pairs.length && !(pairs[j + 1] > pairs[j])) j += 2;
      if (j >= pairs.length) return false;
      curStart = pairs[j];
      curEnd = pairs[j + 1];
      j += 2;
      while (j < pairs.length && pairs[j] <= curEnd) {
        if (pairs[j + 1] > pairs[j]) curEnd = Math.max(curEnd, pairs[j + 1]);
        j += 2;
      }
      return true;
    };
    let live = advance();
    for (let i = 0; i < times.length && live; i++) {
      const t = times[i];
      while (live && t >= curEnd) live = advance();
      if (live && t >= curStart) picked[n++] = i;
    }
    out.set(tp.thread, picked.slice(0, n));
  }
  return out;
}

/** The samples a selection covers, per thread. */
export function selectionSamples(report: Report, spec: SelectionSpec): SampleSets {
  if (spec.kind === 'threads') return samplesOverlapping(report, spec.threads, spec.from, spec.to);
  return samplesInPairs(report, selectionPairs(report, spec));
}

/** Threads × a time range: every sample that overlaps [from, to), to be counted clipped to it (SampleSets.clip). Linear in samples. */
function samplesOverlapping(report: Report, threads: number[], from: number, to: number): SampleSets {
  const out: SampleSets = new Map();
  out.clip = { from, to };
  if (!(to > from)) return out;
  const wanted = new Set(threads);
  for (const tp of report.profiles) {
    if (!wanted.has(tp.thread)) continue;
    const { times, weights } = indexProfile(tp.profile);
    const picked: number[] = [];
    for (let i = 0; i < times.length; i++) if (times[i] < to && times[i] + weights[i] > from) picked.push(i);
    out.set(tp.thread, Int32Array.from(picked));
  }
  return out;
}

/**
 * The flame tree of the chosen samples, merged over threads: the call tree's top-down tree of
 * the (transformed) call samples given, restricted to the selection. Without call samples, the
 * report's untransformed ones ('(idle)'/'(program)' left out, as in every tree).
 */
export function selectionTree(report: Report, samples: SampleSets, calls: CallSamples = baseSamples(report)): FlameNode {
  return toFlameTree(topDownTree(calls, { samples, ...samples.clip }));
}

/** Self and total time per function over the chosen samples (as flame.ts topFunctions counts them over a time range). */
export function selectionFunctions(report: Report, samples: SampleSets, calls: CallSamples = baseSamples(report)): FunctionStat[] {
  return functionStats(calls, { samples, ...samples.clip });
}

/** A selection spec from untrusted input (a URL, saved state), or undefined when it is not one. */
export function asSelectionSpec(value: unknown): SelectionSpec | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const nums = (a: unknown) => Array.isArray(a) && a.length <= 1_000_000 && a.every((x) => Number.isFinite(x));
  const fin = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (v.kind === 'spans' && nums(v.spans)) return { kind: 'spans', spans: v.spans as number[] };
  if (v.kind === 'rank' && fin(v.region) && fin(v.from) && fin(v.to)) return { kind: 'rank', region: v.region as number, from: v.from as number, to: v.to as number };
  if (v.kind === 'threads' && nums(v.threads) && fin(v.from) && fin(v.to)) return { kind: 'threads', threads: v.threads as number[], from: v.from as number, to: v.to as number };
  return undefined;
}

/**
 * (Transformed) call samples restricted to a selection: samples outside it become DROPPED and
 * threads without a set are left out. ThreadSamples keep the profile's sample order, so the
 * indices of a SampleSets address them directly. Linear in samples.
 */
export function restrictToSelection(input: CallSamples, samples: SampleSets): CallSamples {
  const threads = [];
  for (const t of input.threads) {
    const picked = samples.get(t.thread);
    if (!picked) continue;
    const stack = new Int32Array(t.stack.length).fill(DROPPED);
    for (let p = 0; p < picked.length; p++) {
      const i = picked[p];
      if (i < stack.length) stack[i] = t.stack[i];
    }
    threads.push({ ...t, stack });
  }
  return { stacks: input.stacks, threads };
}
