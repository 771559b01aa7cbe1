// ThreadPool, the main-thread side: owns the workers, runs one operation at a time over all of
// them, and tells the recorder (when there is one) about regions and workers.
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { LOADING_TASK_MODULE_KEY, NO_PARENT, POOL_WORKER_MARK, getRecorder, type Recorder } from './contract';
import type { Region, Schedule } from '../model/report';
import type { FromWorker, InputDesc, OperationKind, OpMessage } from './pool-protocol';
import {
  checkChunkSize, checkSchedule, checkThreads, defaultChunkSize, defaultSchedule, defaultThreads, Range,
  type OperationOptions, type PoolInput, type PoolOptions, type ReduceOptions,
} from './pool-types';
import { addAll, assembleMap, isAddable, orderedValues, prepareInput, sliceFor } from './pool-input';
import { callSiteOf } from './pool-callsite';
import { ABORT_CANCELLED, ABORT_ERROR, ABORT_WORKER_DIED, chunkSizeFor, CTRL, newControl, staticChunk } from './schedule';
import { StealState } from './schedule-steal';
import { InlineRunner } from './pool-inline';
import { stopNudging } from './nudge-targets';

/** Pool ids when no recorder hands them out. */
let localPoolIds = 0;

interface Slot { worker: Worker; threadId: number; lastError?: string; dead?: boolean; ready?: boolean; created?: number }

interface Operation {
  kind: OperationKind; fn: string; label: string; n: number; desc: InputDesc; schedule: Schedule;
  chunkSize: number; fixedChunks: boolean; identity?: unknown; data?: unknown; combine?: string; signal?: AbortSignal;
  name?: string; callSite?: Region['callSite']; called?: number; resolve(v: unknown): void; reject(e: unknown): void;
}

interface Running {
  op: Operation; id: number; control: Int32Array; waiting: Set<number>; parts: unknown[][];
  settled: boolean; outcome: Region['outcome']; region: number; recorder?: Recorder;
  combineSlot: number; onAbort?: () => void;
}

export class ThreadPool {
  /** Worker threads of the pool. */
  readonly threads: number;
  /** Schedule of operations that do not pick one. */
  readonly schedule: Schedule;
  readonly name: string;
  private readonly chunkSize?: number;
  private readonly module: string;
  private readonly poolId: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Operation[] = [];
  private running?: Running;
  private nextOp = 0;
  private closed = false;
  private closing?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  private readonly counts = { tasks: 0, steals: 0 };
  /** threads 0 (sequential mode): runs operations on the calling thread instead of workers. */
  private readonly inline?: InlineRunner;

  constructor(options: PoolOptions) {
    if (!options || (typeof options.module !== 'string' && !(options.module instanceof URL)) || options.module === '') {
      throw new TypeError(`ThreadPool: options.module must be the path or file URL of the task module, got ${String(options?.module)}`);
    }
    const loading = (globalThis as Record<symbol, unknown>)[LOADING_TASK_MODULE_KEY];
    if (typeof loading === 'string') {
      throw new Error(`ThreadPool: made while a pool worker was loading its task module ${loading}. A module's top-level code runs again in every worker that loads it, ` +
        'so each worker would start a pool of its own, and each of their workers too: make the pool under `if (isMainThread)` (node:worker_threads), or put the tasks in a module of their own');
    }
    const m = options.module;
    this.module = m instanceof URL ? m.href : m.startsWith('file:') ? m : resolve(m);
    this.threads = options.threads === undefined ? defaultThreads() : checkThreads(options.threads);
    this.schedule = options.schedule === undefined ? defaultSchedule() : checkSchedule(options.schedule);
    this.chunkSize = checkChunkSize(options.chunkSize) ?? defaultChunkSize();
    this.name = options.name ?? 'pool';
    const recorder = getRecorder();
    this.poolId = recorder ? recorder.newPoolId() : localPoolIds++;
    for (let s = 0; s < this.threads; s++) this.slots.push(this.spawn(s));
    if (this.threads === 0) this.inline = new InlineRunner(this.module, this.poolId);
  }

