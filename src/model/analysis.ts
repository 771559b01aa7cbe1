// Parallel-performance metrics of a report, for the whole run and per region (pool operation).
// Definitions (docs/report-format.md, "Metrics"), with p threads, wall time W and busy_i:
//   utilization = Σ busy_i / (p·W)          imbalance = max busy_i / mean busy_i (1 = perfect)
//   potentialGainMs = W − Σ busy_i / p      tailMs = end − the moment the first thread ran out of work
// busy_i is the union of thread i's spans clipped to the window, so nested or overlapping spans
// never make busy exceed W. Threads that could run the work but ran none count with busy 0.
// Nothing ran (no spans): utilization 0, imbalance 1, potentialGainMs 0, tailMs 0.
import type { Dropped, ExitStatus, Region, RegionKind, Report } from './report';
import { hotFunctions } from './hot-functions';
import { cappedSelfWeights, sampleCapUs } from './unsampled';
import { addFormat2Metrics } from './analysis-v2';
import type { PhaseMetrics } from './phases';
import { indexProfile } from './profile-index';
import { groupBy, percentiles, sortByStart, unionLength } from './stats';
import { splitThreadTime } from './thread-time';
import { SPAN_DERIVED, SPAN_NO_ENQUEUE, tasksAreQueued } from './report';
import { peakOfLanes, peakThreads } from './interop-busy';
import type { Percentiles } from './stats';
import { lifeSlots, slotSplits, type Life } from './thread-slots';

export type { Percentiles } from './stats';

/** A hot function of one thread; times in ms. */
export interface FunctionSummary {
  name: string;
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  selfMs: number;
  totalMs: number;
  /** Since format 2: the same as CPU time (samples weighed by the thread's on-CPU share, src/model/cpu-time.ts); ≤ the thread's onCpuMs. */
  selfCpuMs?: number;
  totalCpuMs?: number;
}

export interface ThreadMetrics {
  id: number;
  name: string;
  kind: 'main' | 'worker';
  /** Time in task spans over the whole run (overlaps merged), ms. */
  busyMs: number;
  tasks: number;
  /** CPU samples in the thread's profile (0 when not profiled), idle ones included. */
  samples: number;
  /** Of `samples`, for profiled threads: on code ('(program)' and GC count) and idle: '(idle)' or the pool's own wait for work (nothing to run; isIdleFrame). */
  busySamples?: number;
  idleSamples?: number;
  /** Since format 2, where the platform tells (src/model/cpu-time.ts): ms on a CPU since the thread was created. */
  onCpuMs?: number;
  /**
   * Set when the thread's CPU readings stopped well before it ended (a loop that never yields runs
   * no timer): ms of its last reading, and of its end. onCpuMs is then a lower bound, and the CPU
   * share of its functions is not given.
   */
  cpuReadingsEndMs?: number;
  lifeEndMs?: number;
  /** ms runnable but waiting for a CPU (descheduled); absent when the source does not tell. */
  runnableMs?: number;
  /** Of busyMs, the part on a CPU (upper estimate). */
  busyOnCpuMs?: number;
  /** Of busyMs, the part runnable but waiting for a CPU: descheduled (schedstat only). */
  busyRunnableMs?: number;
  cpuSource?: 'schedstat' | 'threadCpuUsage';
  /** ms blocked in the user's Atomics.wait calls (format 2). */
  waitMs?: number;
  /** Top 5 functions by self time. */
  topFunctions: FunctionSummary[];
}

export interface RegionThreadMetrics {
  id: number;
  /** Time in this region's spans, clipped to the region, ms. */
  busyMs: number;
  /** wallMs − busyMs = startDelayMs + gapMs + tailIdleMs. */
  idleMs: number;
  /** Region start → its first task (0 when it ran none: its idle time is all tail). */
  startDelayMs: number;
  /** Sum of the gaps between its tasks: claiming, stealing, backing off, waiting for spawned work. */
  gapMs: number;
  /** End of its last task → region end (the whole wall when it ran none). */
  tailIdleMs: number;
  tasks: number;
  /** ms of the region blocked in the user's Atomics.wait calls (format 2). */
  waitMs?: number;
  /**
   * Of busyMs, the part not waiting for a core: on a core, or blocked (Atomics.wait, I/O), ms.
   * schedstat only (format 2): what the thread's tasks took had it never been descheduled.
   */
  busyScheduledMs?: number;
  /**
   * Of busyMs, the work, ms (cpu-time.ts busyWork): a busy stretch on a core at least half its
   * time not waiting for one is CPU work and counts its time on a core (time neither on a core nor
   * waiting for one is the machine's: GC waiting for helpers, page faults); others count their
   * time not waiting for a core, as busyScheduledMs. schedstat only.
   */
  busyWorkMs?: number;
  /** Of busyMs, the part on a core, ms (format 2, where the platform tells): the work that compare's critical path judges. */
  busyOnCpuMs?: number;
}

