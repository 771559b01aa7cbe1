// The phases of a run a user pays for (report format 2): the run from spawn to exit split, on
// the main thread's timeline, into
//   process start   spawn -> the preload runs (Node boots)
//   recorder start  the preload installing the recorder
//   pool start-up   worker threads starting (creation -> ready), while no operation runs
//   operations      pool operations running (region start -> end, and its call before that
//                   while no worker was starting: preparing the input, queued behind another)
//   child processes a child process the script started running (booting, its own code, exiting)
//                   while no operation ran and no worker was starting (reports with processes)
//   serial          everything else: the script's own code before, between and after operations,
//                   and the user's code the main thread ran while workers started or a child
//                   ran (its samples)
// Operations and start-ups are those of every process of the run. Each instant counts once: an
// operation wins over a start-up running beside it, a start-up over a child process, a child
// process over serial code, so 'serial' is the main process's main thread alone. So the phases add up to the whole run and a whole-run speedup can be read off them.
// ThreadPool regions start after every worker is ready (start-up is before them); an external
// pool's region starts at its first worker's creation, so its operation part starts when its
// first worker was ready (its first message) and the time before is start-up.
import { codeWithin, mainThreadWork, userStretches, type MainThreadWork } from './main-thread-work';
import type { Region, Report, WorkerStartup } from './report';

export type PhaseKind = 'process-start' | 'recorder-start' | 'pool-startup' | 'operation' | 'child-process' | 'serial';

/** One stretch of the main thread's timeline, µs from origin. */
export interface PhaseInterval { kind: PhaseKind; start: number; end: number }

/** Durations in ms; they add up to totalMs. */
export interface PhaseMetrics {
  /** Spawn to process exit: the run as the user waits for it. */
  totalMs: number;
  processStartMs: number;
  recorderStartMs: number;
  poolStartupMs: number;
  operationsMs: number;
  /**
   * Reports with child processes: time a child process was running (from its spawn, else its
   * recording's start, to its end, else the run's end) while no operation ran and no worker was
   * starting; absent for a run of one process.
   */
  childProcessesMs?: number;
  /** Reports with child processes: how many children the run recorded. */
  childProcesses?: number;
  serialMs: number;
  /**
   * serialMs split: before the first operation (the user's code while workers start included),
   * between operations, after the last.
   */
  serialBeforeMs: number;
  serialBetweenMs: number;
  serialAfterMs: number;
  /**
   * Of serialMs, the main thread's time in its own code (not waiting, not the profiler's or the
   * pool runtime's frames): on-CPU time where the report has CPU readings for the thread
   * (serialCodeSource 'cpu'), else wall time less those samples' ('wall'); main-thread-work.ts.
   * Absent without a main-thread profile.
   */
  serialCodeMs?: number;
  serialCodeSource?: 'cpu' | 'wall';
  /** Worker start-ups recorded, and the longest of them (creation -> ready), ms. */
  workerStartups: number;
  /**
   * Of them, those of workers not of a ThreadPool (another pool's, raw workers): ready is their
   * first message, so their start-up includes any wait for the program's first task.
   */
  workerStartupsToFirstMessage?: number;
  longestWorkerStartupMs: number;
  /** The timeline, in time order, adjacent stretches of one kind merged. */
  intervals: PhaseInterval[];
}

/** Per region: what its wall time covers and what the call around it cost; ms. */
export interface RegionPhaseMetrics {
  id: number;
  /** The user's call (map(), forEach()...) from call to end: waiting for pool start-up included. Undefined when not recorded (version 1, external pools). */
  callMs?: number;
  /** Part of the region's window [called or start, end] during which workers of its pool were starting. */
  startupMs: number;
  /**
   * The part of startupMs inside the region's own window [start, end]: workers still starting while
   * others ran its tasks (an instrumented library's region starts at its first worker's readiness).
   * startupMs − startupInWallMs is the start-up the call waited for before its tasks could start.
   */
  startupInWallMs: number;
  /**
   * Utilization over the time its threads were ready: Σ busy_i / Σ_i (end − max(start, ready_i)).
   * Equals the wall-time utilization when no worker was starting during the region.
   */
  utilizationAfterStartup: number;
}

const MS = 1 / 1000;

/** Window of a region for phases: unfinished regions end at the run end. */
export function regionEnd(report: Report, r: Region): number {
  return r.end ?? Math.max(r.start, report.meta.durationUs);
}

function readyOf(report: Report, w: WorkerStartup): number {
  return w.ready ?? report.meta.durationUs;
}

