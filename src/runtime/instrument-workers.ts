// Instruments unmodified worker code: raw worker_threads and the pools known by name
// (interop-messages.ts: piscina, tinypool, workerpool, poolifier).
// Creating side: `worker_threads.Worker` is replaced (on the module object, so code that reads
// the export later, CJS or ESM, gets ours) by a subclass that tells the spool which thread was
// created by which site/library, and that has the worker save its profile before terminate()
// (terminate-save.ts). Submits of known pools are stamped there too (interop-submits.ts).
// Worker side: every 'message' listener on a MessagePort, and the receiveMessageOnPort() fast
// path piscina and tinypool use, turn handled messages into spans of the creating site's
// 'external' region: for a known pool, one span per task message, from its receipt to its reply;
// for a raw worker, one per message, for as long as its listener (and the promise it returned)
// ran. A raw worker's messages from its creator are stamped when posted and counted in order
// where they are received, so each span has its queue wait (messages on other ports, and
// BroadcastChannel's, stay 'not known'). ThreadPool workers are left alone: the pool records its own spans.
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';
import { ENV, EXTERNAL_SPAN_CONCURRENT, NOT_STOLEN, NO_PARENT, NO_SUBMIT_KEY, POOL_WORKER_MARK } from './contract';
import { EXTERNAL_REGION, warn, type SpoolRecorder } from './recorder';
import { KNOWN_POOLS, RAW_MESSAGE_KEY_STRIDE, poolOnStack, replyOf, taskOf, type KnownPool } from './interop-messages';
import { instrumentSubmits, stampRawMessage } from './interop-submits';
import { WorkerSaver, aboutToBeTerminated } from './terminate-save';
import { takeOpenTask } from './stop-board';
import { setBetweenTasks } from './recorder-waits';
import { MessageDispatch } from './message-dispatch';

// The module object itself (not an import binding): its exports are what we replace.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wt = require('node:worker_threads') as typeof WorkerThreads;
type Worker = WorkerThreads.Worker;

const PATCHED = Symbol.for('parallel-profiler.patched');

/** µs to add to the creating thread's performance.now() × 1000 to get µs from origin (NaN: unknown). */
let creatorClockUs = NaN;

