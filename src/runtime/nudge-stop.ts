// The profile nudger's shared words (profile-nudger.ts), apart from the nudger itself: the pool
// (pool.ts, in the package's own bundle) and every recorded thread tell it which workers to ask
// nothing more, and loading this costs them no inspector module.
import { getEnvironmentData } from 'node:worker_threads';

/**
 * Workers about to be terminate()d are not asked any more. Any thread may terminate a worker it
 * created, so any thread may write: it takes a number k with Atomics.add on
 * control[STOPPED_COUNT], then stores threadId + 1 in control[STOPPED_BASE + k % STOPPED_RING];
 * the helper reads slots in order, empties each (0: not written yet, looked at again on the next
 * ask). A worker detaches once it is gone, so the ring only has to hold the ids of workers ending
 * within one ask.
 */
export const STOPPED_COUNT = 2, STOPPED_BASE = 3, STOPPED_RING = 256;
/** How many words the shared buffer holds: STATE, DISCONNECTED (profile-nudger.ts), then the ring. */
export const CONTROL_WORDS = STOPPED_BASE + STOPPED_RING;
/**
 * Where every thread finds the shared words: worker_threads' environment data, which each new
 * worker gets a copy of from its creator (the SharedArrayBuffer inside is shared, not copied).
 */
export const CONTROL_KEY = 'parallel-profiler.profileNudgerControl';

/** This thread's view of the shared words: the main thread's once the nudger started, a worker's on first use. */
let control: Int32Array | null | undefined;

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
 * terminates it: the nudger asks it nothing more, so no ask of ours is running in it when the
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

