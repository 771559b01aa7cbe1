// Layout of a scaling chart (speedup against threads): the scales, the measured points with the
// spread of their repeats, the ideal line and the Amdahl curve, and the thread counts above the
// machine's cores. Data in, coordinates out (pixels, y down); webview/sweep-chart.ts draws them.
import { effectiveThreads, type Scaling } from './scaling';
import { busyRuns, type SubjectScaling } from './sweep-analysis';
import type { SweepReport } from './sweep-report';

/**
 * What a subject's chart plots: what its notes judge. On a quiet machine the wall times and their
 * Amdahl fit. On a busy one (busyRuns) the wall times are not judged, so the chart plots the
 * critical path in work with its fit, the numbers the notes give, and no fit when a speedup is
 * beyond its bounds (criticalBeyond: the notes draw no serial fraction from it); without critical
 * paths, the wall times and no fit. null when nothing was measured.
 */
export function chartedScaling(report: SweepReport, s: SubjectScaling): { scaling: Scaling; basis: 'wall' | 'critical path'; fit: boolean } | null {
  if (busyRuns(report).length === 0) return s.scaling ? { scaling: s.scaling, basis: 'wall', fit: true } : null;
  if (s.criticalScaling) return { scaling: s.criticalScaling, basis: 'critical path', fit: s.criticalBeyond.length === 0 };
  return s.scaling ? { scaling: s.scaling, basis: 'wall', fit: false } : null;
}

/** Chart size and inner margins, px. */
export interface ChartSize {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 520, height: 300, margin: { left: 48, right: 16, top: 12, bottom: 36 } };

/** A place on the chart: p threads (0 counts as 1) at speedup s, and where that is in px. */
export interface ChartXY {
  p: number;
  speedup: number;
  x: number;
  y: number;
}

export interface ChartPoint extends ChartXY {
  /** Thread count as swept (0 = sequential). */
  threads: number;
  /** Speedup range over the repeats: baseline median / slowest repeat .. / fastest repeat. */
  low: number;
  high: number;
  yLow: number;
  yHigh: number;
  /** More threads than the machine's cores. */
  overCores: boolean;
}

export interface SweepChart {
  size: ChartSize;
  /** The plot area, px. */
  plot: { x0: number; x1: number; y0: number; y1: number };
  /** Largest p on the x axis and speedup on the y axis (both axes start at 1 and 0). */
  maxP: number;
  maxSpeedup: number;
  xTicks: { p: number; x: number }[];
  yTicks: { speedup: number; y: number }[];
  points: ChartPoint[];
  /** Ideal speedup p / p_base: a straight line, given at its two ends and at every measured p. */
  ideal: ChartXY[];
  /**
   * Speedup of the Amdahl fit T(p) = a + b/p against the fit's own baseline, T(p_base) / T(p) (1× at
   * the baseline, never above ideal for s in 0..1), sampled along p; null without a fit in 0..1 or when `fit` is false.
   */
  amdahl: ChartXY[] | null;
  /** x of the machine's core count when some point lies above it, else null. */
  coresX: number | null;
}

/** At most this many samples along the Amdahl curve (the curve is smooth; more draws nothing new). */
const CURVE_SAMPLES = 64;

/** A round step for about `count` ticks over 0..max: 1, 2, 5 × 10^k. */
export function tickStep(max: number, count: number): number {
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

/** The chart of one subject's scaling. Linear in the points. */
export function sweepChartLayout(sc: Scaling, cores: number, size: ChartSize = DEFAULT_CHART_SIZE, fitDrawn = true): SweepChart {
  const plot = { x0: size.margin.left, x1: size.width - size.margin.right, y0: size.margin.top, y1: size.height - size.margin.bottom };
  const pBase = effectiveThreads(sc.baselineThreads);
  const base = sc.points.find((q) => q.threads === sc.baselineThreads)?.wallMs.median ?? NaN;
  const maxP = Math.max(2, ...sc.points.map((q) => effectiveThreads(q.threads)));
  const fit = fitDrawn && sc.amdahl && sc.amdahl.serialFraction >= 0 && sc.amdahl.serialFraction <= 1 ? sc.amdahl : null;
  // The fit's speedup, through 1× at the baseline: base / T(p) was not Amdahl's curve (the measured
  // baseline is not the fit's T(p_base)), and it drew a super-linear "fit" above the ideal line.
  const amdahlAt = (p: number): number => (fit ? (fit.serialMs + fit.parallelMs / pBase) / (fit.serialMs + fit.parallelMs / p) : NaN);
  const finite = (xs: number[]): number[] => xs.filter((v) => Number.isFinite(v));
  const top = Math.max(maxP / pBase, ...finite(sc.points.map((q) => base / q.wallMs.min)), ...(fit ? finite([amdahlAt(maxP)]) : []));
  const step = tickStep(top, 5);
  const maxSpeedup = Math.ceil((top * 1.02) / step) * step;
  const xOf = (p: number): number => plot.x0 + ((p - 1) / (maxP - 1)) * (plot.x1 - plot.x0);
  const yOf = (s: number): number => plot.y1 - (s / maxSpeedup) * (plot.y1 - plot.y0);
  const at = (p: number, speedup: number): ChartXY => ({ p, speedup, x: xOf(p), y: yOf(speedup) });

  const points: ChartPoint[] = sc.points.map((q) => {
    const p = effectiveThreads(q.threads);
    const low = base / q.wallMs.max, high = base / q.wallMs.min;
    return { ...at(p, q.speedup), threads: q.threads, low, high, yLow: yOf(low), yHigh: yOf(high), overCores: q.overCores };
  });
  const idealPs = [...new Set([1, ...points.map((q) => q.p), maxP])].sort((a, b) => a - b);
  const ideal = idealPs.map((p) => at(p, p / pBase));
  let amdahl: ChartXY[] | null = null;
  if (fit) {
    const step = (maxP - 1) / CURVE_SAMPLES;
    const ps = new Set(points.map((q) => q.p));
    for (let k = 0; k <= CURVE_SAMPLES; k++) ps.add(1 + k * step);
    amdahl = [...ps].sort((a, b) => a - b).map((p) => at(p, amdahlAt(p)));
  }
  const xStep = Math.max(1, Math.round(tickStep(maxP, 8)));
  const xTicks = [{ p: 1, x: xOf(1) }];
  for (let p = xStep; p <= maxP; p += xStep) if (p > 1) xTicks.push({ p, x: xOf(p) });
  const yTicks: { speedup: number; y: number }[] = [];
  for (let k = 0; k * step <= maxSpeedup + 1e-9; k++) yTicks.push({ speedup: k * step, y: yOf(k * step) });
  return {
    size, plot, maxP, maxSpeedup, xTicks, yTicks, points, ideal, amdahl,
    coresX: points.some((q) => q.overCores) && cores <= maxP ? xOf(cores) : null,
  };
}