/**
 * Where a region's thread time (wallMs × threads) went, ms, summed over its threads; the four
 * parts add up to wallMs × threads. Threads that could run its tasks but ran none count whole
 * as tail idle.
 */
export interface ThreadTimeSplitMs {
  threads: number;
  /** In task spans (the union per thread). */
  taskMs: number;
  /** Region start → each thread's first task: handing the operation to the threads. */
  startDelayMs: number;
  /** Between a thread's tasks: claiming chunks, stealing, backing off, waiting for spawned work. */
  gapMs: number;
  /** After each thread's last task: out of work while others finished. */
  tailIdleMs: number;
}

/** The load-balance numbers computed alike for the whole run and for each region (docs/report-format.md defines them). */
export interface BalanceMetrics {
  /** Wall time of the window, ms. */
  wallMs: number;
  utilization: number;
  imbalance: number;
  potentialGainMs: number;
  tailMs: number;
  /**
   * Submit → start of the window's queued tasks only (join tasks, messages of instrumented
   * pools), ms; all 0 when it has none. Chunks of map/forEach/reduce are pulled by the threads
   * from the operation's index, not queued: their waiting shows as each thread's start delay
   * and the gaps between its chunks (RegionMetrics.startDelayMs, chunkGapMs, threadTime).
   */
  queueWaitMs: Percentiles;
}

export interface RegionMetrics extends BalanceMetrics {
  id: number;
  name: string;
  kind: RegionKind;
  schedule: Region['schedule'];
  /** end − start; unfinished regions end at their last span end (or the run end if they have none). */
  wallMs: number;
  /** end − start of the region's tasks, ms. */
  taskMs: Percentiles;
  tasks: number;
  /** steal schedule: ranges stolen (the first task run from each carries stolenFrom); join: tasks taken from another thread's deque. */
  steals: number;
  /**
   * When its threads took turns (thread-slots.ts): how often one slot's thread gave way to the next
   * (`count`), the time those hand-overs took, one thread's last task to the next one's first, summed
   * over the slots (`ms`, part of threadTime.startDelayMs), and the most any one slot spent in them (`maxSlotMs`).
   */
  handovers?: { count: number; ms: number; maxSlotMs: number };
  /** Tasks that waited in a queue (join, external pools): those queueWaitMs covers. */
  queuedTasks: number;
  /** Region start → first task, over the threads that ran tasks, ms. */
  startDelayMs: Percentiles;
  /** Gaps between consecutive tasks of a thread (claim and steal overhead, waiting), ms. */
  chunkGapMs: Percentiles;
  threadTime: ThreadTimeSplitMs;
  /** Threads that ran its tasks, and idle workers of its pool alive during it. */
  threads: RegionThreadMetrics[];
  /** Format 2 (src/model/phases.ts): the user's call from call to end, ms (waiting for pool start-up included). */
  callMs?: number;
  /** ms of [called, end] during which workers of its pool were starting. */
  startupMs?: number;
  /** The part of startupMs inside [start, end]: workers still starting while others ran its tasks (RegionPhaseMetrics). */
  startupInWallMs?: number;
  /** Utilization over the time its threads were ready (start-up excluded). */
  utilizationAfterStartup?: number;
  /** ms its threads were blocked in the user's Atomics.wait calls. */
  waitMs?: number;
  /**
   * Imbalance of the work itself: max / mean over its threads of busyWorkMs (busy time with
   * the time waiting for a core left out; for CPU work, its time on a core). schedstat only; on a loaded machine the wall-time
   * `imbalance` measures descheduling as much as the split of the work, this one does not.
   */
  cpuImbalance?: number;
}