/** Where a worker was created from: a known library, or the first user frame of the stack. */
function creationSite(filename: string, stack: string, ownDir: string): { lib: string; file: string; line: number; column: number } {
  const frames = stack.split('\n').slice(1);
  // esbuild's synchronous API (the preload's TypeScript support) runs on a worker of its own.
  if (frames.some((f) => f.includes('/node_modules/esbuild/'))) return { lib: 'internal', file: filename, line: 0, column: 0 };
  for (const lib of KNOWN_POOLS) {
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
/** The task worker `tid` was running when it died or was stopped unsaved, if any, as cut off now (stop-board.ts). */
function cutOpenTaskOf(rec: SpoolRecorder, tid: number): void {
  try {
    const task = takeOpenTask(tid);
    if (task) rec.event({ e: 'cutTask', tid, ...task, end: Math.max(rec.now(), task.start) });
  } catch (err) {
    warn(`cannot record the task worker ${tid} was running`, err);
  }
}

export function instrumentWorkerCreation(rec: SpoolRecorder, poolWorkerFile: string, ownDir: string): void {
  const Original = wt.Worker as typeof wt.Worker & { [PATCHED]?: boolean };
  if (Original[PATCHED]) return;
  // The clock of the thread that created this one, then this thread's own for the workers it creates.
  creatorClockUs = Number(process.env[ENV.creatorClock] ?? NaN);
  process.env[ENV.creatorClock] = String(rec.now() - performance.now() * 1000);
  instrumentSubmits(rec);
  const saver = new WorkerSaver(rec.spool, (tid, spans) => rec.event({ e: 'dropped', spans, tid }), (tid) => cutOpenTaskOf(rec, tid));
  // Workers still running when this thread exits are stopped without their 'exit' listeners.
  process.on('exit', () => saver.saveAllNow());
  const regions = new Map<string, number>();

  /** Messages posted so far to each raw worker (not a known pool's, not the ThreadPool's). */
  const rawPosted = new WeakMap<Worker, { count: number }>();

  /** Records the new worker; false for workers that are not recorded (esbuild's own). */
  function created(worker: Worker, filename: unknown, options: WorkerThreads.WorkerOptions | undefined): boolean {
    const tid = worker.threadId;
    const file = filenameOf(filename);
    let name = (options as { name?: unknown } | undefined)?.name;
    let region = EXTERNAL_REGION;
    let lib = 'parallel-profiler';
    // A ThreadPool's worker: this copy's entry, or another copy's (the CLI from one install, the
    // script's `require('parallel-profiler')` from another), which marks its workerData the same way.
    const poolWorker = file === poolWorkerFile || (options?.workerData as Record<string, unknown> | null | undefined)?.[POOL_WORKER_MARK] === true;
    if (!poolWorker) {
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
      // A known pool's lanes carry its name.
      if (typeof name !== 'string' && site.lib !== 'worker_threads') name = `${site.lib} ${tid}`;
      if (site.lib === 'worker_threads') rawPosted.set(worker, { count: 0 });
    }
    rec.event({ e: 'worker', t: rec.now(), tid, name: typeof name === 'string' ? name : null, lib, region });
    saver.track(tid);
    worker.once('exit', (code: number) => {
      saver.exited(tid);
      // A worker that died inside a task (out of memory) ran no JavaScript to record it: its creator does.
      cutOpenTaskOf(rec, tid);
      rec.event({ e: 'workerExit', t: rec.now(), tid, code, ...(terminatedByOwner.has(worker) ? { terminated: true } : {}) });
    });
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
  /** Workers whose owner called terminate(): their exit is a shutdown, not a crash. */
  const terminatedByOwner = new WeakSet<Worker>();
  class ProfiledWorker extends Original {
    constructor(filename: string | URL, options?: WorkerThreads.WorkerOptions) {
      // Attach before this thread's first worker exists (terminate-save.ts: enabling the
      // NodeWorker domain while a worker is exiting can crash Node).
      saver.prepare();
      super(filename, options);
      try {
        if (created(this, filename, options)) recorded.add(this);
        // Creating a worker costs this thread CPU time (its environment, its port): read here, that
        // time is the creation's, not spread over the creator's code that follows (a pool's
        // creation read as 25-45 ms more serial code before its first map).
        rec.readCpuAtBoundary();
      } catch (err) {
        warn('cannot instrument a worker', err);
      }
    }

    /** A raw worker's message: stamped once posted (a message that cannot be cloned is not posted, and not counted). */
    override postMessage(value: unknown, transferList?: readonly WorkerThreads.TransferListItem[]): void {
      const posted = rawPosted.get(this);
      if (!posted) return super.postMessage(value, transferList);
      const t = rec.now();
      super.postMessage(value, transferList);
      stampRawMessage(this.threadId, posted.count++, t);
    }

    override terminate(): Promise<number> {
      terminatedByOwner.add(this);
      if (!recorded.has(this) || this.threadId < 0) return super.terminate();
      recorded.delete(this);
      return saver.save(this.threadId).then(() => super.terminate(), () => super.terminate());
    }
  }
  Object.defineProperty(ProfiledWorker, 'name', { value: 'Worker' });
  Object.defineProperty(ProfiledWorker, PATCHED, { value: true });
  (wt as { Worker: typeof wt.Worker }).Worker = ProfiledWorker;
  syncBuiltinESMExports();
}

/** A task being handled on this thread. */
interface OpenTask { start: number; enqueue: number; submitKey: number; flags: number }

/** The tasks in flight on this worker thread, and their spans once they end. */
class TaskTracker {
  private readonly open = new Map<unknown, OpenTask>();

  constructor(private readonly rec: SpoolRecorder) {}

  begin(id: unknown, start: number, enqueue: number, submitKey: number): void {
    let flags = 0;
    if (this.open.size > 0) {
      // Several messages in flight on one thread: their spans overlap without nesting.
      flags = EXTERNAL_SPAN_CONCURRENT;
      for (const t of this.open.values()) t.flags |= EXTERNAL_SPAN_CONCURRENT;
    }
    this.open.set(id, { start, enqueue: Math.min(enqueue, start), submitKey, flags });
  }

  has(id: unknown): boolean {
    return this.open.has(id);
  }

  /** No task in flight on this thread. */
  none(): boolean {
    return this.open.size === 0;
  }

  /** `at`: when it ended, if not now. */
  end(id: unknown, failed: boolean, at?: number): void {
    const t = this.open.get(id);
    if (!t) return;
    this.open.delete(id);
    this.rec.span(EXTERNAL_REGION, t.submitKey, t.flags, 1, t.enqueue, t.start, at ?? this.rec.now(), NOT_STOLEN, NO_PARENT, failed ? 1 : 0);
    // The thread saved already and is about to be stopped: this span cannot wait for a batch.
    if (aboutToBeTerminated()) this.rec.flush();
  }
}

/** What a 'message' listener receives: the MessageEvent (addEventListener) or its data (on()). */
function dataOf(arg: unknown): unknown {
  return typeof MessageEvent === 'function' && arg instanceof MessageEvent ? arg.data : arg;
}

/** Whose code handles messages on this thread, decided from a stack: not the user's (the ThreadPool's, Node's own), a known pool's, or raw. */
type Handler = 'ignored' | KnownPool | null;

/** Frames that only pass a registration on: ours, and Node's event plumbing. */
const PLUMBING = [__filename, 'node:internal/event_target', 'node:events', 'node:internal/per_context/messageport'];

/**
 * Whether the code that registered a listener or received a message is Node's own: a Worker
 * created on this thread listens on its internal port (stdio, errors), Node's loader hooks talk
 * to their thread. Those messages are Node's, not tasks.
 */
function calledByNode(stack: string): boolean {
  const frames = stack.split('\n').slice(1);
  const caller = frames.find((f) => !PLUMBING.some((p) => f.includes(p)));
  return caller !== undefined && /[( ]node:internal\//.test(caller);
}

/**
 * In a worker thread: messages handled by user listeners become spans. Whose code handles them
 * is decided from the stack of each listener registration and of the first receive on a port.
 */
export function instrumentMessageHandling(rec: SpoolRecorder, poolWorkerFile: string): void {
  const proto = wt.MessagePort.prototype as unknown as Record<string, (...a: unknown[]) => unknown> & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  Object.defineProperty(proto, PATCHED, { value: true });
  const tasks = new TaskTracker(rec);
  const threadId = wt.threadId;
  /** The known pool this worker belongs to, once one of its listeners or receives was seen. */
  let threadPool: KnownPool | null = null;
  // A known pool's worker blocked with no task of it in flight is waiting for work (piscina's wait loop).
  setBetweenTasks(() => threadPool !== null && tasks.none());
  const handlerOf = (stack: string): Handler => {
    if (stack.includes(poolWorkerFile) || calledByNode(stack)) return 'ignored';
    const lib = poolOnStack(stack);
    if (lib) threadPool = lib;
    return lib;
  };
  let rawIds = 0;
  /** Messages from the creator (on parentPort) received so far: each one's key pairs it with its post. */
  let parentMessages = 0;
  const nextParentKey = (): number => threadId * RAW_MESSAGE_KEY_STRIDE + parentMessages++;
  /**
   * Starts the span of one received message; returns its id, or undefined when it is no task.
   * `parent`: a raw message received on parentPort, by a listener (dispatch) or receiveMessageOnPort() (sync).
   */
  const begin = (handler: KnownPool | null, data: unknown, parent?: 'dispatch' | 'sync'): unknown => {
    // With a CPU reading at the task's start, as our pool's tasks have (taskStart): else the
    // thread's start-up in the same reading window was credited to its first message (a raw
    // worker's first 60 ms message read 92-101 ms of work on a loaded machine).
    const start = rec.taskStart();
    if (handler === null) {
      const id = { raw: rawIds++ };
      tasks.begin(id, start, start, parent ? nextParentKey() : NO_SUBMIT_KEY);
      return id;
    }
    const task = taskOf(handler, data, threadId);
    if (!task) return undefined;
    const submitted = task.submittedPerfMs * 1000 + creatorClockUs;
    tasks.begin(task.id, start, Number.isFinite(submitted) ? submitted : start, task.submitKey);
    return task.id;
  };

  // A listener on parentPort counts its messages (see nextParentKey), the same function on another port does not: one wrapper each.
  const wrapped = new WeakMap<object, (...a: unknown[]) => unknown>();
  const wrappedOnParent = new WeakMap<object, (...a: unknown[]) => unknown>();
  const addEventListener = proto.addEventListener;
  const removeEventListener = proto.removeEventListener;
  proto.addEventListener = function (this: unknown, type: unknown, listener: unknown, ...rest: unknown[]): unknown {
    if (type !== 'message' || typeof listener !== 'function') return addEventListener.call(this, type, listener, ...rest);
    const handler = handlerOf(new Error().stack ?? '');
    if (handler === 'ignored') return addEventListener.call(this, type, listener, ...rest);
    const fn = listener as (...a: unknown[]) => unknown;
    const onParent = this === wt.parentPort;
    const cache = onParent ? wrappedOnParent : wrapped;
    let w = cache.get(fn);
    if (!w) {
      w = handler === null ? rawListener(fn, onParent) : poolListener(handler, fn);
      cache.set(fn, w);
    }
    return addEventListener.call(this, type, w, ...rest);
  };
  proto.removeEventListener = function (this: unknown, type: unknown, listener: unknown, ...rest: unknown[]): unknown {
    const w = typeof listener === 'function' ? (this === wt.parentPort ? wrappedOnParent : wrapped).get(listener) : undefined;
    return removeEventListener.call(this, type, w ?? listener, ...rest);
  };

  // One span per message, however many raw listeners it has (message-dispatch.ts).
  const endRaw = (id: unknown, end: number, failed: boolean) => tasks.end(id, failed, end);
  const parentDispatch = new MessageDispatch(() => rec.now(), () => begin(null, undefined, 'dispatch'), endRaw);
  const otherDispatch = new MessageDispatch(() => rec.now(), () => begin(null, undefined), endRaw);

  /** A raw worker's listener: its message's span lasts until it returns or its promise settles. */
  function rawListener(fn: (...a: unknown[]) => unknown, onParentPort: boolean): (...a: unknown[]) => unknown {
    const dispatch = onParentPort ? parentDispatch : otherDispatch;
    const self = function (this: unknown, ...args: unknown[]): unknown {
      const { done } = dispatch.enter(self, dataOf(args[0]));
      let result: unknown;
      try {
        result = fn.apply(this, args);
      } catch (err) {
        done(true);
        throw err;
      }
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        // Rethrowing keeps an unhandled rejection unhandled, as it was without us.
        (result as Promise<unknown>).then(() => done(false), (err) => { done(true); throw err; });
      } else {
        done(false);
      }
      return result;
    };
    return self;
  }

  /** A known pool's listener: a task message opens a span its reply closes; other messages none. */
  function poolListener(lib: KnownPool, fn: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
    return function (this: unknown, ...args: unknown[]): unknown {
      const id = begin(lib, dataOf(args[0]));
      try {
        return fn.apply(this, args);
      } catch (err) {
        if (id !== undefined) tasks.end(id, true);
        throw err;
      }
    };
  }

  // piscina and tinypool read tasks with receiveMessageOnPort() and answer on the same port.
  const portHandler = new WeakMap<object, Handler>();
  const rawReceived = new WeakMap<object, unknown>();
  const receive = wt.receiveMessageOnPort;
  const postMessage = proto.postMessage;
  (wt as { receiveMessageOnPort: typeof receive }).receiveMessageOnPort = function (port) {
    const entry = receive(port);
    if (entry === undefined) return entry;
    let handler = portHandler.get(port);
    if (handler === undefined) portHandler.set(port, (handler = handlerOf(new Error().stack ?? '')));
    if (handler === 'ignored') return entry;
    // A raw worker's receive: its span runs to its next post on the same port.
    if (handler === null) rawReceived.set(port, begin(null, undefined, port === wt.parentPort ? 'sync' : undefined));
    else begin(handler, entry.message);
    return entry;
  };
  proto.postMessage = function (this: object, ...args: unknown[]): unknown {
    if (threadPool !== null) {
      const reply = replyOf(threadPool, args[0]);
      if (reply && tasks.has(reply.id)) tasks.end(reply.id, reply.failed);
    } else {
      const id = rawReceived.get(this);
      if (id !== undefined) {
        rawReceived.delete(this);
        tasks.end(id, false);
      }
    }
    return postMessage.apply(this, args);
  };
  syncBuiltinESMExports();
}
