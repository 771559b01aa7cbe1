// Shared words between a thread and the workers it created, for the moment they are stopped
// (terminate-save.ts). The main thread creates the board and hands it down as environment data,
// which every worker inherits from the thread that creates it, at any depth.
//
// Each worker owns one slot (by threadId modulo SLOTS, taken with a compare-and-swap; a worker
// whose slot is taken by a live older thread goes without):
// - ASK: its creator asks it to save and hold still. The inspector's NodeWorker domain exists on
//   the main thread only, so a worker cannot reach its own workers that way; they read ASK at
//   their recorder's safe points (a flush, the 50 ms timer).
// - UNFLUSHED: how many span records its recorder holds in memory (float64 words, stored at each
//   span: one plain store, no allocation).
// - STATE and CLAIMED: when a worker does not save in time (a long native call), its creator
//   claims those spans (counts them in `dropped`) before the worker is stopped. A flush and a
//   claim exclude each other through STATE, so a claimed span is either counted or written,
//   never both: a flush that finds its oldest spans claimed skips them.
//
// Beside it, the task board (float64 words, same slot numbering): each worker's open task, the one
// it is running now (OPEN_TASK_FIELDS, stored at the task's start; `start` NaN when none). A
// worker that dies inside a task (out of memory, terminated without saving) runs no JavaScript
// after it, so its creator reads the task there and records it as cut off (takeOpenTask).
import * as wt from 'node:worker_threads';

const BOARD_KEY = 'parallel-profiler.stopBoard';
const SLOTS = 4096;
const OWNER = 0, ASK = 1, UNFLUSHED = 2, STATE = 3, CLAIMED = 4;
const SLOT_WORDS = 5;
/** STATE values. */
const RUNNING = 0, FLUSHING = 1, CLAIMING = 2, CLAIMED_STATE = 3, SETTLED = 4;
/** Longest a claim waits for a flush in progress, ms. */
const CLAIM_WAIT_MS = 100;

let board: Int32Array | undefined;
let taskBoard: Float64Array | undefined;

const TASK_BOARD_KEY = 'parallel-profiler.taskBoard';
/**
 * A thread's open task, float64 words: the fields of its span record known at its start
 * (contract.ts SPAN_FIELDS without `end` and `failed`; `items` is the chunk's size, not what ran).
 */
export const OPEN_TASK_FIELDS = 8;
export const OPEN_REGION = 0, OPEN_INDEX = 1, OPEN_FIRST = 2, OPEN_ITEMS = 3, OPEN_ENQUEUE = 4, OPEN_START = 5,
  OPEN_STOLEN_FROM = 6, OPEN_PARENT = 7;

/** An open task as read from the board: a span record without its end. */
export interface OpenTask {
  region: number; index: number; first: number; items: number; enqueue: number; start: number; stolenFrom: number; parent: number;
}

/** The open task stored at words[at..], if any (start not NaN). */
export function readOpenTask(words: Float64Array, at: number): OpenTask | undefined {
  const start = words[at + OPEN_START];
  if (Number.isNaN(start)) return undefined;
  return {
    region: words[at + OPEN_REGION], index: words[at + OPEN_INDEX], first: words[at + OPEN_FIRST], items: words[at + OPEN_ITEMS],
    enqueue: words[at + OPEN_ENQUEUE], start, stolenFrom: words[at + OPEN_STOLEN_FROM], parent: words[at + OPEN_PARENT],
  };
}

/** This thread's task board, created and inherited with the stop board; absent if that failed. */
function openTaskBoard(): Float64Array | undefined {
  return (taskBoard ??= sharedBoard(TASK_BOARD_KEY, () => new Float64Array(new SharedArrayBuffer(8 * SLOTS * OPEN_TASK_FIELDS)).fill(NaN),
    (x): x is Float64Array => x instanceof Float64Array && x.length === SLOTS * OPEN_TASK_FIELDS));
}

/**
 * A board shared by every thread of the process: made on the main thread (before its first
 * worker) and handed down as environment data, inherited by workers; undefined if that failed.
 */
function sharedBoard<T>(key: string, make: () => T, fits: (x: unknown) => x is T): T | undefined {
  try {
    if (wt.isMainThread) {
      const made = make();
      wt.setEnvironmentData(key, made as unknown as wt.Serializable);
      return made;
    }
    const inherited = wt.getEnvironmentData(key);
    return fits(inherited) ? inherited : undefined;
  } catch {
    return undefined;
  }
}

type Wait = typeof Atomics.wait;

/** This thread's board: created on the main thread (before its first worker), inherited by workers; absent if that failed. */
export function stopBoard(): Int32Array | undefined {
  if (board) return board;
  openTaskBoard();
  return (board = sharedBoard(BOARD_KEY, () => new Int32Array(new SharedArrayBuffer(4 * SLOTS * SLOT_WORDS)),
    (x): x is Int32Array => x instanceof Int32Array && x.length === SLOTS * SLOT_WORDS));
}

