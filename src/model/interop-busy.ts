// Busy time of threads that handle no messages, and how many threads ran at once. Workers that
// pull their work through shared memory (eslint's Atomics.add index) or run one long job give
// the recorder no message to make a span of; their lane would be empty while they burned CPU.
// Their CPU samples say when they were busy: those stretches become 'derived' spans
// (SPAN_DERIVED), which count as busy time and never as tasks. Pure: data in, data out.
import { basename } from './processes';
import type { CpuProfile, CpuProfileNode, ProcessInfo, Region, SpanColumns, ThreadInfo, ThreadProfile } from './report';
import { SPAN_DERIVED } from './report';
import { isIdleFrame } from './profile-index';

/** Stretches [start[k], end[k]] when a thread was busy, µs on the caller's clock. */
export interface BusyStretches { start: number[]; end: number[] }

/** Region.fn of a cluster's region: its workers' busy time read from their CPU samples. */
export const CLUSTER_FN = 'cluster';

/**
 * Cluster workers answer connections (or run one job), not messages: nothing makes a span of
 * their work. One external region per primary holds its workers' main threads' busy stretches,
 * read from their CPU samples (SPAN_DERIVED), so their busy time and balance are measured like a
 * pool's workers' that handled no messages. Threads with spans of their own (a pool inside a
 * worker) are left as they are. Ids: regions from `firstRegion`, pools from `firstPool`; times and
 * thread ids are the merged report's (profiles rebased to the origin; `waits` µs from origin).
 * Undefined when the run has no cluster worker with samples.
 */
