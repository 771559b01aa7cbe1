// Busy time of threads that handle no messages, and how many threads ran at once. Workers that
// pull their work through shared memory (eslint's Atomics.add index) or run one long job give
// the recorder no message to make a span of; their lane would be empty while they burned CPU.
// Their CPU samples say when they were busy: those stretches become 'derived' spans
// (SPAN_DERIVED), which count as busy time and never as tasks. Pure: data in, data out.
import type { CpuProfile, CpuProfileNode, SpanColumns } from './report';

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
  const order = Array.from({ length: spans.count }, (_, k) => k);
  order.sort((a, b) => spans.thread[a] - spans.thread[b] || spans.start[a] - spans.start[b]);
  // Per-thread unions as +1 / -1 edges.
  const at: number[] = [];
  const delta: number[] = [];
  let k = 0;
  while (k < order.length) {
    const thread = spans.thread[order[k]];
    let from = spans.start[order[k]], to = spans.end[order[k]];
    for (k++; k <= order.length; k++) {
      const i = order[k];
      if (k < order.length && spans.thread[i] === thread && spans.start[i] <= to) {
        to = Math.max(to, spans.end[i]);
        continue;
      }
      if (to > from) { at.push(from, to); delta.push(1, -1); }
      if (k === order.length || spans.thread[i] !== thread) break;
      from = spans.start[i];
      to = spans.end[i];
    }
  }
  const edges = Array.from({ length: at.length }, (_, e) => e);
  // Ends before starts at the same instant: one thread handing over to another is not overlap.
  edges.sort((a, b) => at[a] - at[b] || delta[a] - delta[b]);
  let now = 0, peak = 0;
  for (const e of edges) {
    now += delta[e];
    if (now > peak) peak = now;
  }
  return peak;
}
