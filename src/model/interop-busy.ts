// Busy time of threads that handle no messages, and how many threads ran at once. Workers that
// pull their work through shared memory (eslint's Atomics.add index) or run one long job give
// the recorder no message to make a span of; their lane would be empty while they burned CPU.
// Their CPU samples say when they were busy: those stretches become 'derived' spans
// (SPAN_DERIVED), which count as busy time and never as tasks. Pure: data in, data out.
import type { CpuProfile, CpuProfileNode, SpanColumns } from './report';
import { sortRuns } from './stats';

/** Stretches [start[k], end[k]] when a thread was busy, µs on the caller's clock. */
export interface BusyStretches { start: number[]; end: number[] }

const IDLE_FRAME = '(idle)';

/**
 * When the thread of `profile` was busy: each sample stands for the time since the one before it
 * (V8's attribution), and consecutive busy samples merge. A sample is idle when V8 says so
 * ('(idle)': the event loop waiting) or when it falls in one of the thread's blocking
 * Atomics.wait calls (`waits`: start, end pairs in call order), where V8 still shows the
 * caller's stack. `offsetUs` is subtracted from the profile's times (V8's clock → the caller's);
 * `waits` are on the caller's clock.
 */
export function busyFromSamples(profile: CpuProfile, waits: ArrayLike<number> | undefined, offsetUs: number): BusyStretches {
  const idle = new Set<number>();
  for (const n of profile.nodes as CpuProfileNode[]) if (n.callFrame.functionName === IDLE_FRAME) idle.add(n.id);
  const out: BusyStretches = { start: [], end: [] };
  let t = profile.startTime - offsetUs;
  let w = 0;
  const nWaits = waits ? Math.floor(waits.length / 2) : 0;
  let open = false;
  for (let k = 0; k < profile.samples.length; k++) {
    const prev = t;
    t += profile.timeDeltas[k] ?? 0;
    while (w < nWaits && waits![2 * w + 1] < t) w++;
    const waiting = w < nWaits && waits![2 * w] <= t;
    const busy = !idle.has(profile.samples[k]) && !waiting;
    if (busy && open) out.end[out.end.length - 1] = t;
    else if (busy) {
      out.start.push(prev);
      out.end.push(t);
      open = true;
    } else open = false;
  }
  return out;
}

/**
 * The most threads that were inside a span at the same instant (spans of one thread merged first,
 * so a thread's overlapping or nested spans count once). O(n log n) in spans.
 */
export function peakThreads(spans: Pick<SpanColumns, 'count' | 'thread' | 'start' | 'end'>): number {
  const { count, thread: threadOf, start, end } = spans;
  // Spans grouped by thread with a counting pass, not a comparison sort (10M spans sorted with a
  // comparator took seconds); each thread's in start order (recorders mostly write them so).
  const laneOf = new Map<number, number>();
  const laneOfSpan = new Int32Array(count);
  let lanes = 0;
  let lastThread = NaN, lastLane = -1;
  for (let k = 0; k < count; k++) {
    const t = threadOf[k];
    if (t !== lastThread) {
      lastThread = t;
      lastLane = laneOf.get(t) ?? -1;
      if (lastLane < 0) laneOf.set(t, (lastLane = lanes++));
    }
    laneOfSpan[k] = lastLane;
  }
  const firstOf = new Int32Array(lanes + 1);
  for (let k = 0; k < count; k++) firstOf[laneOfSpan[k] + 1]++;
  for (let l = 0; l < lanes; l++) firstOf[l + 1] += firstOf[l];
  const fill = firstOf.slice(0, lanes);
  const order = new Int32Array(count);
  for (let k = 0; k < count; k++) order[fill[laneOfSpan[k]]++] = k;
  // Per-thread unions: their starts and ends, each sorted on its own (typed-array sort, numeric).
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  let m = 0;
  for (let l = 0; l < lanes; l++) {
    let lane = order.subarray(firstOf[l], firstOf[l + 1]);
    let sorted = true;
    for (let i = 1; i < lane.length && sorted; i++) sorted = start[lane[i - 1]] <= start[lane[i]];
    if (!sorted) lane = Int32Array.from(lane).sort((a, b) => start[a] - start[b]);
    const n = lane.length;
    let i = 0;
    while (i < n) {
      const from = start[lane[i]];
      let to = end[lane[i]];
      for (i++; i < n && start[lane[i]] <= to; i++) if (end[lane[i]] > to) to = end[lane[i]];
      if (to > from) { starts[m] = from; ends[m] = to; m++; }
    }
  }
  // One sorted run per thread: merged in O(m log threads), not sorted afresh (1.3 s each at 10M).
  const s = sortRuns(starts.subarray(0, m));
  const e = sortRuns(ends.subarray(0, m));
  let now = 0, peak = 0;
  for (let i = 0, j = 0; i < m; i++) {
    // Ends before starts at the same instant: one thread handing over to another is not overlap.
    while (j < m && e[j] <= s[i]) { now--; j++; }
    now++;
    if (now > peak) peak = now;
  }
  return peak;
}