/** Index of `tid`'s slot if `tid` owns it. */
function slotOf(tid: number): number {
  const b = stopBoard();
  if (!b || !(tid > 0)) return -1;
  const at = (tid % SLOTS) * SLOT_WORDS;
  return Atomics.load(b, at + OWNER) === tid ? at : -1;
}

/** Creator side: asks thread `tid` to save and hold still at its next safe point. */
export function askToStop(tid: number): void {
  const at = slotOf(tid);
  if (at >= 0) Atomics.store(board!, at + ASK, 1);
}

/** Worker side: whether this thread (`tid`) was asked. */
export function askedToStop(tid: number): boolean {
  const at = slotOf(tid);
  return at >= 0 && Atomics.load(board!, at + ASK) === 1;
}

/**
 * Creator side, when worker `tid` did not save in time: the span records it holds in memory,
 * now counted as dropped by the caller; the worker will not write them. 0 when it has no slot,
 * or a flush of its is stuck (a write that does not return).
 */
export function claimUnflushed(tid: number, recordFields: number, wait: Wait): number {
  const at = slotOf(tid);
  if (at < 0) return 0;
  const b = board!;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + CLAIM_WAIT_MS;
  for (;;) {
    const s = Atomics.compareExchange(b, at + STATE, RUNNING, CLAIMING);
    if (s === RUNNING) break;
    if (s !== FLUSHING || performance.now() >= deadline) return 0;
    wait(sleeper, 0, 0, 1);
  }
  const spans = Math.floor(Atomics.load(b, at + UNFLUSHED) / recordFields);
  Atomics.store(b, at + CLAIMED, spans);
  Atomics.store(b, at + STATE, CLAIMED_STATE);
  return spans;
}

/**
 * Creator side, when worker `tid` ended without saving (died inside a task, or stopped unsaved):
 * the task it was running, taken off the board (the next look finds none). Undefined when it
 * had none, or no slot.
 */
export function takeOpenTask(tid: number): OpenTask | undefined {
  const at = slotOf(tid);
  const tasks = openTaskBoard();
  if (at < 0 || !tasks) return undefined;
  const t = (at / SLOT_WORDS) * OPEN_TASK_FIELDS;
  const task = readOpenTask(tasks, t);
  tasks[t + OPEN_START] = NaN;
  return task;
}

/**
 * Worker side, kept by the recorder: its slot, the words it stores its unflushed count in, and
 * the flush protocol. A thread without a slot gets a private array: the same stores, no effect.
 */
export class SpanProgress {
  /** Where the recorder stores its unflushed float64 count at each span: words[at]. */
  readonly words: Int32Array;
  readonly at: number;
  /** Where the recorder stores its open task (OPEN_TASK_FIELDS words from openAt): the task board, or a private array. */
  readonly openTask: Float64Array;
  readonly openAt: number;
  private slot: number;

  constructor(tid: number) {
    const b = wt.isMainThread ? undefined : stopBoard();
    let slot = -1;
    if (b && tid > 0) {
      const at = (tid % SLOTS) * SLOT_WORDS;
      if (Atomics.compareExchange(b, at + OWNER, 0, tid) === 0) slot = at;
    }
    this.slot = slot;
    this.words = slot >= 0 ? b! : new Int32Array(1);
    this.at = slot >= 0 ? slot + UNFLUSHED : 0;
    const tasks = slot >= 0 ? openTaskBoard() : undefined;
    this.openTask = tasks ?? new Float64Array(OPEN_TASK_FIELDS);
    this.openAt = tasks ? (slot / SLOT_WORDS) * OPEN_TASK_FIELDS : 0;
    // A slot's earlier owner may have died inside a task nobody took off the board.
    this.openTask[this.openAt + OPEN_START] = NaN;
  }

  /**
   * Before a flush writes: how many of the oldest span records it must skip (claimed by the
   * creator, counted as dropped there). Waits out a claim in progress (a few stores).
   */
  beginFlush(): number {
    if (this.slot < 0) return 0;
    const b = this.words;
    for (;;) {
      const s = Atomics.compareExchange(b, this.slot + STATE, RUNNING, FLUSHING);
      if (s === RUNNING || s === SETTLED || s === FLUSHING) return 0;
      if (s === CLAIMED_STATE) {
        Atomics.store(b, this.slot + STATE, SETTLED);
        return Atomics.load(b, this.slot + CLAIMED);
      }
      // CLAIMING: the creator is between two stores.
    }
  }

  /** After the flush wrote (or skipped) everything it held. */
  endFlush(): void {
    if (this.slot < 0) return;
    Atomics.store(this.words, this.at, 0);
    Atomics.compareExchange(this.words, this.slot + STATE, FLUSHING, RUNNING);
  }

  /** The thread ended by itself: its slot is free again. */
  release(): void {
    if (this.slot < 0) return;
    const b = this.words;
    for (const w of [ASK, UNFLUSHED, STATE, CLAIMED]) Atomics.store(b, this.slot + w, 0);
    this.openTask[this.openAt + OPEN_START] = NaN;
    Atomics.store(b, this.slot + OWNER, 0);
    this.slot = -1;
  }
}
