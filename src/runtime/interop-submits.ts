// When the tasks of a known pool were submitted, stamped on the thread that submitted them, so
// that queue wait (submit -> the worker starts the task) is measured, not assumed 0. Each stamp
// is keyed the way the worker will see the task (interop-messages.ts): piscina and tinypool by
// their taskId, workerpool by threadId and request id. poolifier puts its own submit time in the
// task message, so it needs no stamp here. Raw workers' messages are stamped by the Worker that
// posts them (instrument-workers.ts), keyed by their order. Stamps are batched and written as
// 'submits' events; the runner pairs them with the workers' spans.
import * as asyncHooks from 'node:async_hooks';
import Module from 'node:module';
import { syncBuiltinESMExports } from 'node:module';
import type { SpoolRecorder } from './recorder';
import { warn } from './recorder';
import { RAW_MESSAGE_KEY_STRIDE, WORKERPOOL_KEY_STRIDE, type KnownPool } from './interop-messages';

/** Whose submits a stamp is: a known pool's, or a raw worker's messages ('worker_threads', the creation record's lib). */
type SubmitLib = KnownPool | 'worker_threads';

/** Stamps kept before a write; a batch is also written FLUSH_MS after its first stamp and at exit. */
const BATCH = 512;
const FLUSH_MS = 100;
/** AsyncResource types of the task objects piscina and tinypool create in run(). */
const TASK_RESOURCES: Record<string, KnownPool> = { 'Piscina.Task': 'piscina', 'Tinypool.Task': 'tinypool' };
const PATCHED = Symbol.for('parallel-profiler.submits');

class SubmitLog {
  private readonly keys = new Map<SubmitLib, number[]>();
  private readonly times = new Map<SubmitLib, number[]>();
  /** Task objects whose id is set only after our constructor returns: read at the next write. */
  private pending: { task: { taskId?: unknown }; lib: KnownPool; t: number }[] = [];
  private count = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly rec: SpoolRecorder) {}

  stamp(lib: SubmitLib, key: number, t: number): void {
    let k = this.keys.get(lib);
    if (!k) { this.keys.set(lib, (k = [])); this.times.set(lib, []); }
    k.push(key);
    this.times.get(lib)!.push(t);
    this.added();
  }

  stampLater(task: { taskId?: unknown }, lib: KnownPool, t: number): void {
    this.pending.push({ task, lib, t });
    this.added();
  }

  private added(): void {
    if (++this.count >= BATCH) this.write();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.write(), FLUSH_MS);
      this.timer.unref();
    }
  }

  write(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const pending = this.pending;
    this.pending = [];
    this.count = 0;
    for (const p of pending) {
      if (typeof p.task.taskId !== 'number') continue;
      let k = this.keys.get(p.lib);
      if (!k) { this.keys.set(p.lib, (k = [])); this.times.set(p.lib, []); }
      k.push(p.task.taskId);
      this.times.get(p.lib)!.push(p.t);
    }
    for (const [lib, key] of this.keys) {
      if (key.length > 0) this.rec.event({ e: 'submits', lib, key, t: this.times.get(lib)! });
    }
    this.keys.clear();
    this.times.clear();
  }
}

let submitLog: SubmitLog | undefined;

/**
 * The creating thread posted its `seq`-th message (0-based) to the raw worker `threadId` at `t`
 * (µs from origin). Hot path of worker.postMessage: one push.
 */
export function stampRawMessage(threadId: number, seq: number, t: number): void {
  submitLog?.stamp('worker_threads', threadId * RAW_MESSAGE_KEY_STRIDE + seq, t);
}

/** Installs the submit stamps on this thread: before any pool library is loaded (the preload runs first). */
export function instrumentSubmits(rec: SpoolRecorder): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[PATCHED]) return;
  Object.defineProperty(globalThis, PATCHED, { value: true, enumerable: false });
  const log = new SubmitLog(rec);
  submitLog = log;
  process.on('exit', () => log.write());
  try {
    stampTaskResources(rec, log);
  } catch (err) {
    warn('cannot stamp piscina and tinypool submits', err);
  }
  try {
    stampWorkerpool(rec, log);
  } catch (err) {
    warn('cannot stamp workerpool submits', err);
  }
}

/**
 * piscina and tinypool create one TaskInfo per run() call, a subclass of AsyncResource whose
 * constructor names the library ('Piscina.Task') and then sets `taskId`. Replacing the exported
 * AsyncResource by a subclass (the way Worker is replaced) catches that moment without touching
 * the libraries, ES module or CommonJS alike; every other AsyncResource pays one string lookup.
 */
function stampTaskResources(rec: SpoolRecorder, log: SubmitLog): void {
  const mod = asyncHooks as { AsyncResource: typeof asyncHooks.AsyncResource };
  const Original = mod.AsyncResource;
  class AsyncResource extends Original {
    constructor(type: string, options?: asyncHooks.AsyncResourceOptions) {
      super(type, options);
      const lib = TASK_RESOURCES[type];
      if (lib !== undefined) log.stampLater(this as { taskId?: unknown }, lib, rec.now());
    }
  }
  Object.defineProperty(AsyncResource, 'name', { value: 'AsyncResource' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node:async_hooks') as typeof mod).AsyncResource = AsyncResource;
  syncBuiltinESMExports();
}

interface Resolver { promise?: object }
type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * workerpool (CommonJS, also when imported from an ES module) queues exec() calls in its Pool and
 * numbers each request when WorkerHandler.exec hands it to a worker. Pool.exec stamps its promise;
 * WorkerHandler.exec pairs that stamp with the worker's thread id and request id.
 */
function stampWorkerpool(rec: SpoolRecorder, log: SubmitLog): void {
  const M = Module as unknown as { prototype: { load: (this: { exports: unknown }, filename: string) => unknown } };
  const load = M.prototype.load;
  const submitted = new WeakMap<object, number>();
  let submitting: number | undefined;
  M.prototype.load = function (this: { exports: unknown }, filename: string): unknown {
    const result = load.call(this, filename);
    try {
      if (filename.includes('/node_modules/workerpool/src/')) {
        const proto = (this.exports as { prototype?: Record<string, Method> } | undefined)?.prototype;
        if (filename.endsWith('/Pool.js') && typeof proto?.exec === 'function') {
          const exec = proto.exec;
          proto.exec = function (this: unknown, ...args: unknown[]): unknown {
            const outer = submitting;
            const t = outer ?? rec.now();
            submitting = t;
            try {
              const promise = exec.apply(this, args);
              if (typeof promise === 'object' && promise !== null && !submitted.has(promise)) submitted.set(promise, t);
              return promise;
            } finally {
              submitting = outer;
            }
          };
        } else if (filename.endsWith('/WorkerHandler.js') && typeof proto?.exec === 'function') {
          const exec = proto.exec;
          proto.exec = function (this: unknown, ...args: unknown[]): unknown {
            const handler = this as { lastId?: number; worker?: { threadId?: number } };
            const promise = (args[2] as Resolver | undefined)?.promise;
            // A task queued earlier was stamped when its exec() returned; the one being submitted now, by `submitting`.
            const t = (promise && submitted.get(promise)) ?? submitting;
            const out = exec.apply(this, args);
            const tid = handler.worker?.threadId;
            if (t !== undefined && typeof tid === 'number' && typeof handler.lastId === 'number') {
              log.stamp('workerpool', tid * WORKERPOOL_KEY_STRIDE + handler.lastId, t);
            }
            return out;
          };
        }
      }
    } catch (err) {
      warn('cannot stamp workerpool submits', err);
    }
    return result;
  };
}
