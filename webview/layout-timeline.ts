// Timeline layout, apart from drawing: per-thread span indexes sorted by start, culling of the
// spans inside a time window by binary search, level-of-detail merging (sub-pixel spans merge;
// a window with far more spans than pixels reads from a coverage pyramid instead), lanes and ticks.
// Times are µs from the report's origin; x positions are CSS pixels.
import { scaleLinear } from 'd3-scale';
import type { SpanColumns } from '../src/model/report';
import { formatMsFromUsAtStep } from '../src/model/units';

/** The spans of one thread, sorted by start. */
export interface LaneIndex {
  thread: number;
  /** Start and end of each span (µs), sorted by start. */
  start: Float64Array;
  end: Float64Array;
  /**
   * Running maximum of `end`: non-decreasing even when spans nest (fork-join), so it can be
   * bisected. The `end` array itself when no span ends before one that started earlier (the
   * usual lane of a pool's worker: 80 MB less at ten million spans). Read only, like every column here.
   */
  maxEnd: Float64Array;
  /** Index of each span in the report's span columns. */
  span: Int32Array;
  /** Region id of each span, in the report's own integer array type (narrowed: one byte a span for most reports). */
  region: Int32Array | Int16Array | Int8Array;
}

/** The thread ids the timeline's lanes are built for (Store.laneIndexes): every thread of the report, in id order. */
export function laneThreads(ids: number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** A new integer array of the region column's own (narrowed) type, so lanes are no wider than the report. */
function regionArray(column: ArrayLike<number>, n: number): Int32Array | Int16Array | Int8Array {
  if (column instanceof Int8Array) return new Int8Array(n);
  if (column instanceof Int16Array) return new Int16Array(n);
  return new Int32Array(n);
}

/**
 * Builds one lane index per thread id in `threads` (threads without spans get empty lanes). One
 * pass over the span columns in report order writes each span into its lane: reading the columns
 * once in order, not once per lane at the stride of the threads (ten million spans on 16 lanes:
 * the columns were read 16 times, each lane's spans a cache line apart).
 */
export function buildLaneIndexes(spans: SpanColumns, threads: number[]): LaneIndex[] {
  // Thread ids are small integers (worker threadIds), so a dense id -> lane table beats a Map
  // on a million spans; ids outside it (or negative) fall back to the Map.
  const maxId = Math.min(1 << 20, Math.max(0, ...threads));
  const laneOf = new Int32Array(maxId + 1).fill(-1);
  const sparse = new Map<number, number>();
  threads.forEach((t, i) => { if (t >= 0 && t <= maxId && Number.isInteger(t)) laneOf[t] = i; else sparse.set(t, i); });
  const lookup = (t: number) => (t >= 0 && t <= maxId ? laneOf[t] : sparse.get(t) ?? -1);
  const counts = new Int32Array(threads.length);
  const column = spans.thread;
  for (let k = 0; k < spans.count; k++) {
    const lane = lookup(column[k]);
    if (lane >= 0) counts[lane]++;
  }
  const order = Array.from(counts, (n) => new Int32Array(n));
  const starts = Array.from(counts, (n) => new Float64Array(n));
  const ends = Array.from(counts, (n) => new Float64Array(n));
  const regions = Array.from(counts, (n) => regionArray(spans.region, n));
  const fill = new Int32Array(threads.length);
  const lastStart = new Float64Array(threads.length).fill(-Infinity);
  const topEnd = new Float64Array(threads.length).fill(-Infinity);
  // Per lane: spans out of start order (sorted after), an end below an earlier one (nested spans: maxEnd of its own).
  const unsorted = new Uint8Array(threads.length);
  const nested = new Uint8Array(threads.length);
  const { start, end, region } = spans;
  for (let k = 0; k < spans.count; k++) {
    const lane = lookup(column[k]);
    if (lane < 0) continue;
    const i = fill[lane]++;
    const s = start[k];
    const e = Math.max(s, end[k]);
    order[lane][i] = k;
    starts[lane][i] = s;
    ends[lane][i] = e;
    regions[lane][i] = region[k];
    if (s < lastStart[lane]) unsorted[lane] = 1;
    lastStart[lane] = s;
    if (e < topEnd[lane]) nested[lane] = 1;
    else topEnd[lane] = e;
  }
  return threads.map((thread, j) => {
    let lane: LaneIndex = { thread, span: order[j], start: starts[j], end: ends[j], maxEnd: ends[j], region: regions[j] };
    // Recorders mostly write spans in start order per thread; only sort when they did not.
    if (unsorted[j]) lane = sortedLane(spans, thread, order[j], regions[j]);
    if (unsorted[j] || nested[j]) {
      const maxEnd = new Float64Array(lane.end.length);
      let running = -Infinity;
      for (let i = 0; i < maxEnd.length; i++) maxEnd[i] = running = Math.max(running, lane.end[i]);
      lane.maxEnd = maxEnd;
    }
    return lane;
  });
}

/** A lane whose spans came out of start order: sorted by start (then report order) and gathered again. */
function sortedLane(spans: SpanColumns, thread: number, unordered: Int32Array, region: Int32Array | Int16Array | Int8Array): LaneIndex {
  const order = Int32Array.from(unordered).sort((a, b) => spans.start[a] - spans.start[b] || a - b);
  const n = order.length;
  const lane: LaneIndex = { thread, span: order, start: new Float64Array(n), end: new Float64Array(n), maxEnd: new Float64Array(0), region: regionArray(region, n) };
  for (let i = 0; i < n; i++) {
    const k = order[i];
    lane.start[i] = spans.start[k];
    lane.end[i] = Math.max(spans.start[k], spans.end[k]);
    lane.region[i] = spans.region[k];
  }
  return lane;
}

/** First index i in [0, n) with a[i] > value (or >= when `inclusive`), by binary search. */
export function bisect(a: ArrayLike<number>, value: number, inclusive = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inclusive ? a[mid] < value : a[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index range [lo, hi) of the lane's spans that may overlap [from, to]. */
export function visibleSpans(lane: LaneIndex, from: number, to: number): [number, number] {
  const lo = bisect(lane.maxEnd, from, true);
  const hi = bisect(lane.start, to, true);
  return [lo, Math.max(lo, hi)];
}

/** Rectangles to draw for one lane, after merging sub-pixel neighbours. */
export interface SpanRects {
  count: number;
  x0: Float32Array;
  x1: Float32Array;
  region: Int32Array;
  /** Report span index, or -1 when the rectangle merges several spans. */
  span: Int32Array;
}

/**
 * Maps the spans of [lo, hi) to x over [from, to] -> [0, width]. Spans narrower than `minPx`
 * merge with a neighbour of the same region that is closer than `minPx`; every drawn rect is at
 * least `minPx` wide so a lone short task stays visible.
 */
export function spanRects(lane: LaneIndex, lo: number, hi: number, from: number, to: number, width: number, minPx = 1): SpanRects {
  const n = hi - lo;
  const out: SpanRects = { count: 0, x0: new Float32Array(n), x1: new Float32Array(n), region: new Int32Array(n), span: new Int32Array(n) };
  const scale = width / Math.max(1e-9, to - from);
  let c = 0;
  let lastNarrow = false;
  for (let i = lo; i < hi; i++) {
    const x0 = Math.max(-1, (lane.start[i] - from) * scale);
    let x1 = Math.min(width + 1, (lane.end[i] - from) * scale);
    if (x1 < 0 || x0 > width) continue;
    const narrow = x1 - x0 < minPx;
    if (narrow) x1 = x0 + minPx;
    const r = lane.region[i];
    if (c > 0 && (narrow || lastNarrow) && out.region[c - 1] === r && x0 - out.x1[c - 1] < minPx) {
      if (x1 > out.x1[c - 1]) out.x1[c - 1] = x1;
      out.span[c - 1] = -1;
      lastNarrow = narrow;
      continue;
    }
    out.x0[c] = x0; out.x1[c] = x1; out.region[c] = r; out.span[c] = lane.span[i];
    lastNarrow = narrow;
    c++;
  }
  out.count = c;
  return out;
}

/**
 * Level-0 bins of a busy lane's finer coverage pyramid: about one per 4 spans, from 2^15 up to
 * 2^18 (a lane of 625k spans, ten million over 16 threads: 2^18 bins, 4 MiB with the levels above).
 * Below the finest level the timeline draws from the window's spans themselves, one pass each
 * frame; finer bins keep that pass to a few thousand spans a lane.
 */
export function coverageBins(spans: number): number {
  let bins = 1 << 15;
  while (bins < 1 << 18 && bins * 4 < spans) bins *= 2;
  return bins;
}

/**
 * Bins of a lane's first pyramid, drawn at once: a power of two that gives the window of `windowUs`
 * (of a run of `runUs`) at least two bins a pixel, from 2^10 to 2^15. At a whole run over 1,600
 * pixels that is 2^12: an eighth of the memory of 2^15, each page of it written for the first time
 * (on a virtual machine, ~13 µs a page); the finer pyramid follows when the page is idle (refinePyramids).
 */
export function firstBins(width: number, windowUs: number, runUs: number): number {
  const need = 2 * width * (runUs / Math.max(1e-9, windowUs));
  let bins = 1 << 10;
  while (bins < 1 << 15 && bins < need) bins *= 2;
  return bins;
}

/**
 * Busy fraction of one lane over time at several resolutions: level 0 has `bins` bins over
 * [0, durationUs], each next level half as many. `region` is the region that covered most of a bin.
 */
export interface CoveragePyramid {
  durationUs: number;
  levels: { busy: Float32Array; region: Int32Array }[];
}

export function buildCoverage(lane: LaneIndex, durationUs: number, bins = 1 << 15): CoveragePyramid {
  const level0 = { busy: new Float32Array(bins), region: new Int32Array(bins).fill(-1) };
  coverageLevel0(lane, durationUs, level0.busy, level0.region, new Float32Array(bins));
  const levels = [level0];
  for (let m = bins >> 1; m >= 1; m >>= 1) {
    const level = { busy: new Float32Array(m), region: new Int32Array(m) };
    halveLevel(levels[levels.length - 1].busy, levels[levels.length - 1].region, level.busy, level.region);
    levels.push(level);
  }
  return { durationUs, levels };
}

// Each pass over the spans or the bins is a function of its own that fills arrays given to it and
// returns nothing. V8 optimizes a long loop while it runs, and the code it made for one loop gave up
// (and was thrown away) on reaching the next loop or an object made after it, neither run yet:
// so every lane's pyramid ran mostly unoptimized (65 ms for 1M spans on the first paint).

/** The finest level: each bin's busy fraction and the region that covered most of it (`best`: scratch, zeros). */
function coverageLevel0(lane: LaneIndex, durationUs: number, busy: Float32Array, region: Int32Array, best: Float32Array): void {
  const bins = busy.length;
  const binUs = Math.max(1e-9, durationUs / bins);
  const start = lane.start;
  const end = lane.end;
  const regions = lane.region;
  for (let i = 0; i < start.length; i++) {
    const s = Math.max(0, start[i]);
    const e = Math.min(durationUs, end[i]);
    if (e <= s) continue;
    const b0 = Math.floor(s / binUs);
    const b1 = Math.min(bins - 1, Math.floor(e / binUs));
    for (let b = b0; b <= b1; b++) {
      const overlap = Math.min(e, (b + 1) * binUs) - Math.max(s, b * binUs);
      if (overlap <= 0) continue;
      busy[b] = Math.min(1, busy[b] + overlap / binUs);
      if (overlap > best[b]) { best[b] = overlap; region[b] = regions[i]; }
    }
  }
}

/** The next level up (`busy`, `region`: half as many bins): each bin the mean of two, with the busier one's region. */
function halveLevel(below: Float32Array, belowRegion: Int32Array, busy: Float32Array, region: Int32Array): void {
  const m = busy.length;
  for (let b = 0; b < m; b++) {
    const a = below[2 * b];
    const c = below[2 * b + 1];
    busy[b] = (a + c) / 2;
    region[b] = a >= c ? belowRegion[2 * b] : belowRegion[2 * b + 1];
  }
}

/**
 * Per-pixel busy fraction (0..1) and dominant region of [from, to] over `width` pixels, read
 * from the finest level whose bins are no wider than a pixel. Undefined when even level 0 is
 * coarser than a pixel: the caller then draws the spans themselves (few are visible there).
 */
export function coverageColumns(p: CoveragePyramid, from: number, to: number, width: number): { busy: Float32Array; region: Int32Array } | undefined {
  const pxUs = (to - from) / width;
  const fine = p.durationUs / p.levels[0].busy.length;
  if (fine > pxUs) return undefined;
  let level = 0;
  while (level + 1 < p.levels.length && fine * 2 ** (level + 1) <= pxUs) level++;
  const { busy, region } = p.levels[level];
  const binUs = fine * 2 ** level;
  const cols = { busy: new Float32Array(width), region: new Int32Array(width).fill(-1) };
  for (let x = 0; x < width; x++) {
    const t0 = from + x * pxUs;
    const t1 = t0 + pxUs;
    const b0 = Math.max(0, Math.floor(t0 / binUs));
    const b1 = Math.min(busy.length - 1, Math.ceil(t1 / binUs) - 1);
    let sum = 0;
    let weight = 0;
    let top = -1;
    let topBusy = -1;
    for (let b = b0; b <= b1; b++) {
      const w = Math.min(t1, (b + 1) * binUs) - Math.max(t0, b * binUs);
      if (w <= 0) continue;
      sum += busy[b] * w;
      weight += w;
      if (busy[b] > topBusy) { topBusy = busy[b]; top = region[b]; }
    }
    cols.busy[x] = weight > 0 ? sum / pxUs : 0;
    cols.region[x] = top;
  }
  return cols;
}

/** Busy fraction per pixel computed straight from the spans of [lo, hi) (for deep zoom). */
export function exactColumns(lane: LaneIndex, lo: number, hi: number, from: number, to: number, width: number): Float32Array {
  return exactCoverage(lane, lo, hi, from, to, width).busy;
}

/**
 * exactColumns with each pixel's region: the one of the span that covers most of the pixel (as
 * coverageColumns gives it, -1 where nothing runs). For a window still too dense to draw span by
 * span (more spans than pixels) but finer than the coverage pyramid's finest bins: the columns
 * cost one pass over the window's spans, not a rectangle each.
 */
export function exactCoverage(lane: LaneIndex, lo: number, hi: number, from: number, to: number, width: number): { busy: Float32Array; region: Int32Array } {
  const busy = new Float32Array(width);
  const region = new Int32Array(width).fill(-1);
  const best = new Float32Array(width);
  const pxUs = (to - from) / width;
  for (let i = lo; i < hi; i++) {
    const s = Math.max(from, lane.start[i]);
    const e = Math.min(to, lane.end[i]);
    if (e <= s) continue;
    const x0 = Math.floor((s - from) / pxUs);
    const x1 = Math.min(width - 1, Math.floor((e - from) / pxUs));
    const r = lane.region[i];
    for (let x = Math.max(0, x0); x <= x1; x++) {
      const overlap = Math.min(e, from + (x + 1) * pxUs) - Math.max(s, from + x * pxUs);
      if (overlap <= 0) continue;
      busy[x] = Math.min(1, busy[x] + overlap / pxUs);
      if (overlap > best[x]) { best[x] = overlap; region[x] = r; }
    }
  }
  return { busy, region };
}

/** The span of the lane under time t, within `tolUs` of its edges; -1 when none. Returns a lane position. */
export function spanAt(lane: LaneIndex, t: number, tolUs: number): number {
  const [lo, hi] = visibleSpans(lane, t - tolUs, t + tolUs);
  let bestI = -1;
  let bestD = Infinity;
  for (let i = lo; i < hi && i < lo + 10_000; i++) {
    const d = t < lane.start[i] ? lane.start[i] - t : t > lane.end[i] ? t - lane.end[i] : 0;
    // Prefer the innermost (latest-starting) span when several contain t.
    if (d <= tolUs && (d < bestD || (d === 0 && bestD === 0))) { bestD = d; bestI = i; }
  }
  return bestI;
}

/** The span of the lane whose start is nearest to t (a lane position), or -1 for an empty lane. O(log n). */
export function nearestSpan(lane: LaneIndex, t: number): number {
  const n = lane.start.length;
  if (n === 0) return -1;
  const i = bisect(lane.start, t);
  if (i === 0) return 0;
  if (i === n) return n - 1;
  return t - lane.start[i - 1] <= lane.start[i] - t ? i - 1 : i;
}

/** Vertical position of each lane. */
export interface LaneBox { thread: number; y: number; height: number }

export function laneBoxes(threads: number[], top: number, laneHeight: number, gap: number): LaneBox[] {
  return threads.map((thread, k) => ({ thread, y: top + k * (laneHeight + gap), height: laneHeight }));
}

/** Axis ticks for [from, to] µs over `width` px, labelled in ms (or µs when zoomed far in). */
export function timeTicks(from: number, to: number, width: number, spacingPx = 90): { t: number; x: number; label: string }[] {
  const scale = scaleLinear().domain([from, to]).range([0, width]);
  const count = Math.max(2, Math.floor(width / spacingPx));
  const ticks = scale.ticks(count);
  const stepUs = ticks.length > 1 ? ticks[1] - ticks[0] : to - from;
  return ticks.map((t) => ({ t, x: scale(t), label: formatTime(t, stepUs) }));
}

/** A time in µs as text in ms, with as many decimals as `stepUs` (the precision in view) needs (src/model/units.ts). */
export const formatTime = formatMsFromUsAtStep;

/** Zooms [from, to] by `factor` (< 1 zooms in) around `at`, clamped to [0, maxUs] and a minimum width. */
export function zoomWindow(from: number, to: number, factor: number, at: number, maxUs: number, minWidthUs = 1): [number, number] {
  const width = Math.min(maxUs, Math.max(minWidthUs, (to - from) * factor));
  const ratio = (at - from) / Math.max(1e-9, to - from);
  let f = at - ratio * width;
  f = Math.max(0, Math.min(maxUs - width, f));
  return [f, f + width];
}

/** Moves [from, to] by `deltaUs`, keeping it inside [0, maxUs]. */
export function panWindow(from: number, to: number, deltaUs: number, maxUs: number): [number, number] {
  const width = to - from;
  const f = Math.max(0, Math.min(maxUs - width, from + deltaUs));
  return [f, f + width];
}

/** A stretch without ELU measurements longer than this many of the series' usual intervals is a gap in its line. */
export const ELU_MAX_GAP_INTERVALS = 4;

/**
 * The runs of an ELU series (its measurement times, ascending) drawn as one line each: [lo, hi)
 * index ranges, split wherever two measurements are further apart than ELU_MAX_GAP_INTERVALS
 * times the usual interval (the median one). A thread whose loop is blocked takes no measurement
 * (the recorder's timer cannot run), and a line across that stretch would be made up.
 */
export function eluRuns(t: ArrayLike<number>): [number, number][] {
  const n = t.length;
  if (n === 0) return [];
  const steps = Float64Array.from({ length: n - 1 }, (_, i) => t[i + 1] - t[i]).sort();
  const usual = steps.length ? steps[steps.length >> 1] : 0;
  const maxGap = usual > 0 ? ELU_MAX_GAP_INTERVALS * usual : Infinity;
  const out: [number, number][] = [];
  let lo = 0;
  for (let i = 1; i < n; i++) {
    if (t[i] - t[i - 1] > maxGap) { out.push([lo, i]); lo = i; }
  }
  out.push([lo, n]);
  return out;
}
