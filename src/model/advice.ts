// Advice: findings that name a cause, show the numbers behind it, estimate what fixing it would
// save, and point at the timeline range and the pool call it is about. Pure: report and metrics
// in, a list sorted by saving out. docs/report-format.md ("Advice") lists each rule, its trigger
// and its saving formula; the thresholds below are named there too.
import { sampleCapUs } from './unsampled';
import { regionLabels } from './region-labels';
import type { RegionMetrics, RunMetrics, ThreadMetrics } from './analysis';
import type { CpuTimeSeries, Region, Report, WorkerStartup } from './report';
import { SPAN_DERIVED } from './report';
import { CLUSTER_FN } from './interop-busy';
import { evenSpreadMs, replayChunks, taskWorks } from './advice-chunks';
import { indexProfile } from './profile-index';
import { codeWithin, mainThreadWork, profilerFrame, SAMPLE_RUNTIME, workWithin, type MainThreadWork } from './main-thread-work';
import { indicesBy } from './stats';
import { busySplit, cpuSampleWeights, cpuSeriesOf } from './cpu-time';
import { busyOnCpuShare, descheduledShare, DESCHEDULED_MIN_BUSY_MS, DESCHEDULED_SHARE } from './summary-v2';
import { formatCount, formatDurationMs, formatMs, formatPercent, formatPlural as plural, formatRatio, formatSpeedup } from './units';

export const ADVICE_RULES = ['static-skew', 'imbalance', 'late-start', 'large-chunks', 'small-chunks', 'waiting-for-work', 'serial', 'data-movement',
  'descheduled', 'contention', 'gc', 'worker-turnover', 'long-task', 'many-calls'] as const;
export type AdviceRule = typeof ADVICE_RULES[number];

export interface Advice {
  rule: AdviceRule;
  /** Estimated wall time the fix would save, ms (the list is sorted by it, largest first). */
  savingMs: number;
  /** One sentence with the numbers. */
  text: string;
  /** The numbers behind the text, named with their unit (…Ms, …Us, …Share). */
  evidence: Record<string, number>;
  /** Timeline range the advice is about, µs from origin. */
  range?: { from: number; to: number };
  /** Source position of the pool call (Region.callSite), when recorded. */
  callSite?: Region['callSite'];
}

/** Imbalance (max / mean busy) from which a region counts as unbalanced. */
export const IMBALANCE_MIN = 1.1;
/** A saving smaller than this share of its region's wall time (or 1 ms) is no advice. */
const MIN_SAVING_SHARE = 0.05;
/** Longest median gap between a thread's tasks still read as the cost of claiming a chunk, ms. */
export const CLAIM_GAP_MS = 0.05;
/** A typical gap (claim) from this share of a typical task's time makes the tasks too small. */
export const CLAIM_SHARE_OF_TASK_MIN = 0.25;
/** Share of a region's thread time between tasks from which gaps are advice. */
const GAP_SHARE_MIN = 0.1;
/** Overhead share a suggested chunk size aims at: per-chunk cost ≤ 1 % of a chunk's time. */
const CHUNK_OVERHEAD_TARGET = 0.01;
/** Chunks per thread a suggested size keeps, so that balance is still possible. */
const CHUNKS_PER_THREAD_MIN = 8;
/** A serial stretch of the main thread is advice from this length and share of the run. */
const SERIAL_MIN_MS = 20;
const SERIAL_MIN_SHARE = 0.15;
/**
 * Frames whose samples are time spent copying data between threads: Node's structured clone...
 * (not a user's `onmessage`: a raw worker's handler runs the task itself).
 */
const CLONE_FRAMES = new Set(['structuredClone', 'serialize', 'deserialize', 'postMessage']);
/** ...and the pool's own: a worker posting its results, the main thread assembling them (src/runtime). */
const POOL_CLONE_FRAMES = new Set(['post', 'assembleMap']);
const POOL_RUNTIME_FILE = /\/(dist|src)\/runtime\/[^/]+\.[jt]s$/;

function movesData(frame: { functionName: string; url: string }): boolean {
  return CLONE_FRAMES.has(frame.functionName) || (POOL_CLONE_FRAMES.has(frame.functionName) && POOL_RUNTIME_FILE.test(frame.url));
}

const NO_MOVE = 0, MOVES_INPUT = 1, MOVES_RESULT = 2;
/**
 * Which way a data-moving frame moves data: the main thread sends inputs (posting, cloning) and
 * receives results (deserializing, assembling them); a worker receives inputs and sends results.
 */
function moveDirection(frame: { functionName: string }, onMain: boolean): number {
  const receiving = frame.functionName === 'deserialize' || frame.functionName === 'assembleMap';
  return onMain === receiving ? MOVES_RESULT : MOVES_INPUT;
}
/** Data movement and GC are advice from this share of the region's thread time and 5 ms. */
const SAMPLE_SHARE_MIN = 0.05;
const SAMPLE_MIN_MS = 5;
const GC_FRAME = '(garbage collector)';
const PROGRAM_FRAME = '(program)';

interface Ctx {
  report: Report;
  metrics: RunMetrics;
  regionById: Map<number, Region>;
  /** How the texts name a region by its id: same-named regions told apart (region-labels.ts). */
  regionName: (id: number) => string;
  threadName: (id: number) => string;
  /** The main thread's id (0 in a recorded report). */
  mainId: number;
  /** Sample sums, built on first use. */
  sums: () => SampleSums[];
  sumsByThread: () => Map<number, SampleSums>;
  /** The script's main thread's samples by kind (main-thread-work.ts), built on first use. */
  work: () => MainThreadWork | undefined;
  /** Span indices of a region, grouped on first use. */
  /** The region's span indices (in span order; an Int32Array, not an array per region). */
  spansOf: (region: number) => ArrayLike<number> & Iterable<number>;
}

function where(reg: Region | undefined, report: Report): Pick<Advice, 'range' | 'callSite'> {
  const to = reg?.end ?? report.meta.durationUs;
  return { range: { from: reg?.start ?? 0, to }, ...(reg?.callSite ? { callSite: reg.callSite } : {}) };
}

/**
 * Threads that could run the region (its pool's size, or those that ran tasks), at least 1; where
 * its threads took turns (RegionMetrics.handovers), the most alive at once, as its balance counts them.
 */
function threadsOf(reg: Region | undefined, r: RegionMetrics): number {
  if (r.handovers) return Math.max(r.threadTime.threads, 1);
  return Math.max(reg?.threads ?? 0, r.threads.filter((t) => t.tasks > 0).length, 1);
}

/** Share of a region's thread time its hand-overs must take for 'worker-turnover' (RegionMetrics.handovers). */
const TURNOVER_SHARE_MIN = 0.1;

/**
 * A pool that ends a worker and starts another between tasks (vitest's worker per test file, an
 * idle timeout shorter than the gaps): each hand-over, one worker's last task to the next one's
 * first, is a worker ending, starting and loading its code while the slot runs nothing. Saving: the
 * most any one slot spent in hand-overs (the region ends no earlier than its last slot less its own).
 */
function turnoverAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  const h = r.handovers;
  const room = r.threadTime.threads * r.wallMs;
  if (!h || h.count === 0 || room <= 0) return undefined;
  const share = h.ms / room;
  const saving = Math.min(h.maxSlotMs, r.wallMs);
  if (share < TURNOVER_SHARE_MIN || saving < SAMPLE_MIN_MS) return undefined;
  const reg = c.regionById.get(r.id);
  const ran = r.threads.filter((t) => t.busyMs > 0).length;
  return { rule: 'worker-turnover', savingMs: saving, ...where(reg, c.report),
    evidence: { handovers: h.count, handoverMs: h.ms, handoverShare: share, threads: ran, atOnce: r.threadTime.threads },
    text: `region '${c.regionName(r.id)}' ended a worker and started another ${plural(h.count, 'time')} (${ran} threads, at most ${r.threadTime.threads} alive at once): ` +
      `the hand-overs, from one worker's last task to the next one's first (a worker ending, starting and loading its code), took ${formatMs(h.ms)}, ${formatPercent(share)} of its threads' time; ` +
      `keeping the workers alive between tasks would save up to ~${formatMs(saving)}` };
}

/**
 * The longest single item of a region, ms, as far as its spans tell: a task of one item is one
 * item; of a chunk of n items only the mean item (duration / n) is known, a lower bound of its
 * longest. A `join` task is its own unit whatever range it covers (its children are tasks of
 * their own). No schedule can end the region sooner than this item takes.
 */
function longestItemMs(c: Ctx, region: number, threadScale?: Map<number, number>): number {
  const { start, end, items, flags, thread } = c.report.spans;
  const perItem = c.regionById.get(region)?.kind !== 'join';
  let longest = 0;
  for (const k of c.spansOf(region)) {
    if (flags && (flags[k] & SPAN_DERIVED) !== 0) continue;
    const scale = threadScale?.get(thread[k]) ?? 1;
    longest = Math.max(longest, scale * (end[k] - start[k]) / (perItem ? Math.max(1, items[k]) : 1));
  }
  return longest / 1000;
}

/**
 * A few chunks (≤ 8 per thread) whose work differs by no more than one chunk: the split is the
 * chunks' granularity (3 chunks on 2 threads: 2 against 1), not a descheduled thread taking less
 * work, so the work judges, as under static, and the load cannot hide it.
 */
function granularitySkew(r: RegionMetrics): boolean {
  if (r.cpuImbalance === undefined || r.cpuImbalance < IMBALANCE_MIN || r.tasks === 0) return false;
  const p = Math.max(1, r.threadTime.threads);
  const work = r.threads.map((t) => t.busyWorkMs ?? 0);
  const sum = work.reduce((a, b) => a + b, 0);
  const max = work.reduce((a, b) => Math.max(a, b), 0);
  return r.tasks <= CHUNKS_PER_THREAD_MIN * p && max - sum / p <= sum / r.tasks;
}

/** The imbalance that judges a region's balance (see balanceSaving): the findings use it too. */
export function judgedImbalance(r: RegionMetrics): number {
  if (r.cpuImbalance === undefined) return r.imbalance;
  if (r.schedule === 'static' || granularitySkew(r)) return r.cpuImbalance;
  return r.cpuImbalance < IMBALANCE_MIN ? r.cpuImbalance : r.imbalance;
}

