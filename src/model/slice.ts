// A time window cut out of a large report, so that a viewer can show ten million spans a window at
// a time. sliceIndex makes one pass over the span starts (a histogram by time and its running sum);
// sliceWindow / sliceWindowEnding then choose a window of at most `budget` span starts in
// O(log bins); sliceReport cuts that window out as a report of its own. Every cost is linear in
// spans + samples: no sort, no per-window work beyond one pass. Pure: data in, data out.
import type { CpuProfile, CpuProfileNode, Report, SpanColumns, ThreadProfile, WaitColumns } from './report';
import { inTimeOrder } from './profile-order';

/** Span starts per time bin of a report, for choosing windows (sliceWindow). Times in µs from the report's origin. */
export interface SliceIndex {
  /** Start of the run: 0 (the origin), or the earliest span start when it is earlier. */
  from: number;
  /** End of the run: meta.durationUs, or the latest span end when it is later; at least from + 1, so every bin has a width. */
  to: number;
  /** Earliest span start and latest span end; undefined when the report has no spans. */
  firstStart: number | undefined;
  lastEnd: number | undefined;
  /** meta.durationUs of the report. */
  durationUs: number;
  /** Spans in the report. */
  spans: number;
  bins: number;
  /** bins + 1 increasing times: bin k is [edges[k], edges[k + 1]); the last bin also holds `to`. edges[0] = from, edges[bins] = to. */
  edges: Float64Array;
  /** Spans starting in each bin. */
  counts: Float64Array;
  /** before[k]: spans starting before bin k, k = 0..bins (before[bins] = spans). */
  before: Float64Array;
}

/** More bins than this buy nothing (a bin narrower than a span) and cost memory. */
const MAX_BINS = 1 << 24;

/** One pass over the spans: the run's extent and a histogram of span starts over it. */
export function sliceIndex(report: Report, bins = 4096): SliceIndex {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) throw new RangeError(`bins must be an integer from 1 to ${MAX_BINS}, got ${bins}`);
  const { count } = report.spans;
  const starts = report.spans.start, ends = report.spans.end;
  let firstStart = Infinity, lastEnd = -Infinity;
  for (let i = 0; i < count; i++) {
    if (starts[i] < firstStart) firstStart = starts[i];
    if (ends[i] > lastEnd) lastEnd = ends[i];
  }
  const durationUs = report.meta.durationUs;
  const start = Math.min(0, firstStart);
  const end = Math.max(durationUs, lastEnd, start + 1);
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) edges[k] = start + (end - start) * k / bins;
  edges[bins] = end;
  const counts = new Float64Array(bins);
  const index: SliceIndex = {
    from: start, to: end, firstStart: count ? firstStart : undefined, lastEnd: count ? lastEnd : undefined, durationUs,
    spans: count, bins, edges, counts, before: new Float64Array(bins + 1),
  };
  for (let i = 0; i < count; i++) counts[binOf(index, starts[i])]++;
  for (let k = 0; k < bins; k++) index.before[k + 1] = index.before[k] + counts[k];
  return index;
}

/**
 * The bin holding time t: the last k with edges[k] <= t, clamped to the bins. Computed from the
 * stored edges (the guess from arithmetic can be off by one at an edge), so a window's end,
 * given back as the next window's start, falls in the bin after it: windows tile without a gap.
 */
function binOf(index: SliceIndex, t: number): number {
  const { edges, bins } = index;
  let k = Math.floor((t - index.from) / (index.to - index.from) * bins);
  if (!(k >= 0)) k = 0;
  if (k > bins - 1) k = bins - 1;
  while (k > 0 && edges[k] > t) k--;
  while (k < bins - 1 && edges[k + 1] <= t) k++;
  return k;
}

function checkTime(name: string, t: number): void {
  if (Number.isNaN(t)) throw new RangeError(`${name} must be a time in µs, got NaN`);
}

/**
 * The window that starts at `from` (clamped into the run) and reaches as far as it can while the
 * spans starting in it, counted by whole bins, are at most `budget`: at least one bin, and up to
 * the run's end when everything after `from` fits. Its `to` is a bin edge, so
 * sliceWindow(index, previous.to, budget) gives the next window, with no gap. A `from` at or past
 * the end gives the run's last window (sliceWindowEnding at the end). Spans that started before
 * `from` and still run are not counted: sliceReport keeps them too (at most the spans in flight).
 */
