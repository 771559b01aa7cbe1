// Sequential mode (threads 0): a ThreadPool runs each operation inline on the calling thread,
// like swapping Rayon's par_iter() for iter(). No workers; the same task functions, the same
// chunks as the dynamic schedule on one thread, the same merge order, so the results are the
// parallel ones. When a recorder is attached the operation is still a region, with one span per
// chunk on this thread, so per-region speedup against the parallel runs can be measured.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, threadId } from 'node:worker_threads';
import { NO_PARENT, NOT_STOLEN, getRecorder, type Recorder } from './contract';
import type { Region, Schedule } from '../model/report';
import { thrownText, type InputDesc, type OperationKind } from './pool-protocol';
import type { TaskContext } from './pool-types';
import { addAll } from './pool-input';
import { chunkSizeFor } from './schedule';
import { STAND_INS, STAND_IN_ITEMS, taskBegin } from './pool-run';

/** What the pool hands over of one queued operation. */
export interface InlineOperation {
  kind: OperationKind; fn: string; label: string; n: number; desc: InputDesc;
  /** Items per chunk when the user gave one (else the dynamic schedule's automatic size on one thread). */
  explicitChunkSize?: number;
  identity?: unknown; data?: unknown; combine?: string; signal?: AbortSignal;
  name?: string; callSite?: Region['callSite'];
  /** When the user called the operation, µs from origin (recording only). */
  called?: number;
  resolve(v: unknown): void; reject(e: unknown): void;
}

/**
 * The calling thread as errors name it, the way the report and the pools' errors do ('main',
 * 'pool 2 (threadId 3)'): a worker's pool name is not known here, its threadId is.
 */
const CALLING_THREAD = isMainThread ? 'main (sequential)' : `worker (threadId ${threadId}, sequential)`;

/** The schedule a sequential region records: its chunks are the dynamic schedule's on one thread. */
export const INLINE_SCHEDULE: Schedule = 'dynamic';

type TaskFn = (...args: unknown[]) => unknown;

// Kept out of esbuild's sight (as in worker.ts): bundled to CommonJS, a literal import() would
// become require(), which cannot load ES modules.
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;

/**
 * The task module, loaded the way worker.ts loads it (copied: worker.ts runs a worker on import).
 * Wrapped in an object: resolving a promise with the exports themselves would read their `then`,
 * which Node warns about when the module is the script still running (its own task module).
 */
async function loadTaskModule(spec: string): Promise<{ exports: Record<string, unknown> }> {
  if (spec.startsWith('file:')) return { exports: await importEsm(spec) };
  if (/\.m[jt]s$/.test(spec)) return { exports: await importEsm(pathToFileURL(spec).href) };
  try {
    return { exports: require(spec) as Record<string, unknown> };
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_REQUIRE_ESM') return { exports: await importEsm(pathToFileURL(spec).href) };
    throw e;
  }
}

/** How long an import of the main ES module may take before it counts as waiting on itself. */
const MAIN_MODULE_WAIT_MS = 500;

/**
 * import() of an ES module. When it is the script's own main module and that module is still
 * evaluating — it awaits this very operation at top level — the import can never settle (it waits
 * for the evaluation, which waits for us) and Node would exit with code 13 and no word of why.
 * The main module is loaded already, so its import settles at once unless it is in that state:
 * after MAIN_MODULE_WAIT_MS we say so instead.
 */
function importEsm(href: string): Promise<Record<string, unknown>> {
  const loading = importModule(href);
  const main = process.argv[1];
  let isMain = false;
  try { isMain = main !== undefined && pathToFileURL(resolve(main)).href === href; } catch { /* not a path */ }
  if (!isMain) return loading;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(
      `${href} is the main ES module and is still running its top level, which awaits this operation; ` +
      'in sequential mode (threads 0) the task functions must come from a module that has finished loading: ' +
      'move them to a module of their own, or run the pool from a function the top level calls without awaiting it')), MAIN_MODULE_WAIT_MS);
    loading.then((m) => { clearTimeout(timer); done(m); }, (e) => { clearTimeout(timer); fail(e); });
  });
}

function taskFunction(mod: Record<string, unknown>, spec: string, name: string): TaskFn {
  const dflt = mod.default as Record<string, unknown> | undefined;
  const fn = mod[name] ?? (dflt && typeof dflt === 'object' ? dflt[name] : undefined) ?? (typeof dflt === 'function' ? (dflt as unknown as Record<string, unknown>)[name] : undefined);
  if (typeof fn !== 'function') {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new Error(`task module ${spec} has no exported function '${name}' (functions: ${names.join(', ') || 'none'})`);
  }
  return fn as TaskFn;
}