/**
 * What an even spread would save: the busiest thread's busy time down to the mean, or to the
 * longest item if that is longer (two items of 300 and 100 ms on two threads take 300 ms under
 * any schedule, so their imbalance is no saving); at most W − mean.
 *
 * On a loaded machine a thread descheduled two thirds of the time looks three times as busy in
 * wall time. When the report has each thread's time waiting for a core (schedstat:
 * RegionMetrics.cpuImbalance), the work is weighed without it (busyScheduledMs):
 * - static: the split was fixed before the run, so the work alone says whether it was even, and
 *   undescheduled the region would last as long as its busiest thread's work (W ≈ max);
 * - dynamic, steal, join: threads take work as they get to it, so a descheduled thread simply
 *   takes less work (the work's split follows the load) while idle wall time is what the run
 *   lost: both must show a skew (a thread idle at the end only because another waited for a
 *   core is none), and the saving is the smaller (wall time inflated by the load overstates it).
 */
function balanceSaving(c: Ctx, reg: Region | undefined, r: RegionMetrics):
  { saving: number; max: number; mean: number; longestItem: number; imbalance: number; onCpu: boolean } {
  const p = threadsOf(reg, r);
  const measure = (busy: number[], longestItem: number, capMs: number) => {
    const mean = busy.reduce((a, b) => a + b, 0) / p;
    const max = busy.reduce((a, b) => Math.max(a, b), 0);
    return { mean, max, longestItem, saving: Math.max(0, Math.min(capMs, max - Math.max(mean, longestItem))) };
  };
  const longest = longestItemMs(c, r.id);
  const wall = { ...measure(r.threads.map((t) => t.busyMs), longest, r.potentialGainMs), imbalance: r.imbalance, onCpu: false };
  if (r.cpuImbalance === undefined) return wall;
  const work = r.threads.map((t) => t.busyWorkMs ?? 0);
  // A span is wall time: in work terms each is scaled by its thread's share of busy time that was work.
  const scale = new Map(r.threads.map((t) => [t.id, t.busyMs > 0 ? Math.min(1, (t.busyWorkMs ?? 0) / t.busyMs) : 1]));
  const cpu = { ...measure(work, longestItemMs(c, r.id, scale), Infinity), imbalance: r.cpuImbalance, onCpu: true };
  if (r.schedule === 'static' || granularitySkew(r)) return cpu;
  if (judgedImbalance(r) < IMBALANCE_MIN) return { ...wall, imbalance: judgedImbalance(r) };
  return cpu.saving < wall.saving ? cpu : wall;
}

/** Time a thread was runnable but waiting for a core in [from, to) µs, from its readings (a window counted by its overlap). */
function runnableWithin(c: Ctx, thread: number, from: number, to: number): number | undefined {
  const series = cpuSeriesOf(c.report, thread);
  if (!series?.runnable) return undefined;
  const { t, runnable } = series;
  let sum = 0;
  for (let k = 0; k + 1 < t.length; k++) {
    const overlap = Math.min(to, t[k + 1]) - Math.max(from, t[k]);
    if (overlap > 0 && t[k + 1] > t[k]) sum += Math.max(0, runnable[k + 1] - runnable[k]) * overlap / (t[k + 1] - t[k]);
  }
  return sum;
}

/**
 * A self-scheduled region (dynamic, steal, join) whose imbalance a loaded machine made: the
 * threads take work as they get to it, so (a) a thread busiest in wall time only because it
 * waited for a core (its work no more than the mean's IMBALANCE_MIN times: hog.js's 64 equal
 * tasks, one of them stretched to 436 ms), or (b) threads idle because they were runnable and
 * not running (examples/sum.js: a 946 ms start delay waiting for a core; no imbalance worth
 * advice is left once that time counts as busy), says nothing of
 * the items: the spread advice (costliest first, split long tasks) would blame them. The
 * descheduled finding names the load. Needs schedstat readings for every thread of the region.
 */
function loadMadeImbalance(c: Ctx, reg: Region, r: RegionMetrics): boolean {
  // Static splits and raw workers' messages (the program picks each one's worker) are fixed before the load acts.
  if (r.schedule === 'static' || (reg.kind === 'external' && reg.fn === RAW_WORKERS)) return false;
  if (r.threads.length === 0 || !r.threads.every((t) => t.busyScheduledMs !== undefined && t.busyWorkMs !== undefined)) return false;
  const p = threadsOf(reg, r);
  const meanWork = r.threads.reduce((a, t) => a + t.busyWorkMs!, 0) / p;
  const busiest = r.threads.reduce((a, b) => (b.busyMs > a.busyMs ? b : a));
  if (busiest.busyMs > busiest.busyScheduledMs! && busiest.busyWorkMs! <= IMBALANCE_MIN * meanWork) return true;
  // Each thread's waits for a core outside its tasks counted as the work it would have done then:
  // when no imbalance worth advice is left, the idle time was the load's.
  // Only when there was idle time in wall terms to explain: threads busy all along (a 200/100 ms
  // work split that waits for a core filled the whole region on both) leave the work's imbalance
  // standing, which is the items' (3 chunks on 2 threads).
  const from = reg.start, to = reg.start + r.wallMs * 1000;
  let max = 0, sum = 0, maxWall = 0, sumWall = 0;
  for (const t of r.threads) {
    const runnable = runnableWithin(c, t.id, from, to);
    const idleRunnableMs = runnable === undefined ? 0 : Math.min(t.idleMs, Math.max(0, runnable / 1000 - (t.busyMs - t.busyScheduledMs!)));
    max = Math.max(max, t.busyMs + idleRunnableMs);
    sum += t.busyMs + idleRunnableMs;
    maxWall = Math.max(maxWall, t.busyMs);
    sumWall += t.busyMs;
  }
  const mean = sum / p, meanWall = sumWall / p;
  const wallImbalanced = meanWall > 0 && maxWall / meanWall >= IMBALANCE_MIN && maxWall - meanWall >= Math.max(1, MIN_SAVING_SHARE * r.wallMs);
  return wallImbalanced && mean > 0 && (max / mean < IMBALANCE_MIN || max - mean < Math.max(1, MIN_SAVING_SHARE * r.wallMs));
}

/** Balance advice needs a thread busy in tasks (wall time) this share of the region's wall time at least. */
const BALANCE_BUSY_SHARE_MIN = 0.5;

/** Words for how busy time was weighed (see balanceSaving). */
const SCHEDULED_WORDS = 'time waiting for a core left out';

function balanceAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  const reg = c.regionById.get(r.id);
  if (reg?.kind === 'external' && reg.fn === CLUSTER_FN && r.tasks === 0) return clusterAdvice(c, reg, r);
  if (!reg || reg.threads === 0 || r.tasks === 0) return undefined;
  // The tasks were not what the region waited for when even its busiest thread spent most of it
  // outside them (a map whose input the main thread was copying: 9 ms of tasks, all on one worker,
  // in a 339 ms call read "a more even spread would save ~4.47 ms"): spreading them saves nothing.
  const busiest = r.threads.reduce((a, t) => Math.max(a, t.busyMs), 0);
  if (busiest < BALANCE_BUSY_SHARE_MIN * r.wallMs) return undefined;
  const { saving, max, mean, longestItem, imbalance, onCpu } = balanceSaving(c, reg, r);
  if (imbalance < IMBALANCE_MIN) return undefined;
  // Weighed as work, the region would last about as long as its busiest thread's work (W ≈ max).
  // No spread of whole tasks helps; a queue pool's task that is the longest item is the program's to split.
  if (saving < Math.max(1, MIN_SAVING_SHARE * (onCpu ? max : r.wallMs))) return queuePool(reg) ? longTaskAdvice(c, reg, r) : undefined;
  const evidence: Record<string, number> = { wallMs: r.wallMs, maxBusyMs: max, meanBusyMs: mean, longestItemMs: longestItem, imbalance, tailMs: r.tailMs, taskP95Ms: r.taskMs.p95, tasks: r.tasks };
  if (onCpu) evidence.wallImbalance = r.imbalance;
  // The last chunks make the tail when one chunk lasts about as long as the tail itself.
  const threads = threadsOf(reg, r);
  // Or, weighed as work, the split is the few chunks' granularity (the load may hide the tail in wall time).
  const fewChunks = granularitySkew(r) || (r.tailMs > 0 && r.taskMs.p95 >= 0.5 * r.tailMs && r.tasks <= CHUNKS_PER_THREAD_MIN * threads);
  // A late worker start-up is the cause unless the work itself comes in too few chunks to spread
  // (3 tasks of 100 ms on 2 threads make a 100 ms tail whenever the workers start): then the
  // chunks are what the program can change, and a late start only adds to their tail.
  const late = lateStartAdvice(c, reg, r, saving, evidence);
  if (late && !(fewChunks && r.schedule !== 'static' && !(reg.kind === 'external' && reg.fn === RAW_WORKERS))) return late;
  const base = `region '${c.regionName(r.id)}'`;
  const ratio = onCpu ? `imbalance ${formatRatio(imbalance)} with ${SCHEDULED_WORDS}, ${formatRatio(r.imbalance)} in wall time` : `imbalance ${formatRatio(imbalance)}`;
  if (r.schedule === 'static') {
    return { rule: 'static-skew', savingMs: saving, evidence, ...where(reg, c.report),
      text: `${base} has skewed work under the static schedule: the busiest thread ran ${formatMs(max)} against a mean of ${formatMs(mean)} (${ratio}); schedule 'dynamic' or 'steal' would save ~${formatMs(saving)}` };
  }
  // Raw workers take the messages the program posts to each: their spread is the program's, not chunks'.
  if (reg.kind === 'external' && reg.fn === RAW_WORKERS) return spreadAdvice(c, reg, r, evidence);
  // Few chunks: their work replayed as the pool hands them out judges, and sees through the load
  // (a replay that spreads them evenly is no advice). Not the wall-time test below: 3 chunks of
  // 100 ms on 2 threads whose one-chunk thread waited for a core 223 of its 333 ms was the
  // busiest in wall time with the least work, and that test took the chunks' tail for the load's.
  // Our chunks of one item cannot be smaller: with few of them, uneven items are the imbalance
  // rule's below (their order and sizes are the cause), not the chunks'.
  const singleItems = fewChunks && reg.kind !== 'external' && reg.kind !== 'join' && taskWorks(c.report, c.spansOf(r.id)).tasks.every((t) => t.items === 1);
  if (fewChunks && reg.kind !== 'join' && !singleItems) return chunkAdvice(c, reg, r, evidence, saving);
  if (loadMadeImbalance(c, reg, r)) return undefined;
  if (fewChunks && !singleItems) {
    const perChunk = reg.items > 0 && r.tasks > 0 ? reg.items / r.tasks : 0;
    const suggest = reg.items > 0 ? Math.max(1, Math.floor(reg.items / (CHUNKS_PER_THREAD_MIN * threads))) : 0;
    const tryText = suggest > 0 && suggest < perChunk ? `; ${tryChunkSize(reg.items, suggest, threads)}` : '; split the work into more, smaller tasks';
    return { rule: 'large-chunks', savingMs: saving, evidence: { ...evidence, suggestedChunkSize: suggest }, ...where(reg, c.report),
      text: `${base}: its last chunks make the tail (tail ${formatMs(r.tailMs)}, task p95 ${formatMs(r.taskMs.p95)}, ${plural(r.tasks, 'task')} on ${plural(threads, 'thread')}); smaller chunks would save ~${formatMs(saving)}${tryText}` };
  }
  const fix = `a more even spread (the costliest items first, long tasks split) would save ~${formatMs(saving)}`;
  if (onCpu) {
    // Idle in work terms: the share of the busiest thread's work the least busy one did not have.
    const least = r.threads.reduce((a, b) => ((b.busyWorkMs ?? 0) < (a.busyWorkMs ?? 0) ? b : a), r.threads[0]);
    const leastMs = r.threads.length < threadsOf(reg, r) ? 0 : least.busyWorkMs ?? 0;
    return { rule: 'imbalance', savingMs: saving, evidence, ...where(reg, c.report),
      text: `${c.threadName(least.id)} idle ${formatPercent(max > 0 ? 1 - leastMs / max : 0)} of ${base} (busiest thread ${formatMs(max)}, mean ${formatMs(mean)}, least ${formatMs(leastMs)}, ` +
        `${ratio}, longest task ${formatMs(r.taskMs.max)}); ${fix}` };
  }
  const idlest = r.threads.reduce((a, b) => (b.idleMs > a.idleMs ? b : a), r.threads[0]);
  const share = r.wallMs > 0 ? idlest.idleMs / r.wallMs : 0;
  return { rule: 'imbalance', savingMs: saving, evidence, ...where(reg, c.report),
    text: `${c.threadName(idlest.id)} idle ${formatPercent(share)} of ${base} (busiest thread ${formatMs(max)}, mean ${formatMs(mean)}, longest task ${formatMs(r.taskMs.max)}); ${fix}` };
}

