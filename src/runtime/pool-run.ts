// One operation as a worker runs it: walks the worker's share of the items under the
// operation's schedule, calls the task function per item, records one span per scheduled chunk
// (one claim: a static share, a dynamic chunk, a steal-schedule claim from the thread's own or a
// stolen range, a join task) and returns the results as flat [first, result, first, result, ...]
// parts, with the number of chunks it ran and of ranges it stole.
import { poolAtomicsWait } from './contract';
import { NO_PARENT, NOT_STOLEN, type Recorder } from './contract';
import { NO_INDEX, type OpMessage } from './pool-protocol';
import type { TaskContext } from './pool-types';
import { ABORT_ERROR, CTRL, NOT_ABORTED, staticChunk } from './schedule';
import { NO_ITEM, StealState, type TaskEntry } from './schedule-steal';

type TaskFn = (...args: unknown[]) => unknown;

/** A task function threw (or broke a rule) at user-visible item index `index`. */
class TaskFailure {
  constructor(readonly index: number, readonly cause: unknown) {}
}

/** What a worker reports for one operation. */
export interface OperationResult {
  parts: unknown[];
  /** Chunks (tasks) this worker ran, failed ones included: one span each when recording. */
  tasks: number;
  /** steal: ranges this worker stole; join: tasks it took from another worker's deque. */
  steals: number;
}

/** checkSync's error: the item whose result it checked returned a Promise (the catch names that item, not the one after). */
class PromiseResult extends TypeError {}

function checkSync(result: unknown, fn: string): void {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new PromiseResult(`task function '${fn}' returned a Promise; task functions run synchronously inside the worker's loop`);
  }
}

type Ctx = { threadId: number; worker: number; task: number; data: unknown; spawn: TaskContext['spawn'] };

/** The state the functions running one operation share. */
class OperationRun implements OperationResult {
  readonly ctrl: Int32Array;
  readonly parts: unknown[] = [];
  readonly ctx: Ctx;
  /** Position p -> item and user-visible index: index = p + base; for ranges item === index. */
  readonly base: number;
  readonly offset: number;
  readonly data: ArrayLike<unknown> | undefined;
  tasks = 0;
  steals = 0;
  /** Items the last runItems call ran (fewer than asked when the operation was aborted). */
  ran = 0;

  constructor(readonly m: OpMessage, readonly fn: TaskFn, threadId: number, readonly rec: Recorder | undefined) {
    this.ctrl = new Int32Array(m.control);
    const input = m.input;
    this.base = input.kind === 'range' ? input.start : 0;
    this.offset = input.kind === 'array' ? input.offset : 0;
    this.data = input.kind === 'range' ? undefined : (input.data as ArrayLike<unknown>);
    const spawnOutside = (): never => { throw new Error(`ctx.spawn is only available in pool.join tasks, not in ${m.kind}`); };
    this.ctx = { threadId, worker: m.slot, task: 0, data: m.data, spawn: spawnOutside };
  }

  get aborted(): boolean {
    return this.ctrl[CTRL.ABORT] !== NOT_ABORTED;
  }

  /** A chunk's starting accumulator: map appends to an array, reduce folds from identity, forEach counts. */
  fresh(): unknown {
    const m = this.m;
    if (m.kind === 'map') return [];
    if (m.kind === 'reduce') return m.identity !== null && typeof m.identity === 'object' ? structuredClone(m.identity) : m.identity;
    return 0;
  }
}

/**
 * Runs positions [a, b) of a chunk; map appends to `acc` (an array), reduce folds into it. The
 * only caller of map/forEach/reduce task functions: its call sites are made megamorphic
 * (makeTaskCallsMegamorphic), so TurboFan does not inline the task function into it.
 */