/** checkSync's error: the item whose result it checked returned a Promise (the catch names that item, not the one after). */
class PromiseResult extends TypeError {}

function checkSync(result: unknown, fn: string): void {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new PromiseResult(`task function '${fn}' returned a Promise; task functions run synchronously inside the worker's loop`);
  }
}

/** A task threw at user-visible item index `index` (the first item of a join task), in task `task`. */
class TaskFailure {
  constructor(readonly index: number, readonly task: number, readonly cause: unknown) {}
}

/** Where the recorder is told about the inline operation's spans; absent when not recording. */
interface Recording { rec: Recorder; region: number; enqueue: number }

type Ctx = { threadId: number; worker: number; task: number; data: unknown; spawn: TaskContext['spawn'] };

/** One pool's module, loaded once on first use. */
export class InlineRunner {
  private loaded?: Promise<{ exports: Record<string, unknown> }>;
  /** Chunks run so far (the pool's taskCounts). */
  tasks = 0;

  constructor(private readonly module: string, private readonly poolId: number) {}

  /** Runs `op` to completion on this thread; settles op's promise; never rejects itself. */
  async run(op: InlineOperation): Promise<Region['outcome']> {
    let mod: Record<string, unknown>;
    try {
      this.loaded ??= loadTaskModule(this.module);
      mod = (await this.loaded).exports;
    } catch (e) {
      op.reject(new Error(`${op.label}: cannot load task module ${this.module}: ${(e as Error)?.message ?? String(e)}`, { cause: e }));
      return 'error';
    }
    if (op.signal?.aborted) {
      op.reject(abortError(op.label, op.signal.reason));
      return 'cancelled';
    }
    let fn: TaskFn;
    try {
      fn = taskFunction(mod, this.module, op.fn);
    } catch (e) {
      op.reject(new Error(`${op.label} failed on ${CALLING_THREAD}: ${(e as Error).message}`));
      return 'error';
    }
    makeTaskCallsMegamorphic(op.kind, op.desc.kind === 'range');
    const chunkSize = op.kind === 'join' ? 0 : chunkSizeFor(INLINE_SCHEDULE, op.n, 1, op.explicitChunkSize);
    const recording = this.beginRegion(op, chunkSize);
    let outcome: Region['outcome'] = 'ok';
    try {
      const value = op.kind === 'join' ? this.runJoin(op, fn, recording) : this.runChunks(op, fn, chunkSize, recording);
      op.resolve(op.kind === 'forEach' ? undefined : op.kind === 'map' ? value : this.merge(op, mod, value as unknown[]));
    } catch (e) {
      outcome = e instanceof Cancelled ? 'cancelled' : 'error';
      op.reject(e instanceof Cancelled ? abortError(op.label, op.signal?.reason) : this.describe(op, e));
    }
    if (recording) {
      try { recording.rec.endRegion(recording.region, outcome, recording.rec.now()); } catch { /* recording is best effort */ }
    }
    return outcome;
  }

  private beginRegion(op: InlineOperation, chunkSize: number): Recording | undefined {
    const rec = getRecorder();
    if (!rec) return undefined;
    try {
      const enqueue = rec.now();
      const region = rec.beginRegion({
        name: op.name ?? `${op.kind} ${op.fn}`, kind: op.kind, pool: this.poolId, fn: op.fn, callSite: op.callSite, called: op.called,
        schedule: op.kind === 'join' ? 'steal' : INLINE_SCHEDULE, threads: 0, items: op.n, chunkSize, start: enqueue,
      });
      return { rec, region, enqueue };
    } catch (e) {
      process.stderr.write(`[parprof] could not record region: ${(e as Error)?.message}\n`);
      return undefined;
    }
  }