/**
 * A cluster's workers are processes the program (or the primary's round robin) gave their work,
 * fixed as under a static schedule: the work itself judges. Each worker's work is its busy time
 * on a core (busy stretches read from its CPU samples, start-up included; schedstat readings):
 * time waiting for a core says how loaded the machine was, not how much work a worker had. The
 * region would last as long as its busiest worker's work: the saving is that down to the mean.
 * Without the readings the wall time judges.
 */
function clusterAdvice(c: Ctx, reg: Region, r: RegionMetrics): Advice | undefined {
  const p = threadsOf(reg, r);
  const onCore = r.threads.every((t) => t.busyOnCpuMs !== undefined);
  const work = (t: RegionMetrics['threads'][number]) => (onCore ? t.busyOnCpuMs! : t.busyMs);
  const ranked = [...r.threads].sort((a, b) => work(b) - work(a));
  if (ranked.length === 0) return undefined;
  const max = work(ranked[0]);
  const mean = ranked.reduce((a, t) => a + work(t), 0) / p;
  const imbalance = mean > 0 ? max / mean : 1;
  const saving = max - mean;
  if (imbalance < IMBALANCE_MIN || saving < Math.max(1, MIN_SAVING_SHARE * (onCore ? max : r.wallMs))) return undefined;
  const most = ranked[0], least = ranked[ranked.length - 1];
  const leastText = ranked.length < p ? 'nothing on another' : `${formatMs(work(least))} on ${c.threadName(least.id)}`;
  const busy = onCore ? 'busy on a core' : 'busy';
  const ratio = onCore ? `imbalance ${formatRatio(imbalance)} on a core, ${formatRatio(r.imbalance)} in wall time` : `imbalance ${formatRatio(imbalance)}`;
  return { rule: 'imbalance', savingMs: saving, ...where(reg, c.report),
    evidence: { wallMs: r.wallMs, maxBusyMs: max, meanBusyMs: mean, imbalance, wallImbalance: r.imbalance, processes: p, tasks: 0 },
    text: `region '${c.regionName(r.id)}': its ${p} worker ${p === 1 ? 'process' : 'processes'} did uneven work: ${c.threadName(most.id)} was ${busy} ${formatMs(max)} against ${leastText} ` +
      `(${ratio}; busy time read from CPU samples, start-up included); spreading the work evenly over the workers would save ~${formatMs(saving)}` };
}

/**
 * µs the thread had run on a core at `t` (its readings count from its creation), interpolated
 * between the readings around t; the first reading's before them (at most that), the last's after.
 */
function cpuAt(s: CpuTimeSeries, t: number): number {
  const T = s.t, on = s.onCpu;
  if (T.length === 0) return 0;
  if (t <= T[0]) return on[0];
  let lo = 0, hi = T.length - 1;
  if (t >= T[hi]) return on[hi];
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (T[mid] <= t) lo = mid; else hi = mid; }
  return on[lo] + (on[hi] - on[lo]) * (t - T[lo]) / Math.max(1, T[hi] - T[lo]);
}

const startupCpuOf = new WeakMap<Report, Map<number, { least: number; thread: number; second: number }>>();

/**
 * The least on-core time a worker of the pool took to be ready, among its workers other than
 * `thread`; undefined with no such worker with readings. The two least per pool, found once per
 * report (linear in the workers).
 */
function leastStartupCpu(report: Report, pool: number, thread: number): number | undefined {
  let byPool = startupCpuOf.get(report);
  if (!byPool) {
    byPool = new Map();
    const series = new Map((report.cpu ?? []).map((s) => [s.thread, s]));
    for (const [id, list] of startupsByPool(report)) {
      let least = Infinity, who = -1, second = Infinity;
      for (const x of list) {
        const s = x.ready === undefined ? undefined : series.get(x.thread);
        if (!s) continue;
        const v = cpuAt(s, x.ready!);
        if (v < least) { second = least; least = v; who = x.thread; } else if (v < second) second = v;
      }
      byPool.set(id, { least, thread: who, second });
    }
    startupCpuOf.set(report, byPool);
  }
  const p = byPool.get(pool);
  if (!p) return undefined;
  const v = p.thread === thread ? p.second : p.least;
  return v < Infinity ? v : undefined;
}

/** A worker's start-up inside a region from which it is the cause of the idle time: this share of the thread's idle time... */
const LATE_START_SHARE_OF_IDLE = 0.5;
/** ...and of the region's wall time... */
const LATE_START_SHARE_OF_WALL = 0.1;
/** ...and, with CPU readings, its start-up there ran on a core this share of a thread's mean work in the region. */
const LATE_START_WORK_SHARE = 0.25;

/**
 * A worker that was still starting up during the region (report.startup: created → ready inside
 * the region's window) while another ran its tasks: its idle time is its start-up, not the spread
 * of the work, so the imbalance advice (sort the items, split long tasks) would name the wrong
 * cause. Fires when the start-up is most of that thread's idle time and a tenth of the region.
 * The saving is the balance's (what an even spread from the start would give), at most the start-up.
 */
function lateStartAdvice(c: Ctx, reg: Region, r: RegionMetrics, saving: number, evidence: Record<string, number>): Advice | undefined {
  const workers = c.report.startup?.workers ?? [];
  if (workers.length === 0) return undefined;
  const from = reg.start, to = reg.start + r.wallMs * 1000;
  let late: { id: number; ms: number; ready: number } | undefined;
  for (const t of r.threads) {
    const w = workers.find((x) => x.thread === t.id);
    if (!w) continue;
    const ready = w.ready ?? c.report.meta.durationUs;
    const ms = Math.max(0, Math.min(to, ready) - Math.max(from, w.created)) / 1000;
    const idleMs = Math.max(0, r.wallMs - t.busyMs);
    if (!(ms >= LATE_START_SHARE_OF_IDLE * idleMs && ms >= LATE_START_SHARE_OF_WALL * r.wallMs && ms >= 1)) continue;
    // Start-up that was work (loading its module on a core), not a wait for a core on a busy
    // machine: its on-CPU time there is a quarter of a thread's mean work in the region at least.
    const series = cpuSeriesOf(c.report, t.id);
    if (series) {
      let onCpuMs = busySplit(series, [Math.max(from, w.created), Math.min(to, ready)]).onCpu / 1000;
      // Only what its start-up ran beyond a peer's is the start-up's weight: on a loaded machine an
      // ordinary start-up that waited for a core is late, and on a core longer too (a tinypool
      // worker loading nothing heavy: ready 657 ms into the region, 136 ms on a core, its peer 101).
      const least = leastStartupCpu(c.report, w.pool, w.thread);
      if (least !== undefined) onCpuMs = Math.min(onCpuMs, Math.max(0, cpuAt(series, ready) - least) / 1000);
      const work = r.threads.map((x) => x.busyOnCpuMs ?? x.busyMs);
      const meanWork = work.reduce((a, b) => a + b, 0) / Math.max(1, work.length);
      if (onCpuMs < LATE_START_WORK_SHARE * meanWork) continue;
    }
    if (!late || ms > late.ms) late = { id: t.id, ms, ready };
  }
  if (!late) return undefined;
  const others = r.threads.filter((t) => t.id !== late!.id && t.tasks > 0).map((t) => c.threadName(t.id));
  const save = Math.min(saving, late.ms);
  const took = others.length ? `; ${others.join(', ')} took the tasks meanwhile` : '';
  return { rule: 'late-start', savingMs: save, ...where(reg, c.report), evidence: { ...evidence, startupInRegionMs: late.ms, lateThread: late.id },
    text: `${c.threadName(late.id)} was still starting up during ${formatMs(late.ms)} of region '${c.regionName(r.id)}' (${formatPercent(late.ms / r.wallMs)} of its ${formatMs(r.wallMs)})${took}: ` +
      `its idle time there is its start-up, not the spread of the work; a worker that is ready sooner (a lighter module load, or the pool created before the work is ready) would save ~${formatMs(save)}` };
}

/**
 * 'try chunkSize 1 (4 chunks per thread)': the chunks that size gives (the suggestion is clamped
 * to 1, so 8 items on 2 threads give 4 a thread, not CHUNKS_PER_THREAD_MIN), or the chunks and
 * threads when they do not divide.
 */