  /** fn(item, index, ctx) for every item; results in input order. */
  map<T, R>(fn: string, input: PoolInput<T>, options?: OperationOptions): Promise<R[]> {
    return this.submit('map', fn, input, options, new Error().stack) as Promise<R[]>;
  }

  /** fn(item, index, ctx) for every item, for its effects (e.g. writing a shared typed array). */
  forEach<T>(fn: string, input: PoolInput<T>, options?: OperationOptions): Promise<void> {
    return this.submit('forEach', fn, input, options, new Error().stack) as Promise<void>;
  }

  /** Folds each chunk with fn(acc, item, index, ctx) from `identity`, then merges chunk results in item order with `combine`. */
  reduce<T, A>(fn: string, input: PoolInput<T>, options: ReduceOptions<A>): Promise<A> {
    return this.submit('reduce', fn, input, options, new Error().stack) as Promise<A>;
  }

  /**
   * Fork-join over a range, always under work stealing: fn(first, end, ctx) runs once for the
   * whole range and may call ctx.spawn(first, end) for sub-ranges, which run as their own tasks.
   * Resolves with the tasks' non-undefined results merged in range order (default `+`), after
   * every task, spawned ones included, has finished.
   */
  join<R>(fn: string, input: Range, options?: OperationOptions & { identity?: R; combine?: string }): Promise<R> {
    return this.submit('join', fn, input, options, new Error().stack) as Promise<R>;
  }

  /**
   * The pool's own count, over every operation so far, of tasks its workers ran (one per
   * scheduled chunk: a static share, a dynamic chunk, a steal-schedule claim, a join task; the
   * profiler records one span for each) and of steals (ranges under `steal`, tasks under join).
   */
  taskCounts(): { tasks: number; steals: number } {
    return { ...this.counts };
  }

  /** Lets queued operations finish, then ends every worker. Every call returns the same promise. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    await new Promise<void>((done) => (this.running || this.queue.length ? this.idleWaiters.push(done) : done()));
    await Promise.all(this.slots.splice(0).filter((slot) => !slot.dead).map((slot) => new Promise<void>((done) => {
      slot.worker.ref(); // keep the process alive until the worker has flushed and exited
      const timer = setTimeout(() => void slot.worker.terminate(), 5000);
      slot.worker.once('exit', () => { clearTimeout(timer); done(); });
      // It ends by itself: the profiler's nudger (when recording) sends nothing more into it.
      stopNudging(slot.threadId);
      slot.worker.postMessage({ type: 'close' });
    })));
  }

  private spawn(index: number): Slot {
    const worker = new Worker(join(__dirname, 'worker.js'), { workerData: { module: this.module, [POOL_WORKER_MARK]: true } });
    const slot: Slot = { worker, threadId: worker.threadId, created: getRecorder()?.now() };
    worker.on('message', (m: FromWorker) => {
      if (m.type !== 'ready') return this.onMessage(index, m);
      slot.ready = true;
      this.recordReady(slot, m.at);
      this.pump();
    });
    worker.on('error', (e) => { slot.lastError = e instanceof Error ? (e.stack ?? e.message) : String(e); });
    worker.on('exit', (code) => this.onExit(index, slot, code));
    // Idle workers do not keep the process alive (after the listeners: adding one refs again).
    if (!this.running) worker.unref();
    try {
      getRecorder()?.workerJoined(worker.threadId, this.poolId, `${this.name} ${index + 1}`);
    } catch (e) {
      process.stderr.write(`[parprof] could not register worker: ${(e as Error)?.message}\n`);
    }
    return slot;
  }

  /**
   * Pool start-up as the report shows it: thread creation to task module loaded, by the worker's
   * clock (`at`) when it said, else when this thread read its message.
   */
  private recordReady(slot: Slot, at: number | undefined): void {
    const recorder = getRecorder();
    if (!recorder?.workerReady || slot.created === undefined) return;
    try {
      const now = recorder.now();
      const ready = typeof at === 'number' && Number.isFinite(at) && at >= slot.created && at <= now ? at : now;
      recorder.workerReady(slot.threadId, this.poolId, slot.created, ready);
    } catch (e) {
      process.stderr.write(`[parprof] could not record worker start-up: ${(e as Error)?.message}\n`);
    }
  }