function runItems(run: OperationRun, a: number, b: number, acc: unknown): unknown {
  const { m, fn, ctx, ctrl, data, base, offset } = run;
  let p = a;
  try {
    if (m.kind === 'map') {
      const out = acc as unknown[];
      if (data === undefined) for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== NOT_ABORTED) break; const v = p + base; out.push(fn(v, v, ctx)); }
      else for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== NOT_ABORTED) break; out.push(fn(data[p - offset], p, ctx)); }
      if (p > a) checkSync(out[out.length - (p - a)], m.fn);
      run.ran = p - a;
      return out;
    }
    if (m.kind === 'reduce') {
      if (data === undefined) for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== NOT_ABORTED) break; const v = p + base; acc = fn(acc, v, v, ctx); }
      else for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== NOT_ABORTED) break; acc = fn(acc, data[p - offset], p, ctx); }
      checkSync(acc, m.fn);
      run.ran = p - a;
      return acc;
    }
    let r: unknown;
    if (data === undefined) for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== NOT_ABORTED) break; const v = p + base; r = fn(v, v, ctx); }
    else for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== NOT_ABORTED) break; r = fn(data[p - offset], p, ctx); }
    checkSync(r, m.fn);
    run.ran = p - a;
    return (acc as number) + (p - a);
  } catch (e) {
    throw failure(run, e, a, p);
  }
}

/**
 * The TaskFailure of a chunk [a, …) that failed at position p. A throw names the item that threw
 * (p); a Promise result is found after the loop (p ran past the chunk), so it names the item
 * checked: the chunk's first for map, its last run for forEach and reduce. Out of runItems: more
 * code in its catch slowed tiny-item reduces ~40×.
 */
function failure(run: OperationRun, e: unknown, a: number, p: number): TaskFailure {
  if (e instanceof PromiseResult) {
    run.ran = p - a;
    return new TaskFailure((run.m.kind === 'map' ? a : Math.max(a, p - 1)) + run.base, e);
  }
  run.ran = p - a + 1;
  return new TaskFailure(p + run.base, e);
}

/** A join task's call: its call site is made megamorphic like runItems' (makeTaskCallsMegamorphic). */
function runItemsOfJoin(run: OperationRun, first: number, end: number): unknown {
  return run.fn(first, end, run.ctx);
}

/**
 * Stand-in task functions, five distinct ones. Each call `fn(...)` in runItems and
 * runItemsOfJoin is a call site of its own, with its own feedback in V8.
 */
export const STAND_INS: readonly TaskFn[] = [(a) => a, (a) => a === 0, (a) => typeof a, (a) => [a], (a) => ({ a })];
/**
 * Items per stand-in run: V8 allocates a function's feedback vector only after it has run a
 * while (lazy feedback allocation, ~8 calls), and a call made before that leaves no feedback.
 * Each stand-in runs twice over this many items, so every site sees all five.
 */
export const STAND_IN_ITEMS = 8;
/** Stand-in runs by kind and input shape ('map range', 'reduce array', ...), made on first use. */
const standInRuns = new Map<string, OperationRun[]>();

/**
 * V8's CPU profiler charges the time of an inlined function to the function it was inlined
 * into. TurboFan inlines a call only where the call site's feedback names one target; a site
 * that has called several different functions is megamorphic, V8 never takes that back, and
 * TurboFan then compiles a real call. So before a worker runs an operation, the task call site
 * the operation will use (its kind, over a range or over data) calls five stand-in functions:
 * the user's task function is compiled on its own and its samples carry its name, however small
 * it is. This replaces a V8 flag (--turbo-filter): any non-default flag makes every later thread
 * compile Node's built-ins from source, ~25 ms of CPU each. Each operation, not once per worker:
 * V8 may drop a function's bytecode, and its feedback with it, when it has not run for a while.
 * About 1 µs of CPU per operation.
 */