function tryChunkSize(items: number, size: number, threads: number): string {
  const chunks = Math.ceil(items / size);
  const each = chunks % threads === 0 ? `${plural(chunks / threads, 'chunk')} per thread` : `${plural(chunks, 'chunk')} on ${plural(threads, 'thread')}`;
  return `try chunkSize ${size} (${each})`;
}

/** A chunk saving below this share of the mean task's work is within the error of per-task work. */
const CHUNK_NOISE_SHARE = 0.25;
/** Region.fn of the messages of raw worker_threads workers (src/runtime/instrument-workers.ts). */
const RAW_WORKERS = 'worker_threads';

/**
 * Few chunks on a self-scheduled pool: what smaller chunks would save is read from the tasks'
 * work replayed as the pool hands them out (advice-chunks.ts), never above the replay's tail nor,
 * in wall time, the region's; nothing when the replay spreads them evenly (a descheduled thread
 * took fewer: the load's doing). Our chunks of one item cannot be smaller: nothing. The chunking
 * of a queue pool (tinypool, piscina, workerpool) is the program's tasks: it says so.
 */
function chunkAdvice(c: Ctx, reg: Region, r: RegionMetrics, evidence: Record<string, number>, balanceMs: number): Advice | undefined {
  const threads = threadsOf(reg, r);
  const { tasks, onCpu } = taskWorks(c.report, c.spansOf(r.id));
  // Our chunks of one item cannot be smaller: uneven items are the imbalance rule's (balanceAdvice), even ones nothing.
  if (reg.kind !== 'external' && tasks.every((t) => t.items === 1)) return undefined;
  const replay = replayChunks(tasks, threads, onCpu);
  const saving = Math.min(replay.savingMs, balanceMs, onCpu ? Infinity : r.tailMs);
  // A task's work is read from readings ~50 ms apart: a saving under a quarter of the mean task is within that error.
  const meanTask = tasks.length > 0 ? (replay.evenMs * threads) / tasks.length : 0;
  if (!(saving >= Math.max(1, MIN_SAVING_SHARE * (onCpu ? replay.lengthMs : r.wallMs), CHUNK_NOISE_SHARE * meanTask))) return undefined;
  const tail = onCpu ? `tail ${formatMs(replay.tailMs)} of work with ${SCHEDULED_WORDS}` : `tail ${formatMs(r.tailMs)}`;
  const numbers = `(${tail}, task p95 ${formatMs(r.taskMs.p95)}, ${plural(r.tasks, 'task')} on ${plural(threads, 'thread')})`;
  const ev = { ...evidence, tailMs: onCpu ? replay.tailMs : r.tailMs, replayedMs: replay.lengthMs, evenMs: replay.evenMs, longestItemMs: replay.longestItemMs };
  const base = `region '${c.regionName(r.id)}'`;
  if (reg.kind === 'external') {
    return { rule: 'large-chunks', savingMs: saving, evidence: { ...ev, suggestedChunkSize: 0 }, ...where(reg, c.report),
      text: `${base}: its last tasks make the tail ${numbers}; splitting the work into more, smaller tasks would save ~${formatMs(saving)}` };
  }
  const perChunk = reg.items > 0 && r.tasks > 0 ? reg.items / r.tasks : 0;
  const suggest = reg.items > 0 ? Math.max(1, Math.floor(reg.items / (CHUNKS_PER_THREAD_MIN * threads))) : 0;
  const tryText = suggest > 0 && suggest < perChunk ? `; ${tryChunkSize(reg.items, suggest, threads)}` : '; split the work into more, smaller tasks';
  return { rule: 'large-chunks', savingMs: saving, evidence: { ...ev, suggestedChunkSize: suggest }, ...where(reg, c.report),
    text: `${base}: its last chunks make the tail ${numbers}; smaller chunks would save ~${formatMs(saving)}${tryText}` };
}

/** Region.fn of the known pools' regions: the runtime's KNOWN_POOLS (src/runtime/interop-messages.ts), which the model cannot import. */
export const QUEUE_POOLS: ReadonlySet<string> = new Set(['piscina', 'tinypool', 'workerpool', 'poolifier']);

/** A known pool's region: its tasks are the program's own units of work. */
function queuePool(reg: Region): boolean {
  return reg.kind === 'external' && QUEUE_POOLS.has(reg.fn);
}

/** 'long-task' for our pool: a region of map / forEach / reduce whose longest task is one item (longTaskAdvice). */
function longItemAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  const reg = c.regionById.get(r.id);
  if (!reg || !(reg.threads > 0) || r.tasks < 2 || (reg.kind !== 'map' && reg.kind !== 'forEach' && reg.kind !== 'reduce')) return undefined;
  return longTaskAdvice(c, reg, r, true);
}

/**
 * One task of a queue pool longer than an even share of its region's work: the region cannot end
 * before it, however the tasks are spread, so the balance and chunk rules (which count a task as
 * an item no schedule can split) said nothing. But a queue pool's task is the program's unit of
 * work, which it can split: tinypool, one task of 593 ms of work and four of 77 ms on 2 threads
 * (utilization 60 %, 389 ms of potential gain), had no finding at all. The even share is over the
 * threads, or the cores when there are fewer (4 threads on 2 cores run no faster than 2). The
 * saving is the region's length in work (its busiest thread's, or the tasks replayed as the pool
 * hands them out, whichever is shorter) down to the even share, or to the next longest task if
 * that is longer (the long task cut into pieces no longer than it); at most the potential gain.
 */
function longTaskAdvice(c: Ctx, reg: Region, r: RegionMetrics, item = false): Advice | undefined {
  const threads = threadsOf(reg, r);
  const { tasks, onCpu } = taskWorks(c.report, c.spansOf(r.id));
  const p = Math.min(threads, c.report.meta.cores);
  if (tasks.length < 2 || p < 2) return undefined;
  const [longest, next] = [...tasks].sort((a, b) => b.workMs - a.workMs);
  // Our pool (`item`): only a task of one item; a chunk of several is the chunk rules' to split.
  if (item && longest.items !== 1) return undefined;
  const even = tasks.reduce((a, t) => a + t.workMs, 0) / p;
  if (longest.workMs <= even) return undefined;
  const busiest = r.threads.reduce((a, t) => Math.max(a, onCpu ? t.busyWorkMs ?? t.busyMs : t.busyMs), 0);
  const lengthMs = Math.min(busiest, replayChunks(tasks, threads, onCpu).lengthMs);
  // At most the idle room: the potential gain, or weighed as work, the busiest thread's work over
  // the mean (on a loaded machine both threads were busy in wall time while one did 300 ms of work and the other 200).
  let room = r.potentialGainMs;
  if (onCpu) {
    const perThread = new Map<number, number>();
    for (const t of tasks) perThread.set(t.thread, (perThread.get(t.thread) ?? 0) + t.workMs);
    const works = [...perThread.values()];
    room = Math.max(...works) - works.reduce((a, w) => a + w, 0) / threads;
  }
  const saving = Math.min(room, lengthMs - Math.max(even, next.workMs));
  if (!(saving >= Math.max(1, MIN_SAVING_SHARE * (onCpu ? lengthMs : r.wallMs)))) return undefined;
  const work = onCpu ? ` of work (${SCHEDULED_WORDS})` : '';
  const on = p < threads ? `each of the ${p} cores` : `each of ${plural(p, 'thread')}`;
  return { rule: 'long-task', savingMs: saving, ...where(reg, c.report),
    evidence: { longestTaskMs: longest.workMs, nextTaskMs: next.workMs, evenMs: even, lengthMs, tasks: tasks.length, threads: p },
    text: item
      ? `region '${c.regionName(r.id)}': its longest item, ${formatMs(longest.workMs)}${work} on ${c.threadName(longest.thread)} (a task of its own), is longer than an even share of the region's work ` +
        `(${formatMs(even)} on ${on}; the next longest task ${formatMs(next.workMs)}): no schedule or chunk size ends the region sooner; ` +
        `splitting that item's work into smaller items would save ~${formatMs(saving)}`
      : `region '${c.regionName(r.id)}': its longest task, ${formatMs(longest.workMs)}${work} on ${c.threadName(longest.thread)}, is longer than an even share of the region's work ` +
        `(${formatMs(even)} on ${on}; the next longest task ${formatMs(next.workMs)}): the region cannot end sooner however its ${plural(tasks.length, 'task')} are spread; ` +
        `splitting that task into smaller ones would save ~${formatMs(saving)}` };
}

/**
 * Raw workers: the program posts each message to a worker of its choice. When one got more work
 * than whole messages spread evenly would give it, that is the advice (not chunk sizes).
 */
function spreadAdvice(c: Ctx, reg: Region, r: RegionMetrics, evidence: Record<string, number>): Advice | undefined {
  const threads = threadsOf(reg, r);
  const { tasks, onCpu } = taskWorks(c.report, c.spansOf(r.id));
  const per = new Map<number, { n: number; work: number }>();
  for (const t of tasks) {
    const e = per.get(t.thread) ?? { n: 0, work: 0 };
    e.n++; e.work += t.workMs;
    per.set(t.thread, e);
  }
  const ranked = [...per].sort((a, b) => b[1].work - a[1].work);
  if (ranked.length === 0) return undefined;
  const [busiest, most] = ranked[0];
  const saving = most.work - evenSpreadMs(tasks, threads);
  if (!(saving >= Math.max(1, MIN_SAVING_SHARE * most.work))) return undefined;
  const least = ranked.length < threads ? 'nothing on another' : `${formatMs(ranked[ranked.length - 1][1].work)} on ${c.threadName(ranked[ranked.length - 1][0])}`;
  const terms = onCpu ? `, ${SCHEDULED_WORDS}` : '';
  // Sent no more messages than an even share: its messages cost more, not more of them.
  const evenCount = most.n <= Math.ceil(tasks.length / threads);
  const text = evenCount
    ? `${c.threadName(busiest)} was sent ${formatCount(most.n)} of the ${plural(tasks.length, 'message')}, no more than an even share, but they held ${formatMs(most.work)} of work against ${least}${terms}; ` +
      `posting each message to a worker that is free, not in turn, would save ~${formatMs(saving)}`
    : `${c.threadName(busiest)} was sent ${formatCount(most.n)} of the ${plural(tasks.length, 'message')} (${formatMs(most.work)} of work against ${least}${terms}); ` +
      `posting them evenly, or each to a worker that is free, would save ~${formatMs(saving)}`;
  return { rule: 'imbalance', savingMs: saving, evidence: { ...evidence, maxBusyMs: most.work, messages: tasks.length, busiestMessages: most.n }, ...where(reg, c.report),
    text: `region '${c.regionName(r.id)}': ${text}` };
}

