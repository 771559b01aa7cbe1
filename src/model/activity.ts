// CPU activity of one thread over time, for the graph under each timeline lane: what the thread's
// CPU samples were doing, by category, counted per bin (one bin per pixel column), and the
// thread's on-CPU share per bin where the report has a CPU-time series (format 2).
//
// A sample's category is its innermost frame that says where it comes from: '(garbage collector)',
// '(idle)', '(program)', or the nearest frame with a URL (a native frame such as Math.sqrt counts
// as the code that called it). Binning is linear in the samples of the window: one binary search
// for the first, then one step per sample.
import type { CpuTimeSeries } from './report';
import { isIdleFrame, urlToPath, type ProfileIndex } from './profile-index';
import { isRuntimeFile } from './transforms';

/** In drawing order, bottom up. */
export const ACTIVITY_CATEGORIES = ['user', 'runtime', 'node', 'gc', 'program', 'idle'] as const;
export type ActivityCategory = typeof ACTIVITY_CATEGORIES[number];

/** What each category means, for legends and tooltips. */
export const CATEGORY_LABELS: Record<ActivityCategory, string> = {
  user: 'your code',
  runtime: 'pool and recorder',
  node: 'Node internals (node:)',
  gc: 'garbage collector',
  program: 'V8 (program)',
  idle: 'idle',
};

const USER = 0, RUNTIME = 1, NODE = 2, GC = 3, PROGRAM = 4, IDLE = 5;

/** Category index (into ACTIVITY_CATEGORIES) of a frame that has a URL. */
export function categoryOfUrl(url: string): number {
  if (url.startsWith('node:')) return NODE;
  // This package's pool and recorder: the same files the call tree's runtime resource collapses.
  if (isRuntimeFile(urlToPath(url))) return RUNTIME;
  return USER;
}

const categoryCache = new WeakMap<ProfileIndex, Uint8Array>();

/** Category index of every node of a profile (see the header). */
export function nodeCategories(index: ProfileIndex): Uint8Array {
  const cached = categoryCache.get(index);
  if (cached) return cached;
  const cat = new Uint8Array(index.nodes.length).fill(PROGRAM);
  for (const i of index.order) {
    const cf = index.nodes[i].callFrame;
    const p = index.parent[i];
    if (cf.functionName === '(garbage collector)') cat[i] = GC;
    else if (isIdleFrame(cf)) cat[i] = IDLE; // '(idle)' or the pool's wait for work
    else if (cf.functionName === '(program)') cat[i] = PROGRAM;
    else if (cf.url) cat[i] = categoryOfUrl(cf.url);
    else cat[i] = p >= 0 ? cat[p] : PROGRAM;
  }
  categoryCache.set(index, cat);
  return cat;
}

/** Samples per bin per category over [from, to): counts[c][b]. */
export interface ActivityBins {
  from: number;
  to: number;
  bins: number;
  counts: Float32Array[];
  /** Samples counted in any bin. */
  samples: number;
}

