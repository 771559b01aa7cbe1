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
//
// A thread that saved keeps running until its termination comes: up to SAVE_TIMEOUT_MS while its
// creator waits for the others, then the creator's remaining 'exit' listeners. Spans it finished
// then were lost unless a batch happened to be written (test/fixtures/exit-spans.js: 39 of 40
// runs lost spans, 5,307 of 67,916, none counted). So a saved thread writes each later span as
// it ends and holds still (hold() below) at the first point outside an interrupt: right after a
// span is written, before a blocking wait, or at its event loop's next turn; only then does it
// write the 'held' marker its creator waits for. Its last span is on disk, and it finishes no
// task its creator cannot see: the creator's later 'exit' listeners (the user's) see every
// thread's work as final. A termination is the end of the thread anyway; holding only stops it
// from running on borrowed time. Before holding, the thread saves the workers it created itself:
// their creator's exit listener will not run, and the inspector cannot reach them (NodeWorker
// exists on the main thread only), so they are asked on the stop board (stop-board.ts). A worker
// that does not save in time (a long native call) has the spans it holds claimed by its
// creator, which counts them in `dropped`.
import { existsSync, writeFileSync } from 'node:fs';
import type { Session } from 'node:inspector';
import { join } from 'node:path';
import { ORIGINAL_ATOMICS_WAIT_KEY, SPAN_RECORD_FIELDS } from './contract';
import { warn } from './recorder';
import { inAtomicsWait } from './recorder-profile';
import { postAsks, stopNudging } from './nudge-targets';
import { askToStop, askedToStop, claimUnflushed, stopBoard } from './stop-board';

/** How long a save may take before the worker is terminated anyway, ms. */
const SAVE_TIMEOUT_MS = 500;
/**
 * A worker that has run this much CPU time (ms) since its last flush is inside one long task (or
 * `while (true)`): when it saves, it says at once that it holds, so that its creator does not
 * wait for a hold that will not come soon. It is terminated inside the task; a span it still
 * ends first is written as it ends.
 */
export const LONG_TASK_MS = 250;
/**
 * Longest the creator waits, once a worker saved, for it to hold still, ms. Holds are seen within
 * a few ms of the save when the worker gets a core; a worker that waits for one (a loaded
 * machine) or is inside a task shorter than LONG_TASK_MS takes longer.
 */
const HELD_WAIT_MS = 1000;
/**
 * Longest a saved thread holds still waiting for its termination, ms: a safety valve (the
 * termination follows within SAVE_TIMEOUT_MS + HELD_WAIT_MS + GRACE_MS of the request, or at
 * the creator's exit).
 */
const HOLD_MS = 10_000;
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
/** Written into the spool by a worker after it saved, then once it holds still: what the creator waits for. */
const savedMarker = (spool: string, threadId: number): string => join(spool, `saved-${threadId}`);
const heldMarker = (spool: string, threadId: number): string => join(spool, `held-${threadId}`);

type Wait = (array: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number) => 'ok' | 'not-equal' | 'timed-out';

let saveRequested = false;
/** Marks this thread saved and holding (it ends by itself), once: set by listenForSaveRequests. */
let markSavedAtExit: (() => void) | undefined;
/** The saver of the workers this thread created, if it created any: saved before it holds. */
let ownWorkers: WorkerSaver | undefined;

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
  markSavedAtExit?.();
}

/**
 * Worker side: `save` runs (once) when this thread is about to be terminated; `beforeBlocking`
 * before each of the user's waits (the wrapper below is where the thread blocks). `save` returns
 * false when it cannot save now (the request interrupted the thread while it was cutting or
 * ending its profile): the creator asks again (RESEND_MS), or the thread's exit saves.
 * `inLongTask` says whether the thread has run LONG_TASK_MS of CPU time in one task (no flush since).
 * Returns what the recorder runs at its safe points (SpoolRecorder.atSafePoints): there the
 * thread saves if it was asked on the stop board, and holds still once saved.
 */