/** Gaps during which work waited for this share of their time or more were not waits for work. */
const GAPS_QUEUED_SHARE = 0.5;
/** A region's threads waiting for a core this share of their task time make its long gaps the load's too. */
const GAPS_DESCHEDULED_SHARE = 0.25;

/**
 * Share of the gaps between a thread's consecutive tasks during which work waited: some task of
 * the region was submitted by the gap's start and started at its end or later. One sort by submit
 * time and a running maximum of starts: O(n log n). Undefined when there are no gaps.
 */
function queuedGapShare(c: Ctx, region: number): number | undefined {
  const { thread, enqueue, start, end, flags } = c.report.spans;
  const ids = [...c.spansOf(region)].filter((k) => !flags || (flags[k] & SPAN_DERIVED) === 0);
  const bySubmit = [...ids].sort((a, b) => enqueue[a] - enqueue[b]);
  const submits = Float64Array.from(bySubmit, (k) => enqueue[k]);
  const latestStart = new Float64Array(bySubmit.length);
  for (let i = 0, m = -Infinity; i < bySubmit.length; i++) latestStart[i] = m = Math.max(m, start[bySubmit[i]]);
  const byThread = new Map<number, number[]>();
  for (const k of ids) (byThread.get(thread[k]) ?? byThread.set(thread[k], []).get(thread[k])!).push(k);
  let total = 0, queued = 0;
  for (const list of byThread.values()) {
    list.sort((a, b) => start[a] - start[b]);
    let to = -Infinity;
    for (const k of list) {
      const a = to, b = start[k];
      if (b > a && Number.isFinite(a)) {
        total += b - a;
        // Tasks submitted at or before a: the first index whose submit time is > a.
        let lo = 0, hi = submits.length;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (submits[mid] <= a) lo = mid + 1; else hi = mid; }
        if (lo > 0 && latestStart[lo - 1] >= b) queued += b - a;
      }
      to = Math.max(to, end[k]);
    }
  }
  return total > 0 ? queued / total : undefined;
}

/**
 * Gaps longer than a claim: what they were depends on whether work waited meanwhile. A join
 * region's threads with empty deques wait for tasks to be spawned (the ctx.spawn advice); an
 * external pool with an empty queue waits for the program to submit; but while tasks waited in
 * an external pool's queue a gap is its dispatch round trip (a result goes to the main thread,
 * which sends the next task), and our map/forEach/reduce chunks wait in the operation's index all
 * along, so their gaps are a thread's time between chunks. On a busy machine (the region's
 * threads waiting for a core a quarter of their task time) those are the load's as much: silent.
 */
function longGapAdvice(c: Ctx, reg: Region | undefined, r: RegionMetrics, numbers: string, evidence: Record<string, number>, perThread: number): Advice | undefined {
  const kind = reg?.kind ?? r.kind;
  const queued = kind === 'join' || kind === 'external' ? queuedGapShare(c, r.id) ?? 0 : 1;
  const save = formatMs(perThread);
  const ev = { ...evidence, queuedGapShare: queued };
  if (queued < GAPS_QUEUED_SHARE) {
    const waits = kind === 'join'
      ? `the gaps are waits for work to take or steal: work handed out sooner (spawned before a task's own part, or split finer) would save up to ~${save}`
      : `the pool's queue was empty during ${formatPercent(1 - queued)} of that time, so the gaps are waits for the program to submit work: submitting it sooner (all of it before awaiting results) would save up to ~${save}`;
    return { rule: 'waiting-for-work', savingMs: perThread, evidence: ev, ...where(reg, c.report), text: `${numbers}; ${waits}` };
  }
  const busy = r.threads.reduce((a, t) => a + t.busyMs, 0);
  const scheduled = r.threads.every((t) => t.busyScheduledMs !== undefined) ? r.threads.reduce((a, t) => a + t.busyScheduledMs!, 0) : busy;
  if (busy > 0 && 1 - scheduled / busy >= GAPS_DESCHEDULED_SHARE) return undefined;
  const what = kind === 'external'
    ? `tasks were queued during ${formatPercent(queued)} of that time, so the gaps are not waits for work: they are the pool's dispatch round trips (a task's result goes to the main thread, which then sends the thread its next task); fewer, larger tasks would make fewer round trips`
    : kind === 'join'
      ? `tasks waited in the deques during ${formatPercent(queued)} of that time, so the gaps are not waits for work: they are the cost of taking one (a pop or a steal); fewer, larger tasks would make fewer of them`
      : `chunks remained to be claimed all along, so the gaps are not waits for work: they are each thread's time between its chunks (posting a chunk's result, claiming the next); fewer, larger chunks would make fewer of them`;
  return { rule: 'small-chunks', savingMs: perThread, evidence: ev, ...where(reg, c.report), text: `${numbers}; ${what}, saving up to ~${save}` };
}

function gapAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  const t = r.threadTime;
  const reg = c.regionById.get(r.id);
  const share = t.gapMs / Math.max(1e-9, t.threads * r.wallMs);
  const perThread = t.gapMs / Math.max(1, t.threads);
  if (!(r.tasks > t.threads && share >= GAP_SHARE_MIN && perThread >= 1)) return undefined;
  const evidence = { gapShare: share, gapP50Us: r.chunkGapMs.p50 * 1000, taskP50Us: r.taskMs.p50 * 1000, tasks: r.tasks, gapMsPerThread: perThread };
  const numbers = `threads spent ${formatPercent(share)} of region '${c.regionName(r.id)}' between tasks (gap p50 ${formatDurationMs(r.chunkGapMs.p50)}, task p50 ${formatDurationMs(r.taskMs.p50)}, ${plural(r.tasks, 'task')})`;
  // A claim (an atomic add, a lock, a deque pop) and its span cost about a µs; gaps of that size
  // are the per-chunk cost, which larger chunks amortize. Longer gaps are waits for work, or not.
  if (r.chunkGapMs.p50 > CLAIM_GAP_MS) return longGapAdvice(c, reg, r, numbers, evidence, perThread);
  // Claims cost about the same per task whatever its size: tasks are too small when a typical
  // claim is a sizeable share of a typical task. Medians, so a loaded machine's stalls between a
  // few large tasks (long gaps in the total) do not make them look small.
  if (r.chunkGapMs.p50 < CLAIM_SHARE_OF_TASK_MIN * r.taskMs.p50) return undefined;
  // What fewer tasks save is the per-task part of the gaps: a typical gap for every task. A few
  // long gaps in the total (a thread descheduled on a loaded machine, waiting for a spawn) are not
  // a cost per task, and fewer tasks would not save them: 64 tasks with 1.4 µs gaps read "save ~1.65 ms".
  const perTask = Math.min(perThread, (r.chunkGapMs.p50 * r.tasks) / Math.max(1, t.threads));
  if (perTask < 1) return undefined;
  if (r.kind === 'join') {
    return { rule: 'small-chunks', savingMs: perTask, evidence, ...where(reg, c.report), text: `${numbers}; the gaps are a cost per task: spawn fewer, larger tasks, which would save ~${formatMs(perTask)} in gaps alone (spawning is a cost inside the tasks too)` };
  }
  // Chunk of c items costs c·d + g (d per item, g per chunk): g ≤ 1 % of it needs c ≥ 99·g/d.
  const items = reg?.items ?? 0;
  const perChunk = items > 0 ? items / r.tasks : 1;
  const perItemMs = r.taskMs.p50 / perChunk;
  const cap = items > 0 ? Math.max(1, Math.floor(items / (CHUNKS_PER_THREAD_MIN * Math.max(1, t.threads)))) : Infinity;
  const want = perItemMs > 0 ? Math.ceil(((1 - CHUNK_OVERHEAD_TARGET) / CHUNK_OVERHEAD_TARGET) * r.chunkGapMs.p50 / perItemMs) : cap;
  const suggest = Math.max(1, Math.min(cap, want));
  const tryText = Number.isFinite(suggest) && suggest > perChunk ? `; try chunkSize ${suggest}` : '';
  return { rule: 'small-chunks', savingMs: perTask, evidence: { ...evidence, suggestedChunkSize: Number.isFinite(suggest) ? suggest : 0 }, ...where(reg, c.report),
    text: `${numbers}; the gaps are a cost per chunk: larger chunks would help, saving up to ~${formatMs(perTask)}${tryText}` };
}

function serialAdvice(c: Ctx): Advice | undefined {
  const p = c.metrics.extra.phases;
  if (!p || c.report.regions.length === 0 || p.totalMs <= 0) return undefined;
  // The longest serial stretch between the script's start and the last operation's end (after
  // that, the exit and pool.close() are not work a pool could share).
  let last = -Infinity;
  for (const x of p.intervals) if (x.kind === 'operation') last = Math.max(last, x.end);
  // Serial code is the main thread's own code: not its waits (for a child, for I/O, for workers
  // to start: '(idle)'), not the profiler's frames (the recorder, the pool runtime, the ESM loader
  // hooks). Measured in the thread's CPU time where the report has CPU readings for it; else in
  // wall time, the stretch less those samples (and the text says so).
  const work = c.work();
  const cpu = work?.source === 'cpu';
  const codeMs = (x: { start: number; end: number }): number => codeWithin(work, x.start, x.end) / 1000;
  let best: { start: number; end: number } | undefined;
  let serialMs = 0, allSerialMs = 0;
  for (const x of p.intervals) {
    if (x.kind !== 'serial') continue;
    const ms = codeMs(x);
    allSerialMs += ms;
    if (x.end > last) continue;
    if (!best || ms > serialMs) { best = x; serialMs = ms; }
  }
  if (!best) return undefined;
  // The run's work done one thread at a time: its serial code and its tasks (on a CPU, or in wall time).
  const taskMs = c.metrics.threads.reduce((a, t) => a + (cpu ? t.busyOnCpuMs ?? t.busyMs : t.busyMs), 0);
  const workMs = allSerialMs + taskMs;
  if (serialMs < Math.max(SERIAL_MIN_MS, SERIAL_MIN_SHARE * workMs)) return undefined;
  const cores = Math.max(1, c.report.meta.cores);
  // What the workers did meanwhile (the phases' start-up windows): code that ran while they were
  // still starting cost the run nothing (it waited for them anyway), so only the rest is a saving.
  const during = serialDuring(c, best, codeMs);
  const saving = (serialMs - during.startingMs) * (1 - 1 / cores);
  // The operation right after the stretch: the call site the serial code prepares.
  const next = c.report.regions.filter((r) => r.start >= best!.end).sort((a, b) => a.start - b.start)[0];
  const bound = workMs / serialMs;
  const stretchMs = (best.end - best.start) / 1000;
  const profilerMs = work ? workWithin(work, SAMPLE_RUNTIME, best.start, best.end) / 1000 : 0;
  const how = cpu ? 'on a CPU' : 'in wall time (no CPU readings for the main thread)';
  return { rule: 'serial', savingMs: saving, range: { from: best.start, to: best.end }, ...(next?.callSite ? { callSite: next.callSite } : {}),
    evidence: { serialMs, stretchMs, workMs, taskMs, allSerialMs, maxSpeedup: bound, cores, profilerMs, onCpu: cpu ? 1 : 0, duringStartupMs: during.startingMs, duringIdleMs: during.idleMs },
    text: `the main thread ran ${formatMs(serialMs)} of serial code ${how} ${duringWords(serialMs, during)}${next ? ` (before region '${c.regionName(next.id)}')` : ''}: ` +
      `${formatPercent(serialMs / workMs)} of the run's ${formatMs(workMs)} of work (serial code ${formatMs(allSerialMs)}, tasks ${formatMs(taskMs)}), so no number of threads can speed that work up more than ${formatSpeedup(bound)} (Amdahl); ` +
      (during.startingMs > 0 && saving < 1 ? 'it ran while the workers were starting, which the run waited for anyway, so moving it would save nothing in this run'
        : `spreading it over ${plural(cores, 'core')} would save ~${formatMs(saving)}${during.startingMs > 0 ? ` (the ${formatMs(during.startingMs)} that ran while workers were starting, not: the run waited for them anyway)` : ''}`) };
}