function makeTaskCallsMegamorphic(kind: OpMessage['kind'], overRange: boolean): void {
  const key = `${kind} ${overRange ? 'range' : 'array'}`;
  let runs = standInRuns.get(key);
  if (!runs) {
    const input = overRange ? { kind: 'range', start: 0 } as const
      : { kind: 'array', data: Array.from({ length: STAND_IN_ITEMS }, (_, k) => k), offset: 0 } as const;
    runs = STAND_INS.map((fn) => new OperationRun({
      type: 'op', op: -1, kind, fn: '(stand-in)', schedule: 'static', input, n: STAND_IN_ITEMS, chunkSize: STAND_IN_ITEMS,
      fixedChunks: false, slot: 0, threads: 1, threadIds: [0], control: new SharedArrayBuffer(4 * 8), region: -1, enqueue: 0,
    }, fn, 0, undefined));
    standInRuns.set(key, runs);
  }
  for (const run of runs) {
    if (kind === 'join') for (let k = 0; k < 2 * STAND_IN_ITEMS; k++) runItemsOfJoin(run, 0, 1);
    else for (let k = 0; k < 2; k++) runItems(run, 0, STAND_IN_ITEMS, kind === 'map' ? [] : 0);
  }
}

/** A task's start on `rec`: open on the recorder (taskBegin) when it can keep it, else a plain start. */
export function taskBegin(rec: Recorder, region: number, index: number, first: number, items: number, enqueue: number,
  stolenFrom: number, parent: number): number {
  if (rec.taskBegin) return rec.taskBegin(region, index, first, items, enqueue, stolenFrom, parent);
  return rec.taskStart ? rec.taskStart() : rec.now();
}

/**
 * One chunk, positions [a, b), as task `task`: runs it into `acc` and records its span. The
 * span starts after the claim, so claiming shows as the gap before it, not as task time.
 */
function runChunk(run: OperationRun, task: number, a: number, b: number, acc: unknown, stolenFrom: number): unknown {
  const { rec, m } = run;
  run.ctx.task = task;
  run.tasks++;
  const start = rec ? taskBegin(rec, m.region, task, a, b - a, m.enqueue, stolenFrom, NO_PARENT) : 0;
  try {
    acc = runItems(run, a, b, acc);
  } catch (e) {
    if (rec) rec.span(m.region, task, a, run.ran, m.enqueue, start, rec.now(), stolenFrom, NO_PARENT, 1);
    throw e;
  }
  if (rec) rec.span(m.region, task, a, run.ran, m.enqueue, start, rec.now(), stolenFrom, NO_PARENT, 0);
  return acc;
}

/** One contiguous share per thread, or (chunkSize given) fixed chunks dealt round robin. */
function staticSchedule(run: OperationRun): void {
  const m = run.m;
  if (!m.fixedChunks) {
    const [a, b] = staticChunk(m.n, m.threads, m.slot);
    if (a < b) run.parts.push(a, runChunk(run, m.slot, a, b, run.fresh(), NOT_STOLEN));
    return;
  }
  const chunks = Math.ceil(m.n / m.chunkSize);
  for (let c = m.slot; c < chunks && !run.aborted; c += m.threads) {
    const a = c * m.chunkSize;
    run.parts.push(a, runChunk(run, c, a, Math.min(m.n, a + m.chunkSize), run.fresh(), NOT_STOLEN));
  }
}

/** Chunks handed out in order by one atomic add each: no message to the main thread between chunks. */
function dynamicSchedule(run: OperationRun): void {
  const { m, ctrl } = run;
  const chunks = Math.ceil(m.n / m.chunkSize);
  while (!run.aborted) {
    const c = Atomics.add(ctrl, CTRL.NEXT, 1);
    if (c >= chunks) break;
    const a = c * m.chunkSize;
    run.parts.push(a, runChunk(run, c, a, Math.min(m.n, a + m.chunkSize), run.fresh(), NOT_STOLEN));
  }
}

// The pool's waits for work, backoff and sleepUntilPushed, are functions of their own with these
// names: a thread sampled inside one is blocked in Atomics.wait with nothing to run, and the views
// count such samples as idle by this leaf frame (POOL_IDLE_WAITS in src/model/profile-index.ts).
function backoff(ctrl: Int32Array, round: number): void {
  poolAtomicsWait(ctrl, CTRL.EPOCH, Atomics.load(ctrl, CTRL.EPOCH), Math.min(1, 0.02 * 2 ** round));
}