export function phaseMetrics(report: Report): PhaseMetrics | undefined {
  const st = report.startup;
  if (!st) return undefined;
  const end = Math.max(report.meta.durationUs, st.script);
  // Operation windows; an external pool's work starts at its first worker's readiness.
  const firstReady = new Map<number, number>();
  for (const w of st.workers) if (w.ready !== undefined) firstReady.set(w.pool, Math.min(firstReady.get(w.pool) ?? Infinity, w.ready));
  const ops: [number, number][] = report.regions.map((r) => {
    const to = regionEnd(report, r);
    const from = r.kind === 'external' ? Math.min(to, Math.max(r.start, firstReady.get(r.pool) ?? to)) : r.start;
    return [from, to];
  });
  const startups: [number, number][] = st.workers.map((w) => [w.created, readyOf(report, w)]);

  // Sweep over every boundary: each elementary stretch gets the label of what covers it.
  // The call before its tasks start (preparing the input, queued behind another operation) is
  // the operation's too, unless workers were starting then.
  type Edge = { t: number; op: number; up: number; call: number; child?: number };
  const edges: Edge[] = [];
  for (const [a, b] of ops) if (b > a) edges.push({ t: a, op: 1, up: 0, call: 0 }, { t: b, op: -1, up: 0, call: 0 });
  for (const [a, b] of startups) if (b > a) edges.push({ t: a, op: 0, up: 1, call: 0 }, { t: b, op: 0, up: -1, call: 0 });
  report.regions.forEach((r, i) => {
    if (r.called !== undefined && r.called < ops[i][0]) edges.push({ t: r.called, op: 0, up: 0, call: 1 }, { t: ops[i][0], op: 0, up: 0, call: -1 });
  });
  const children = (report.processes ?? []).filter((x) => x.startedBy !== 'main');
  for (const c of children) {
    const a = c.spawned ?? c.start, b = c.end ?? c.died?.at ?? report.meta.durationUs;
    if (b > a) edges.push({ t: a, op: 0, up: 0, call: 0, child: 1 }, { t: b, op: 0, up: 0, call: 0, child: -1 });
  }
  edges.sort((x, y) => x.t - y.t);
  const intervals: PhaseInterval[] = [];
  const push = (kind: PhaseKind, a: number, b: number): void => {
    if (!(b > a)) return;
    const last = intervals[intervals.length - 1];
    if (last && last.kind === kind && last.end >= a) last.end = Math.max(last.end, b);
    else intervals.push({ kind, start: a, end: b });
  };
  push('process-start', st.spawn, st.preload);
  push('recorder-start', st.preload, st.script);
  let op = 0, up = 0, call = 0, child = 0, at = st.script;
  for (const e of edges) {
    const t = Math.min(Math.max(e.t, st.script), end);
    push(op > 0 ? 'operation' : up > 0 ? 'pool-startup' : call > 0 ? 'operation' : child > 0 ? 'child-process' : 'serial', at, t);
    at = Math.max(at, t);
    op += e.op;
    up += e.up;
    call += e.call;
    child += e.child ?? 0;
  }
  push('serial', at, end);
  // The user's code the main thread ran while workers started (between `new ThreadPool` and its
  // first call, say) or while a child process ran is serial code the user wrote, not start-up nor
  // the child's: cut out of those phases.
  const work = mainThreadWork(report);
  if (work) splitStartups(intervals, work);

  const sum = (kind: PhaseKind): number => intervals.reduce((a, x) => a + (x.kind === kind ? x.end - x.start : 0), 0);
  let firstWork = Infinity, lastWork = -Infinity;
  // By operations alone: the user's code cut out of a start-up before the first operation is
  // before it, not "between" (a run with one operation read "395 ms between").
  for (const x of intervals) {
    if (x.kind !== 'operation') continue;
    firstWork = Math.min(firstWork, x.start);
    lastWork = Math.max(lastWork, x.end);
  }
  let before = 0, between = 0, after = 0;
  for (const x of intervals) {
    if (x.kind !== 'serial') continue;
    const d = x.end - x.start;
    if (x.end <= firstWork) before += d;
    else if (x.start >= lastWork) after += d;
    else between += d;
  }
  let longest = 0;
  for (const w of st.workers) longest = Math.max(longest, readyOf(report, w) - w.created);
  const toFirstMessage = st.workers.filter((w) => w.readyBy === 'first-message').length;
  let code = 0;
  if (work) for (const x of intervals) if (x.kind === 'serial') code += codeWithin(work, x.start, x.end);
  return {
    totalMs: (end - st.spawn) * MS,
    processStartMs: sum('process-start') * MS,
    recorderStartMs: sum('recorder-start') * MS,
    poolStartupMs: sum('pool-startup') * MS,
    operationsMs: sum('operation') * MS,
    ...(children.length > 0 ? { childProcessesMs: sum('child-process') * MS, childProcesses: children.length } : {}),
    serialMs: sum('serial') * MS,
    serialBeforeMs: before * MS,
    serialBetweenMs: between * MS,
    serialAfterMs: after * MS,
    ...(work ? { serialCodeMs: code * MS, serialCodeSource: work.source } : {}),
    workerStartups: st.workers.length,
    ...(toFirstMessage > 0 ? { workerStartupsToFirstMessage: toFirstMessage } : {}),
    longestWorkerStartupMs: longest * MS,
    intervals,
  };
}