  private submit(kind: OperationKind, fn: string, input: unknown, options: (OperationOptions & { identity?: unknown; combine?: string }) | undefined, stack: string | undefined): Promise<unknown> {
    const called = getRecorder()?.now();
    return new Promise((resolvePromise, rejectPromise) => {
      const label = `${kind}(${typeof fn === 'string' ? fn : String(fn)})`;
      if (this.closed) throw new Error(`ThreadPool '${this.name}' is closed; cannot run ${label}`);
      if (typeof fn !== 'string' || fn === '') throw new TypeError(`${label}: fn must be the name of an exported task function`);
      if (kind === 'join' && !(input instanceof Range)) throw new TypeError(`${label}: input must be range(start, end)`);
      const o = options ?? {};
      if (kind === 'reduce' && !('identity' in o)) throw new TypeError(`${label}: options.identity is required`);
      if (kind === 'reduce' && o.combine === undefined && !isAddable(o.identity)) {
        throw new TypeError(`${label}: options.combine is required when identity is not a number or bigint (got ${typeof o.identity})`);
      }
      const schedule = kind === 'join' ? 'steal' : o.schedule === undefined ? this.schedule : checkSchedule(o.schedule);
      const explicit = checkChunkSize(o.chunkSize) ?? this.chunkSize;
      const { n, desc } = prepareInput(input, label);
      const recorder = getRecorder();
      this.queue.push({
        kind, fn, label, n, desc, schedule, identity: o.identity, data: o.data, combine: o.combine, signal: o.signal, name: o.name,
        chunkSize: kind === 'join' ? 0 : chunkSizeFor(schedule, n, Math.max(1, this.threads), explicit),
        fixedChunks: explicit !== undefined,
        callSite: recorder ? callSiteOf(stack, __filename) : undefined, called,
        resolve: resolvePromise, reject: rejectPromise,
      });
      this.pump();
    });
  }

  private pump(): void {
    while (!this.running) {
      const op = this.queue[0];
      if (!op) {
        for (const slot of this.slots) slot.worker.unref();
        for (const done of this.idleWaiters.splice(0)) done();
        return;
      }
      if (op.signal?.aborted) {
        this.queue.shift();
        op.reject(abortError(op.label, op.signal.reason));
        continue;
      }
      for (let s = 0; s < this.threads; s++) if (this.slots[s].dead) this.slots[s] = this.spawn(s);
      // Wait (keeping the process alive) until every worker has loaded the task module.
      if (this.slots.some((slot) => !slot.ready)) {
        for (const slot of this.slots) slot.worker.ref();
        return;
      }
      this.queue.shift();
      this.start(op);
    }
  }

  /** threads 0: the operation runs on this thread (pool-inline.ts), still one at a time. */
  private startInline(op: Operation, inline: InlineRunner): void {
    const run: Running = { op, id: this.nextOp++, control: newControl(), waiting: new Set(), parts: [], settled: true, outcome: 'ok', region: -1, combineSlot: -1 };
    this.running = run;
    const before = inline.tasks;
    void inline.run({ ...op, explicitChunkSize: op.fixedChunks ? op.chunkSize : undefined }).then(() => {
      this.counts.tasks += inline.tasks - before;
      this.end(run);
    });
  }

