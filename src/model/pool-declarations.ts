// The public types of the package 'parallel-profiler' as one declaration file, for a TypeScript
// workspace that imports the pool without installing the package (the profiler provides it at
// run time through NODE_PATH, so the script runs, but the editor says "Cannot find module").
// The extension writes it to node_modules/@types/parallel-profiler, where TypeScript's module
// resolution finds it whatever the tsconfig includes, and Node never looks. Kept equal to
// src/runtime/index.ts's exports by test/unit/extension-types.test.ts (tsc checks both ways).

/** The folder under a workspace folder where the declarations go. */
export const TYPES_FOLDER = ['node_modules', '@types', 'parallel-profiler'] as const;

export const POOL_DECLARATIONS = `// Types of 'parallel-profiler', written by the Parallel Profiler VS Code extension (version __VERSION__).
// The profiler provides the package itself when it runs a script; these declarations only type it.

/** How an operation's items are split over the workers. */
export type Schedule = 'static' | 'dynamic' | 'steal';

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
  /** Anything the tasks need besides their item, readable as \`ctx.data\`; cloned once per operation to each worker. */
  data?: unknown;
}

export interface ReduceOptions<A> extends OperationOptions {
  /** Starting accumulator of every chunk (cloned per chunk when it is an object). */
  identity: A;
  /** Name of an exported \`(a, b) => merged\` that merges chunk results; default \`+\` for a number or bigint identity. */
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
  /** The operation's \`data\` option (undefined when not given). */
  readonly data: unknown;
  /** pool.join only: queues a subtask over [first, end) of the same operation, where idle workers can steal it. */
  spawn(first: number, end: number): void;
}

/** An integer range [start, end): no data is sent to workers, item === index. */
export declare class Range {
  readonly start: number;
  readonly end: number;
  readonly kind = "range";
  constructor(start: number, end: number);
  /** Number of integers in the range. */
  get length(): number;
}

/** The integers start, start+1, ..., end-1. */
export declare function range(start: number, end: number): Range;
/** PARPROF_THREADS when set to a non-negative integer (0: sequential mode), else os.availableParallelism(). */
export declare function defaultThreads(): number;
/** PARPROF_SCHEDULE when set to a known schedule, else 'steal'. */
export declare function defaultSchedule(): Schedule;
/** Items per chunk the pool uses when none is given. */
export declare function chunkSizeFor(schedule: Schedule, items: number, threads: number, explicit?: number): number;
/** The environment variable that selects one workload to run. */
export declare const WORKLOAD_ENV = "PARPROF_WORKLOAD";
/** Declares a named entry point the profiler can run alone (the Testing view lists them). */
export declare function workload(name: string, body: () => unknown | Promise<unknown>): void;

/** A Rayon-style pool of worker threads running the named exports of a task module. */
export declare class ThreadPool {
  readonly threads: number;
  readonly schedule: Schedule;
  readonly name: string;
  constructor(options: PoolOptions);
  /** Runs fn(item, index, ctx) on every item; resolves with the results in item order. */
  map<T, R>(fn: string, input: PoolInput<T>, options?: OperationOptions): Promise<R[]>;
  forEach<T>(fn: string, input: PoolInput<T>, options?: OperationOptions): Promise<void>;
  /** Folds each chunk from identity with fn(acc, item, index, ctx), then merges the chunks in item order. */
  reduce<T, A>(fn: string, input: PoolInput<T>, options: ReduceOptions<A>): Promise<A>;
  /** Fork-join over a range under work stealing: fn(first, end, ctx) runs once for the whole range and may ctx.spawn subranges. */
  join<R>(fn: string, input: Range, options?: OperationOptions & { identity?: R; combine?: string }): Promise<R>;
  /** Tasks run (one per scheduled chunk) and steals so far. */
  taskCounts(): { tasks: number; steals: number };
  close(): Promise<void>;
}
`;

/** index.d.ts for the types folder, naming the extension version that wrote it. */
export function poolDeclarations(version: string): string {
  return POOL_DECLARATIONS.replace('__VERSION__', version);
}

/** package.json of the types folder. */
export function typesPackageJson(version: string): string {
  return `${JSON.stringify({ name: '@types/parallel-profiler', version, private: true, types: 'index.d.ts',
    description: 'Types of parallel-profiler, written by the Parallel Profiler VS Code extension' }, null, 2)}\n`;
}
