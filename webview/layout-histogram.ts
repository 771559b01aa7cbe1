// Histogram layout for task durations, apart from drawing.
import { bin } from 'd3-array';

/** One bar: durations in [x0, x1) µs (the last bar includes x1). */
export interface HistogramBin { x0: number; x1: number; count: number }

/** About `target` bins with round edges (d3's nice thresholds) covering every value; [] for no values. */
export function durationHistogram(durationsUs: ArrayLike<number>, target = 20): HistogramBin[] {
  const values = Array.from(durationsUs).filter((v) => Number.isFinite(v) && v >= 0);
  if (values.length === 0) return [];
  const bins = bin().thresholds(target)(values);
  return bins.map((b) => ({ x0: b.x0 ?? 0, x1: b.x1 ?? 0, count: b.length }));
}

/** Indices of the `n` largest values, largest first (ties: lower index first). */
export function slowest(durationsUs: ArrayLike<number>, n: number): number[] {
  const idx = Array.from({ length: durationsUs.length }, (_, i) => i);
  idx.sort((a, b) => durationsUs[b] - durationsUs[a] || a - b);
  return idx.slice(0, Math.max(0, n));
}

/** Bar rectangles for `bins` in a plot of `width` x `height` px (counts scale linearly from 0). */
export function histogramBars(bins: HistogramBin[], width: number, height: number): { x: number; y: number; width: number; height: number; bin: HistogramBin }[] {
  if (bins.length === 0) return [];
  const lo = bins[0].x0;
  const hi = bins[bins.length - 1].x1;
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const sx = width / Math.max(1e-9, hi - lo);
  return bins.map((b) => {
    const h = (b.count / maxCount) * height;
    return { x: (b.x0 - lo) * sx, y: height - h, width: Math.max(1, (b.x1 - b.x0) * sx - 1), height: h, bin: b };
  });
}
