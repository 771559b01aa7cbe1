// The user's blocking waits (report format 2, `waits`: Atomics.wait calls of the script's own
// code; the pool's scheduling waits are not in it). Totals per thread and per window.
import type { Report } from './report';

/** Each thread's waits as flat [start, end) pairs sorted by start (a thread's waits never overlap). */
export function waitsByThread(report: Report): Map<number, Float64Array> {
  const w = report.waits;
  const out = new Map<number, Float64Array>();
  if (!w || w.count === 0) return out;
  const counts = new Map<number, number>();
  for (let k = 0; k < w.count; k++) counts.set(w.thread[k], (counts.get(w.thread[k]) ?? 0) + 1);
  const fill = new Map<number, number>();
  for (const [t, n] of counts) { out.set(t, new Float64Array(2 * n)); fill.set(t, 0); }
  // Columns are sorted by start (format rule), so each thread's pairs come out sorted too.
  for (let k = 0; k < w.count; k++) {
    const t = w.thread[k];
    const p = fill.get(t)!;
    const a = out.get(t)!;
    a[p] = w.start[k];
    a[p + 1] = w.end[k];
    fill.set(t, p + 2);
  }
  return out;
}

/** µs of the pairs within [from, to); binary search to the first pair that ends after `from`. */
export function waitWithin(pairs: Float64Array, from: number, to: number): number {
  const n = pairs.length / 2;
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[2 * mid + 1] <= from) lo = mid + 1; else hi = mid;
  }
  let total = 0;
  for (let k = lo; k < n && pairs[2 * k] < to; k++) total += Math.max(0, Math.min(to, pairs[2 * k + 1]) - Math.max(from, pairs[2 * k]));
  return total;
}

/** First pair index of sorted, non-overlapping pairs that ends after `t`. */
function firstEndingAfter(pairs: ArrayLike<number>, t: number): number {
  let lo = 0, hi = pairs.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[2 * mid + 1] <= t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * µs of `waits` that fall inside `busy` (both sorted, non-overlapping [start, end) pairs), within
 * [from, to): one merge walk over the pairs in the window.
 */
export function waitInside(waits: ArrayLike<number>, busy: ArrayLike<number>, from: number, to: number): number {
  let i = firstEndingAfter(waits, from), j = firstEndingAfter(busy, from);
  const n = waits.length / 2, m = busy.length / 2;
  let total = 0;
  while (i < n && j < m) {
    const a = Math.max(from, waits[2 * i], busy[2 * j]);
    const b = Math.min(to, waits[2 * i + 1], busy[2 * j + 1]);
    if (b > a) total += b - a;
    if (Math.max(waits[2 * i], busy[2 * j]) >= to) break;
    if (waits[2 * i + 1] < busy[2 * j + 1]) i++; else j++;
  }
  return total;
}
