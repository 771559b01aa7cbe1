// The user's blocking waits: Atomics.wait is wrapped on every recorded thread so that each call
// that blocked (a mutex, a condition variable built on a SharedArrayBuffer) becomes a wait span
// on the thread's lane. The original is kept under ORIGINAL_ATOMICS_WAIT_KEY first: the pool's
// own waits (backoff, steal locks) call it through poolAtomicsWait and are not counted, since
// they are scheduling overhead, not the user's blocking. Atomics.waitAsync is left alone: it
// does not block the thread (its wait is an event-loop idle period, seen in the ELU series).
import { ORIGINAL_ATOMICS_WAIT_KEY } from './contract';
import { warn, type SpoolRecorder } from './recorder';

/** Set on a third-party pool's worker (instrument-workers.ts): true while it runs none of the pool's tasks. */
let betweenTasks: (() => boolean) | undefined;

/** Registers the check that tells a wait for work (the pool's worker between tasks) from a task's blocking. */
export function setBetweenTasks(check: () => boolean): void {
  betweenTasks = check;
}

type Wait = (a: unknown, i: number, v: unknown, t?: number) => 'ok' | 'not-equal' | 'timed-out';

/**
 * A third-party pool's worker blocked between tasks (piscina waits for its next task in
 * Atomics.wait): its samples have this frame as their leaf, which the model counts as idle
 * (isIdleFrame), as '(idle)' and our pool's own waits are. Without it, a piscina worker waiting
 * 242 ms for work read 242 ms of 'parprof runtime' self time.
 */
function waitForWork(original: Wait, typedArray: unknown, index: number, value: unknown, timeout?: number): 'ok' | 'not-equal' | 'timed-out' {
  return original(typedArray, index, value, timeout);
}

export function recordAtomicsWaits(rec: SpoolRecorder): void {
  try {
    const g = globalThis as Record<symbol, unknown>;
    if (g[ORIGINAL_ATOMICS_WAIT_KEY]) return;
    const original = Atomics.wait;
    Object.defineProperty(globalThis, ORIGINAL_ATOMICS_WAIT_KEY, { value: original, enumerable: false, configurable: false, writable: false });
    const wait = function atomicsWait(typedArray: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number): 'ok' | 'not-equal' | 'timed-out' {
      const start = rec.now();
      const result = betweenTasks !== undefined && betweenTasks()
        ? waitForWork(original as Wait, typedArray, index, value, timeout)
        : (original as Wait)(typedArray, index, value, timeout);
      // 'not-equal' returned at once without blocking: nothing to show.
      if (result !== 'not-equal') rec.wait(start, rec.now());
      return result;
    };
    Object.defineProperty(wait, 'name', { value: 'wait' });
    Object.defineProperty(wait, 'length', { value: original.length });
    Object.defineProperty(Atomics, 'wait', { value: wait, enumerable: false, configurable: true, writable: true });
  } catch (err) {
    warn('cannot record Atomics.wait', err);
  }
}