/** What the CLI's `--json` prints. Top-level keys are a contract: add new ones under `extra`. */
export interface RunMetrics extends BalanceMetrics {
  /** Whole-run window: first region start to last region end (no regions: 0 to the run's duration), ms. */
  wallMs: number;
  threads: ThreadMetrics[];
  regions: RegionMetrics[];
  dropped: Dropped;
  exit: ExitStatus;
  extra: {
    /** The whole-run window, µs from origin. */
    start: number;
    end: number;
    /** Threads that ran at least one span: p of the whole run, unless they lived one after another (concurrentThreads). */
    workerThreads: number;
    /**
     * When the threads that ran spans lived one after another (a pool that replaces its workers):
     * the most of them alive at one instant, the whole run's p (thread-slots.ts). Absent otherwise.
     */
    concurrentThreads?: number;
    tasks: number;
    steals: number;
    failedTasks: number;
    taskMs: Percentiles;
    /** Tasks that waited in a queue: those queueWaitMs covers (RegionMetrics.queuedTasks, summed). */
    queuedTasks: number;
    /** RegionMetrics.threadTime summed over regions. */
    threadTime: ThreadTimeSplitMs;
    /** The most threads inside a span (task or derived) at one instant: threads that never ran at once did not compete for cores. */
    peakThreads: number;
    /** Spans that are busy time derived from CPU samples (SPAN_DERIVED), not tasks: counted in busy time only. */
    derivedSpans: number;
    /** Format 2: the run's phases, spawn to exit (src/model/phases.ts). */
    phases?: PhaseMetrics;
    /** Format 2: ms all threads were blocked in the user's Atomics.wait calls. */
    waitMs?: number;
    /** Format 2, schedstat: RegionMetrics.cpuImbalance for the whole run: each thread's work (busyWork over all its busy time), max over mean. */
    cpuImbalance?: number;
  };
}

const MS = 1 / 1000;
const EMPTY_INT = new Int32Array(0), EMPTY_FLOAT = new Float64Array(0);

interface WindowResult {
  utilization: number;
  imbalance: number;
  potentialGainMs: number;
  tailMs: number;
}

/** The four balance metrics of one window from per-thread busy time and last span end (µs). */
function balance(p: number, from: number, to: number, busy: number[], lastEnd: number[]): WindowResult {
  const wall = to - from;
  const sum = busy.reduce((a, b) => a + b, 0);
  if (sum <= 0 || p <= 0) return { utilization: 0, imbalance: 1, potentialGainMs: 0, tailMs: 0 };
  const max = busy.reduce((a, b) => Math.max(a, b), 0);
  // Threads that could run the work but ran none finished "at the start".
  let firstDone = busy.length < p ? from : Infinity;
  for (const e of lastEnd) firstDone = Math.min(firstDone, e);
  return {
    utilization: wall > 0 ? sum / (p * wall) : 0,
    imbalance: max / (sum / p),
    potentialGainMs: Math.max(0, wall - sum / p) * MS,
    tailMs: Math.max(0, to - firstDone) * MS,
  };
}

/**
 * The slots of threads that ran spans in [from, to] and lived one after another (thread-slots.ts),
 * with each slot's split of the window and each thread's life in it; undefined when they were all
 * alive together at some instant (then each thread is its own slot, as always). A life is the
 * thread's recorded one widened to its spans, so that threads sharing a slot never overlap in busy
 * time; a thread the report does not list lives through the whole window.
 */
function bySlotsOf(threads: Report['threads']) {
  return (ran: readonly { t: number; busy: number; gaps: number; first: number; lastEnd: number }[], from: number, to: number) => {
    if (ran.length < 2) return undefined;
    const lives: Life[] = ran.map((x) => {
      const th = threads[x.t];
      const start = Math.max(from, Math.min(th ? th.start : from, x.first));
      const end = Math.min(to, Math.max(th?.end ?? to, x.lastEnd));
      return { start, end: Math.max(start, end) };
    });
    const slots = lifeSlots(lives);
    return slots && { lives, slots: slots.slots, splits: slotSplits(slots.slots, slots.slotOf, ran, from, to) };
  };
}

