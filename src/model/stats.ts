// Small numeric helpers for the analysis: linear-time percentiles and interval unions.

/** p50 / p95 / max of a set of values; all 0 for an empty set. Units are the caller's (ms in RunMetrics). */
export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

/**
 * Nearest-rank percentiles (the value at rank ceil(q·n)) of the first n entries of `values`,
 * which is reordered in place. Quickselect, O(n): sorting a million waits per region would
 * cost more than the rest of the analysis together.
 */
export function percentiles(values: Float64Array, n = values.length, scale = 1): Percentiles {
  if (n === 0) return { p50: 0, p95: 0, max: 0 };
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  const k95 = Math.max(0, Math.ceil(0.95 * n) - 1);
  const k50 = Math.max(0, Math.ceil(0.5 * n) - 1);
  const p95 = select(values, 0, n - 1, k95);
  // After selecting k95, everything left of it is ≤ it, so p50 is found in [0, k95].
  const p50 = select(values, 0, k95, k50);
  return { p50: p50 * scale, p95: p95 * scale, max: max * scale };
}

/** Puts the k-th smallest of a[lo..hi] at a[k] and returns it (Hoare partition, median of three). */
function select(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot: keeps sorted and reverse-sorted inputs linear.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Union length and last end of intervals [start[i], end[i]) for the indices given (sorted by start), clipped to [from, to]. */
export function unionLength(ids: Int32Array, start: Float64Array, end: Float64Array, from: number, to: number): { busy: number; lastEnd: number } {
  let busy = 0;
  let curStart = 0, curEnd = -Infinity;
  let lastEnd = -Infinity;
  for (let k = 0; k < ids.length; k++) {
    const i = ids[k];
    const s = start[i] > from ? start[i] : from;
    const e = end[i] < to ? end[i] : to;
    if (e <= s) continue;
    if (s > curEnd) {
      if (curEnd > curStart) busy += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) curEnd = e;
    if (e > lastEnd) lastEnd = e;
  }
  if (curEnd > curStart) busy += curEnd - curStart;
  return { busy, lastEnd };
}

/** Sorts `ids` by start time in place unless they already are (the common case: spans come in order). */
export function sortByStart(ids: Int32Array, start: Float64Array): Int32Array {
  for (let k = 1; k < ids.length; k++) {
    if (start[ids[k]] < start[ids[k - 1]]) return ids.sort((a, b) => start[a] - start[b] || a - b);
  }
  return ids;
}

/** Stable counting sort of span indices by a dense group key; returns the order and each group's offset. */
export function groupBy(keys: Int32Array, groups: number): { order: Int32Array; offset: Int32Array } {
  const offset = new Int32Array(groups + 1);
  for (let i = 0; i < keys.length; i++) offset[keys[i] + 1]++;
  for (let g = 0; g < groups; g++) offset[g + 1] += offset[g];
  const fill = offset.slice(0, groups);
  const order = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) order[fill[keys[i]]++] = i;
  return { order, offset };
}

const NO_INDICES = new Int32Array(0);

/**
 * The indices 0..n−1 grouped by the value of `column` at each (a thread or region id column), in
 * index order within a group: one Int32Array for all, each group a subarray of it. A counting
 * pass, no array per group; an id the column never holds gets an empty array.
 */
export function indicesBy(column: ArrayLike<number>, n: number): (id: number) => Int32Array {
  const slot = new Map<number, number>();
  const slots = new Int32Array(n);
  let last = NaN, lastSlot = -1;
  for (let k = 0; k < n; k++) {
    const v = column[k];
    if (v !== last) {
      last = v;
      lastSlot = slot.get(v) ?? -1;
      if (lastSlot < 0) slot.set(v, (lastSlot = slot.size));
    }
    slots[k] = lastSlot;
  }
  const { order, offset } = groupBy(slots, slot.size);
  return (id) => {
    const s = slot.get(id);
    return s === undefined ? NO_INDICES : order.subarray(offset[s], offset[s + 1]);
  };
}
