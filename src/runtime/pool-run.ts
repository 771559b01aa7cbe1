// One operation as a worker runs it: walks the worker's share of the items under the
// operation's schedule, calls the task function per item, records one span per task and
// returns the results as flat [first, result, first, result, ...] parts.
import type { Recorder } from './contract';
import type { OpMessage } from './pool-protocol';
import type { TaskContext } from './pool-types';
import { ABORT_ERROR, CTRL, staticChunk } from './schedule';
import { StealState, type TaskEntry } from './schedule-steal';

type TaskFn = (...args: unknown[]) => unknown;

/** A task function threw (or broke a rule) at user-visible item index `index`. */
class TaskFailure {
  constructor(readonly index: number, readonly cause: unknown) {}
}

function checkSync(result: unknown, fn: string): void {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new TypeError(`task function '${fn}' returned a Promise; task functions run synchronously inside the worker's loop`);
  }
}

export function runOperation(m: OpMessage, fn: TaskFn, threadId: number, rec: Recorder | undefined,
  onError: (index: number, task: number, e: unknown) => void): unknown[] {
  const ctrl = new Int32Array(m.control);
  const parts: unknown[] = [];
  const input = m.input;
  // Position p -> item and user-visible index (index = p + base; for ranges item === index).
  const base = input.kind === 'range' ? input.start : 0;
  const offset = input.kind === 'array' ? input.offset : 0;
  const data = input.kind === 'range' ? undefined : (input.data as ArrayLike<unknown>);
  const spawnOutside = (): never => { throw new Error(`ctx.spawn is only available in pool.join tasks, not in ${m.kind}`); };
  const ctx: { threadId: number; worker: number; task: number; data: unknown; spawn: TaskContext['spawn'] } = { threadId, worker: m.slot, task: 0, data: m.data, spawn: spawnOutside };
  const identityIsObject = m.kind === 'reduce' && m.identity !== null && typeof m.identity === 'object';

  /** Runs positions [a, b) of a task; map appends to `acc` (an array), reduce folds into it. */
  function runItems(a: number, b: number, acc: unknown): unknown {
    let p = a;
    try {
      if (m.kind === 'map') {
        const out = acc as unknown[];
        if (data === undefined) for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== 0) break; const v = p + base; out.push(fn(v, v, ctx)); }
        else for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== 0) break; out.push(fn(data[p - offset], p, ctx)); }
        if (p > a) checkSync(out[out.length - (p - a)], m.fn);
        return out;
      }
      if (m.kind === 'reduce') {
        if (data === undefined) for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== 0) break; const v = p + base; acc = fn(acc, v, v, ctx); }
        else for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== 0) break; acc = fn(acc, data[p - offset], p, ctx); }
        checkSync(acc, m.fn);
        return acc;
      }
      let r: unknown;
      if (data === undefined) for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== 0) break; const v = p + base; r = fn(v, v, ctx); }
      else for (; p < b; p++) { if (ctrl[CTRL.ABORT] !== 0) break; r = fn(data[p - offset], p, ctx); }
      checkSync(r, m.fn);
      return (acc as number) + (p - a);
    } catch (e) {
      throw new TaskFailure(p + base, e);
    }
  }

  /** A join task's call, kept out of TurboFan like runItems (see TASK_LOOP_FUNCTIONS in contract.ts). */
  function runItemsOfJoin(first: number, end: number): unknown {
    return fn(first, end, ctx);
  }

  function fresh(): unknown {
    if (m.kind === 'map') return [];
    if (m.kind === 'reduce') return identityIsObject ? structuredClone(m.identity) : m.identity;
    return 0;
  }

  function record(task: number, first: number, items: number, enqueue: number, start: number, stolenFrom: number, parent: number, failed: number): void {
    rec!.span(m.region, task, first, items, enqueue, start, rec!.now(), stolenFrom, parent, failed);
  }

  /** One task over positions [a, b): a span and a part. */
  function chunk(task: number, a: number, b: number): void {
    ctx.task = task;
    const start = rec ? rec.now() : 0;
    let result: unknown;
    try {
      result = runItems(a, b, fresh());
    } catch (e) {
      if (rec) record(task, a, b - a, m.enqueue, start, -1, -1, 1);
      throw e;
    }
    if (rec) record(task, a, b - a, m.enqueue, start, -1, -1, 0);
    parts.push(a, result);
  }

  function staticSchedule(): void {
    if (!m.fixedChunks) {
      const [a, b] = staticChunk(m.n, m.threads, m.slot);
      if (a < b) chunk(m.slot, a, b);
      return;
    }
    const chunks = Math.ceil(m.n / m.chunkSize);
    for (let c = m.slot; c < chunks && ctrl[CTRL.ABORT] === 0; c += m.threads) chunk(c, c * m.chunkSize, Math.min(m.n, (c + 1) * m.chunkSize));
  }

  function dynamicSchedule(): void {
    const chunks = Math.ceil(m.n / m.chunkSize);
    while (ctrl[CTRL.ABORT] === 0) {
      // One atomic add per chunk: no message to the main thread between chunks.
      const c = Atomics.add(ctrl, CTRL.NEXT, 1);
      if (c >= chunks) break;
      chunk(c, c * m.chunkSize, Math.min(m.n, (c + 1) * m.chunkSize));
    }
  }

  function backoff(round: number): void {
    Atomics.wait(ctrl, CTRL.EPOCH, Atomics.load(ctrl, CTRL.EPOCH), Math.min(1, 0.02 * 2 ** round));
  }

  function stealSchedule(): void {
    const st = new StealState(m.steal!, m.threads, ctrl, CTRL.ABORT);
    const newTask = (): number => Atomics.add(ctrl, CTRL.TASKS, 1);
    let stolenFrom = -1;
    for (;;) {
      // Run the own range as one task, a grain at a time, while thieves may shorten its back.
      const task = st.rangeTask(m.slot);
      const first = st.rangeFirst(m.slot);
      ctx.task = task;
      const start = rec ? rec.now() : 0;
      let acc = fresh();
      let done = 0;
      try {
        for (;;) {
          const a = st.claim(m.slot, m.chunkSize);
          if (a < 0) break;
          const b = st.claimEnd;
          acc = runItems(a, b, acc);
          done += b - a;
          Atomics.sub(ctrl, CTRL.LEFT, b - a);
          if (ctrl[CTRL.ABORT] !== 0) break;
        }
      } catch (e) {
        if (rec) record(task, first, done + 1, m.enqueue, start, stolenFrom, -1, 1);
        throw e;
      }
      if (done > 0) {
        if (rec) record(task, first, done, m.enqueue, start, stolenFrom, -1, 0);
        parts.push(first, acc);
      }
      // Steal the back half of someone's range; spin politely until every item has run.
      let stolen = false;
      for (let round = 0; !stolen; round++) {
        if (ctrl[CTRL.ABORT] !== 0 || Atomics.load(ctrl, CTRL.LEFT) <= 0) return;
        for (let k = 1; k < m.threads && !stolen; k++) {
          const victim = (m.slot + k) % m.threads;
          if (st.stealHalf(m.slot, victim, newTask)) { stolen = true; stolenFrom = m.threadIds[victim]; }
        }
        if (!stolen) backoff(round);
      }
    }
  }

  function joinSchedule(): void {
    const st = new StealState(m.steal!, m.threads, ctrl, CTRL.ABORT);
    const rootStart = base;
    const rootEnd = base + m.n;
    const entry: TaskEntry = { first: 0, end: 0, task: 0, parent: 0, enqueue: 0 };
    const overflow: number[] = []; // tasks beyond the deque's capacity: 5 numbers each, LIFO, not stealable
    let current = -1;
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
    const find = (): number => {
      if (overflow.length > 0) {
        entry.enqueue = overflow.pop()!; entry.parent = overflow.pop()!; entry.task = overflow.pop()!;
        entry.end = overflow.pop()!; entry.first = overflow.pop()!;
        return -1;
      }
      if (st.take(m.slot, false, entry)) return -1;
      for (let k = 1; k < m.threads; k++) {
        const victim = (m.slot + k) % m.threads;
        if (st.take(victim, true, entry)) return m.threadIds[victim];
      }
      return -2;
    };
    while (ctrl[CTRL.ABORT] === 0) {
      let from = find();
      if (from === -2) {
        if (Atomics.load(ctrl, CTRL.LEFT) <= 0) return;
        // Announce the sleep, then look once more: a push after that look sees SLEEPERS > 0 and wakes us.
        Atomics.add(ctrl, CTRL.SLEEPERS, 1);
        const epoch = Atomics.load(ctrl, CTRL.EPOCH);
        from = find();
        if (from === -2 && Atomics.load(ctrl, CTRL.LEFT) > 0) Atomics.wait(ctrl, CTRL.EPOCH, epoch, 5);
        Atomics.sub(ctrl, CTRL.SLEEPERS, 1);
        if (from === -2) continue;
      }
      const { first, end, task, parent, enqueue } = entry;
      current = task;
      ctx.task = task;
      const start = rec ? rec.now() : 0;
      let value: unknown;
      try {
        value = runItemsOfJoin(first, end);
        checkSync(value, m.fn);
      } catch (e) {
        if (rec) rec.span(m.region, task, first - rootStart, end - first, enqueue, start, rec.now(), from, parent, 1);
        throw new TaskFailure(first, e);
      }
      if (rec) rec.span(m.region, task, first - rootStart, end - first, enqueue, start, rec.now(), from, parent, 0);
      if (value !== undefined) parts.push(first - rootStart, value);
      if (Atomics.sub(ctrl, CTRL.LEFT, 1) === 1) { Atomics.add(ctrl, CTRL.EPOCH, 1); Atomics.notify(ctrl, CTRL.EPOCH); }
    }
  }

  try {
    if (m.kind === 'join') joinSchedule();
    else if (m.schedule === 'static') staticSchedule();
    else if (m.schedule === 'dynamic') dynamicSchedule();
    else stealSchedule();
  } catch (e) {
    // First failure wins; the others stop at their next item.
    Atomics.compareExchange(ctrl, CTRL.ABORT, 0, ABORT_ERROR);
    if (m.kind === 'join') { Atomics.add(ctrl, CTRL.EPOCH, 1); Atomics.notify(ctrl, CTRL.EPOCH); }
    if (e instanceof TaskFailure) onError(e.index, ctx.task, e.cause);
    else onError(-1, ctx.task, e);
  }
  return parts;
}
