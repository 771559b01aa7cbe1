// Work stealing in shared memory, for the `steal` schedule and pool.join.
//
// Each worker slot owns, in one SharedArrayBuffer:
// - a current range [first, end) of the operation's item positions, which the owner claims
//   from the front a grain at a time and from which a thief takes the back half (Rayon's
//   adaptive splitting: big ranges are split only when someone is idle);
// - a deque of fork-join tasks: the owner pushes and pops at the bottom (LIFO, depth-first,
//   cache-warm), thieves take the oldest task from the top (the biggest, in divide and conquer).
// Every access to a slot's fields happens under that slot's spin lock; the lock's Atomics
// operations order the plain Float64 reads and writes around them.

import { poolAtomicsWait } from './contract';

/** Fork-join tasks a slot's deque holds before the owner keeps extras in a private list. */
export const DEQUE_CAPACITY = 256;
const ENTRY = 5; // first, end, task index, parent index, enqueue µs
const CUR = 2; // first, end of the current range
const SLOT_F64 = CUR + DEQUE_CAPACITY * ENTRY;
const SLOT_I32 = 3; // lock, top, bottom
const LOCK = 0;
const TOP = 1;
const BOTTOM = 2;

/** What claim() returns when the slot's range is empty (or the operation was aborted). */
export const NO_ITEM = -1;

/** A task taken from a deque; the fields of a reused object (no allocation per steal). */
export interface TaskEntry { first: number; end: number; task: number; parent: number; enqueue: number }

export class StealState {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;

  static bytes(threads: number): number {
    const i32 = threads * SLOT_I32 * 4;
    return Math.ceil(i32 / 8) * 8 + threads * SLOT_F64 * 8;
  }

  constructor(buffer: SharedArrayBuffer, readonly threads: number, private readonly abort: Int32Array, private readonly abortAt: number) {
    const i32Bytes = Math.ceil((threads * SLOT_I32 * 4) / 8) * 8;
    this.i32 = new Int32Array(buffer, 0, threads * SLOT_I32);
    this.f64 = new Float64Array(buffer, i32Bytes, threads * SLOT_F64);
  }

  private lock(slot: number): boolean {
    const at = slot * SLOT_I32 + LOCK;
    let spins = 0;
    while (Atomics.compareExchange(this.i32, at, 0, 1) !== 0) {
      // A dead worker never releases its lock; the pool raises ABORT when a worker dies.
      if (this.abort[this.abortAt] !== 0) return false;
      if (++spins > 64) poolAtomicsWait(this.i32, at, 1, 0.02);
    }
    return true;
  }

  private unlock(slot: number): void {
    Atomics.store(this.i32, slot * SLOT_I32 + LOCK, 0);
  }

  /** Main thread, before the operation starts, or a thief under its own lock: the slot's range. */
  setRange(slot: number, first: number, end: number): void {
    const b = slot * SLOT_F64;
    this.f64[b] = first;
    this.f64[b + 1] = end;
  }

  /** Front of the slot's range. Only the owner moves the front, so the owner may read it unlocked. */
  rangeFirst(slot: number): number {
    return this.f64[slot * SLOT_F64];
  }

  /** Owner: claims up to `grain` items from the front of its range; returns the first, or NO_ITEM when empty. The claim ends at `claimEnd`. */
  claimEnd = 0;
  claim(slot: number, grain: number): number {
    if (!this.lock(slot)) return NO_ITEM;
    const b = slot * SLOT_F64;
    const first = this.f64[b];
    const end = Math.min(this.f64[b + 1], first + grain);
    this.f64[b] = end;
    this.unlock(slot);
    if (first >= end) return NO_ITEM;
    this.claimEnd = end;
    return first;
  }

  /**
   * Thief: moves the back half of the victim's unclaimed range into the thief's (empty) slot; the
   * last unclaimed item too: an idle thread takes it rather than wait while the victim runs its
   * current item (150 ms items [150, 150, 50, 50] on 2 threads: one thread idle 64 ms beside it).
   */
  stealHalf(thief: number, victim: number): boolean {
    const vb = victim * SLOT_F64;
    // Racy peek first, so idle thieves do not hammer a busy owner's lock.
    if (this.f64[vb + 1] - this.f64[vb] < 1) return false;
    if (!this.lock(victim)) return false;
    const first = this.f64[vb];
    const end = this.f64[vb + 1];
    const half = end - first === 1 ? 1 : Math.floor((end - first) / 2);
    if (half < 1) {
      this.unlock(victim);
      return false;
    }
    this.f64[vb + 1] = end - half;
    this.unlock(victim);
    if (!this.lock(thief)) return false;
    this.setRange(thief, end - half, end);
    this.unlock(thief);
    return true;
  }

  /** Owner: pushes a fork-join task at the bottom of its deque; false when the deque is full. */
  push(slot: number, first: number, end: number, task: number, parent: number, enqueue: number): boolean {
    if (!this.lock(slot)) return false;
    const ib = slot * SLOT_I32;
    const top = this.i32[ib + TOP];
    const bottom = this.i32[ib + BOTTOM];
    if (bottom - top >= DEQUE_CAPACITY) {
      this.unlock(slot);
      return false;
    }
    const e = slot * SLOT_F64 + CUR + (bottom % DEQUE_CAPACITY) * ENTRY;
    this.f64[e] = first;
    this.f64[e + 1] = end;
    this.f64[e + 2] = task;
    this.f64[e + 3] = parent;
    this.f64[e + 4] = enqueue;
    this.i32[ib + BOTTOM] = bottom + 1;
    this.unlock(slot);
    return true;
  }

  /** Owner takes its newest task (pop bottom) or a thief its oldest (take top); fills `out`. */
  take(slot: number, fromTop: boolean, out: TaskEntry): boolean {
    const ib = slot * SLOT_I32;
    if (this.i32[ib + BOTTOM] === this.i32[ib + TOP]) return false; // racy peek, rechecked under the lock
    if (!this.lock(slot)) return false;
    const top = this.i32[ib + TOP];
    const bottom = this.i32[ib + BOTTOM];
    if (bottom === top) {
      this.unlock(slot);
      return false;
    }
    const at = fromTop ? top : bottom - 1;
    const e = slot * SLOT_F64 + CUR + (at % DEQUE_CAPACITY) * ENTRY;
    out.first = this.f64[e];
    out.end = this.f64[e + 1];
    out.task = this.f64[e + 2];
    out.parent = this.f64[e + 3];
    out.enqueue = this.f64[e + 4];
    if (fromTop) this.i32[ib + TOP] = top + 1;
    else this.i32[ib + BOTTOM] = bottom - 1;
    this.unlock(slot);
    return true;
  }
}