  /** map: the results in order; reduce: one accumulator per chunk in order; forEach: nothing. */
  private runChunks(op: InlineOperation, fn: TaskFn, chunkSize: number, recording: Recording | undefined): unknown {
    const ctx = this.context(op);
    const out: unknown[] = [];
    const chunks = Math.ceil(op.n / chunkSize);
    const base = op.desc.kind === 'range' ? op.desc.start : 0;
    for (let c = 0; c < chunks; c++) {
      if (op.signal?.aborted) throw new Cancelled();
      const a = c * chunkSize;
      const b = Math.min(op.n, a + chunkSize);
      ctx.task = c;
      this.tasks++;
      const start = recording ? taskBegin(recording.rec, recording.region, c, a, b - a, recording.enqueue, NOT_STOLEN, NO_PARENT) : 0;
      let failed = 0;
      let ran = 0;
      try {
        ran = runItemsInline(op, fn, ctx, a, b, out);
      } catch (e) {
        failed = 1;
        ran = e instanceof TaskFailure ? Math.min(b, e.index - base + 1) - a : 0;
        throw e;
      } finally {
        if (recording) recording.rec.span(recording.region, c, a, ran, recording.enqueue, start, recording.rec.now(), NOT_STOLEN, NO_PARENT, failed);
      }
    }
    return out;
  }

  /** Fork-join on one thread: spawned tasks on a stack, newest first (a worker's own deque order). */
  private runJoin(op: InlineOperation, fn: TaskFn, recording: Recording | undefined): unknown[] {
    const rootStart = op.desc.kind === 'range' ? op.desc.start : 0;
    const rootEnd = rootStart + op.n;
    const ctx = this.context(op);
    // Pending tasks, 5 numbers each: first, end, task, parent, enqueue.
    const stack: number[] = [rootStart, rootEnd, 0, NO_PARENT, recording?.enqueue ?? 0];
    let nextTask = 1;
    let current = NO_PARENT;
    ctx.spawn = (first: number, end: number): void => {
      if (!Number.isInteger(first) || !Number.isInteger(end) || first > end || first < rootStart || end > rootEnd) {
        throw new RangeError(`ctx.spawn(${first}, ${end}): expected integers first <= end within the operation's range [${rootStart}, ${rootEnd})`);
      }
      stack.push(first, end, nextTask++, current, recording ? recording.rec.now() : 0);
    };
    const parts: [number, unknown][] = [];
    while (stack.length > 0) {
      if (op.signal?.aborted) throw new Cancelled();
      const enqueue = stack.pop()!, parent = stack.pop()!, task = stack.pop()!, end = stack.pop()!, first = stack.pop()!;
      current = task;
      ctx.task = task;
      this.tasks++;
      const start = recording ? taskBegin(recording.rec, recording.region, task, first - rootStart, end - first, enqueue, NOT_STOLEN, parent) : 0;
      let failed = 0;
      try {
        const value = runItemsInlineJoin(fn, ctx, first, end);
        checkSync(value, op.fn);
        if (value !== undefined) parts.push([first, value]);
      } catch (e) {
        failed = 1;
        throw new TaskFailure(first, task, e);
      } finally {
        if (recording) recording.rec.span(recording.region, task, first - rootStart, end - first, enqueue, start, recording.rec.now(), NOT_STOLEN, parent, failed);
      }
    }
    parts.sort((x, y) => x[0] - y[0]);
    return parts.map((x) => x[1]);
  }

  private context(op: InlineOperation): Ctx {
    // Workers get a structured clone of `data`; so does an inline task (shared memory stays shared).
    const data = op.data === undefined ? undefined : structuredClone(op.data);
    const spawnOutside = (): never => { throw new Error(`ctx.spawn is only available in pool.join tasks, not in ${op.kind}`); };
    return { threadId, worker: 0, task: 0, data, spawn: spawnOutside };
  }

  /** reduce / join: chunk (task) results merged in item order, as pool.ts does after the workers. */
  private merge(op: InlineOperation, mod: Record<string, unknown>, values: unknown[]): unknown {
    if (op.kind === 'join' && op.identity !== undefined) values.unshift(op.identity);
    if (values.length === 0) values.push(op.identity);
    if (values.length === 1) return values[0];
    if (op.combine === undefined) return addAll(values, op.label);
    const combine = taskFunction(mod, this.module, op.combine);
    let acc = values[0];
    try {
      for (let k = 1; k < values.length; k++) acc = combine(acc, values[k]);
    } catch (e) {
      throw new CombineFailure(e);
    }
    return acc;
  }