/** A stretch's serial code, ms, by what the pools' workers did meanwhile: starting up, ready and idle, or none existed yet. */
interface SerialDuring { startingMs: number; idleMs: number; noWorkersMs: number }

/**
 * Splits the serial code of [stretch.start, stretch.end) by the workers' start-up windows
 * (report.startup: created → ready): while one was starting, while all that existed were ready
 * (the workers idled), and before any was created.
 */
function serialDuring(c: Ctx, stretch: { start: number; end: number }, codeMs: (x: { start: number; end: number }) => number): SerialDuring {
  const workers = c.report.startup?.workers ?? [];
  const cuts = new Set<number>([stretch.start, stretch.end]);
  for (const w of workers) for (const t of [w.created, w.ready ?? c.report.meta.durationUs]) if (t > stretch.start && t < stretch.end) cuts.add(t);
  const at = [...cuts].sort((a, b) => a - b);
  const out: SerialDuring = { startingMs: 0, idleMs: 0, noWorkersMs: 0 };
  for (let k = 0; k + 1 < at.length; k++) {
    const mid = (at[k] + at[k + 1]) / 2;
    const ms = codeMs({ start: at[k], end: at[k + 1] });
    if (workers.some((w) => w.created <= mid && mid < (w.ready ?? Infinity))) out.startingMs += ms;
    else if (workers.some((w) => w.created <= mid)) out.idleMs += ms;
    else out.noWorkersMs += ms;
  }
  return out;
}

/** 'while the workers idled', 'while its workers were still starting up', or the split when it is mixed. */
function duringWords(serialMs: number, d: SerialDuring): string {
  const major = Math.max(d.startingMs, d.idleMs, d.noWorkersMs);
  // Mostly one of them (90 %): said alone.
  if (major >= 0.9 * serialMs) {
    return major === d.startingMs ? 'while the workers were still starting up' : major === d.idleMs ? 'while the workers idled' : 'before any worker was created';
  }
  const parts = [[d.startingMs, 'while workers were starting up'], [d.idleMs, 'while the workers idled'], [d.noWorkersMs, 'before any worker was created']] as const;
  return `(${parts.filter(([ms]) => ms >= 0.5).map(([ms, w]) => `${formatMs(ms)} ${w}`).join(', ')})`;
}

/** One thread's sample times (µs from origin, increasing) and running sums of the sample weights in selected frames. */
interface SampleSums {
  thread: number; times: Float64Array; inputs: Float64Array; results: Float64Array; gc: Float64Array; overhead: Float64Array;
  /** GC samples weighed by CPU time (cpu-time.ts), when the thread has CPU readings. */
  gcOnCpu?: Float64Array;
  /**
   * '(program)' samples (V8's own native code, no JavaScript frame), weighed as the copies are: a
   * worker receiving a message spends its time there (dataMovementAdvice reads it before a
   * worker's first task).
   */
  program: Float64Array;
}


/** Built once per report: each region then sums its window by binary search, not by a pass over the samples. */
function sampleSums(report: Report): SampleSums[] {
  const mains = new Set(report.threads.filter((t) => t.kind === 'main').map((t) => t.id));
  const cap = sampleCapUs(report);
  return report.profiles.map((tp) => {
    const ix = indexProfile(tp.profile);
    // A frame counts when it or an ancestor is selected: parents come before children in `order`.
    // The innermost data-moving frame on the stack says which way the data went.
    const onMain = mains.has(tp.thread);
    const clone = new Uint8Array(ix.nodes.length), gc = new Uint8Array(ix.nodes.length), overhead = new Uint8Array(ix.nodes.length), program = new Uint8Array(ix.nodes.length);
    for (let k = 0; k < ix.order.length; k++) {
      const n = ix.order[k], up = ix.parent[n], frame = ix.nodes[n].callFrame, name = frame.functionName;
      clone[n] = movesData(frame) ? moveDirection(frame, onMain) : up >= 0 ? clone[up] : NO_MOVE;
      gc[n] = name === GC_FRAME || (up >= 0 && gc[up] === 1) ? 1 : 0;
      program[n] = name === PROGRAM_FRAME ? 1 : 0;
      // The profiler's time: the innermost frame that is not Node's own is the runtime's (the
      // user's code called back from it is the user's), or the main thread waits for the ESM
      // loader hooks the preload registered.
      const own = profilerFrame(frame);
      overhead[n] = own !== undefined ? own : up >= 0 ? overhead[up] : 0;
    }
    const m = ix.sampleNode.length;
    const cumIn = new Float64Array(m + 1), cumOut = new Float64Array(m + 1), cumGc = new Float64Array(m + 1), cumOver = new Float64Array(m + 1), cumProgram = new Float64Array(m + 1);
    const series = cpuSeriesOf(report, tp.thread);
    const cpuW = series ? cpuSampleWeights(ix, series) : undefined;
    const cumGcCpu = cpuW ? new Float64Array(m + 1) : undefined;
    for (let i = 0; i < m; i++) {
      const n = ix.sampleNode[i];
      // A late sample weighs at most the cap, as in the flame trees (unsampled.ts): one GC sample
      // followed by a wait for a core read 140 ms of 'collecting garbage'.
      const w = Math.min(ix.weights[i], cap);
      // Copying is CPU work: with CPU readings a sample weighs its time on a core, so a post
      // followed by a wait for one is not copying (under load, one sample of the main thread
      // posting a range() operation read 7.8 ms of 'copying its input', 0.6 ms of it on a core).
      const cw = cpuW ? Math.min(cpuW[i], cap) : w;
      cumIn[i + 1] = cumIn[i] + (n >= 0 && clone[n] === MOVES_INPUT ? cw : 0);
      cumOut[i + 1] = cumOut[i] + (n >= 0 && clone[n] === MOVES_RESULT ? cw : 0);
      cumGc[i + 1] = cumGc[i] + (n >= 0 && gc[n] ? w : 0);
      if (cumGcCpu) cumGcCpu[i + 1] = cumGcCpu[i] + (n >= 0 && gc[n] ? Math.min(cpuW![i], cap) : 0);
      cumOver[i + 1] = cumOver[i] + (n >= 0 && overhead[n] ? w : 0);
      cumProgram[i + 1] = cumProgram[i] + (n >= 0 && program[n] ? cw : 0);
    }
    return { thread: tp.thread, times: ix.times, inputs: cumIn, results: cumOut, gc: cumGc, overhead: cumOver, program: cumProgram, ...(cumGcCpu ? { gcOnCpu: cumGcCpu } : {}) };
  });
}

/** First index whose time is ≥ t. */
function lowerBound(times: Float64Array, t: number): number {
  let lo = 0, hi = times.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * lowerBound, searched outward from `hint` (the answer for a nearby time): O(log distance) rather
 * than O(log n), so a walk through spans in time order costs O(1) a span.
 */
export function lowerBoundNear(times: Float64Array, t: number, hint: number): number {
  const n = times.length;
  const h = Math.min(Math.max(0, hint | 0), n);
  let lo: number, hi: number;
  if (h < n && times[h] < t) {
    // The answer is after h: probe h+1, h+2, h+4, … until a time ≥ t (or the end).
    let last = h, step = 1;
    let p = h + 1;
    while (p < n && times[p] < t) { last = p; step *= 2; p = h + step; }
    lo = last + 1; hi = Math.min(p, n);
  } else {
    // The answer is h or before: probe h−1, h−2, h−4, … until a time < t (or the start).
    let last = h, step = 1;
    let p = h - 1;
    while (p >= 0 && times[p] >= t) { last = p; step *= 2; p = h - step; }
    lo = Math.max(p + 1, 0); hi = last;
  }
  while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
}

/** ms per thread in the selected frames, over samples in [from, to). */
function sampleTime(sums: SampleSums[], which: 'inputs' | 'results' | 'gc' | 'gcOnCpu' | 'overhead' | 'program', from: number, to: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of sums) {
    const cum = which === 'gcOnCpu' ? s.gcOnCpu ?? s.gc : s[which];
    const ms = (cum[lowerBound(s.times, to)] - cum[lowerBound(s.times, from)]) / 1000;
    if (ms > 0) out.set(s.thread, (out.get(s.thread) ?? 0) + ms);
  }
  return out;
}

const poolStartupsOf = new WeakMap<RunMetrics, { start: number; end: number }[]>();

/**
 * The phases' pool start-up intervals, picked once: the phases hold an interval between every two
 * operations too (64,000 for a script of 32,000 small maps), which each region read in full.
 */
function poolStartups(metrics: RunMetrics): { start: number; end: number }[] {
  let list = poolStartupsOf.get(metrics);
  if (!list) {
    list = (metrics.extra.phases?.intervals ?? []).filter((x) => x.kind === 'pool-startup');
    poolStartupsOf.set(metrics, list);
  }
  return list;
}

const startupsOf = new WeakMap<Report, Map<number, WorkerStartup[]>>();

