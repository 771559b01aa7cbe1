// Which workers the profile nudging may ask (profile-nudger.ts), in shared memory apart from the
// nudger itself: the pool (pool.ts, in the package's own bundle) and every recorded thread use it,
// and loading it costs them no inspector module.
//
// The main thread asks a worker through NodeWorker.sendMessageToWorker. Node aborts the process
// (SIGABRT, no message) when that message is posted into a worker whose environment is being torn
// down (MainThreadInterface::Post racing ~MainThreadInterface: reproduced in plain Node, core
// dump, about 1 process in 100 with asks every 2 ms into workers that end by themselves). So a
// worker is asked only between the two moments it writes here: once its recorder can cut
// (startNudging, at its start), and until its exit begins (stopNudging: in its own 'exit'
// listener, by its pool before it asks it to close, by whoever terminates it). The main thread
// reads the changes right before it posts, inside a posting section, and a worker that stops
// waits until no post is under way: the store of one and the load of the other are sequentially
// consistent (Atomics), so either the main thread sees the stop before it posts, or the worker
// sees the post and waits for it to be queued, before its teardown. A worker that created workers
// of its own posts save requests into them (terminate-save.ts) the same way: it marks its posting
// section in a counter every ending worker waits on, and reads the ending marks from a table
// every thread writes (the ring of changes has one reader, the main thread).
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';
import { ORIGINAL_ATOMICS_WAIT_KEY } from './contract';

/** control[NUDGER_STATE]: the helper's state (profile-nudger.ts); control[NUDGER_DISCONNECTED]: 1 once it disconnected. */
export const NUDGER_STATE = 0, NUDGER_DISCONNECTED = 1;
/** control[MAIN_CUT_AT]: when the main thread last cut its profile chunk, ms since the nudger started (Date.now() based: every thread reads it). */
export const MAIN_CUT_AT = 2;
/** control[POSTING]: 1 while the main thread reads the changes and posts its asks. */
const POSTING = 3;
/**
 * The changes: any thread may write one. It takes a number k with Atomics.add on
 * control[CHANGES_COUNT], then stores threadId + 1 (may be asked) or -(threadId + 1) (not any
 * more) in control[CHANGES_BASE + k % CHANGES_RING]; the main thread reads slots in order and
 * empties each (0: not written yet, looked at again next time). It reads them at least every
 * chunk length, so the ring holds the starts and ends of the workers of one chunk length.
 */
const CHANGES_COUNT = 4, CHANGES_BASE = 5, CHANGES_RING = 4096;
/** control[NESTED_POSTING]: how many threads other than the main one are inside a posting section. */
const NESTED_POSTING = CHANGES_BASE + CHANGES_RING;
/**
 * The ending marks: a worker whose exit began stores threadId + 1 in
 * control[ENDING_BASE + threadId % ENDING_SLOTS]. Thread ids grow through a process's life; two
 * threads ENDING_SLOTS apart share a slot, and a live worker whose slot a later one took reads as
 * ending: it is then not sent an inspector save request and saves from the stop board (at its next
 * flush or timer tick) instead. The safe side: never the reverse while the worker can still be asked.
 */
const ENDING_BASE = NESTED_POSTING + 1, ENDING_SLOTS = 16384;
/** How many words the shared buffer holds. */
export const CONTROL_WORDS = ENDING_BASE + ENDING_SLOTS;
/**
 * Longest a stopping worker waits for a post under way, ms: a post is queued in microseconds, but
 * the main thread may lose its core in the middle of one on a loaded machine (a bound, not a
 * timing: the section runs no user code, so it always ends).
 */
const POST_WAIT_MS = 2000;
/**
 * Where every thread finds the shared words: worker_threads' environment data, which each new
 * worker gets a copy of from its creator (the SharedArrayBuffer inside is shared, not copied).
 */
export const CONTROL_KEY = 'parallel-profiler.profileNudgerControl';

/** This thread's view of the shared words: the main thread's once the nudger started, a worker's on first use. */
let control: Int32Array | null | undefined;
/** How many change slots the main thread has read. */
let changesSeen = 0;

/** The main thread's words, once the nudger made them. */
export function setControl(words: Int32Array): void {
  control = words;
}

/**
 * Main thread, before its first worker (preload.ts): the shared words, made once and handed to
 * every worker created from then on (and to theirs) through the environment data they inherit.
 * Made whether or not profiles are nudged: save requests need the ending marks either way.
 */