/** Each pool-start-up and child-process stretch split where the main thread ran the user's code: those parts are serial. */
function splitStartups(intervals: PhaseInterval[], work: MainThreadWork): void {
  const out: PhaseInterval[] = [];
  const push = (kind: PhaseKind, a: number, b: number): void => {
    if (!(b > a)) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind && last.end >= a) last.end = Math.max(last.end, b);
    else out.push({ kind, start: a, end: b });
  };
  for (const x of intervals) {
    if (x.kind !== 'pool-startup' && x.kind !== 'child-process') { push(x.kind, x.start, x.end); continue; }
    let at = x.start;
    for (const [a, b] of userStretches(work, x.start, x.end)) {
      push(x.kind, at, a);
      push('serial', a, b);
      at = b;
    }
    push(x.kind, at, x.end);
  }
  intervals.length = 0;
  for (const x of out) intervals.push(x);
}

/** Length of the union of [a, b) intervals clipped to [from, to). */
function unionWithin(list: [number, number][], from: number, to: number): number {
  const clipped = list.map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0, curA = -Infinity, curB = -Infinity;
  for (const [a, b] of clipped) {
    if (a > curB) { if (curB > curA) total += curB - curA; curA = a; curB = b; } else curB = Math.max(curB, b);
  }
  if (curB > curA) total += curB - curA;
  return total;
}

/**
 * Region call times and start-up-aware utilization. `rows[i]` are region i's threads with their
 * busy time in it, ms (RegionMetrics.threads: those that ran its tasks and its pool's idle workers);
 * `ends[i]`, µs from origin, where region i's window ends (default: its end, or the run's).
 */
export function regionPhaseMetrics(report: Report, rows: { id: number; busyMs: number }[][], ends?: readonly number[]): RegionPhaseMetrics[] {
  const byPool = new Map<number, Map<number, WorkerStartup>>();
  for (const w of report.startup?.workers ?? []) {
    let m = byPool.get(w.pool);
    if (!m) byPool.set(w.pool, (m = new Map()));
    const had = m.get(w.thread);
    if (!had || w.created > had.created) m.set(w.thread, w); // a respawned slot: its latest start-up
  }
  const endOf = new Map<number, number>();
  for (const t of report.threads) if (t.end !== undefined) endOf.set(t.id, t.end);
  return report.regions.map((r, i) => {
    // `ends`: the analysis' window ends (an operation that failed or was stopped ends at its last
    // task there, not at the process's exit), so start-up and utilization share its basis.
    const to = ends?.[i] ?? regionEnd(report, r);
    const from = r.called ?? r.start;
    const workers = byPool.get(r.pool) ?? new Map<number, WorkerStartup>();
    const starting = [...workers.values()].map((w): [number, number] => [w.created, readyOf(report, w)]);
    const startupUs = unionWithin(starting, from, to);
    // Ready capacity: each thread from when it was ready (or from the region start) until it ended
    // (a pool that replaces its workers: a thread is no capacity after its end).
    let capacity = 0, busy = 0;
    const threadRows = rows[i] ?? [];
    for (const row of threadRows) {
      const w = workers.get(row.id);
      const ended = Math.min(to, Math.max(r.start, endOf.get(row.id) ?? to));
      capacity += Math.max(0, ended - Math.max(r.start, w ? readyOf(report, w) : r.start));
      busy += row.busyMs / MS;
    }
    // Threads that could run the region but appear in no row count from the start.
    capacity += Math.max(0, r.threads - threadRows.length) * Math.max(0, to - r.start);
    return {
      id: r.id,
      ...(r.called !== undefined && r.end !== undefined ? { callMs: (r.end - r.called) * MS } : {}),
      startupMs: startupUs * MS,
      startupInWallMs: unionWithin(starting, Math.max(from, r.start), to) * MS,
      utilizationAfterStartup: capacity > 0 ? Math.min(1, busy / capacity) : 0,
    };
  });
}
