// Turning a user's input into what workers read, and chunk results back into an answer.
import type { InputDesc } from './pool-protocol';
import { isTypedArray, Range, type PoolInput, type TypedArray } from './pool-types';

/** Largest item count: shared counters are Int32. */
const MAX_ITEMS = 2 ** 31 - 1;

export interface PreparedInput {
  /** Items, addressed by position 0..n-1. */
  n: number;
  /** What every worker receives (arrays under static without chunkSize get slices instead, see sliceFor). */
  desc: InputDesc;
}

export function prepareInput(input: unknown, what: string): PreparedInput {
  let prepared: PreparedInput;
  if (input instanceof Range) {
    prepared = { n: input.length, desc: { kind: 'range', start: input.start } };
  } else if (Array.isArray(input)) {
    prepared = { n: input.length, desc: { kind: 'array', data: input, offset: 0 } };
  } else if (isTypedArray(input)) {
    prepared = { n: input.length, desc: { kind: 'typed', data: shared(input) } };
  } else {
    const got = input === null ? 'null' : typeof input === 'object' ? (input as object).constructor?.name ?? 'object' : typeof input;
    throw new TypeError(`${what}: input must be an array, a typed array or range(start, end), got ${got}`);
  }
  if (prepared.n > MAX_ITEMS) throw new RangeError(`${what}: at most ${MAX_ITEMS} items per operation, got ${prepared.n}`);
  return prepared;
}

/**
 * A typed array workers can index without copying: SharedArrayBuffer-backed ones as they are,
 * others copied once into shared memory (cheaper than one structured clone per worker).
 */
function shared(a: TypedArray): TypedArray {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => TypedArray;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  (copy as unknown as { set(x: ArrayLike<unknown>): void }).set(a as unknown as ArrayLike<unknown>);
  return copy;
}

/** The slice [first, end) of an array input, so a static worker is sent only its own chunk. */
export function sliceFor(desc: InputDesc, first: number, end: number): InputDesc {
  if (desc.kind !== 'array') return desc;
  return { kind: 'array', data: desc.data.slice(first, end), offset: first };
}

/** map: places each task's results at its first position. */
export function assembleMap(n: number, parts: unknown[][]): unknown[] {
  const out = new Array<unknown>(n);
  for (const flat of parts) {
    for (let k = 0; k < flat.length; k += 2) {
      const first = flat[k] as number;
      const values = flat[k + 1] as unknown[];
      for (let j = 0; j < values.length; j++) out[first + j] = values[j];
    }
  }
  return out;
}

/** reduce / join: task results in item order (by first position). */
export function orderedValues(parts: unknown[][]): unknown[] {
  const pairs: [number, unknown][] = [];
  for (const flat of parts) for (let k = 0; k < flat.length; k += 2) pairs.push([flat[k] as number, flat[k + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  return pairs.map((p) => p[1]);
}

export function isAddable(x: unknown): boolean {
  return typeof x === 'number' || typeof x === 'bigint';
}

/** The default combine: `+` over numbers or bigints, in item order. */
export function addAll(values: unknown[], what: string): unknown {
  let acc = values[0];
  for (let k = 1; k < values.length; k++) {
    const v = values[k];
    if (typeof acc !== typeof v || !isAddable(v)) {
      throw new TypeError(`${what}: cannot add task results of type ${typeof acc} and ${typeof v}; pass options.combine, the name of an exported (a, b) => merged`);
    }
    acc = (acc as number) + (v as number);
  }
  return acc;
}

export type { PoolInput };
