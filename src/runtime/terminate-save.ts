// worker.terminate() stops a thread without running any more of its JavaScript: no 'exit'
// listener, so its CPU profile would be lost. Pools end idle workers that way (piscina, tinypool
// and workerpool on destroy()/terminate()), and a process that exits stops its live workers the
// same way. Idle piscina and tinypool workers sit in Atomics.wait and answer no message.
//
// So the creating thread asks through the inspector: an inspector.Session of its own, with the
// NodeWorker domain (enabled before the thread's first worker is created: see prepare()),
// sends Runtime.evaluate to the worker, which calls the worker's save function.
// V8 services inspector messages through isolate interrupts, which also wake a thread blocked
// in Atomics.wait and stop one spinning in JavaScript. The creator then waits for the worker's
// marker file (SAVE_TIMEOUT_MS at most: a long native call cannot be interrupted).
//
// One V8 hazard shapes the worker side (Node 20, V8 11.3): stopping the profile (a nested
// inspector call) inside an interrupt that woke Atomics.wait, and being terminated right after,
// fails a CHECK in FutexEmulation::WaitSync and aborts the process. So a worker blocked in a
// wait is only woken by the request (Atomics.notify on the location it waits on) and saves once
// the wait has returned, outside the interrupt; piscina and tinypool loop around their waits.
import { existsSync, writeFileSync } from 'node:fs';
import type { Session } from 'node:inspector';
import { join } from 'node:path';
import { ORIGINAL_ATOMICS_WAIT_KEY } from './contract';
import { warn } from './recorder';
import { inAtomicsWait } from './recorder-profile';
import { stopNudging } from './profile-nudger';

/** How long a save may take before the worker is terminated anyway, ms. */
const SAVE_TIMEOUT_MS = 500;
/**
 * Pause between a worker's marker and its termination, ms: the interrupt that saved must have
 * returned (a termination that lands inside it is lost, see profile-nudger.ts). 5 ms was not
 * always enough on a loaded machine.
 */
const GRACE_MS = 25;
/** How often the creator looks for the marker, ms. */
const POLL_MS = 2;
/** How often the creator repeats an unanswered request, ms. */
const RESEND_MS = 50;
/** Where a worker's save function lives (non-enumerable global). */
const SAVE_KEY = 'parallel-profiler.saveBeforeTerminate';
const SAVE_EXPRESSION = `void globalThis[Symbol.for(${JSON.stringify(SAVE_KEY)})]?.()`;
/** Written into the spool by a worker after it saved: what the creator waits for. */
const savedMarker = (spool: string, threadId: number): string => join(spool, `saved-${threadId}`);

type Wait = (array: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number) => 'ok' | 'not-equal' | 'timed-out';

let saveRequested = false;
/** Marks this thread saved, once: set by listenForSaveRequests. */
let markSaved: (() => void) | undefined;

/**
 * Worker side: whether this thread was asked to save (it is about to be terminated). Spans that
 * end after that are written at once: the thread may be gone before the next batch.
 */
export function aboutToBeTerminated(): boolean {
  return saveRequested;
}

/**
 * Worker side, at the end of the thread's own 'exit' listener, which saved everything: a creator
 * that asked for a save meanwhile (a pool's worker that ends by itself while its owner terminates
 * it) stops waiting, and later requests are ignored.
 */
export function savedAtExit(): void {
  markSaved?.();
}

/**
 * Worker side: `save` runs (once) when this thread is about to be terminated; `beforeBlocking`
 * before each of the user's waits (the wrapper below is where the thread blocks). `save` returns
 * false when it cannot save now (the request interrupted the thread while it was cutting or
 * ending its profile): the creator asks again (RESEND_MS), or the thread's exit saves.
 */
export function listenForSaveRequests(spool: string, threadId: number, save: () => boolean, beforeBlocking?: () => void): void {
  let saved = false;
  let saving = false;
  let deferred = false;
  /** What the thread is blocked on in Atomics.wait right now, if anything. */
  let blockedOn: { array: Int32Array | BigInt64Array; index: number } | undefined;
  markSaved = (): void => {
    if (saved) return;
    saved = true;
    try {
      writeFileSync(savedMarker(spool, threadId), '');
    } catch (err) {
      warn('cannot save before termination', err);
    }
  };
  const saveNow = (): void => {
    if (saved || saving) return;
    saving = true;
    try {
      if (save()) markSaved?.();
    } catch (err) {
      warn('cannot save before termination', err);
    } finally {
      saving = false;
    }
  };
  Object.defineProperty(globalThis, Symbol.for(SAVE_KEY), {
    value: (): void => {
      saveRequested = true;
      if (saved) return;
      if (blockedOn) {
        // A request that arrives between entering our wrapper and blocking wakes nobody: the
        // creator asks again (RESEND_MS) until the marker is there.
        deferred = true;
        Atomics.notify(blockedOn.array as Int32Array, blockedOn.index);
      } else if (inAtomicsWait()) {
        // A wait not wrapped here (the pool's own short waits, poolAtomicsWait): saving inside
        // this interrupt is the abort above. The creator asks again in RESEND_MS, by when the
        // wait has returned.
      } else {
        saveNow();
      }
    },
    enumerable: false,
  });
  const inner = Atomics.wait as Wait;
  const blockingWait: Wait = function (array, index, value, timeout) {
    if (beforeBlocking) {
      try { beforeBlocking(); } catch (err) { warn('before a wait', err); }
    }
    blockedOn = { array, index };
    let result: ReturnType<Wait>;
    try {
      result = inner(array, index, value, timeout);
    } finally {
      blockedOn = undefined;
    }
    if (deferred) saveNow();
    return result;
  };
  Object.defineProperty(blockingWait, 'name', { value: 'wait' });
  Object.defineProperty(blockingWait, 'length', { value: inner.length });
  Object.defineProperty(Atomics, 'wait', { value: blockingWait, enumerable: false, configurable: true, writable: true });
}