/** The report's worker start-ups by pool id, grouped once (a region reads only its pool's). */
function startupsByPool(report: Report): Map<number, WorkerStartup[]> {
  let byPool = startupsOf.get(report);
  if (!byPool) {
    byPool = new Map();
    for (const w of report.startup?.workers ?? []) {
      const list = byPool.get(w.pool);
      if (list) list.push(w);
      else byPool.set(w.pool, [w]);
    }
    startupsOf.set(report, byPool);
  }
  return byPool;
}

function dataMovementAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  const reg = c.regionById.get(r.id);
  if (!reg || reg.threads === 0 || c.report.profiles.length === 0) return undefined;
  const from = reg.called ?? reg.start, to = reg.end ?? c.report.meta.durationUs;
  const mainId = c.mainId;
  // While the pool's workers start, the main thread posts their bootstrap messages: that is
  // start-up, not this call's input (a range(0, 2) warm-up read 10 ms of "copying" there). The
  // phases' start-up intervals leave out the time an operation overlapped, so the call's own
  // wait for its pool's workers is taken from their start-ups (created → ready), merged.
  const spans: { start: number; end: number }[] = poolStartups(c.metrics)
    .filter((x) => x.end > from && x.start < to).map((x) => ({ start: x.start, end: x.end }));
  for (const w of startupsByPool(c.report).get(reg.pool) ?? []) {
    if (w.created < to && (w.ready ?? to) > from) spans.push({ start: w.created, end: w.ready ?? to });
  }
  // Their union, so that no time is taken away twice.
  spans.sort((x, y) => x.start - y.start);
  const startups: { start: number; end: number }[] = [];
  for (const x of spans) {
    const last = startups[startups.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else startups.push({ ...x });
  }
  const split = (which: 'inputs' | 'results') => {
    let main = 0, workers = 0;
    const add = (sign: number, a: number, b: number) => {
      for (const [id, ms] of sampleTime(c.sums(), which, a, b)) if (id === mainId) main += sign * ms; else workers += sign * ms;
    };
    add(1, from, to);
    for (const x of startups) add(-1, Math.max(from, x.start), Math.min(to, x.end));
    return { main: Math.max(0, main), workers: Math.max(0, workers) };
  };
  const inputs = split('inputs'), results = split('results');
  // Each worker's first task start and the region's last task end, in one pass over its spans.
  const first = new Map<number, number>();
  let lastEnd = -Infinity;
  for (const k of c.spansOf(r.id)) {
    const t = c.report.spans.thread[k];
    if (t !== mainId && c.report.spans.start[k] < (first.get(t) ?? Infinity)) first.set(t, c.report.spans.start[k]);
    lastEnd = Math.max(lastEnd, c.report.spans.end[k]);
  }
  // A worker of our pool's map, forEach or reduce, between the operation's start (or its being
  // ready) and its first task, has nothing to do but receive the operation's message: its time
  // in V8's own code then is the input's copy arriving (a million-number array read 100-340 ms
  // per worker, none of it in a JavaScript frame), which the frames above do not see.
  if (reg.kind === 'map' || reg.kind === 'forEach' || reg.kind === 'reduce') {
    const ready = new Map((startupsByPool(c.report).get(reg.pool) ?? []).map((w) => [w.thread, w.ready ?? to]));
    const byThread = c.sumsByThread();
    for (const [t, start] of first) {
      const sums = byThread.get(t);
      const a = Math.max(reg.start, ready.get(t) ?? reg.start);
      if (sums && start > a) inputs.workers += sampleTime([sums], 'program', a, start).get(t) ?? 0;
    }
  }
  const p = threadsOf(reg, r);
  const callMs = (to - from) / 1000;
  const min = Math.max(SAMPLE_MIN_MS, SAMPLE_SHARE_MIN * callMs);
  // Each direction on its own: a range() or shared-array input copies nothing in, whatever its
  // results cost; results copied back are advice about the results. The main thread's part is
  // the cause this advice can name (workers posting the results of many tiny chunks, with
  // nothing for the main thread to assemble, is the small-chunks advice's).
  const inSaving = inputs.main + inputs.workers / p, outSaving = results.main + results.workers / p;
  const hasIn = inputs.main >= SAMPLE_MIN_MS && inSaving >= min, hasOut = results.main >= SAMPLE_MIN_MS && outSaving >= min;
  if (!hasIn && !hasOut) return undefined;
  const saving = (hasIn ? inSaving : 0) + (hasOut ? outSaving : 0);
  const parts: string[] = [];
  // A worker's receiving of a message is often not in any frame of its samples ('(program)', GC):
  // none seen there is no "0.00 ms on its workers" (60,000 objects took them 69-83 ms to receive).
  const onWorkers = (ms: number): string => (ms > 0 ? ` and ${formatMs(ms)} on its workers` : '');
  if (hasIn) parts.push(`${formatMs(inputs.main)} on the main thread${onWorkers(inputs.workers)} copying its input to the workers`);
  if (hasOut) parts.push(`${formatMs(results.main)} on the main thread${onWorkers(results.workers)} copying results back and assembling them`);
  // The call's time after its last task ended is the results' way back to the main thread and
  // their assembly, by definition: said when it is a real part of the call, with the main
  // thread's garbage collection then (not in the results' frames, so not in the "at least").
  let returned = '';
  if (hasOut) {
    const afterMs = (to - lastEnd) / 1000;
    if (Number.isFinite(afterMs) && afterMs >= min) {
      const main = c.sumsByThread().get(mainId);
      const gcMs = main ? sampleTime([main], 'gcOnCpu', lastEnd, to).get(mainId) ?? 0 : 0;
      returned = ` that returned ${formatMs(afterMs)} after its last task ended (the results' way back and their assembly` +
        `${gcMs >= SAMPLE_MIN_MS ? `; the main thread collected garbage for ${formatMs(gcMs)} of it` : ''})`;
    }
  }
  const fixes: string[] = [];
  if (hasIn) fixes.push('passing range() indices or shared typed arrays (SharedArrayBuffer) instead of copies of the input');
  if (hasOut) fixes.push('returning less per item, or writing results into a shared typed array instead of returning them');
  return { rule: 'data-movement', savingMs: saving, range: { from, to }, ...(reg.callSite ? { callSite: reg.callSite } : {}),
    evidence: { mainCloneMs: (hasIn ? inputs.main : 0) + (hasOut ? results.main : 0), workerCloneMs: (hasIn ? inputs.workers : 0) + (hasOut ? results.workers : 0), callMs,
      inputMainMs: inputs.main, inputWorkersMs: inputs.workers, resultMainMs: results.main, resultWorkersMs: results.workers },
    text: `region '${c.regionName(r.id)}' spent at least ${parts.join(', and ')} in a ${formatMs(callMs)} call${returned}; ${fixes.join('; ')} would save ~${formatMs(saving)}` };
}

function gcAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  const reg = c.regionById.get(r.id);
  if (!reg || reg.threads === 0 || c.report.profiles.length === 0 || r.wallMs <= 0) return undefined;
  // GC inside the region's task spans only: GC while a worker receives a copied input is the
  // data movement's (that advice counts it), not the task code's allocation.
  const byThread = c.sumsByThread();
  // On a loaded machine a thread descheduled mid-collection charges the wait to the GC sample
  // (tinygc.mjs at load 19: 133 ms of GC samples, 6 ms of it on a core): with CPU readings for
  // every thread that ran the region's tasks, GC and task time are both weighed on a core.
  const cpuStopped = new Set(c.metrics.threads.filter((t) => t.cpuReadingsEndMs !== undefined).map((t) => t.id));
  const onCpu = r.threads.every((t) => t.tasks === 0 || t.id === c.mainId ||
    (t.busyOnCpuMs !== undefined && byThread.get(t.id)?.gcOnCpu !== undefined && !cpuStopped.has(t.id)));
  const perThread = new Map<number, number>();
  const s = c.report.spans;
  // A thread's spans come mostly in time order: each search starts where its last one ended (10M
  // spans: 20M binary searches over each thread's samples took seconds).
  const hints = new Map<SampleSums, { start: number; end: number }>();
  for (const k of c.spansOf(r.id)) {
    const sums = byThread.get(s.thread[k]);
    if (!sums || s.thread[k] === 0) continue;
    let h = hints.get(sums);
    if (!h) hints.set(sums, (h = { start: 0, end: 0 }));
    h.start = lowerBoundNear(sums.times, s.start[k], h.start);
    h.end = lowerBoundNear(sums.times, s.end[k], h.end);
    const cum = onCpu ? sums.gcOnCpu ?? sums.gc : sums.gc;
    const ms = (cum[h.end] - cum[h.start]) / 1000;
    perThread.set(s.thread[k], (perThread.get(s.thread[k]) ?? 0) + ms);
  }
  let gcMs = 0, worst = 0, worstId = -1;
  for (const [id, ms] of perThread) {
    gcMs += ms;
    if (ms > worst) { worst = ms; worstId = id; }
  }
  const p = threadsOf(reg, r);
  const busy = r.threads.reduce((a, t) => a + (onCpu ? t.busyOnCpuMs ?? 0 : t.busyMs), 0);
  const share = busy > 0 ? Math.min(1, gcMs / busy) : 0;
  const saving = gcMs / p;
  if (share < SAMPLE_SHARE_MIN || saving < SAMPLE_MIN_MS) return undefined;
  const onCore = onCpu ? ' on a core' : '';
  return { rule: 'gc', savingMs: saving, ...where(reg, c.report), evidence: { gcMs, busyMs: busy, gcShare: share, worstThreadGcMs: worst, onCpu: onCpu ? 1 : 0 },
    text: `workers of region '${c.regionName(r.id)}' spent ${formatPercent(share)} of their ${r.tasks > 0 ? 'task' : 'busy'} time${onCore} collecting garbage (${formatMs(gcMs)}${onCore} over ${plural(p, 'thread')}, ${formatMs(worst)} on ${c.threadName(worstId)}); ` +
      `allocating less per item (reuse buffers, typed arrays) would save up to ~${formatMs(saving)}` };
}

/** Threads named beside the worst in the descheduled finding; more are counted, not named. */
const DESCHEDULED_NAMED = 4;