  private describe(op: InlineOperation, e: unknown): Error {
    if (e instanceof CombineFailure) {
      const err = e.cause as Error;
      return new Error(`${op.label}: combine '${op.combine}' threw: ${thrownText(err)}\nstack:\n${err instanceof Error ? err.stack ?? '' : ''}`);
    }
    if (!(e instanceof TaskFailure)) return e instanceof Error ? e : new Error(String(e));
    const cause = e.cause as Error;
    const message = thrownText(cause);
    const head = `${op.label} failed at item ${e.index} (task ${e.task}) on ${CALLING_THREAD}: ${message}`;
    const err = new Error(cause instanceof Error && cause.stack ? `${head}\nstack:\n${cause.stack}` : head, { cause });
    Object.assign(err, { index: e.index, task: e.task });
    return err;
  }
}

class Cancelled {}
class CombineFailure {
  constructor(readonly cause: unknown) {}
}

/**
 * Positions [a, b) of one chunk: map appends to `out`, reduce pushes the chunk's accumulator,
 * forEach only runs. Returns the items run. Its task call sites are made megamorphic before
 * each operation (makeTaskCallsMegamorphic), so TurboFan does not inline the task function
 * into it, as in pool-run.ts.
 */
function runItemsInline(op: InlineOperation, fn: TaskFn, ctx: Ctx, a: number, b: number, out: unknown[]): number {
  const desc = op.desc;
  const base = desc.kind === 'range' ? desc.start : 0;
  const data = desc.kind === 'range' ? undefined : (desc.data as ArrayLike<unknown>);
  const offset = desc.kind === 'array' ? desc.offset : 0;
  let p = a;
  try {
    if (op.kind === 'reduce') {
      let acc = op.identity !== null && typeof op.identity === 'object' ? structuredClone(op.identity) : op.identity;
      for (; p < b; p++) acc = data === undefined ? fn(acc, p + base, p + base, ctx) : fn(acc, data[p - offset], p, ctx);
      checkSync(acc, op.fn);
      out.push(acc);
      return b - a;
    }
    let r: unknown;
    for (; p < b; p++) {
      r = data === undefined ? fn(p + base, p + base, ctx) : fn(data[p - offset], p, ctx);
      if (op.kind === 'map') out.push(r);
    }
    if (b > a) checkSync(r, op.fn);
    return b - a;
  } catch (e) {
    throw failure(e, a, p, base, ctx.task);
  }
}

/**
 * The TaskFailure of a chunk [a, …) that failed at position p: a throw names the item that threw;
 * a Promise result is found after the loop (p ran past the chunk), so it names the last item run,
 * whose result was checked. Out of runItemsInline, as pool-run.ts's `failure`.
 */
function failure(e: unknown, a: number, p: number, base: number, task: number): TaskFailure {
  return new TaskFailure((e instanceof PromiseResult ? Math.max(a, p - 1) : p) + base, task, e);
}

/** A join task's call, its call site made megamorphic like runItemsInline's. */
function runItemsInlineJoin(fn: TaskFn, ctx: Ctx, first: number, end: number): unknown {
  return fn(first, end, ctx);
}

/** Stand-in operations by kind and input shape, made on first use. */
const standInOps = new Map<string, InlineOperation>();

/**
 * The task call sites an operation of this kind and input shape will use call five stand-in
 * functions first, so that TurboFan does not inline the user's task function into the loop
 * (its samples would be charged to the loop): the same as pool-run.ts's makeTaskCallsMegamorphic.
 */
function makeTaskCallsMegamorphic(kind: OperationKind, overRange: boolean): void {
  const key = `${kind} ${overRange ? 'range' : 'array'}`;
  let op = standInOps.get(key);
  if (!op) {
    const desc: InputDesc = overRange ? { kind: 'range', start: 0 } : { kind: 'array', data: Array.from({ length: STAND_IN_ITEMS }, (_, k) => k), offset: 0 };
    op = { kind, fn: '(stand-in)', label: '(stand-in)', n: STAND_IN_ITEMS, desc, identity: 0, resolve: () => undefined, reject: () => undefined };
    standInOps.set(key, op);
  }
  const ctx: Ctx = { threadId, worker: 0, task: 0, data: undefined, spawn: () => undefined };
  for (const fn of STAND_INS) {
    if (kind === 'join') for (let k = 0; k < 2 * STAND_IN_ITEMS; k++) runItemsInlineJoin(fn, ctx, 0, 1);
    else for (let k = 0; k < 2; k++) runItemsInline(op, fn, ctx, 0, STAND_IN_ITEMS, []);
  }
}

function abortError(label: string, reason: unknown): Error {
  const err = new Error(`${label} was aborted`, { cause: reason });
  err.name = 'AbortError';
  return err;
}