interface InspectorEvent<P> { params: P }

/** Creator side: one per thread that creates workers. */
export class WorkerSaver {
  private session: Session | undefined;
  private unavailable = false;
  /** Inspector session id of each attached worker, by threadId. */
  private readonly sessionIds = new Map<number, string>();
  /** Recorded workers that have neither exited nor saved. */
  private readonly live = new Set<number>();

  constructor(private readonly spool: string) {}

  /** A recorded worker was created on this thread. */
  track(threadId: number): void {
    this.live.add(threadId);
  }

  exited(threadId: number): void {
    this.live.delete(threadId);
  }

  /** Asks worker `threadId` to save; resolves true once it has, false after the timeout. */
  save(threadId: number): Promise<boolean> {
    stopNudging(threadId);
    if (!this.live.has(threadId) || !this.connect() || !this.send(threadId)) return Promise.resolve(false);
    this.live.delete(threadId);
    const marker = savedMarker(this.spool, threadId);
    const deadline = performance.now() + SAVE_TIMEOUT_MS;
    let resend = performance.now() + RESEND_MS;
    return new Promise((resolve) => {
      const look = (): void => {
        if (existsSync(marker)) setTimeout(() => resolve(true), GRACE_MS);
        else if (performance.now() >= deadline) resolve(false);
        else {
          if (performance.now() >= resend) {
            this.send(threadId);
            resend += RESEND_MS;
          }
          setTimeout(look, POLL_MS);
        }
      };
      look();
    });
  }

  /**
   * At this thread's exit: asks every live worker to save and waits, blocking, until each has
   * written its marker or SAVE_TIMEOUT_MS passed. Node stops them right after this thread exits.
   */
  saveAllNow(): void {
    if (this.live.size === 0 || !this.connect()) return;
    let pending = [...this.live].filter((tid) => this.send(tid));
    this.live.clear();
    if (pending.length === 0) return;
    // The original Atomics.wait: this wait is the recorder's, not one of the user's.
    const wait = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    const deadline = performance.now() + SAVE_TIMEOUT_MS;
    let resend = performance.now() + RESEND_MS;
    while (pending.length > 0 && performance.now() < deadline) {
      pending = pending.filter((tid) => !existsSync(savedMarker(this.spool, tid)));
      if (performance.now() >= resend) {
        for (const tid of pending) this.send(tid);
        resend += RESEND_MS;
      }
      wait(sleeper, 0, 0, pending.length > 0 ? POLL_MS : GRACE_MS);
    }
  }

  /** Sends the save request to an attached worker; false when it cannot. */
  private send(threadId: number): boolean {
    const sessionId = this.sessionIds.get(threadId);
    if (!this.session || sessionId === undefined) return false;
    try {
      this.session.post('NodeWorker.sendMessageToWorker', {
        sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: SAVE_EXPRESSION } }),
      });
      return true;
    } catch (err) {
      warn(`cannot ask worker ${threadId} to save`, err);
      return false;
    }
  }

  /**
   * Connects now, before this thread creates its first worker. NodeWorker.enable walks the
   * thread's running workers; on Node 20 it crashed the process (SIGSEGV in
   * WorkerManager::SetAutoAttach, 6 of 113 poolifier runs) when it ran at the first
   * save, while a pool's other worker was exiting by itself. Enabled before any worker exists, it
   * walks none, and each worker is attached as it starts.
   */
  prepare(): void {
    this.connect();
  }

  /** Connects on first use; NodeWorker.enable reports every running worker synchronously. */
  private connect(): boolean {
    if (this.session) return true;
    if (this.unavailable) return false;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Session } = require('node:inspector') as typeof import('node:inspector');
      const session = new Session();
      session.connect();
      session.on('NodeWorker.attachedToWorker', (m: InspectorEvent<{ sessionId: string; workerInfo: { title: string } }>) => {
        // workerId counts inspector attachments (Node's loader-hooks threads take some); the
        // thread id is in the title, '[worker <threadId>]' before the Worker's name if any.
        const tid = /^\[worker (\d+)\]/.exec(m.params.workerInfo.title)?.[1];
        if (tid !== undefined) this.sessionIds.set(Number(tid), m.params.sessionId);
      });
      session.on('NodeWorker.detachedFromWorker', (m: InspectorEvent<{ sessionId: string }>) => {
        for (const [tid, sid] of this.sessionIds) if (sid === m.params.sessionId) this.sessionIds.delete(tid);
      });
      session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
      this.session = session;
      return true;
    } catch (err) {
      this.unavailable = true;
      warn('cannot keep the profiles of terminated workers (no inspector)', err);
      return false;
    }
  }
}