function sleepUntilPushed(ctrl: Int32Array, epoch: number): void {
  poolAtomicsWait(ctrl, CTRL.EPOCH, epoch, 5);
}

/**
 * Work stealing over ranges: each thread claims chunkSize items at a time from the front of its
 * own range (one span per claim) while thieves may shorten its back; a thread whose range is
 * empty steals the back half of another's and claims from that the same way. The first chunk
 * run from a stolen range carries stolenFrom (so stolen spans count steals, not chunks). Results
 * of one range are contiguous, so they form one part.
 */
function stealSchedule(run: OperationRun): void {
  const { m, ctrl } = run;
  const st = new StealState(m.steal!, m.threads, ctrl, CTRL.ABORT);
  let stolenFrom = NOT_STOLEN;
  for (;;) {
    const first = st.rangeFirst(m.slot);
    let acc = run.fresh();
    let ran = 0;
    for (;;) {
      const a = st.claim(m.slot, m.chunkSize);
      if (a === NO_ITEM) break;
      const b = st.claimEnd;
      const task = Atomics.add(ctrl, CTRL.TASKS, 1);
      acc = runChunk(run, task, a, b, acc, stolenFrom);
      stolenFrom = NOT_STOLEN;
      ran += run.ran;
      Atomics.sub(ctrl, CTRL.LEFT, b - a);
      if (run.aborted) break;
    }
    if (ran > 0) run.parts.push(first, acc);
    if (run.aborted) return;
    // A stolen range always keeps an item for its thief (thieves leave at least one), so
    // stolenFrom is spent by now; reset it anyway so that this loop cannot skip its exit checks.
    stolenFrom = NOT_STOLEN;
    // Steal the back half of someone's range; spin politely until every item has run.
    for (let round = 0; stolenFrom === NOT_STOLEN; round++) {
      if (run.aborted || Atomics.load(ctrl, CTRL.LEFT) <= 0) return;
      for (let k = 1; k < m.threads && stolenFrom === NOT_STOLEN; k++) {
        const victim = (m.slot + k) % m.threads;
        if (st.stealHalf(m.slot, victim)) {
          stolenFrom = m.threadIds[victim];
          run.steals++;
        }
      }
      if (stolenFrom === NOT_STOLEN) backoff(ctrl, round);
    }
  }
}

/** What findJoinTask returns when no deque had a task. */
const NOTHING_FOUND = -2;