  private start(op: Operation): void {
    if (this.inline) return this.startInline(op, this.inline);
    const recorder = getRecorder();
    const p = this.threads;
    const control = newControl();
    let region = -1;
    let enqueue = 0;
    if (recorder) {
      try {
        enqueue = recorder.now();
        region = recorder.beginRegion({
          name: op.name ?? `${op.kind} ${op.fn}`, kind: op.kind, pool: this.poolId, fn: op.fn, callSite: op.callSite, called: op.called,
          schedule: op.schedule, threads: p, items: op.n, chunkSize: op.chunkSize, start: enqueue,
        });
      } catch (e) {
        process.stderr.write(`[parprof] could not record region: ${(e as Error)?.message}\n`);
      }
    }
    let steal: SharedArrayBuffer | undefined;
    if (op.schedule === 'steal') {
      steal = new SharedArrayBuffer(StealState.bytes(p));
      const st = new StealState(steal, p, control, CTRL.ABORT);
      if (op.kind === 'join') {
        const start = op.desc.kind === 'range' ? op.desc.start : 0;
        st.push(0, start, start + op.n, 0, NO_PARENT, enqueue);
        control[CTRL.TASKS] = 1;
        control[CTRL.LEFT] = 1;
      } else {
        for (let s = 0; s < p; s++) st.setRange(s, ...staticChunk(op.n, p, s));
        control[CTRL.TASKS] = 0;
        control[CTRL.LEFT] = op.n;
      }
    }
    const run: Running = {
      op, id: this.nextOp++, control, waiting: new Set(), parts: [], settled: false, outcome: 'ok', region, recorder, combineSlot: -1,
    };
    this.running = run;
    const threadIds = this.slots.map((s) => s.threadId);
    for (let s = 0; s < p; s++) {
      const slot = this.slots[s];
      let input = op.desc;
      if (op.schedule === 'static' && !op.fixedChunks) input = sliceFor(op.desc, ...staticChunk(op.n, p, s));
      const msg: OpMessage = {
        type: 'op', op: run.id, kind: op.kind, fn: op.fn, schedule: op.schedule, input, n: op.n, chunkSize: op.chunkSize,
        fixedChunks: op.fixedChunks, slot: s, threads: p, threadIds, control: control.buffer as SharedArrayBuffer, steal,
        region, enqueue, identity: op.identity, data: op.data,
      };
      slot.worker.ref();
      run.waiting.add(s);
      try {
        slot.worker.postMessage(msg);
      } catch (e) {
        // Typically an item that cannot be structured-cloned (a function, a class instance with private state).
        run.waiting.delete(s);
        this.fail(run, new Error(`${op.label}: cannot send the input to the workers: ${(e as Error).message}`, { cause: e }), 'error', ABORT_ERROR);
      }
    }
    if (op.signal) {
      const signal = op.signal;
      run.onAbort = () => this.fail(run, abortError(op.label, signal.reason), 'cancelled', ABORT_CANCELLED);
      signal.addEventListener('abort', run.onAbort, { once: true });
    }
    if (run.waiting.size === 0) this.finish(run);
  }

  /** Rejects the running operation (first reason wins) and tells every worker to stop. */
  private fail(run: Running, error: unknown, outcome: Region['outcome'], abortCode: number): void {
    Atomics.compareExchange(run.control, CTRL.ABORT, 0, abortCode);
    Atomics.add(run.control, CTRL.EPOCH, 1);
    Atomics.notify(run.control, CTRL.EPOCH);
    if (run.settled) return;
    run.settled = true;
    run.outcome = outcome;
    if (outcome === 'cancelled') {
      try { run.recorder?.marker('cancelled', `${run.op.label} cancelled`); } catch { /* recording is best effort */ }
    }
    run.op.reject(error);
  }