/**
 * Maps each id in `column` to its position in `ids` (ids.length when absent). A lookup table when
 * the ids are small integers (always, in practice: thread and region ids count from 0), else a Map.
 */
function denseIds(column: ArrayLike<number>, ids: number[], n: number): Int32Array {
  const out = new Int32Array(n);
  const maxId = ids.reduce((a, b) => Math.max(a, b), -1);
  if (ids.every((id) => Number.isInteger(id) && id >= 0) && maxId < 1 << 20) {
    const table = new Int32Array(maxId + 1).fill(ids.length);
    ids.forEach((id, i) => (table[id] = i));
    for (let i = 0; i < n; i++) {
      const v = column[i];
      out[i] = v >= 0 && v <= maxId ? table[v] : ids.length;
    }
    return out;
  }
  const map = new Map<number, number>();
  ids.forEach((id, i) => map.set(id, i));
  for (let i = 0; i < n; i++) out[i] = map.get(column[i]) ?? ids.length;
  return out;
}

/** The (region, thread) cell of every span, for grouping: region slot × T + thread slot. */
function regionThreadKeys(spanRegion: Int32Array, spanThread: Int32Array, T: number): Int32Array {
  const keys = new Int32Array(spanRegion.length);
  for (let i = 0; i < keys.length; i++) keys[i] = spanRegion[i] * T + spanThread[i];
  return keys;
}

/** A column as a Float64Array: itself when it is one (the runner's and the packed loader's), else a copy. */
function float64(column: ArrayLike<number>, n: number): Float64Array {
  if (column instanceof Float64Array && column.length === n) return column;
  // Filled by a loop: `new Float64Array(array)` takes a slow generic path (~100 ms for 1M entries).
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = column[i];
  return out;
}

/**
 * Memory: besides the report's columns, two Int32Array per span (thread and region slots), their
 * two group orders (Int32Array), the (region, thread) keys while grouping, and one Float64Array
 * per span for each of: task durations, gaps, and queue waits when there are queued tasks (reused
 * by the regions and then the whole run). Nothing is an object or a closure per span.
 */
