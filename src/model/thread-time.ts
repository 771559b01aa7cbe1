// How one thread spent a window (a region): in task code, before its first task, between its
// tasks, after its last. Pure arithmetic over span intervals; analysis.ts sums it per region.

/** A thread's time in a window [from, to], µs; startDelay + busy + gaps + tailIdle = to − from. */
export interface ThreadTimeSplit {
  /** Union of its task spans clipped to the window. */
  busy: number;
  /** End of its last task in the window; -Infinity when it ran none there. */
  lastEnd: number;
  /** from → start of its first task (all the window's time counts as tailIdle when it ran none). */
  startDelay: number;
  /** Time between its tasks: claiming, stealing, backing off, waiting for spawned work, descheduled. */
  gaps: number;
  /** Number of gaps (tasks that touch or overlap merge and leave none between them). */
  gapCount: number;
  /** End of its last task → to. */
  tailIdle: number;
}

/**
 * The split for the spans `ids` (sorted by start) of one thread, clipped to [from, to]. Each
 * gap's length is written to `gapsOut` from index `gapsAt` on (room for ids.length entries).
 */
export function splitThreadTime(ids: Int32Array, start: Float64Array, end: Float64Array, from: number, to: number,
  gapsOut: Float64Array, gapsAt: number): ThreadTimeSplit {
  let busy = 0, gaps = 0, gapCount = 0;
  let first = Infinity, curStart = 0, curEnd = -Infinity, lastEnd = -Infinity;
  for (let k = 0; k < ids.length; k++) {
    const i = ids[k];
    const s = start[i] > from ? start[i] : from;
    const e = end[i] < to ? end[i] : to;
    if (e <= s) continue;
    if (first === Infinity) {
      first = s;
      curStart = s;
      curEnd = e;
    } else if (s > curEnd) {
      busy += curEnd - curStart;
      const gap = s - curEnd;
      gaps += gap;
      gapsOut[gapsAt + gapCount++] = gap;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) curEnd = e;
    if (e > lastEnd) lastEnd = e;
  }
  const wall = Math.max(0, to - from);
  if (first === Infinity) return { busy: 0, lastEnd, startDelay: 0, gaps: 0, gapCount: 0, tailIdle: wall };
  busy += curEnd - curStart;
  return { busy, lastEnd, startDelay: first - from, gaps, gapCount, tailIdle: Math.max(0, to - lastEnd) };
}