  private onMessage(slotIndex: number, m: FromWorker): void {
    const run = this.running;
    if (!run || m.op !== run.id) return;
    if (m.type === 'error') {
      const where = m.index >= 0 ? ` at item ${m.index} (task ${m.task})` : '';
      // The worker by the name the report and every view give it ('pool 2'), its threadId after it.
      const head = `${run.op.label} failed${where} on ${this.name} ${slotIndex + 1} (threadId ${this.slots[slotIndex]?.threadId}): ${m.message}`;
      const err = new Error(m.stack ? `${head}\nworker stack:\n${m.stack}` : head);
      Object.assign(err, { index: m.index, task: m.task });
      this.fail(run, err, 'error', ABORT_ERROR);
    } else if (m.type === 'done') {
      run.parts.push(m.parts);
      this.counts.tasks += m.tasks;
      this.counts.steals += m.steals;
      run.waiting.delete(slotIndex);
      if (run.waiting.size === 0) this.finish(run);
    } else if (m.type === 'combined' && slotIndex === run.combineSlot) {
      if (m.error) this.fail(run, new Error(`${run.op.label}: combine '${run.op.combine}' threw: ${m.error.message}\nworker stack:\n${m.error.stack ?? ''}`), 'error', ABORT_ERROR);
      else if (!run.settled) { run.settled = true; run.op.resolve(m.value); }
      this.end(run);
    }
  }

  private onExit(index: number, slot: Slot, code: number): void {
    if (this.slots[index] !== slot) return; // closed, or already replaced
    const run = this.running;
    const wasBusy = run !== undefined && (run.waiting.has(index) || run.combineSlot === index);
    slot.dead = true;
    // Replace a worker that died in an operation now; one that died idle (say, its task module
    // exits while loading) at the next operation, so a broken module cannot respawn in a loop.
    if (!this.closed && wasBusy) this.slots[index] = this.spawn(index);
    if (!run && !this.closed && this.queue.length > 0) {
      // It died while loading the task module, or after it but before the operation waiting for
      // the workers could start (the module's own top-level code threw asynchronously): fail
      // that operation, not the process, and do not wait for the worker forever.
      const op = this.queue.shift()!;
      const reason = slot.lastError ? `: ${slot.lastError.split('\n')[0]}` : '';
      const when = slot.ready ? 'after it loaded the task module, before the operation started' : 'while loading the task module';
      op.reject(new Error(`${op.label}: worker ${index + 1} (thread ${slot.threadId}) of pool '${this.name}' exited with code ${code} ${when}${reason}`));
      this.pump();
    }
    if (run && wasBusy) {
      const reason = slot.lastError ? `: ${slot.lastError.split('\n')[0]}` : '';
      const err = new Error(`${run.op.label}: worker ${index + 1} (thread ${slot.threadId}) of pool '${this.name}' exited with code ${code} while running it${reason}`);
      this.fail(run, err, 'error', ABORT_WORKER_DIED);
      run.waiting.delete(index);
      if (run.combineSlot === index) this.end(run);
      else if (run.waiting.size === 0) this.finish(run);
    }
  }

  /** Every worker has reported: build the answer (reduce/join may need one combine in a worker). */
  private finish(run: Running): void {
    const { op } = run;
    if (!run.settled) {
      try {
        if (op.kind === 'map') {
          run.settled = true;
          op.resolve(assembleMap(op.n, run.parts));
        } else if (op.kind === 'forEach') {
          run.settled = true;
          op.resolve(undefined);
        } else {
          const values = orderedValues(run.parts);
          if (op.kind === 'join' && op.identity !== undefined) values.unshift(op.identity);
          if (values.length === 0) values.push(op.identity);
          if (values.length > 1 && op.combine !== undefined) {
            run.combineSlot = 0;
            this.slots[0].worker.postMessage({ type: 'combine', op: run.id, fn: op.combine, values });
            return;
          }
          run.settled = true;
          op.resolve(values.length === 1 ? values[0] : addAll(values, op.label));
        }
      } catch (e) {
        run.settled = true;
        run.outcome = 'error';
        op.reject(e);
      }
    }
    this.end(run);
  }

  private end(run: Running): void {
    if (this.running !== run) return;
    if (run.onAbort) run.op.signal?.removeEventListener('abort', run.onAbort);
    if (run.recorder && run.region >= 0) {
      try { run.recorder.endRegion(run.region, run.outcome, run.recorder.now()); } catch { /* recording is best effort */ }
    }
    this.running = undefined;
    this.pump();
  }
}

function abortError(label: string, reason: unknown): Error {
  const err = new Error(`${label} was aborted`, { cause: reason });
  err.name = 'AbortError';
  return err;
}