export function sliceWindow(index: SliceIndex, from: number, budget: number): { from: number; to: number } {
  checkTime('from', from);
  if (!(from < index.to)) return sliceWindowEnding(index, index.to, budget);
  from = Math.max(from, index.from);
  const first = binOf(index, from);
  const { before, bins } = index;
  const most = before[first] + budget;
  // The last bin b >= first with before[b + 1] <= most (before is non-decreasing); first at least.
  let lo = first, hi = bins - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (before[mid + 1] <= most) lo = mid; else hi = mid - 1;
  }
  return { from, to: index.edges[lo + 1] };
}

/**
 * The window that ends at `to` (clamped into the run) and reaches as far back as it can with at
 * most `budget` span starts (by whole bins; at least one bin). Its `from` is a bin edge, so
 * sliceWindowEnding(index, previous.from, budget) gives the window before, with no gap. A `to` at
 * or before the run's start gives the run's first window.
 */
export function sliceWindowEnding(index: SliceIndex, to: number, budget: number): { from: number; to: number } {
  checkTime('to', to);
  if (!(to > index.from)) return sliceWindow(index, index.from, budget);
  to = Math.min(to, index.to);
  const { before, edges, bins } = index;
  // Bins [.., last - 1] are in the window: those that begin before `to`.
  const k = binOf(index, to);
  const last = to === index.to ? bins : edges[k] === to ? k : k + 1;
  const least = before[last] - budget;
  // The first bin a <= last - 1 with before[a] >= least; last - 1 at least.
  let lo = 0, hi = last - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before[mid] >= least) hi = mid; else lo = mid + 1;
  }
  return { from: edges[lo], to };
}

/** Whether a span or wait [start, end] is in the window: it overlaps it, or it takes no time and lies in it (ends included). */
function inWindow(start: number, end: number, from: number, to: number): boolean {
  return (start < to && end > from) || (start === end && start >= from && start <= to);
}

function checkWindow(from: number, to: number): void {
  checkTime('from', from);
  checkTime('to', to);
  if (to < from) throw new RangeError(`the window must not end before it starts: from ${from} to ${to} µs`);
}

/** How many spans sliceReport(report, from, to) keeps; one pass, nothing allocated. */
export function sliceSpanCount(report: Report, from: number, to: number): number {
  checkWindow(from, to);
  const { count, start, end } = report.spans;
  let n = 0;
  for (let i = 0; i < count; i++) if (inWindow(start[i], end[i], from, to)) n++;
  return n;
}

/**
 * The report of the window [from, to] (µs from origin): the same run (meta, threads, regions,
 * markers, ELU, CPU time, start-up, processes, dropped, exit, all whole: they are small), with
 * only the spans and waits that overlap the window (or take no time and lie in it), in their
 * order, and each thread's CPU samples whose time lies in [from, to], each at exactly its time
 * in `report`. Columns keep their kind: typed arrays give typed arrays of the same type.
 * A profile keeps all its nodes; `hitCount`, where present, counts the samples kept, while
 * `positionTicks` stay the whole run's (they are not per sample; lines.ts uses only their ratios).
 */
export function sliceReport(report: Report, from: number, to: number): Report {
  checkWindow(from, to);
  const s = report.spans;
  const kept = keptRows(s.start, s.end, s.count, from, to);
  const spans: SpanColumns = {
    count: kept.length,
    thread: rows(s.thread, kept, 'spans.thread'), region: rows(s.region, kept, 'spans.region'),
    index: rows(s.index, kept, 'spans.index'), first: rows(s.first, kept, 'spans.first'),
    items: rows(s.items, kept, 'spans.items'), enqueue: rows(s.enqueue, kept, 'spans.enqueue'),
    start: rows(s.start, kept, 'spans.start'), end: rows(s.end, kept, 'spans.end'),
    stolenFrom: rows(s.stolenFrom, kept, 'spans.stolenFrom'), parent: rows(s.parent, kept, 'spans.parent'),
    failed: rows(s.failed, kept, 'spans.failed'),
    ...(s.flags !== undefined ? { flags: rows(s.flags, kept, 'spans.flags') } : {}),
  };
  const out: Report = { ...report, spans, profiles: report.profiles.map((tp) => sliceThreadProfile(tp, from, to)) };
  if (report.waits) out.waits = sliceWaits(report.waits, from, to);
  return out;
}

/** Indexes of the rows in the window, in order: counted first, so the list is allocated once. */
function keptRows(start: ArrayLike<number>, end: ArrayLike<number>, count: number, from: number, to: number): Int32Array {
  let n = 0;
  for (let i = 0; i < count; i++) if (inWindow(start[i], end[i], from, to)) n++;
  const kept = new Int32Array(n);
  for (let i = 0, k = 0; k < n; i++) if (inWindow(start[i], end[i], from, to)) kept[k++] = i;
  return kept;
}

