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
 * The samples inside the intervals, per thread. Linear after one sort: intervals are sorted and
 * merged per thread, then each profile's samples (in time order) are walked once against them.
 */
export function samplesInIntervals(report: Report, intervals: SpanInterval[]): SampleSets {
  const byThread = new Map<number, SpanInterval[]>();
  for (const i of intervals) {
    if (!(i.end > i.start)) continue;
    let list = byThread.get(i.thread);
    if (!list) byThread.set(i.thread, (list = []));
    list.push(i);
  }
  const out: SampleSets = new Map();
  for (const tp of report.profiles) {
    const list = byThread.get(tp.thread);
    if (!list) continue;
    list.sort((a, b) => a.start - b.start);
    const times = indexProfile(tp.profile).times;
    const picked = new Int32Array(times.length);
    let n = 0;
    let j = 0;
    // Merged union of the intervals, consumed as the samples advance.
    let curStart = list[0].start;
    let curEnd = list[0].end;
    j = 1;
    const advance = (): boolean => {
      if (j >= list.length) return false;
      curStart = list[j].start;
      curEnd = list[j].end;
      j++;
      while (j < list.length && list[j].start <= curEnd) curEnd = Math.max(curEnd, list[j++].end);
      return true;
    };
    while (j < list.length && list[j].start <= curEnd) curEnd = Math.max(curEnd, list[j++].end);
    let live = true;
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
  return samplesInIntervals(report, selectionIntervals(report, spec));
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
