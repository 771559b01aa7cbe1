// Scaling answers from wall times measured at several thread counts: speedup, efficiency, the
// serial fraction of an Amdahl fit and the Karp–Flatt metric. Pure arithmetic on numbers the
// caller measured; docs/report-format.md ("Sweep reports") defines each one.
//
// Thread count 0 is the sequential run (the pool runs every operation inline, no workers). It
// is the natural baseline, and counts as p = 1 in every formula.

/** Median and range of a set of repeats (ms, or whatever unit the caller measured). */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Repeats the numbers come from. */
  n: number;
}

/** Median (mean of the middle two for an even count), min and max; NaN for no values. */
export function spreadOf(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return { median, min: v[0], max: v[n - 1], n };
}

/** Whether two sets of repeats are told apart by their ranges: both have ≥ 2 repeats and the ranges do not overlap. */
export function rangesApart(a: Spread, b: Spread): boolean {
  return a.n >= 2 && b.n >= 2 && (a.max < b.min || b.max < a.min);
}

/** p of a thread count in the formulas: the sequential run (0) is one thread. */
export function effectiveThreads(threads: number): number {
  return Math.max(1, threads);
}

/** S = T_base / T. */
export function speedup(baseMs: number, ms: number): number {
  return ms > 0 ? baseMs / ms : NaN;
}

/**
 * Efficiency against the ideal line: S / (p / p_base). With a sequential or one-thread baseline
 * that is S / p; with a baseline of p_base > 1 threads the ideal speedup at p is p / p_base.
 */
export function efficiency(speedupValue: number, threads: number, baseThreads: number): number {
  return speedupValue / (effectiveThreads(threads) / effectiveThreads(baseThreads));
}

/**
 * The Karp–Flatt metric, the experimentally determined serial fraction:
 * e = (1/S − 1/p) / (1 − 1/p), defined for p > 1 and a speedup measured against one thread.
 */
export function karpFlatt(speedupValue: number, threads: number): number {
  const p = threads;
  if (!(p > 1) || !(speedupValue > 0)) return NaN;
  return (1 / speedupValue - 1 / p) / (1 - 1 / p);
}

/** T(p) = a + b/p fitted by least squares; a is the serial time, b the parallelizable time. */
export interface AmdahlFit {
  /** Serial time, ms (the fit's intercept). */
  serialMs: number;
  /** Parallelizable time on one thread, ms. */
  parallelMs: number;
  /** s = a / (a + b): the serial fraction of the one-thread time. */
  serialFraction: number;
  /** Points fitted (one per thread count, its median). */
  points: number;
}

/**
 * Least squares of T(p) = a + b·(1/p) over the points (p = 0 counts as 1). Needs two distinct
 * thread counts and a positive a + b; else null. Linear in the number of points.
 */
export function amdahlFit(points: readonly { threads: number; ms: number }[]): AmdahlFit | null {
  const pts = points.filter((q) => Number.isFinite(q.ms) && q.threads >= 0);
  const n = pts.length;
  if (n < 2) return null;
  let sx = 0, sy = 0;
  for (const q of pts) { sx += 1 / effectiveThreads(q.threads); sy += q.ms; }
  const mx = sx / n, my = sy / n;
  let sxx = 0, sxy = 0;
  for (const q of pts) {
    const dx = 1 / effectiveThreads(q.threads) - mx;
    sxx += dx * dx;
    sxy += dx * (q.ms - my);
  }
  if (!(sxx > 1e-12)) return null; // one thread count only (0 and 1 are the same p)
  const b = sxy / sxx;
  const a = my - b * mx;
  if (!(a + b > 0)) return null;
  return { serialMs: a, parallelMs: b, serialFraction: a / (a + b), points: n };
}

/** One thread count of a sweep with its repeats' wall times. */
export interface ScalingInput {
  threads: number;
  /** Wall time of each repeat, ms. */
  wallMs: readonly number[];
}

export interface ScalingPoint {
  threads: number;
  wallMs: Spread;
  /** Against the baseline's median; null for the baseline's own row is not used: it is 1. */
  speedup: number;
  efficiency: number;
  /** Karp–Flatt e; null when p ≤ 1 or the baseline is not sequential / one thread. */
  karpFlatt: number | null;
  /** More threads than the machine's cores: time-sliced, left out of the Amdahl fit. */
  overCores: boolean;
}

export interface Scaling {
  /** Thread count the speedups are measured against: 0 (sequential) when swept, else the smallest. */
  baselineThreads: number;
  points: ScalingPoint[];
  /** Fitted over the points with p ≤ cores; null when fewer than two such thread counts. */
  amdahl: AmdahlFit | null;
}

/** Speedup, efficiency and Karp–Flatt per thread count, and the Amdahl fit, of one measured quantity. */
export function scaling(inputs: readonly ScalingInput[], cores: number): Scaling | null {
  const rows = inputs.map((x) => ({ threads: x.threads, wallMs: spreadOf(x.wallMs) })).filter((x) => x.wallMs.n > 0);
  if (rows.length === 0) return null;
  rows.sort((a, b) => a.threads - b.threads);
  const base = rows[0];
  const karpFlattBase = base.threads <= 1;
  const points: ScalingPoint[] = rows.map((r) => {
    const s = speedup(base.wallMs.median, r.wallMs.median);
    return {
      threads: r.threads, wallMs: r.wallMs, speedup: s, efficiency: efficiency(s, r.threads, base.threads),
      karpFlatt: karpFlattBase && r.threads > 1 ? karpFlatt(s, r.threads) : null,
      overCores: r.threads > cores,
    };
  });
  const fitted = rows.filter((r) => r.threads <= cores).map((r) => ({ threads: r.threads, ms: r.wallMs.median }));
  return { baselineThreads: base.threads, points, amdahl: amdahlFit(fitted) };
}