type NumberColumn = ArrayLike<number> & { constructor: new (n: number) => { [i: number]: number } };

/** The kept rows of a column, as a column of the same kind (typed array of the same type, or array). */
function rows(column: number[], kept: Int32Array, path: string): number[] {
  const n = kept.length;
  if (ArrayBuffer.isView(column)) {
    const out = new (column as unknown as NumberColumn).constructor(n);
    for (let k = 0; k < n; k++) out[k] = column[kept[k]];
    return out as unknown as number[];
  }
  // A column left encoded by a packed report's lazy loading reads as arrays only through decodeOnRead's getters.
  if (!Array.isArray(column)) throw new TypeError(`${path}: expected an array or a typed array, found ${typeof column}`);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(column[kept[k]]);
  return out;
}

function sliceWaits(w: WaitColumns, from: number, to: number): WaitColumns {
  const kept = keptRows(w.start, w.end, w.count, from, to);
  return {
    ...w, count: kept.length,
    thread: rows(w.thread, kept, 'waits.thread'), start: rows(w.start, kept, 'waits.start'), end: rows(w.end, kept, 'waits.end'),
  };
}

function sliceThreadProfile(tp: ThreadProfile, from: number, to: number): ThreadProfile {
  return { ...tp, profile: sliceProfile(inTimeOrder(tp.profile), from, to) };
}

/**
 * The samples of a profile (in time order) whose time lies in [from, to]. A sample's time is
 * startTime plus the running sum of timeDeltas up to it, in µs from origin (the recorder rebased
 * startTime; profile-index.ts adds the deltas one by one in a double, as every reader here does).
 * The kept samples are one run [first, last]: their deltas after the first are kept as they are,
 * so the same additions give the same doubles; the first's delta is measured from the new
 * startTime, checked to give its time exactly, else the new startTime is the time before it.
 */
function sliceProfile(p: CpuProfile, from: number, to: number): CpuProfile {
  const deltas = p.timeDeltas, m = deltas.length;
  let t = p.startTime, before = p.startTime, lastTime = NaN, first = m, last = -1;
  for (let i = 0; i < m; i++) {
    t += deltas[i];
    if (t > to) break;
    if (t < from) { before = t; continue; }
    if (first === m) first = i;
    last = i;
    lastTime = t;
  }
  const n = last - first + 1;
  if (n <= 0) {
    const at = Math.min(Math.max(from, p.startTime), p.endTime);
    return { ...p, nodes: withHitCounts(p.nodes, p.samples, 0, 0), startTime: at, endTime: Math.max(at, Math.min(to, p.endTime)), samples: p.samples.slice(0, 0), timeDeltas: deltas.slice(0, 0) };
  }
  const timeDeltas = deltas.slice(first, last + 1);
  const firstTime = before + deltas[first];
  let startTime = before;
  if (from > before) {
    // The window's start as the profile's start, when the first delta (stored in the column's own type) lands exactly on the first time.
    timeDeltas[0] = firstTime - from;
    if (from + timeDeltas[0] === firstTime) startTime = from;
    else timeDeltas[0] = deltas[first];
  }
  // The last kept sample's weight (until the next sample, or endTime) ends at `to` at the latest: the next sample lies after `to`.
  const endTime = Math.max(t > to ? to : Math.min(to, p.endTime), lastTime);
  return { ...p, nodes: withHitCounts(p.nodes, p.samples, first, last + 1), startTime, endTime, samples: p.samples.slice(first, last + 1), timeDeltas };
}

/** The nodes, each that has a hitCount with it counting samples[from..to) only; the same array when no node has one. */
function withHitCounts(nodes: CpuProfileNode[], samples: ArrayLike<number>, from: number, to: number): CpuProfileNode[] {
  if (!nodes.some((node) => node.hitCount !== undefined)) return nodes;
  const hits = new Map<number, number>();
  let last = NaN, run = 0;
  // Consecutive samples on one node are common: count runs, one map update per run.
  for (let i = from; i <= to; i++) {
    const id = i < to ? samples[i] : NaN;
    if (id === last) { run++; continue; }
    if (run) hits.set(last, (hits.get(last) ?? 0) + run);
    last = id;
    run = 1;
  }
  return nodes.map((node) => (node.hitCount === undefined ? node : { ...node, hitCount: hits.get(node.id) ?? 0 }));
}