export function analyze(report: Report): RunMetrics {
  const s = report.spans;
  const n = s.count;
  const T = report.threads.length + 1; // last slot: a thread id the thread list lacks
  const R = report.regions.length + 1;
  let spanThread = denseIds(s.thread, report.threads.map((t) => t.id), n);
  let spanRegion = denseIds(s.region, report.regions.map((r) => r.id), n);
  const spanStart = float64(s.start, n);
  const spanEnd = float64(s.end, n);
  // Each thread's spans in start order: for the peak now, the whole run's balance later.
  const byThread = groupBy(spanThread, T);
  const lanes: Int32Array[] = [];
  for (let t = 0; t < T; t++) lanes.push(sortByStart(byThread.order.subarray(byThread.offset[t], byThread.offset[t + 1]), spanStart));
  // The last slot mixes threads the list lacks (an unvalidated report): they are told apart there.
  const peak = lanes[T - 1].length === 0 ? peakOfLanes(lanes, spanStart, spanEnd) : peakThreads(s);
  const flags = s.flags;
  const lastSpanEnd = new Float64Array(R).fill(-Infinity);
  // Tasks of join and external regions wait in a queue; chunks of map/forEach/reduce do not
  // (threads pull them from the operation's index). Spans of an unknown region count as queued.
  const queuedRegion = new Uint8Array(R).fill(1);
  report.regions.forEach((reg, r) => { queuedRegion[r] = tasksAreQueued(reg.kind) ? 1 : 0; });
  // Derived spans (SPAN_DERIVED: busy time read from CPU samples) are not tasks: no counts, waits or durations.
  // Queued: a task whose submit is known (not SPAN_NO_ENQUEUE: a raw worker's message) in a queued region.
  let steals = 0, failed = 0, queued = 0, taskCount = 0;
  for (let i = 0; i < n; i++) {
    const r = spanRegion[i];
    const end = spanEnd[i];
    if (end > lastSpanEnd[r]) lastSpanEnd[r] = end;
    const f = flags === undefined ? 0 : flags[i];
    if ((f & SPAN_DERIVED) === 0) {
      taskCount++;
      if (queuedRegion[r] && (f & SPAN_NO_ENQUEUE) === 0) queued++;
    }
    if (s.stolenFrom[i] >= 0) steals++;
    if (s.failed[i]) failed++;
  }
  const isTask = (i: number): boolean => flags === undefined || (flags[i] & SPAN_DERIVED) === 0;
  const isQueued = (i: number, r: number): boolean => queuedRegion[r] === 1 && (flags === undefined || (flags[i] & (SPAN_DERIVED | SPAN_NO_ENQUEUE)) === 0);
  const waitOf = (i: number): number => {
    const wait = spanStart[i] - s.enqueue[i];
    return wait > 0 ? wait : 0;
  };
  const runEndUs = report.meta.durationUs;
  const regionEnd = report.regions.map((r, i) => r.end ?? (lastSpanEnd[i] > -Infinity ? Math.max(r.start, lastSpanEnd[i]) : Math.max(r.start, runEndUs)));

  let byRegion = groupBy(regionThreadKeys(spanRegion, spanThread, T), R * T);
  // Scratch for percentiles, reused region after region and then for the whole run.
  let waits = new Float64Array(queued);
  let durations = new Float64Array(taskCount);
  let gapValues = new Float64Array(n);
  const runThreadTime: ThreadTimeSplitMs = { threads: 0, taskMs: 0, startDelayMs: 0, gapMs: 0, tailIdleMs: 0 };

  const bySlots = bySlotsOf(report.threads);
  const regions: RegionMetrics[] = report.regions.map((reg, r) => {
    const from = reg.start, to = regionEnd[r];
    const rows: RegionThreadMetrics[] = [];
    const busy: number[] = [], lastEnd: number[] = [], startDelays: number[] = [];
    let tasks = 0, regionQueued = 0, regionSteals = 0, gapCount = 0;
    const split: ThreadTimeSplitMs = { threads: 0, taskMs: 0, startDelayMs: 0, gapMs: 0, tailIdleMs: 0 };
    /** Each thread with spans in the region: its slot in `report.threads`, its split's busy and gaps, first span start and last end (µs). */
    const ran: { t: number; busy: number; gaps: number; first: number; lastEnd: number }[] = [];
    for (let t = 0; t < T; t++) {
      // Most (region, thread) cells are empty: skip them before making a subarray (GC-heavy at 4M cells).
      if (byRegion.offset[r * T + t] === byRegion.offset[r * T + t + 1]) continue;
      const ids = byRegion.order.subarray(byRegion.offset[r * T + t], byRegion.offset[r * T + t + 1]);
      if (ids.length === 0) continue;
      sortByStart(ids, spanStart);
      const u = splitThreadTime(ids, spanStart, spanEnd, from, to, gapValues, gapCount);
      gapCount += u.gapCount;
      const tasksBefore = tasks;
      for (let k = 0; k < ids.length; k++) {
        const i = ids[k];
        if (!isTask(i)) continue;
        if (isQueued(i, r)) waits[regionQueued++] = waitOf(i);
        durations[tasks++] = spanEnd[i] - spanStart[i];
        if (s.stolenFrom[i] >= 0) regionSteals++;
      }
      busy.push(u.busy);
      lastEnd.push(u.lastEnd > -Infinity ? u.lastEnd : from);
      if (u.lastEnd > -Infinity) startDelays.push(u.startDelay);
      ran.push({ t, busy: u.busy, gaps: u.gaps, first: u.lastEnd > -Infinity ? from + u.startDelay : Infinity, lastEnd: u.lastEnd });
      split.taskMs += u.busy * MS;
      split.startDelayMs += u.startDelay * MS;
      split.gapMs += u.gaps * MS;
      split.tailIdleMs += u.tailIdle * MS;
      const id = t < report.threads.length ? report.threads[t].id : s.thread[ids[0]];
      rows.push({ id, busyMs: u.busy * MS, idleMs: Math.max(0, to - from - u.busy) * MS,
        startDelayMs: u.startDelay * MS, gapMs: u.gaps * MS, tailIdleMs: u.tailIdle * MS, tasks: tasks - tasksBefore });
    }
    // Threads that lived one after another count as the slots they took turns in (thread-slots.ts).
    const slotted = bySlots(ran, from, to);
    let handovers: RegionMetrics['handovers'];
    if (slotted) {
      handovers = { count: 0, ms: 0, maxSlotMs: 0 };
      for (const sp of slotted.splits) {
        handovers.count += sp.handovers;
        handovers.ms += sp.handover * MS;
        handovers.maxSlotMs = Math.max(handovers.maxSlotMs, sp.handover * MS);
      }
      busy.length = lastEnd.length = startDelays.length = 0;
      split.taskMs = split.startDelayMs = split.gapMs = split.tailIdleMs = 0;
      for (const sp of slotted.splits) {
        busy.push(sp.busy);
        lastEnd.push(sp.ran ? sp.lastEnd : from);
        if (sp.ran) startDelays.push(sp.startDelay);
        split.taskMs += sp.busy * MS;
        split.startDelayMs += sp.startDelay * MS;
        split.gapMs += sp.gaps * MS;
        split.tailIdleMs += sp.tailIdle * MS;
      }
      // Each thread's own row over its life in the window: no start delay before it existed, no idle after it ended.
      ran.forEach((x, k) => {
        const row = rows[k], life = slotted.lives[k];
        row.idleMs = Math.max(0, life.end - life.start - x.busy) * MS;
        row.startDelayMs = x.first < Infinity ? Math.max(0, x.first - life.start) * MS : 0;
        row.tailIdleMs = Math.max(0, life.end - (x.lastEnd > -Infinity ? x.lastEnd : life.start)) * MS;
      });
    }
    // Idle workers of the region's pool that were alive during it: they could have helped.
    const listed = new Set(rows.map((x) => x.id));
    for (const th of report.threads) {
      if (th.kind !== 'worker' || th.pool !== reg.pool || listed.has(th.id)) continue;
      if (th.start >= to || (th.end !== undefined && th.end <= from)) continue;
      rows.push({ id: th.id, busyMs: 0, idleMs: (to - from) * MS, startDelayMs: 0, gapMs: 0, tailIdleMs: (to - from) * MS, tasks: 0 });
    }
    rows.sort((a, b) => a.id - b.id);
    // Slots: as many threads as could run at once. An external pool's `threads` counts every worker
    // it started; our own pool's is its size, which workers that replaced dead ones do not add to.
    const p = slotted ? Math.max(slotted.slots, reg.kind === 'external' ? 0 : reg.threads) : Math.max(reg.threads, busy.length);
    // Threads that could have run tasks but ran none: the whole wall is tail idle.
    split.threads = p;
    split.tailIdleMs += (p - busy.length) * Math.max(0, to - from) * MS;
    for (const k of ['threads', 'taskMs', 'startDelayMs', 'gapMs', 'tailIdleMs'] as const) runThreadTime[k] += split[k];
    return {
      id: reg.id, name: reg.name, kind: reg.kind, schedule: reg.schedule, wallMs: (to - from) * MS,
      ...balance(p, from, to, busy, lastEnd),
      queueWaitMs: percentiles(waits, regionQueued, MS), taskMs: percentiles(durations, tasks, MS),
      tasks, steals: regionSteals, queuedTasks: regionQueued,
      startDelayMs: percentiles(Float64Array.from(startDelays), startDelays.length, MS),
      chunkGapMs: percentiles(gapValues, gapCount, MS),
      threadTime: split, threads: rows, ...(handovers ? { handovers } : {}),
    };
  });

  // Whole run: the window spans every region; p = threads that ran spans.
  let runStart = 0, runEnd = runEndUs;
  if (report.regions.length) {
    // Loops, not Math.min(...xs): a spread of many thousand regions overflows the stack.
    runStart = Infinity;
    runEnd = -Infinity;
    report.regions.forEach((r, i) => {
      runStart = Math.min(runStart, r.start);
      runEnd = Math.max(runEnd, regionEnd[i]);
    });
  }
  let busy: number[] = [], lastEnd: number[] = [];
  const threadBusy = new Float64Array(T);
  const threadTasks = new Int32Array(T);
  // Gaps are not needed here: the whole run's thread time is its regions'.
  const ranInRun: { t: number; busy: number; gaps: number; first: number; lastEnd: number }[] = [];
  for (let t = 0; t < T; t++) {
    const ids = lanes[t];
    if (ids.length === 0) continue;
    const u = unionLength(ids, spanStart, spanEnd, runStart, runEnd);
    busy.push(u.busy);
    lastEnd.push(u.lastEnd > -Infinity ? u.lastEnd : runStart);
    let first = Infinity;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k];
      if (spanEnd[i] > runStart && spanStart[i] < runEnd && spanStart[i] < first) first = Math.max(runStart, spanStart[i]);
    }
    ranInRun.push({ t, busy: u.busy, gaps: 0, first, lastEnd: u.lastEnd });
    threadBusy[t] = unionLength(ids, spanStart, spanEnd, -Infinity, Infinity).busy;
    for (let k = 0; k < ids.length; k++) if (isTask(ids[k])) threadTasks[t]++;
  }
  const workerThreads = busy.length;
  // Threads that lived one after another: the whole run's balance counts the slots they took turns in.
  const runSlots = bySlots(ranInRun, runStart, runEnd);
  if (runSlots) {
    busy = runSlots.splits.map((sp) => sp.busy);
    lastEnd = runSlots.splits.map((sp) => (sp.ran ? sp.lastEnd : runStart));
  }

  const capUs = sampleCapUs(report);
  const profilesOf = new Map<number, Report['profiles']>();
  for (const tp of report.profiles) profilesOf.set(tp.thread, [...(profilesOf.get(tp.thread) ?? []), tp]);
  const threads: ThreadMetrics[] = report.threads.map((th, t) => {
    let samples = 0;
    const topFunctions: FunctionSummary[] = [];
    for (const tp of profilesOf.get(th.id) ?? []) {
      samples += tp.profile.samples.length;
      const index = indexProfile(tp.profile);
      // The runtime's own frames (pool, recorder, preload) are one 'parprof runtime' entry, as in the views.
      for (const f of hotFunctions(index, cappedSelfWeights(index, capUs), 5)) {
        topFunctions.push({ name: f.name, file: f.file, line: f.line, selfMs: f.self * MS, totalMs: f.total * MS });
      }
    }
    topFunctions.sort((a, b) => b.selfMs - a.selfMs);
    return { id: th.id, name: th.name, kind: th.kind, busyMs: threadBusy[t] * MS, tasks: threadTasks[t], samples, topFunctions: topFunctions.slice(0, 5) };
  });

  // The whole run's waits and task durations, in the scratch the regions used.
  let q = 0, d = 0;
  for (let i = 0; i < n; i++) {
    if (!isTask(i)) continue;
    if (isQueued(i, spanRegion[i])) waits[q++] = waitOf(i);
    durations[d++] = spanEnd[i] - spanStart[i];
  }
  const metrics: RunMetrics = {
    wallMs: (runEnd - runStart) * MS,
    ...balance(busy.length, runStart, runEnd, busy, lastEnd),
    queueWaitMs: percentiles(waits, q, MS),
    threads,
    regions,
    dropped: report.dropped,
    exit: report.exit,
    extra: {
      start: runStart, end: runEnd, workerThreads, ...(runSlots ? { concurrentThreads: runSlots.slots } : {}), tasks: taskCount, steals, failedTasks: failed, taskMs: percentiles(durations, d, MS),
      queuedTasks: queued, threadTime: runThreadTime, peakThreads: peak, derivedSpans: n - taskCount,
    },
  };
  // The span-sized scratch is done with: let go before the format-2 metrics allocate theirs (each
  // thread's merged busy intervals, 80 MB a thread at 10M spans), so the two never add up.
  spanThread = spanRegion = EMPTY_INT;
  waits = durations = gapValues = EMPTY_FLOAT;
  byRegion = { order: EMPTY_INT, offset: EMPTY_INT };
  const slotOf = new Map(report.threads.map((th, t) => [th.id, t]));
  const other = byThread.order.subarray(byThread.offset[T - 1], byThread.offset[T]);
  addFormat2Metrics(report, metrics, (id) => {
    const t = slotOf.get(id);
    // Threads missing from the thread list share the last slot (an unvalidated report only).
    return t !== undefined ? byThread.order.subarray(byThread.offset[t], byThread.offset[t + 1]) : other.filter((i) => s.thread[i] === id);
  });
  return metrics;
}