/** '; the others: a on a core 44 %, b 51 %': the other descheduled threads, so the count names what it counts. */
function othersText(c: Ctx, hit: ThreadMetrics[], worst: ThreadMetrics): string {
  const others = hit.filter((t) => t !== worst).sort((a, b) => busyOnCpuShare(a)! - busyOnCpuShare(b)!);
  if (others.length === 0) return '';
  const named = others.slice(0, DESCHEDULED_NAMED).map((t, i) => `${c.threadName(t.id)}${i === 0 ? ' on a core' : ''} ${formatPercent(busyOnCpuShare(t)!)}`);
  const more = others.length - named.length;
  return `; the others: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function descheduledAdvice(c: Ctx): Advice | undefined {
  const hit = c.metrics.threads.filter((t) => {
    const off = descheduledShare(t);
    return off !== undefined && t.busyMs >= DESCHEDULED_MIN_BUSY_MS && off >= DESCHEDULED_SHARE;
  });
  if (!hit.length) return undefined;
  const worst = hit.reduce((a, b) => (descheduledShare(b)! > descheduledShare(a)! ? b : a));
  const cores = c.report.meta.cores;
  const lost = (t: ThreadMetrics) => t.busyRunnableMs ?? Math.max(0, t.busyMs - (t.waitMs ?? 0) - (t.busyOnCpuMs ?? 0));
  const waiting = worst.busyRunnableMs !== undefined ? `, ${formatMs(worst.busyRunnableMs)} waiting for a core` : '';
  const name = c.threadName(worst.id);
  // Fewer threads only help when the run's own threads outnumbered the cores (a sequential run
  // has one thread: only other processes can have taken its core).
  const peak = c.metrics.extra.peakThreads ?? c.metrics.extra.workerThreads;
  const coresText = cores === 1 ? 'the one core' : `the ${cores} cores`;
  const own = peak > cores;
  const cause = own ? `more runnable threads (${peak} at once) than ${coresText} could run, or other processes, took the CPU`
    : `other processes took the CPU (this run had at most ${plural(Math.max(1, peak), 'thread')} busy at once on ${coresText})`;
  const remedy = own ? 'no more threads than free cores' : 'a machine without that load';
  // The run lasts as long as its longest busy thread: what it gives back is at most that
  // thread's loss (the worst share may be a shorter thread's; a tie goes to the worst).
  // Threads with tasks only, when some have them: a worker spinning beside the pool (hog.js) is
  // busy until it is terminated, and the run does not wait for it.
  const timed = c.metrics.threads.filter((t) => t.busyOnCpuMs !== undefined);
  const withTasks = timed.filter((t) => t.tasks > 0);
  const among = withTasks.length > 0 ? withTasks : timed;
  const critical = among.reduce((a, b) => (b.busyMs > a.busyMs ? b : a), among.includes(worst) || among.length === 0 ? worst : among[0]);
  const saving = lost(critical);
  const whose = critical === worst ? '' : ` (the longest busy thread, ${c.threadName(critical.id)}, was descheduled ${formatMs(lost(critical))} of its ${formatMs(critical.busyMs)})`;
  return { rule: 'descheduled', savingMs: saving, range: { from: c.metrics.extra.start, to: c.metrics.extra.end },
    evidence: { threads: hit.length, busyMs: worst.busyMs, busyOnCpuMs: worst.busyOnCpuMs ?? 0, descheduledMs: lost(worst), cores, criticalThread: critical.id, criticalDescheduledMs: lost(critical) },
    text: `${hit.length === 1 ? `${name} was` : `${hit.length} threads were`} descheduled while busy: ` +
      `${hit.length === 1 ? name : `the most, ${name},`} was on a core only ${formatPercent(busyOnCpuShare(worst)!)} of its ${formatMs(worst.busyMs)} ${worst.tasks > 0 ? 'in tasks' : 'busy'} (${formatMs(worst.busyOnCpuMs!)}${waiting})${othersText(c, hit, worst)}; ` +
      `${cause}, so wall-time utilization and self times overstate the work; ${remedy} would give back up to ~${formatMs(saving)}${whose}` };
}

function contentionAdvice(c: Ctx, r: RegionMetrics): Advice | undefined {
  if (r.waitMs === undefined || r.wallMs <= 0 || !r.threads.length) return undefined;
  const worst = r.threads.reduce((a, b) => ((b.waitMs ?? 0) > (a.waitMs ?? 0) ? b : a), r.threads[0]);
  const w = worst.waitMs ?? 0;
  if (w < Math.max(1, 0.1 * r.wallMs)) return undefined;
  const reg = c.regionById.get(r.id);
  const saving = r.waitMs / Math.max(1, r.threads.filter((t) => (t.waitMs ?? 0) > 0).length);
  return { rule: 'contention', savingMs: saving, ...where(reg, c.report), evidence: { waitMs: r.waitMs, worstThreadWaitMs: w, wallMs: r.wallMs },
    text: `threads were blocked in Atomics.wait ${formatMs(r.waitMs)} in region '${c.regionName(r.id)}' (up to ${formatPercent(w / r.wallMs)} of a thread's time, ${formatMs(w)} on ${c.threadName(worst.id)}): ` +
      `a lock or condition they share serializes them; per-thread partial results merged at the end would save up to ~${formatMs(saving)}` };
}

/** Calls of one pool call site (its regions) at least this many times for 'many-calls'. */
export const MANY_CALLS_MIN = 50;
/** ... whose threads were in tasks at most this share of the calls' thread time (Σ wall × threads). */
export const MANY_CALLS_BUSY_SHARE = 0.25;

/**
 * 'many-calls': one pool call site (a loop of small operations) called many times, each call's
 * own cost (handing out the work, waking the threads, the results back) outweighing its tasks.
 * What one call over all their items would take instead: their work spread over the threads, plus
 * one call's cost (the median call's wall); the rest is the saving. Our pool's operations only (a
 * library's tasks are its program's units of work, each region already one pool's life).
 */
function manyCallsAdvice(c: Ctx): Advice[] {
  const groups = new Map<string, RegionMetrics[]>();
  for (const r of c.metrics.regions) {
    const reg = c.regionById.get(r.id);
    if (!reg || reg.kind === 'external' || !(reg.threads > 0)) continue;
    const site = reg.callSite;
    const key = site ? `${site.file}:${site.line}:${site.column}` : `pool ${reg.pool} ${reg.kind} ${reg.fn}`;
    const list = groups.get(key);
    if (list) list.push(r); else groups.set(key, [r]);
  }
  const out: Advice[] = [];
  for (const rs of groups.values()) {
    if (rs.length < MANY_CALLS_MIN) continue;
    let wallMs = 0, busyMs = 0, threadMs = 0, p = 1;
    for (const r of rs) {
      const q = threadsOf(c.regionById.get(r.id), r);
      p = Math.max(p, q);
      wallMs += r.wallMs;
      threadMs += r.wallMs * q;
      for (const t of r.threads) busyMs += t.busyMs;
    }
    if (threadMs <= 0) continue;
    const share = busyMs / threadMs;
    if (share > MANY_CALLS_BUSY_SHARE) continue;
    const walls = rs.map((r) => r.wallMs).sort((a, b) => a - b);
    const median = walls[walls.length >> 1];
    // One call still costs what the costliest of these did (the first is the pool's cold one: 35 ms
    // where the median took 0.3), so that is kept, not the median's.
    const saving = wallMs - busyMs / p - walls[walls.length - 1];
    if (!(saving >= Math.max(10, 0.05 * c.metrics.wallMs))) continue;
    const first = c.regionById.get(rs[0].id)!;
    const last = c.regionById.get(rs[rs.length - 1].id);
    const site = first.callSite ? ` at ${first.callSite.file.split(/[\\/]/).pop()}:${first.callSite.line}` : '';
    out.push({ rule: 'many-calls', savingMs: saving,
      range: { from: first.start, to: last?.end ?? c.report.meta.durationUs }, ...(first.callSite ? { callSite: first.callSite } : {}),
      evidence: { calls: rs.length, wallMs, busyMs, threads: p, busyShare: share, medianCallWallMs: median, longestCallWallMs: walls[walls.length - 1] },
      text: `the pool's ${first.kind}(${first.fn}) call${site} ran ${rs.length} times ('${c.regionName(rs[0].id)}' and on), ${formatMs(median)} each at the median, ` +
        `its threads in tasks ${formatPercent(share)} of those calls' thread time (${formatMs(busyMs)} of tasks in ${formatMs(wallMs)} of calls): each call's own cost ` +
        `(handing out the work, waking the threads, the results back) outweighs its tasks; if the calls do not depend on one another, one call over all their items ` +
        `would save ~${formatMs(saving)}, and if each needs the one before, more work per call pays for that cost` });
  }
  return out;
}

/** Every advice the report's numbers support, largest saving first. */
export function advise(report: Report, metrics: RunMetrics): Advice[] {
  const names = new Map(report.threads.map((t) => [t.id, t.name]));
  let sums: SampleSums[] | undefined;
  let byRegion: ((region: number) => Int32Array) | undefined;
  let sumsByThread: Map<number, SampleSums> | undefined;
  let work: MainThreadWork | undefined | null = null;
  const labels = regionLabels(report.regions);
  const labelById = new Map(report.regions.map((g, i) => [g.id, labels[i]]));
  const c: Ctx = { report, metrics, regionById: new Map(report.regions.map((g) => [g.id, g])),
    regionName: (id) => labelById.get(id) ?? `region ${id}`, threadName: (id) => names.get(id) ?? `thread ${id}`,
    mainId: report.threads.find((t) => t.kind === 'main')?.id ?? 0,
    sums: () => (sums ??= sampleSums(report)),
    sumsByThread: () => (sumsByThread ??= new Map(c.sums().map((x) => [x.thread, x]))),
    work: () => (work === null ? (work = mainThreadWork(report)) : work),
    spansOf: (region) => (byRegion ??= indicesBy(report.spans.region, report.spans.count))(region) };
  const out: Advice[] = [];
  const push = (a: Advice | undefined) => { if (a && Number.isFinite(a.savingMs)) out.push(a); };
  for (const r of metrics.regions) {
    const gaps = gapAdvice(c, r);
    const balance = balanceAdvice(c, r);
    // Idle time between tasks is the gap advice's: the same time again as 'imbalance' would count it twice.
    push(gaps && balance?.rule === 'imbalance' ? undefined : balance);
    push(gaps);
    // Our pool's map / forEach / reduce: one item longer than an even share of the work, which no
    // spread or chunk size helps (the balance rules count it as the bound), is the program's to split.
    if (!balance && !gaps) push(longItemAdvice(c, r));
    push(dataMovementAdvice(c, r));
    push(gcAdvice(c, r));
    push(contentionAdvice(c, r));
    push(turnoverAdvice(c, r));
  }
  push(serialAdvice(c));
  push(descheduledAdvice(c));
  for (const a of manyCallsAdvice(c)) push(a);
  return out.sort((a, b) => b.savingMs - a.savingMs);
}
