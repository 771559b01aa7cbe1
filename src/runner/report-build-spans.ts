// The report's span columns from the threads' span records: typed columns filled batch by batch
// from the spool files (no per-span objects, no copy of the records), ordered by start in place.
import type { SpanColumns } from '../model/report';
import { SPAN_CUT_OFF, SPAN_DERIVED, SPAN_NO_ENQUEUE } from '../model/report';
import { busyFromSamples } from '../model/interop-busy';
import { int32IfIntegers, narrowest } from '../model/packed-report';
import { SPAN_RECORD_FIELDS } from '../runtime/contract';
import type { SpoolEvent } from '../runtime/recorder-events';
import type { ThreadSpool } from './spool';

/** Region key workers use for spans of an instrumented third-party pool (src/runtime/recorder.ts EXTERNAL_REGION). */
export const EXTERNAL_REGION = -1;
/** stolenFrom / parent of a span that was not stolen / has no parent. */
const NONE = -1;

type WorkerEvent = Extract<SpoolEvent, { e: 'worker' }>;
type CutTask = Extract<SpoolEvent, { e: 'cutTask' }>;

/**
 * The tasks cut off on each thread (by tid; 'cutTask' events, written by the thread or by its
 * creator), one per task: a task is its region key, index and start. Cut twice (by the thread
 * when it saved, then by its creator, which found it still inside the task when it ended it),
 * a task ends at the later cut.
 */
export function cutTasksByThread(threads: ThreadSpool[]): Map<number, CutTask[]> {
  const byThread = new Map<number, CutTask[]>();
  for (const t of threads) {
    for (const e of t.events) {
      if (e.e !== 'cutTask') continue;
      const list = byThread.get(e.tid) ?? [];
      const same = list.findIndex((c) => c.region === e.region && c.index === e.index && c.start === e.start);
      if (same < 0) list.push(e);
      else if (e.end > list[same].end) list[same] = e;
      byThread.set(e.tid, list);
    }
  }
  return byThread;
}

/** Span columns as the runner builds them: integers in Int32Array, times and counts in Float64Array. */
interface TypedSpans {
  thread: Int32Array; region: Int32Array; stolenFrom: Int32Array; failed: Int32Array; flags: Int32Array;
  index: Float64Array; first: Float64Array; items: Float64Array; enqueue: Float64Array; start: Float64Array; end: Float64Array; parent: Float64Array;
}
const INT_COLUMNS = ['thread', 'region', 'stolenFrom', 'failed', 'flags'] as const;
const FLOAT_COLUMNS = ['index', 'first', 'items', 'enqueue', 'start', 'end', 'parent'] as const;

/**
 * All span records, sorted by start; external spans get their creator's region, a per-region
 * index, their submit time (queue wait) and their flags (src/runtime/contract.ts: an external
 * span's `index` is its submit key, its `first` its flags). A worker of an external region that
 * handled no messages gets derived spans: when its CPU samples say it was busy.
 *
 * Memory: the twelve columns (76 bytes a span while they are built: five Int32Array, seven
 * Float64Array; then every integer column in the narrowest of Int8/Int16/Int32Array that holds
 * it: 39 bytes a span for one pool's ten million spans), the order (8 bytes a span while sorting) and one scratch column
 * (8 bytes a span) to apply it; the records are read from the spool 4 MB at a time. The columns are the report's: typed arrays, read by
 * index (SpanColumns). A task cut off ('cutTask' events) is a span flagged SPAN_CUT_OFF, ending
 * when it was cut, or at its thread's death (`diedAt`, µs by thread id). The order is the old one exactly: by start, then by thread id, then in the
 * order the thread wrote them.
 */