export function listenForSaveRequests(spool: string, threadId: number, save: () => boolean, beforeBlocking?: () => void,
  inLongTask?: () => boolean): () => void {
  /** The thread's profile and spans are saved (its saved marker written). */
  let saved = false;
  /** Its held marker is written: its creator stops waiting. */
  let held = false;
  /** It holds still (or ended by itself): hold() has nothing more to do. */
  let holding = false;
  let saving = false;
  let deferred = false;
  /** What the thread is blocked on in Atomics.wait right now, if anything. */
  let blockedOn: { array: Int32Array | BigInt64Array; index: number } | undefined;
  const mark = (file: string): void => {
    try {
      writeFileSync(file, '');
    } catch (err) {
      warn('cannot save before termination', err);
    }
  };
  const markSaved = (): void => {
    if (saved) return;
    saved = true;
    mark(savedMarker(spool, threadId));
  };
  const markHeld = (): void => {
    if (held) return;
    held = true;
    mark(heldMarker(spool, threadId));
  };
  markSavedAtExit = (): void => {
    holding = true;
    markSaved();
    markHeld();
  };
  const inner = Atomics.wait as Wait;
  /**
   * Outside any interrupt, once saved: saves the workers this thread created, tells its creator
   * it holds still, and waits for the termination.
   */
  const hold = (): void => {
    if (!saved || holding) return;
    holding = true;
    try {
      ownWorkers?.saveAllNow();
    } catch (err) {
      warn('cannot save the workers of a terminated worker', err);
    }
    markHeld();
    const original = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as Wait | undefined) ?? inner;
    if (original(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLD_MS) === 'timed-out') {
      warn(`worker ${threadId} saved for its termination, which did not come within ${HOLD_MS} ms`, 'it runs on');
    }
  };
  const saveNow = (): void => {
    if (saved || saving) return;
    saving = true;
    try {
      // Read before the save's own flush.
      const longTask = inLongTask?.() ?? false;
      if (save()) {
        markSaved();
        // Its own workers start saving now (they hold at their next safe point); hold() waits for them.
        ownWorkers?.askAll();
        if (longTask) markHeld();
        // A thread idle in its event loop holds at its next turn; a busy one after its next span.
        setImmediate(hold);
      }
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
  const blockingWait: Wait = function (array, index, value, timeout) {
    // Saved: a thread about to block holds instead (piscina and tinypool wait between tasks).
    if (saved) hold();
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
    if (deferred) {
      saveNow();
      hold();
    }
    return result;
  };
  Object.defineProperty(blockingWait, 'name', { value: 'wait' });
  Object.defineProperty(blockingWait, 'length', { value: inner.length });
  Object.defineProperty(Atomics, 'wait', { value: blockingWait, enumerable: false, configurable: true, writable: true });
  return (): void => {
    if (!saved && askedToStop(threadId)) saveNow();
    hold();
  };
}

interface InspectorEvent<P> { params: P }

/** Creator side: one per thread that creates workers. */
/** Message id of the profile nudging's asks (profile-nudger.ts), told apart from the save requests' (1) in the answers. */
const CUT_ASK_ID = 7;
const CUT_ANSWER_PREFIX = `{"id":${CUT_ASK_ID},`;

/**
 * Asks every worker attached to this thread's session (on the main thread: every worker of the
 * process) that `ask` accepts, by threadId, to evaluate `expression` (the profile nudging's cut).
 * Nothing before this thread's first worker.
 */
export function askWorkersToCut(expression: string, ask: (threadId: number) => boolean): void {
  ownWorkers?.askToCut(expression, ask);
}

/** How many of askWorkersToCut's asks are not answered yet (their workers still attached). */
export function workerCutsInFlight(): number {
  return ownWorkers?.asksInFlight() ?? 0;
}

export class WorkerSaver {
  private session: Session | undefined;
  private unavailable = false;
  /** Inspector session id of each attached worker, by threadId. */
  private readonly sessionIds = new Map<number, string>();
  /** Cut asks not answered yet, by worker session id. */
  private readonly cutAsks = new Map<string, number>();
  /** Recorded workers that have neither exited nor saved. */
  private readonly live = new Set<number>();

  /**
   * `lost`: records spans a worker held in memory when it was stopped without saving (counted in
   * `dropped`); `cut`: records the task it was running then, if any (cut off now). Also called
   * once a saved worker is settled: one still inside the task it cut when it saved (the task
   * board still holds it) ran it until now, when its creator stops waiting and it is ended (a
   * task younger than LONG_TASK_MS keeps its creator waiting up to HELD_WAIT_MS for its end).
   */
  constructor(private readonly spool: string, private readonly lost: (threadId: number, spans: number) => void,
    private readonly cut?: (threadId: number) => void) {
    ownWorkers = this;
    // Before this thread's first worker: workers inherit the board when they are created.
    stopBoard();
  }

  /** A recorded worker was created on this thread. */
  track(threadId: number): void {
    this.live.add(threadId);
  }

  exited(threadId: number): void {
    this.live.delete(threadId);
  }

  /** See askWorkersToCut. Safe inside an interrupt: posts on this thread's session only queue messages for the workers. */
  askToCut(expression: string, ask: (threadId: number) => boolean): void {
    const session = this.session;
    if (!session) return;
    const message = JSON.stringify({ id: CUT_ASK_ID, method: 'Runtime.evaluate', params: { expression } });
    for (const [tid, sessionId] of this.sessionIds) {
      if (!ask(tid)) continue;
      try {
        session.post('NodeWorker.sendMessageToWorker', { sessionId, message });
        this.cutAsks.set(sessionId, (this.cutAsks.get(sessionId) ?? 0) + 1);
      } catch { /* detached meanwhile */ }
    }
  }

  asksInFlight(): number {
    let n = 0;
    for (const k of this.cutAsks.values()) n += Math.max(0, k);
    return n;
  }

  /** Asks every live worker on the stop board (safe inside an interrupt: shared-memory stores only). */
  askAll(): void {
    for (const tid of this.live) askToStop(tid);
  }

  /** Asks worker `threadId` to save; resolves true once it has (and holds still, or HELD_WAIT_MS passed), false after the timeout. */
  save(threadId: number): Promise<boolean> {
    stopNudging(threadId);
    if (!this.live.has(threadId)) return Promise.resolve(false);
    this.live.delete(threadId);
    // Through the inspector when it reaches the worker (it interrupts even a busy one), and on the board (read at the worker's next flush or timer tick).
    askToStop(threadId);
    if (this.connect()) this.send(threadId);
    const deadline = performance.now() + SAVE_TIMEOUT_MS;
    const savedAt = new Map<number, number>();
    let resend = performance.now() + RESEND_MS;
    return new Promise((resolve) => {
      const look = (): void => {
        if (this.settled(threadId, deadline, savedAt)) {
          if (savedAt.has(threadId)) {
            this.cut?.(threadId);
            setTimeout(() => resolve(true), GRACE_MS);
          } else {
            this.claim(threadId);
            resolve(false);
          }
          return;
        }
        if (!savedAt.has(threadId) && performance.now() >= resend) {
          this.send(threadId);
          resend += RESEND_MS;
        }
        setTimeout(look, POLL_MS);
      };
      look();
    });
  }

  /**
   * At this thread's exit: asks every live worker to save and waits, blocking, until each has
   * saved and holds still (or the timeouts passed). Node stops them right after this thread exits.
   */
  saveAllNow(): void {
    if (this.live.size === 0) return;
    const asked = [...this.live];
    let pending = asked;
    this.live.clear();
    const inspector = this.connect();
    const post = (): void => {
      for (const tid of pending) if (!savedAt.has(tid)) this.send(tid);
    };
    for (const tid of pending) askToStop(tid);
    // The original Atomics.wait: this wait is the recorder's, not one of the user's.
    const wait = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    const deadline = performance.now() + SAVE_TIMEOUT_MS;
    const savedAt = new Map<number, number>();
    let resend = performance.now() + RESEND_MS;
    if (inspector) post();
    for (;;) {
      pending = pending.filter((tid) => !this.settled(tid, deadline, savedAt));
      if (pending.length === 0) break;
      if (performance.now() >= resend) {
        if (inspector) post();
        resend += RESEND_MS;
      }
      wait(sleeper, 0, 0, POLL_MS);
    }
    for (const tid of asked) if (!savedAt.has(tid)) this.claim(tid); else this.cut?.(tid);
    if (savedAt.size > 0) wait(sleeper, 0, 0, GRACE_MS);
  }

  /** Worker `tid` did not save in time: the spans it holds in memory are counted as dropped, and it will not write them. */
  private claim(tid: number): void {
    const wait = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;
    const spans = claimUnflushed(tid, SPAN_RECORD_FIELDS, wait);
    if (spans > 0) this.lost(tid, spans);
    this.cut?.(tid);
  }

  /**
   * One look at worker `tid`, asked to save: true once no more waiting helps (it holds still; or
   * it saved HELD_WAIT_MS ago and is still in a task; or `saveDeadline` passed without a save).
   * `savedAt` keeps when each worker's save was first seen.
   */
  private settled(tid: number, saveDeadline: number, savedAt: Map<number, number>): boolean {
    const now = performance.now();
    let saved = savedAt.get(tid);
    if (saved === undefined) {
      if (!existsSync(savedMarker(this.spool, tid))) return now >= saveDeadline;
      savedAt.set(tid, (saved = now));
    }
    return existsSync(heldMarker(this.spool, tid)) || now - saved >= HELD_WAIT_MS;
  }

  /**
   * Sends the save request to an attached worker; false when it cannot. Not into a worker whose
   * own exit has begun (it saves in its exit listener, and a message posted into a worker being
   * torn down aborts Node: nudge-targets.ts), e.g. a pool's worker ending by itself while its
   * owner terminates it.
   */
  private send(threadId: number): boolean {
    const session = this.session;
    const sessionId = this.sessionIds.get(threadId);
    if (!session || sessionId === undefined) return false;
    let sent = false;
    postAsks((targets) => {
      if (targets?.ending.has(threadId)) return;
      try {
        session.post('NodeWorker.sendMessageToWorker', {
          sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: SAVE_EXPRESSION } }),
        });
        sent = true;
      } catch (err) {
        warn(`cannot ask worker ${threadId} to save`, err);
      }
    });
    return sent;
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
        this.cutAsks.delete(m.params.sessionId);
      });
      session.on('NodeWorker.receivedMessageFromWorker', (m: InspectorEvent<{ sessionId: string; message: string }>) => {
        if (!m.params.message.startsWith(CUT_ANSWER_PREFIX)) return;
        const k = this.cutAsks.get(m.params.sessionId);
        if (k !== undefined) this.cutAsks.set(m.params.sessionId, k - 1);
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
