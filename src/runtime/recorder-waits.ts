// The user's blocking waits: Atomics.wait is wrapped on every recorded thread so that each call
// that blocked (a mutex, a condition variable built on a SharedArrayBuffer) becomes a wait span
// on the thread's lane. The original is kept under ORIGINAL_ATOMICS_WAIT_KEY first: the pool's
// own waits (backoff, steal locks) call it through poolAtomicsWait and are not counted, since
// they are scheduling overhead, not the user's blocking. Atomics.waitAsync is left alone: it
// does not block the thread (its wait is an event-loop idle period, seen in the ELU series).
import { ORIGINAL_ATOMICS_WAIT_KEY } from './contract';
import { warn, type SpoolRecorder } from './recorder';

export function recordAtomicsWaits(rec: SpoolRecorder): void {
  try {
    const g = globalThis as Record<symbol, unknown>;
    if (g[ORIGINAL_ATOMICS_WAIT_KEY]) return;
    const original = Atomics.wait;
    Object.defineProperty(globalThis, ORIGINAL_ATOMICS_WAIT_KEY, { value: original, enumerable: false, configurable: false, writable: false });
    const wait = function atomicsWait(typedArray: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number): 'ok' | 'not-equal' | 'timed-out' {
      const start = rec.now();
      const result = (original as (a: unknown, i: number, v: unknown, t?: number) => 'ok' | 'not-equal' | 'timed-out')(typedArray, index, value, timeout);
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