export function clusterBusy(processes: ProcessInfo[], threads: ThreadInfo[], profiles: ThreadProfile[],
  waits: ArrayLike<readonly [number, number, number]>, withSpans: Set<number>, firstRegion: number, firstPool: number): { regions: Region[]; spans: SpanColumns } | undefined {
  const workersOf = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    if (p.startedBy !== 'cluster') continue;
    const primary = p.ppid ?? -1;
    if (!workersOf.has(primary)) workersOf.set(primary, []);
    workersOf.get(primary)!.push(p);
  }
  if (workersOf.size === 0) return undefined;
  const mainOf = new Map<number, number>();
  for (const t of threads) if (t.kind === 'main' && t.process !== undefined) mainOf.set(t.process, t.id);
  const profilesOf = new Map<number, CpuProfile[]>();
  for (const p of profiles) {
    if (!profilesOf.has(p.thread)) profilesOf.set(p.thread, []);
    profilesOf.get(p.thread)!.push(p.profile);
  }
  const waitsOf = new Map<number, number[]>();
  for (let k = 0; k < waits.length; k++) {
    const [thread, start, end] = waits[k];
    if (!waitsOf.has(thread)) waitsOf.set(thread, []);
    waitsOf.get(thread)!.push(start, end);
  }
  const regions: Region[] = [];
  const spans: SpanColumns = { count: 0, thread: [], region: [], index: [], first: [], items: [], enqueue: [], start: [], end: [], stolenFrom: [], parent: [], failed: [], flags: [] };
  for (const [primary, workers] of workersOf) {
    const region = firstRegion + regions.length;
    let busyThreads = 0, counted = 0;
    for (const w of workers) {
      const thread = mainOf.get(w.pid);
      if (thread === undefined || withSpans.has(thread)) continue;
      counted++;
      let any = false;
      for (const profile of profilesOf.get(thread) ?? []) {
        const busy = busyFromSamples(profile, waitsOf.get(thread), 0);
        for (let k = 0; k < busy.start.length; k++) {
          spans.thread.push(thread); spans.region.push(region); spans.index.push(-1); spans.first.push(0); spans.items.push(1);
          spans.enqueue.push(busy.start[k]); spans.start.push(busy.start[k]); spans.end.push(busy.end[k]);
          spans.stolenFrom.push(-1); spans.parent.push(-1); spans.failed.push(0); spans.flags!.push(SPAN_DERIVED);
          spans.count++;
          any = true;
        }
      }
      if (any) busyThreads++;
    }
    if (busyThreads === 0) continue;
    // The region runs from the first worker's start (its preload) to the last one's end; the
    // first fork is its call, as a pool's first worker's creation is.
    const ends = workers.map((w) => w.end);
    const spawned = workers.flatMap((w) => (w.spawned !== undefined ? [w.spawned] : []));
    const start = Math.min(...workers.map((w) => w.start));
    const script = workers[0].script;
    regions.push({
      id: region, name: `cluster ${script ? basename(script) : `of pid ${primary}`}`, kind: 'external', pool: firstPool + regions.length, fn: CLUSTER_FN,
      schedule: 'external', threads: counted, items: 0, chunkSize: 0, start,
      ...(ends.every((e) => e !== undefined) ? { end: Math.max(start, ...(ends as number[])) } : {}),
      outcome: ends.every((e) => e !== undefined) ? 'ok' : 'unfinished',
      ...(spawned.length > 0 ? { called: Math.min(start, ...spawned) } : {}),
      ...(primary >= 0 ? { process: primary } : {}),
    });
  }
  // Spans in start order, as a part's spans are (the merge interleaves parts by start).
  if (spans.count === 0) return undefined;
  const order = Array.from({ length: spans.count }, (_, i) => i).sort((a, b) => spans.start[a] - spans.start[b] || a - b);
  const sorted = { count: spans.count } as SpanColumns;
  for (const col of ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed', 'flags'] as const) {
    const from = spans[col]!;
    sorted[col] = order.map((i) => from[i]);
  }
  return { regions, spans: sorted };
}


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
  for (const n of profile.nodes as CpuProfileNode[]) if (isIdleFrame(n.callFrame)) idle.add(n.id);
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
  // Thread ids are small integers in practice: a table, not a Map lookup per span (spans of
  // different threads interleave, so the thread changes at nearly every span).
  const laneOf = new Map<number, number>();
  const table = new Int32Array(1024).fill(-1);
  const laneOfSpan = new Int32Array(count);
  let lanes = 0;
  for (let k = 0; k < count; k++) {
    const t = threadOf[k];
    let lane = t >= 0 && t < 1024 && (t | 0) === t ? table[t] : laneOf.get(t) ?? -1;
    if (lane < 0) {
      lane = lanes++;
      if (t >= 0 && t < 1024 && (t | 0) === t) table[t] = lane;
      else laneOf.set(t, lane);
    }
    laneOfSpan[k] = lane;
  }
  const firstOf = new Int32Array(lanes + 1);
  for (let k = 0; k < count; k++) firstOf[laneOfSpan[k] + 1]++;
  for (let l = 0; l < lanes; l++) firstOf[l + 1] += firstOf[l];
  const fill = firstOf.slice(0, lanes);
  const order = new Int32Array(count);
  for (let k = 0; k < count; k++) order[fill[laneOfSpan[k]]++] = k;
  // Each thread's spans in start order, merged into disjoint busy stretches as the sweep reaches
  // them; the threads' stretches are swept together through a heap of threads keyed by their next
  // event (a stretch's start or end). O(n log threads) with no span-sized array of times: sorting
  // or merging ten million starts and ends took 1.3-2 s and 160 MB.
  const laneSpans: Int32Array[] = [];
  for (let l = 0; l < lanes; l++) {
    const lane = order.subarray(firstOf[l], firstOf[l + 1]);
    let sorted = true;
    for (let i = 1; i < lane.length && sorted; i++) sorted = start[lane[i - 1]] <= start[lane[i]];
    laneSpans.push(sorted ? lane : Int32Array.from(lane).sort((a, b) => start[a] - start[b]));
  }
  return peakOfLanes(laneSpans, start, end);
}

/**
 * The most lanes inside a span at one instant: `lanes` holds each thread's span indices in start
 * order. Stops as soon as every lane is busy at once (in a parallel run that comes early: the
 * rest of ten million spans need not be swept).
 */
