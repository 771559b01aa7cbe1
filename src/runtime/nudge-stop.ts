// The profile nudging's shared words (profile-nudger.ts), apart from the nudger itself: the pool
// (pool.ts, in the package's own bundle) and every recorded thread tell it which workers to ask
// nothing more, and loading this costs them no inspector module.
import { getEnvironmentData } from 'node:worker_threads';

/** control[NUDGER_STATE]: the helper's state (profile-nudger.ts); control[NUDGER_DISCONNECTED]: 1 once it disconnected. */
export const NUDGER_STATE = 0, NUDGER_DISCONNECTED = 1;
/** control[MAIN_CUT_AT]: when the main thread last cut its profile chunk, ms since the nudger started (Date.now() based: every thread reads it). */
export const MAIN_CUT_AT = 2;
/**
 * Workers about to be terminate()d, or ending by themselves, are not asked any more. Any thread
 * may terminate a worker it created, so any thread may write: it takes a number k with
 * Atomics.add on control[STOPPED_COUNT], then stores threadId + 1 in
 * control[STOPPED_BASE + k % STOPPED_RING]; the main thread reads slots in order before it asks,
 * and empties each (0: not written yet, looked at again next time). A worker detaches once it is
 * gone, so the ring only has to hold the ids of workers ending between two asks.
 */
export const STOPPED_COUNT = 3, STOPPED_BASE = 4, STOPPED_RING = 256;
/** How many words the shared buffer holds. */
export const CONTROL_WORDS = STOPPED_BASE + STOPPED_RING;
/**
 * Where every thread finds the shared words: worker_threads' environment data, which each new
 * worker gets a copy of from its creator (the SharedArrayBuffer inside is shared, not copied).
 */
export const CONTROL_KEY = 'parallel-profiler.profileNudgerControl';

/** This thread's view of the shared words: the main thread's once the nudger started, a worker's on first use. */
let control: Int32Array | null | undefined;
/** How many ring slots this thread has read (the main thread's reader). */
let stoppedSeen = 0;

/** The main thread's words, once the nudger made them. */
export function setControl(words: Int32Array): void {
  control = words;
}

function sharedControl(): Int32Array | null {
  if (control === undefined) {
    try {
      const buffer = getEnvironmentData(CONTROL_KEY);
      control = buffer instanceof SharedArrayBuffer ? new Int32Array(buffer) : null;
    } catch {
      control = null;
    }
  }
  return control;
}

/**
 * Called before a worker is asked to save and terminated (terminate-save.ts), on the thread that
 * terminates it: it is asked nothing more, so no ask of ours is running in it when the
 * termination comes. Also called for a worker that ends by itself: by its pool before asking it to
 * close (pool.ts), and by the worker at the start of its own 'exit' listener (preload.ts), so that
 * no ask of ours is sent into a thread that is tearing down.
 */
export function stopNudging(threadId: number): void {
  const c = sharedControl();
  if (!c) return;
  const k = Atomics.add(c, STOPPED_COUNT, 1);
  Atomics.store(c, STOPPED_BASE + (k % STOPPED_RING), threadId + 1);
}

/** Main thread: adds the ids written to the ring since the last look to `into`. */
export function takeStopped(into: Set<number>): void {
  const c = sharedControl();
  if (!c) return;
  const written = Atomics.load(c, STOPPED_COUNT);
  for (; stoppedSeen < written; stoppedSeen++) {
    const id = Atomics.exchange(c, STOPPED_BASE + (stoppedSeen % STOPPED_RING), 0);
    if (id === 0) break;
    into.add(id - 1);
  }
}
