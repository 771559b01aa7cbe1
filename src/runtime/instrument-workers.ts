// Instruments unmodified worker code: raw worker_threads, piscina, tinypool, workerpool.
// Creating side: `worker_threads.Worker` is replaced (on the module object, so code that reads
// the export later, CJS or ESM, gets ours) by a subclass that tells the spool which thread was
// created by which site/library. Worker side: every 'message' listener on a MessagePort, and the
// receiveMessageOnPort() fast path piscina and tinypool use, turn each handled message into one
// span of the creating site's 'external' region. ThreadPool workers are left alone: the pool
// records its own spans.
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';
import { EXTERNAL_REGION, warn, type SpoolRecorder } from './recorder';
import { askToSave } from './terminate-save';

// The module object itself (not an import binding): its exports are what we replace.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wt = require('node:worker_threads') as typeof WorkerThreads;
type Worker = WorkerThreads.Worker;

const LIBRARIES = ['piscina', 'tinypool', 'workerpool'];
const PATCHED = Symbol.for('parallel-profiler.patched');

/** Where a worker was created from: a known library, or the first user frame of the stack. */
function creationSite(filename: string, stack: string, ownDir: string): { lib: string; file: string; line: number; column: number } {
  const frames = stack.split('\n').slice(1);
  // esbuild's synchronous API (the preload's TypeScript support) runs on a worker of its own.
  if (frames.some((f) => f.includes('/node_modules/esbuild/'))) return { lib: 'internal', file: filename, line: 0, column: 0 };
  for (const lib of LIBRARIES) {
    if (filename.includes(`/node_modules/${lib}/`) || frames.some((f) => f.includes(`/node_modules/${lib}/`))) {
      return { lib, file: filename, line: 0, column: 0 };
    }
  }
  for (const f of frames) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(f);
    if (!m || m[1].startsWith(ownDir) || m[1].startsWith('node:')) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    return { lib: 'worker_threads', file, line: Number(m[2]), column: Number(m[3]) };
  }
  return { lib: 'worker_threads', file: filename, line: 0, column: 0 };
}

function filenameOf(f: unknown): string {
  if (f instanceof URL) return f.protocol === 'file:' ? fileURLToPath(f) : f.href;
  return typeof f === 'string' ? (f.startsWith('file://') ? fileURLToPath(f) : f) : String(f);
}

/** Replaces worker_threads.Worker on this thread. `poolWorkerFile` is the ThreadPool's worker entry. */
export function instrumentWorkerCreation(rec: SpoolRecorder, poolWorkerFile: string, ownDir: string): void {
  const Original = wt.Worker as typeof wt.Worker & { [PATCHED]?: boolean };
  if (Original[PATCHED]) return;
  const regions = new Map<string, number>();

  /** Records the new worker; false for workers that are not recorded (esbuild's own). */
  function created(worker: Worker, filename: unknown, options: WorkerThreads.WorkerOptions | undefined): boolean {
    const tid = worker.threadId;
    const file = filenameOf(filename);
    const name = (options as { name?: unknown } | undefined)?.name;
    let region = EXTERNAL_REGION;
    let lib = 'parallel-profiler';
    if (file !== poolWorkerFile) {
      const site = creationSite(options?.eval ? '<eval>' : file, new Error().stack ?? '', ownDir);
      lib = site.lib;
      if (lib === 'internal') {
        rec.event({ e: 'worker', t: rec.now(), tid, name: null, lib, region: EXTERNAL_REGION });
        return false;
      }
      const key = site.lib === 'worker_threads' ? `${site.file}:${site.line}` : site.lib;
      region = regions.get(key) ?? -2;
      if (region === -2) {
        const label = site.lib === 'worker_threads' ? `worker_threads ${basename(site.file)}:${site.line}` : site.lib;
        region = rec.beginRegion({
          name: label, kind: 'external', pool: rec.newPoolId(), fn: site.lib,
          callSite: site.line > 0 ? { file: site.file, line: site.line, column: site.column } : undefined,
          schedule: 'external', threads: 0, items: 0, chunkSize: 0, start: rec.now(),
        });
        regions.set(key, region);
      }
    }
    rec.event({ e: 'worker', t: rec.now(), tid, name: typeof name === 'string' ? name : null, lib, region });
    worker.once('exit', (code: number) => rec.event({ e: 'workerExit', t: rec.now(), tid, code }));
    // Observe 'error' without listening to it: a listener would swallow errors the user never handles.
    const emit = worker.emit;
    worker.emit = function (this: Worker, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error') {
        const err = args[0] as Error | undefined;
        rec.event({ e: 'workerError', t: rec.now(), tid, message: String(err?.message ?? err), stack: err?.stack });
      }
      return emit.call(this, event, ...args);
    } as typeof worker.emit;
    return true;
  }

  const recorded = new WeakSet<Worker>();
  class ProfiledWorker extends Original {
    constructor(filename: string | URL, options?: WorkerThreads.WorkerOptions) {
      super(filename, options);
      try {
        if (created(this, filename, options)) recorded.add(this);
      } catch (err) {
        warn('cannot instrument a worker', err);
      }
    }

    override terminate(): Promise<number> {
      if (!recorded.has(this) || this.threadId < 0) return super.terminate();
      recorded.delete(this);
      return askToSave(this.threadId).then(() => super.terminate(), () => super.terminate());
    }
  }
  Object.defineProperty(ProfiledWorker, 'name', { value: 'Worker' });
  Object.defineProperty(ProfiledWorker, PATCHED, { value: true });
  (wt as { Worker: typeof wt.Worker }).Worker = ProfiledWorker;
  syncBuiltinESMExports();
}