/** Fork-join: tasks on per-worker deques, own newest first, else another worker's oldest. */
function joinSchedule(run: OperationRun): void {
  const { m, ctrl, rec, ctx } = run;
  const st = new StealState(m.steal!, m.threads, ctrl, CTRL.ABORT);
  const rootStart = run.base;
  const rootEnd = run.base + m.n;
  const entry: TaskEntry = { first: 0, end: 0, task: 0, parent: 0, enqueue: 0 };
  const overflow: number[] = []; // tasks beyond the deque's capacity: 5 numbers each, LIFO, not stealable
  let current = NO_PARENT;
  ctx.spawn = (first: number, end: number): void => {
    if (!Number.isInteger(first) || !Number.isInteger(end) || first > end || first < rootStart || end > rootEnd) {
      throw new RangeError(`ctx.spawn(${first}, ${end}): expected integers first <= end within the operation's range [${rootStart}, ${rootEnd})`);
    }
    const task = Atomics.add(ctrl, CTRL.TASKS, 1);
    Atomics.add(ctrl, CTRL.LEFT, 1); // before the push, so LEFT cannot reach 0 while the task waits
    const enqueue = rec ? rec.now() : 0;
    if (!st.push(m.slot, first, end, task, current, enqueue)) overflow.push(first, end, task, current, enqueue);
    if (Atomics.load(ctrl, CTRL.SLEEPERS) > 0) { Atomics.add(ctrl, CTRL.EPOCH, 1); Atomics.notify(ctrl, CTRL.EPOCH); }
  };
  /** Fills `entry`; returns NOT_STOLEN (own task), the victim's threadId, or NOTHING_FOUND. */
  const findJoinTask = (): number => {
    if (overflow.length > 0) {
      entry.enqueue = overflow.pop()!; entry.parent = overflow.pop()!; entry.task = overflow.pop()!;
      entry.end = overflow.pop()!; entry.first = overflow.pop()!;
      return NOT_STOLEN;
    }
    if (st.take(m.slot, false, entry)) return NOT_STOLEN;
    for (let k = 1; k < m.threads; k++) {
      const victim = (m.slot + k) % m.threads;
      if (st.take(victim, true, entry)) return m.threadIds[victim];
    }
    return NOTHING_FOUND;
  };
  while (!run.aborted) {
    let from = findJoinTask();
    if (from === NOTHING_FOUND) {
      if (Atomics.load(ctrl, CTRL.LEFT) <= 0) return;
      // Announce the sleep, then look once more: a push after that look sees SLEEPERS > 0 and wakes us.
      Atomics.add(ctrl, CTRL.SLEEPERS, 1);
      const epoch = Atomics.load(ctrl, CTRL.EPOCH);
      from = findJoinTask();
      if (from === NOTHING_FOUND && Atomics.load(ctrl, CTRL.LEFT) > 0) sleepUntilPushed(ctrl, epoch);
      Atomics.sub(ctrl, CTRL.SLEEPERS, 1);
      if (from === NOTHING_FOUND) continue;
    }
    const { first, end, task, parent, enqueue } = entry;
    current = task;
    ctx.task = task;
    run.tasks++;
    if (from !== NOT_STOLEN) run.steals++;
    const start = rec ? taskBegin(rec, m.region, task, first - rootStart, end - first, enqueue, from, parent) : 0;
    let value: unknown;
    try {
      value = runItemsOfJoin(run, first, end);
      checkSync(value, m.fn);
    } catch (e) {
      if (rec) rec.span(m.region, task, first - rootStart, end - first, enqueue, start, rec.now(), from, parent, 1);
      throw new TaskFailure(first, e);
    }
    if (rec) rec.span(m.region, task, first - rootStart, end - first, enqueue, start, rec.now(), from, parent, 0);
    if (value !== undefined) run.parts.push(first - rootStart, value);
    if (Atomics.sub(ctrl, CTRL.LEFT, 1) === 1) { Atomics.add(ctrl, CTRL.EPOCH, 1); Atomics.notify(ctrl, CTRL.EPOCH); }
  }
}

/** Runs this worker's share of operation `m`; a task failure aborts the operation for every worker and is passed to onError. */
export function runOperation(m: OpMessage, fn: TaskFn, threadId: number, rec: Recorder | undefined,
  onError: (index: number, task: number, e: unknown) => void): OperationResult {
  makeTaskCallsMegamorphic(m.kind, m.input.kind === 'range');
  const run = new OperationRun(m, fn, threadId, rec);
  try {
    if (m.kind === 'join') joinSchedule(run);
    else if (m.schedule === 'static') staticSchedule(run);
    else if (m.schedule === 'dynamic') dynamicSchedule(run);
    else stealSchedule(run);
  } catch (e) {
    // First failure wins; the others stop at their next item.
    Atomics.compareExchange(run.ctrl, CTRL.ABORT, NOT_ABORTED, ABORT_ERROR);
    if (m.kind === 'join') { Atomics.add(run.ctrl, CTRL.EPOCH, 1); Atomics.notify(run.ctrl, CTRL.EPOCH); }
    if (e instanceof TaskFailure) onError(e.index, run.ctx.task, e.cause);
    else onError(NO_INDEX, run.ctx.task, e);
  }
  return { parts: run.parts, tasks: run.tasks, steals: run.steals };
}