export function ensureControl(): Int32Array | null {
  if (control || !isMainThread) return sharedControl();
  try {
    const words = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
    setEnvironmentData(CONTROL_KEY, words.buffer);
    control = words;
  } catch {
    control = null;
  }
  return control;
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

/** Added to a stop's magnitude when the worker itself says its exit has begun (it will never answer again). */
const ENDING = 1 << 30;

function change(c: Int32Array, value: number): void {
  const k = Atomics.add(c, CHANGES_COUNT, 1);
  Atomics.store(c, CHANGES_BASE + (k % CHANGES_RING), value);
}

/** A recorded worker, at its start (preload.ts): it may be asked (to cut its chunk, to save) until it stops. */
export function startNudging(threadId: number): void {
  const c = sharedControl();
  if (c) change(c, threadId + 1);
}

/**
 * Worker `threadId` is asked nothing more: it is about to be terminated (terminate-save.ts, on
 * the thread that terminates it), or ends by itself (its pool before asking it to close, pool.ts;
 * the worker itself at the start of its 'exit' listener, preload.ts). Returns once no ask can be
 * posted into it any more.
 */
export function stopNudging(threadId: number): void {
  stop(threadId, 0);
}

/**
 * This worker's exit has begun (its own 'exit' listener, preload.ts): nothing may be posted into
 * it any more, not even a save request (it saves in that listener). Returns once no post can land.
 */
export function workerEnding(threadId: number): void {
  stop(threadId, ENDING);
}

function stop(threadId: number, flag: number): void {
  const c = sharedControl();
  if (!c) return;
  if (flag === ENDING) Atomics.store(c, ENDING_BASE + (threadId % ENDING_SLOTS), threadId + 1);
  change(c, -((threadId + 1) | flag));
  // The original Atomics.wait, whoever calls: a wait of the recorder's, not the user's.
  const wait = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;
  const deadline = performance.now() + POST_WAIT_MS;
  try {
    if (Atomics.load(c, POSTING) === 1) wait(c, POSTING, 1, POST_WAIT_MS);
    // Another creator's section (only an ending worker is posted into by them: save requests).
    for (let n: number; flag === ENDING && (n = Atomics.load(c, NESTED_POSTING)) !== 0;) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      wait(c, NESTED_POSTING, n, left);
    }
  } catch { /* a thread that cannot wait (none of ours) goes on */ }
}

/** Whether worker `threadId`'s own exit has begun, from the ending marks (any thread). */
function endingMark(c: Int32Array, threadId: number): boolean {
  return Atomics.load(c, ENDING_BASE + (threadId % ENDING_SLOTS)) === threadId + 1;
}

/** What a posting section may post to, as of its start (main thread). */
export interface Targets {
  /** Recorded workers that may be asked to cut a profile chunk: started, not stopped. */
  askable: ReadonlySet<number>;
  /** Workers whose own exit has begun: nothing may be posted into them. */
  ending: { has(threadId: number): boolean };
}
const askable = new Set<number>();
const noneAskable: ReadonlySet<number> = new Set<number>();
let targets: Targets | undefined;
let posting = false;

/**
 * Runs `post` inside a posting section, with what may be posted to brought up to date; `post`
 * gets undefined when nothing keeps it (no shared words: a thread the recorder did not start).
 * On the main thread, the recorded workers that may be asked to cut; on any thread, the workers
 * whose exit has begun (another thread's saver: a worker that created workers of its own). Not
 * inside itself: an ask that interrupts a posting section (an inspector interrupt) is not passed
 * on, and returns false.
 */
export function postAsks(post: (targets: Targets | undefined) => void): boolean {
  const c = sharedControl();
  if (!c) {
    post(undefined);
    return true;
  }
  if (posting) return false;
  posting = true;
  targets ??= { askable: isMainThread ? askable : noneAskable, ending: { has: (tid) => endingMark(c, tid) } };
  const section = isMainThread ? POSTING : NESTED_POSTING;
  if (isMainThread) Atomics.store(c, POSTING, 1);
  else Atomics.add(c, NESTED_POSTING, 1);
  try {
    if (isMainThread) {
      const written = Atomics.load(c, CHANGES_COUNT);
      for (; changesSeen < written; changesSeen++) {
        const v = Atomics.exchange(c, CHANGES_BASE + (changesSeen % CHANGES_RING), 0);
        if (v === 0) break;
        if (v > 0) askable.add(v - 1);
        else askable.delete((-v & ~ENDING) - 1);
      }
    }
    post(targets);
    return true;
  } finally {
    if (isMainThread) Atomics.store(c, POSTING, 0);
    else Atomics.sub(c, NESTED_POSTING, 1);
    Atomics.notify(c, section);
    posting = false;
  }
}
