// Public types of the pool and the rules for its defaults. Imported by the main-thread pool
// and by the worker, so it must stay free of worker_threads state.
import { availableParallelism } from 'node:os';
import { DEFAULT_SCHEDULE, ENV } from './contract';
import { SCHEDULES, type Schedule } from '../model/report';

export type { Schedule };

/** Every typed array the pool accepts as input (DataView is not one). */
export type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** What an operation runs over. */
export type PoolInput<T> = readonly T[] | TypedArray | Range;

export interface PoolOptions {
  /** Path (absolute, or relative to the working directory) or file URL of the task module; its named exports are the task functions. */
  module: string | URL;
  /** Worker threads; default defaultThreads(). 0: sequential mode, every operation runs inline on the calling thread. */
  threads?: number;
  /** Default schedule of the pool's operations; default defaultSchedule(). */
  schedule?: Schedule;
  /** Default items per chunk; default automatic (see chunkSizeFor). */
  chunkSize?: number;
  /** Display name of the pool and prefix of its workers' names; default 'pool'. */
  name?: string;
}

export interface OperationOptions {
  schedule?: Schedule;
  /** Items per chunk (static, dynamic) or per claim from the own range (steal). */
  chunkSize?: number;
  /** Cancels the operation: it rejects with an AbortError and workers stop taking chunks. */
  signal?: AbortSignal;
  /** Region name shown by the profiler; default '<kind> <fn>'. */
  name?: string;
  /**
   * Anything the tasks need besides their item (matrices, parameters), readable as `ctx.data`.
   * Structured-cloned once per operation to each worker; SharedArrayBuffer-backed typed arrays
   * inside it are shared, not copied.
   */
  data?: unknown;
}

export interface ReduceOptions<A> extends OperationOptions {
  /** Starting accumulator of every chunk (cloned per chunk when it is an object). */
  identity: A;
  /**
   * Name of an exported `(a, b) => merged` that merges chunk results, applied left to right in
   * item order, so it needs to be associative only. Default: `+` when identity is a number or
   * bigint; any other identity requires it.
   */
  combine?: string;
}

/** A fork-join task context (the third argument of every task function). */
export interface TaskContext {
  /** worker_threads threadId of the worker running the task. */
  readonly threadId: number;
  /** 0-based slot of the worker in its pool. */
  readonly worker: number;
  /** 0-based index of the running task in its operation. */
  readonly task: number;
  /** The operation's `data` option (undefined when not given). */
  readonly data: unknown;
  /**
   * pool.join only: queues a subtask over [first, end) of the same operation on this worker's
   * deque, where idle workers can steal it. Throws in map/forEach/reduce.
   */
  spawn(first: number, end: number): void;
}

/** An integer range [start, end): no data is sent to workers, item === index. */
export class Range {
  readonly kind = 'range';
  constructor(readonly start: number, readonly end: number) {}
  /** Number of integers in the range. */
  get length(): number { return this.end - this.start; }
}

/** The integers start, start+1, ..., end-1. */
export function range(start: number, end: number): Range {
  if (!Number.isSafeInteger(start)) throw new TypeError(`range start must be an integer, got ${String(start)}`);
  if (!Number.isSafeInteger(end)) throw new TypeError(`range end must be an integer, got ${String(end)}`);
  if (end < start) throw new RangeError(`range end must be >= start, got range(${start}, ${end})`);
  return new Range(start, end);
}

export { SCHEDULES };

function warn(message: string): void {
  process.stderr.write(`[parprof] ${message}\n`);
}

/** PARPROF_THREADS when set to a non-negative integer (0: sequential mode), else os.availableParallelism(). */
export function defaultThreads(): number {
  const raw = process.env[ENV.threads];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (/^\d+$/.test(raw.trim()) && Number.isInteger(n)) return n;
    warn(`${ENV.threads} must be a non-negative integer (0 = sequential), got '${raw}'; using ${availableParallelism()}`);
  }
  return availableParallelism();
}

/** PARPROF_SCHEDULE when set to a known schedule, else 'steal' (Rayon's choice). */
export function defaultSchedule(): Schedule {
  const raw = process.env[ENV.schedule];
  if (raw !== undefined && raw !== '') {
    if ((SCHEDULES as readonly string[]).includes(raw)) return raw as Schedule;
    warn(`${ENV.schedule} must be one of ${SCHEDULES.join(', ')}, got '${raw}'; using ${DEFAULT_SCHEDULE}`);
  }
  return DEFAULT_SCHEDULE;
}

/** Worker threads of a pool: 0 is sequential mode (operations run inline on the calling thread, see pool-inline.ts). */
/** PARPROF_CHUNK_SIZE when set to a positive integer, else undefined (automatic chunk size). */
export function defaultChunkSize(): number | undefined {
  const raw = process.env[ENV.chunkSize];
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw.trim()) && Number(raw) > 0) return Number(raw);
  warn(`${ENV.chunkSize} must be a positive integer, got '${raw}'; using the automatic chunk size`);
  return undefined;
}

export function checkThreads(threads: unknown): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0) {
    throw new RangeError(`threads must be a non-negative integer (0 = sequential), got ${String(threads)}`);
  }
  return threads;
}

export function checkSchedule(schedule: unknown): Schedule {
  if (!(SCHEDULES as readonly unknown[]).includes(schedule)) {
    throw new RangeError(`schedule must be one of ${SCHEDULES.join(', ')}, got ${String(schedule)}`);
  }
  return schedule as Schedule;
}

export function checkChunkSize(chunkSize: unknown): number | undefined {
  if (chunkSize === undefined) return undefined;
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
  }
  return chunkSize;
}

export function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}