export function peakOfLanes(lanes: Int32Array[], start: ArrayLike<number>, end: ArrayLike<number>): number {
  const busyLanes = lanes.filter((l) => l.length > 0);
  const sweep = new BusySweep(busyLanes, start, end);
  let now = 0, peak = 0;
  for (let ev = sweep.next(); ev !== 0 && peak < busyLanes.length; ev = sweep.next()) {
    now += ev;
    if (now > peak) peak = now;
  }
  return peak;
}

/**
 * The busy stretches of several threads (each thread's spans in start order, overlapping ones
 * merged) as one stream of events in time order: +1 where a stretch starts, −1 where it ends,
 * ends before starts at the same instant (one thread handing over to another is not overlap).
 */
class BusySweep {
  private readonly pos: Int32Array;
  /** The time of each lane's next event: its current stretch's start, or its end once inside. */
  private readonly key: Float64Array;
  private readonly to: Float64Array;
  /** 1 while the lane is inside its current stretch (next event: its end), 0 before it (its start). */
  private readonly inside: Uint8Array;
  private readonly heap: Int32Array;
  private size = 0;

  constructor(private readonly lanes: Int32Array[], private readonly start: ArrayLike<number>, private readonly end: ArrayLike<number>) {
    const k = lanes.length;
    this.pos = new Int32Array(k);
    this.key = new Float64Array(k);
    this.to = new Float64Array(k);
    this.inside = new Uint8Array(k);
    this.heap = new Int32Array(k);
    for (let l = 0; l < k; l++) {
      if (!this.advance(l)) continue;
      this.heap[this.size] = l;
      this.up(this.size++);
    }
  }

  /** +1, −1, or 0 when every stretch has ended. */
  next(): number {
    if (this.size === 0) return 0;
    const l = this.heap[0];
    if (this.inside[l] === 0) {
      this.inside[l] = 1;
      this.key[l] = this.to[l];
      this.down(0);
      return 1;
    }
    if (this.advance(l)) this.down(0);
    else {
      this.heap[0] = this.heap[--this.size];
      if (this.size > 0) this.down(0);
    }
    return -1;
  }

  /** Moves lane `l` to its next stretch of positive length (false when it has none left). */
  private advance(l: number): boolean {
    const lane = this.lanes[l];
    const { start, end } = this;
    let i = this.pos[l];
    while (i < lane.length) {
      const from = start[lane[i]];
      let to = end[lane[i]];
      for (i++; i < lane.length && start[lane[i]] <= to; i++) if (end[lane[i]] > to) to = end[lane[i]];
      if (to > from) {
        this.pos[l] = i;
        this.key[l] = from;
        this.to[l] = to;
        this.inside[l] = 0;
        return true;
      }
    }
    this.pos[l] = i;
    return false;
  }

  /** Whether lane a's next event comes before lane b's: earlier, or an end against a start at the same instant. */
  private before(a: number, b: number): boolean {
    const ka = this.key[a], kb = this.key[b];
    return ka < kb || (ka === kb && this.inside[a] > this.inside[b]);
  }

  private up(k: number): void {
    const h = this.heap;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.before(h[k], h[p])) return;
      const t = h[k]; h[k] = h[p]; h[p] = t;
      k = p;
    }
  }

  /** Sifts the lane at heap slot k down (its key grew). The comparisons are written out: this runs twice per stretch. */
  private down(k: number): void {
    const h = this.heap, key = this.key, inside = this.inside, size = this.size;
    const l = h[k], kl = key[l], il = inside[l];
    for (;;) {
      const a = 2 * k + 1;
      if (a >= size) break;
      let c = a, kc = key[h[a]], ic = inside[h[a]];
      if (a + 1 < size) {
        const kb = key[h[a + 1]], ib = inside[h[a + 1]];
        if (kb < kc || (kb === kc && ib > ic)) { c = a + 1; kc = kb; ic = ib; }
      }
      if (!(kc < kl || (kc === kl && ic > il))) break;
      h[k] = h[c];
      k = c;
    }
    h[k] = l;
  }
}