export function collectSpans(threads: ThreadSpool[], regionId: Map<number, number>, created: Map<number, WorkerEvent>,
  submits: Map<string, Map<number, number>>, drop: (n: number) => void, originUs: number, diedAt = new Map<number, number>()): SpanColumns {
  const derived = threads.map((t) => {
    const creation = created.get(t.tid);
    const external = creation?.region;
    const region = external !== undefined && creation?.lib !== 'parallel-profiler' ? regionId.get(external) : undefined;
    return t.spans.count === 0 && region !== undefined && t.profile ? { region, busy: busyFromSamples(t.profile, t.waits, originUs) } : undefined;
  });
  const cuts = cutTasksByThread(threads);
  let capacity = 0;
  threads.forEach((t, i) => { capacity += t.spans.count + (derived[i]?.busy.start.length ?? 0) + (cuts.get(t.tid)?.length ?? 0); });
  const c: TypedSpans = {
    thread: new Int32Array(capacity), region: new Int32Array(capacity), stolenFrom: new Int32Array(capacity),
    failed: new Int32Array(capacity), flags: new Int32Array(capacity),
    index: new Float64Array(capacity), first: new Float64Array(capacity), items: new Float64Array(capacity), enqueue: new Float64Array(capacity),
    start: new Float64Array(capacity), end: new Float64Array(capacity), parent: new Float64Array(capacity),
  };
  /** Rows whose index is given per region in start order (external spans). */
  const external = new Uint8Array(capacity);
  /** Where each thread's rows begin, in thread id order (rows are laid out thread by thread). */
  const threadStarts: number[] = [];
  let n = 0;
  threads.forEach((t, i) => {
    threadStarts.push(n);
    const creation = created.get(t.tid);
    const creatorRegion = creation?.region;
    const externalId = creatorRegion !== undefined ? regionId.get(creatorRegion) : undefined;
    const submitted = creation ? submits.get(creation.lib) : undefined;
    // Cut-off tasks of this thread; one that ended after all (its span written after the cut) is its span.
    const cut = cuts.get(t.tid) ?? [];
    const cutStarts = new Set(cut.map((c) => c.start));
    const ended = new Set<CutTask>();
    t.spans.read((s) => {
      for (let off = 0; off + SPAN_RECORD_FIELDS <= s.length; off += SPAN_RECORD_FIELDS) {
        const key = s[off];
        if (cutStarts.size > 0 && cutStarts.has(s[off + 5])) {
          for (const c of cut) if (c.region === key && c.index === s[off + 1] && c.start === s[off + 5]) ended.add(c);
        }
        const id = key === EXTERNAL_REGION ? externalId : regionId.get(key);
        // A region whose begin event was never written (killed in between) cannot be reported.
        if (id === undefined) { drop(1); continue; }
        if (n === capacity) { drop(1); continue; } // the file grew since it was counted
        // s: region, index, first, items, enqueue, start, end, stolenFrom, parent, failed (SPAN_FIELDS)
        c.thread[n] = t.tid; c.region[n] = id; c.index[n] = s[off + 1]; c.first[n] = s[off + 2]; c.items[n] = s[off + 3];
        c.enqueue[n] = s[off + 4]; c.start[n] = s[off + 5]; c.end[n] = s[off + 6]; c.stolenFrom[n] = s[off + 7];
        c.parent[n] = s[off + 8]; c.failed[n] = s[off + 9];
        if (key === EXTERNAL_REGION) {
          const at = submitted?.get(c.index[n]);
          if (at !== undefined) c.enqueue[n] = Math.min(at, c.start[n]);
          external[n] = 1;
          // Neither a submit stamp nor a submit time in the message (poolifier's): the wait is unknown, not 0.
          c.flags[n] = c.first[n] | (at === undefined && c.enqueue[n] >= c.start[n] ? SPAN_NO_ENQUEUE : 0);
          c.first[n] = 0;
        }
        n++;
      }
    });
    for (const task of cut) {
      if (ended.has(task)) continue;
      const id = regionId.get(task.region);
      if (id === undefined || n === capacity) { drop(1); continue; }
      c.thread[n] = t.tid; c.region[n] = id; c.index[n] = task.index; c.first[n] = task.first; c.items[n] = task.items;
      // A thread that died ends its task at its death (process.exit() is called before its exit listener cuts the task).
      const death = diedAt.get(t.tid) ?? Infinity;
      c.enqueue[n] = Math.min(task.enqueue, task.start); c.start[n] = task.start; c.end[n] = Math.max(Math.min(task.end, death), task.start);
      c.stolenFrom[n] = task.stolenFrom; c.parent[n] = task.parent; c.failed[n] = 0; c.flags[n] = SPAN_CUT_OFF;
      n++;
    }
    const d = derived[i];
    if (d) {
      for (let k = 0; k < d.busy.start.length && n < capacity; k++, n++) {
        c.thread[n] = t.tid; c.region[n] = d.region; c.index[n] = NONE; c.first[n] = 0; c.items[n] = 1;
        c.enqueue[n] = d.busy.start[k]; c.start[n] = d.busy.start[k]; c.end[n] = d.busy.end[k]; c.stolenFrom[n] = NONE; c.parent[n] = NONE;
        c.failed[n] = 0; c.flags[n] = SPAN_DERIVED;
      }
    }
  });
  for (const col of [c.enqueue, c.start, c.end]) toWholeNanoseconds(col, n);
  const order = startOrder(c.start, threadStarts, n);
  // External spans are numbered per region in start order.
  const nextIndex = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const row = order[k];
    if (!external[row]) continue;
    const next = nextIndex.get(c.region[row]) ?? 0;
    nextIndex.set(c.region[row], next + 1);
    c.index[row] = next;
  }
  const out: Record<string, Float64Array | Int32Array | Int16Array | Int8Array> = { ...permute(c, order, n) };
  // Ids, counts, indices and flags are integers: in the narrowest array that holds them (ten
  // million spans of one pool: 1 byte each for seven of them, 210 MB less for the report's whole
  // life: the write and the summary's analysis).
  for (const name of NARROWABLE) out[name] = int32IfIntegers(out[name]) ?? out[name];
  for (const name of [...INT_COLUMNS, ...NARROWABLE]) out[name] = narrowest(out[name]);
  return { count: n, ...out } as unknown as SpanColumns;
}