/** First sample index with time ≥ t. */
function firstAtOrAfter(times: Float64Array, t: number): number {
  let lo = 0, hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Counts the samples of [from, to) into `bins` equal bins by category (one-off: activityPrefix once, then activityBinsOf, for many windows). */
export function activityBins(index: ProfileIndex, from: number, to: number, bins: number): ActivityBins {
  return activityBinsOf(activityPrefix(index), from, to, bins);
}

/**
 * A profile's samples by category, with running counts every PREFIX_STEP samples (counts[c][j]:
 * samples of category c among the first j·PREFIX_STEP), so that activityBinsOf answers any window
 * in O(bins · (log samples + PREFIX_STEP)) rather than one pass over the window's samples: a
 * zoomed-out timeline of threads with 100k samples each redraws every frame. One pass to build;
 * about 1.4 bytes a sample (a category byte, 24 bytes of counts per PREFIX_STEP samples).
 */
export interface ActivityPrefix { times: Float64Array; category: Uint8Array; counts: Int32Array[] }

const PREFIX_STEP = 64;

export function activityPrefix(index: ProfileIndex): ActivityPrefix {
  const cat = nodeCategories(index);
  const { times, sampleNode } = index;
  const n = times.length;
  const category = new Uint8Array(n);
  const counts = ACTIVITY_CATEGORIES.map(() => new Int32Array(Math.floor(n / PREFIX_STEP) + 1));
  categorize(sampleNode, cat, category, counts);
  return { times, category, counts };
}

/**
 * Fills in each sample's category and the running counts every PREFIX_STEP samples. A function
 * of its own, as every per-sample pass run once per profile (profile-index.ts sampleColumns says why).
 */
function categorize(sampleNode: Int32Array, cat: Uint8Array, category: Uint8Array, counts: Int32Array[]): void {
  const running = new Int32Array(counts.length);
  for (let i = 0; i < category.length; i++) {
    const k = sampleNode[i];
    const c = k >= 0 ? cat[k] : PROGRAM;
    category[i] = c;
    running[c]++;
    if ((i + 1) % PREFIX_STEP === 0) for (let j = 0; j < running.length; j++) counts[j][(i + 1) / PREFIX_STEP] = running[j];
  }
}

/** Adds the samples [lo, hi) of the prefix's profile to bin b of `out`, by category. */
function addSamples(p: ActivityPrefix, lo: number, hi: number, out: Float32Array[], b: number): void {
  const { category, counts } = p;
  const firstMark = Math.ceil(lo / PREFIX_STEP), lastMark = Math.floor(hi / PREFIX_STEP);
  if (firstMark >= lastMark) {
    for (let i = lo; i < hi; i++) out[category[i]][b]++;
    return;
  }
  for (let i = lo; i < firstMark * PREFIX_STEP; i++) out[category[i]][b]++;
  for (let c = 0; c < out.length; c++) out[c][b] += counts[c][lastMark] - counts[c][firstMark];
  for (let i = lastMark * PREFIX_STEP; i < hi; i++) out[category[i]][b]++;
}

/**
 * The samples of [from, to) of the profile whose prefix this is, in `bins` equal bins by category:
 * a sample goes to bin min(bins − 1, floor((t − from) · bins / (to − from))), a non-decreasing
 * function of t. A window of at most PREFIX_STEP · 2 samples a bin on average is walked sample by
 * sample (a multiply each: ~0.2 ms for 100k samples; finding each bin's edges by bisection cost
 * 17 probes a bin and the running counts saved nothing at ~60 samples a bin, 5-30 ms a frame for
 * 8 threads); a denser one is counted from the running counts, each bin's end found by galloping
 * from its start.
 */
export function activityBinsOf(p: ActivityPrefix, from: number, to: number, bins: number): ActivityBins {
  const n = Math.max(1, Math.floor(bins));
  const counts = ACTIVITY_CATEGORIES.map(() => new Float32Array(n));
  const out: ActivityBins = { from, to, bins: n, counts, samples: 0 };
  if (!(to > from)) return out;
  const { times } = p;
  const first = firstAtOrAfter(times, from);
  const end = firstAtOrAfter(times, to);
  out.samples = Math.max(0, end - first);
  if (end - first <= n * PREFIX_STEP * 2) walkSamples(p, first, end, from, n / (to - from), counts);
  else binSamples(p, first, end, from, n / (to - from), counts);
  return out;
}

/** Counts the samples [first, end) one by one into `n` bins (n = counts[c].length). */
function walkSamples(p: ActivityPrefix, first: number, end: number, from: number, scale: number, counts: Float32Array[]): void {
  const { times, category } = p;
  const last = counts[0].length - 1;
  for (let i = first; i < end; i++) {
    const b = Math.floor((times[i] - from) * scale);
    counts[category[i]][b < last ? b : last]++;
  }
}

/** Counts the samples [first, end) bin by bin from the running counts (bins as walkSamples's). */
function binSamples(p: ActivityPrefix, first: number, end: number, from: number, scale: number, counts: Float32Array[]): void {
  const { times } = p;
  const n = counts[0].length;
  let lo = first;
  for (let b = 0; b < n && lo < end; b++) {
    // First sample of [lo, end) whose bin is past b (the last bin takes the rest): gallop, then bisect.
    let hi = end;
    if (b < n - 1) {
      let a = lo, step = 1;
      while (a + step < end && Math.floor((times[a + step] - from) * scale) <= b) { a += step; step *= 2; }
      let z = Math.min(end, a + step);
      while (a < z) {
        const mid = (a + z) >>> 1;
        if (Math.floor((times[mid] - from) * scale) <= b) a = mid + 1; else z = mid;
      }
      hi = a;
    }
    if (hi > lo) addSamples(p, lo, hi, counts, b);
    lo = hi;
  }
}

/**
 * The thread's on-CPU share (0..1) in each of `bins` bins of [from, to), from its cumulative
 * CPU-time readings interpolated linearly between readings; NaN where no reading brackets the bin
 * (unknown is not zero). Linear in bins + readings.
 */
export function onCpuShare(series: CpuTimeSeries, from: number, to: number, bins: number): Float32Array {
  const n = Math.max(1, Math.floor(bins));
  const out = new Float32Array(n).fill(NaN);
  const T = series.t, on = series.onCpu;
  if (T.length < 2 || !(to > from)) return out;
  const width = (to - from) / n;
  let k = 0;
  // Cumulative on-CPU µs at time t, or NaN outside the readings; k only moves forward.
  const at = (t: number): number => {
    if (t < T[0] || t > T[T.length - 1]) return NaN;
    while (k + 1 < T.length - 1 && T[k + 1] <= t) k++;
    const span = T[k + 1] - T[k];
    return span > 0 ? on[k] + ((on[k + 1] - on[k]) * (t - T[k])) / span : on[k];
  };
  let prev = at(from);
  for (let b = 0; b < n; b++) {
    const next = at(from + (b + 1) * width);
    if (Number.isFinite(prev) && Number.isFinite(next)) out[b] = Math.max(0, Math.min(1, (next - prev) / width));
    prev = next;
  }
  return out;
}