/**
 * In a worker thread: messages handled by user listeners become spans. Whether this thread is a
 * ThreadPool worker is decided once, from the stack of the first listener registration or
 * receive: the pool's own worker file is then on it.
 */
export function instrumentMessageHandling(rec: SpoolRecorder, poolWorkerFile: string): void {
  const proto = wt.MessagePort.prototype as unknown as Record<string, (...a: unknown[]) => unknown> & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  Object.defineProperty(proto, PATCHED, { value: true });
  let external: boolean | undefined;
  let index = 0;
  const isExternal = (): boolean => {
    if (external === undefined) external = !(new Error().stack ?? '').includes(poolWorkerFile);
    return external;
  };
  const record = (start: number, failed: number): void => {
    rec.span(EXTERNAL_REGION, index++, 0, 1, start, start, rec.now(), -1, -1, failed);
    // Pools terminate() their workers, which runs none of the worker's code: a message span is
    // written at once (a few µs, next to a message round trip of tens) or it would be lost.
    rec.flush();
  };

  const wrapped = new WeakMap<object, (...a: unknown[]) => unknown>();
  const addEventListener = proto.addEventListener;
  const removeEventListener = proto.removeEventListener;
  proto.addEventListener = function (this: unknown, type: unknown, listener: unknown, ...rest: unknown[]): unknown {
    if (type !== 'message' || typeof listener !== 'function' || !isExternal()) {
      return addEventListener.call(this, type, listener, ...rest);
    }
    const fn = listener as (...a: unknown[]) => unknown;
    let w = wrapped.get(fn);
    if (!w) {
      w = function (this: unknown, ...args: unknown[]): unknown {
        const start = rec.now();
        let result: unknown;
        try {
          result = fn.apply(this, args);
        } catch (err) {
          record(start, 1);
          throw err;
        }
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          // Rethrowing keeps an unhandled rejection unhandled, as it was without us.
          (result as Promise<unknown>).then(() => record(start, 0), (err) => { record(start, 1); throw err; });
        } else {
          record(start, 0);
        }
        return result;
      };
      wrapped.set(fn, w);
    }
    return addEventListener.call(this, type, w, ...rest);
  };
  proto.removeEventListener = function (this: unknown, type: unknown, listener: unknown, ...rest: unknown[]): unknown {
    const w = typeof listener === 'function' ? wrapped.get(listener) : undefined;
    return removeEventListener.call(this, type, w ?? listener, ...rest);
  };

  // piscina and tinypool read tasks with receiveMessageOnPort() and answer on the same port:
  // the span runs from the receive to the answer.
  const pending = new WeakMap<object, number>();
  const receive = wt.receiveMessageOnPort;
  const postMessage = proto.postMessage;
  (wt as { receiveMessageOnPort: typeof receive }).receiveMessageOnPort = function (port) {
    const entry = receive(port);
    if (entry !== undefined && isExternal()) pending.set(port, rec.now());
    return entry;
  };
  proto.postMessage = function (this: object, ...args: unknown[]): unknown {
    const start = pending.get(this);
    if (start !== undefined) {
      pending.delete(this);
      record(start, 0);
    }
    return postMessage.apply(this, args);
  };
  syncBuiltinESMExports();
}
