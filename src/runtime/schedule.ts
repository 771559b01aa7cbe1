// How an operation's items are cut into tasks, and the shared control block every worker of an
// operation reads. Pure arithmetic: the same rules run on the main thread (to tell the recorder
// the chunk size) and in workers (to find their chunks).
import type { Schedule } from '../model/report';

/**
 * Automatic chunk size, in items. `dynamic` and `steal` aim at about 64 chunks (claims) per
 * thread: a claim costs one atomic add or one uncontended lock (tens of ns) and results are
 * batched per chunk, so small chunks are cheap, and the tail (a thread finishing its last chunk
 * while others idle) is at most about 1/64 of a thread's share. `static` makes one contiguous
 * chunk per thread, as naive code does.
 */
export function chunkSizeFor(schedule: Schedule, items: number, threads: number, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  if (items === 0) return 1;
  const perThread = schedule === 'static' ? 1 : 64;
  return Math.max(1, Math.ceil(items / (threads * perThread)));
}

/** Whether static splits evenly into one chunk per thread (no chunkSize given) or uses fixed chunks. */
export function staticChunk(items: number, threads: number, slot: number): [first: number, end: number] {
  return [Math.floor((slot * items) / threads), Math.floor(((slot + 1) * items) / threads)];
}

/**
 * Control block: one Int32Array over a SharedArrayBuffer per operation. Workers read ABORT
 * between items (a plain load: it only has to become visible eventually) and use Atomics for
 * the counters.
 */
export const CTRL = {
  /** dynamic: next chunk number to hand out. */
  NEXT: 0,
  /** NOT_ABORTED while running; ABORT_* once the operation must stop. */
  ABORT: 1,
  /** steal: next task (chunk) index to hand out; join: next task index. */
  TASKS: 2,
  /** steal: items not yet run; join: tasks not yet finished. Zero means the operation is done. */
  LEFT: 3,
  /** join: bumped when a task is pushed while workers sleep; idle workers wait on it. */
  EPOCH: 4,
  /** join: number of workers waiting on EPOCH. */
  SLEEPERS: 5,
  SIZE: 6,
} as const;

/** Values of CTRL.ABORT: running, or why the operation stops (the first reason wins). */
export const NOT_ABORTED = 0;
/** A task threw, broke a rule, or its input could not be sent. */
export const ABORT_ERROR = 1;
/** The operation's AbortSignal fired. */
export const ABORT_CANCELLED = 2;
/** A worker exited while running it. */
export const ABORT_WORKER_DIED = 3;

export function newControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CTRL.SIZE * Int32Array.BYTES_PER_ELEMENT));
}