const NARROWABLE = ['index', 'first', 'items', 'parent'] as const;


/**
 * Times rounded to the nanosecond, the clock's own resolution (hrtime counts ns): the recorder's
 * hot-path clock is performance.now() plus a fractional offset, whose digits below the ns are
 * noise. Whole ns are what the packed form stores as narrow integers (a 10M-span report inflates
 * to ~210 MB instead of 370 MB, and reads back in less memory) and what JSON writes in fewer digits.
 */
function toWholeNanoseconds(col: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) col[k] = Math.round(col[k] * 1000) / 1000;
}

/** The columns reordered by `order` (row order[k] becomes row k), in place, through one scratch column; cut to n rows. */
function permute(c: TypedSpans, order: Uint32Array, n: number): TypedSpans {
  let identity = true;
  for (let k = 0; k < n && identity; k++) identity = order[k] === k;
  const scratch = identity ? undefined : new Float64Array(n);
  const scratchInt = scratch ? new Int32Array(scratch.buffer, 0, n) : undefined;
  for (const name of FLOAT_COLUMNS) {
    const col = c[name];
    if (scratch) {
      for (let k = 0; k < n; k++) scratch[k] = col[order[k]];
      col.set(scratch);
    }
    c[name] = n < col.length ? col.slice(0, n) : col;
  }
  for (const name of INT_COLUMNS) {
    const col = c[name];
    if (scratchInt) {
      for (let k = 0; k < n; k++) scratchInt[k] = col[order[k]];
      col.set(scratchInt);
    }
    c[name] = n < col.length ? col.slice(0, n) : col;
  }
  return c;
}

/**
 * Row numbers 0..n−1 ordered by start, ties in row order (rows are laid out by thread id, then
 * write order). A natural merge sort: the rows split into ascending runs (a new one at each
 * thread's first row and wherever a start goes back), merged pairwise, the left run first on
 * ties. A thread's records are nearly in start order already, so there are few runs:
 * O(n log runs), no comparator calls; O(n log n) at worst.
 */
export function startOrder(start: Float64Array, threadStarts: number[], n: number): Uint32Array {
  const isThreadStart = new Set(threadStarts);
  let runs = 0;
  for (let k = 0; k < n; k++) if (k === 0 || isThreadStart.has(k) || start[k] < start[k - 1]) runs++;
  let bounds = new Uint32Array(runs + 1);
  let r = 0;
  for (let k = 0; k < n; k++) if (k === 0 || isThreadStart.has(k) || start[k] < start[k - 1]) bounds[r++] = k;
  bounds[runs] = n;
  let order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  let spare = new Uint32Array(runs > 1 ? n : 0);
  while (runs > 1) {
    const merged = new Uint32Array(Math.ceil(runs / 2) + 1);
    let m = 0;
    for (let q = 0; q < runs; q += 2) {
      const lo = bounds[q], mid = bounds[q + 1], hi = q + 2 <= runs ? bounds[Math.min(q + 2, runs)] : mid;
      let i = lo, j = mid, o = lo;
      while (i < mid && j < hi) spare[o++] = start[order[j]] < start[order[i]] ? order[j++] : order[i++];
      while (i < mid) spare[o++] = order[i++];
      while (j < hi) spare[o++] = order[j++];
      merged[m++] = lo;
    }
    merged[m] = n;
    [order, spare] = [spare, order];
    bounds = merged;
    runs = m;
  }
  return order;
}
