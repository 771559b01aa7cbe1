// The contract between the pool (src/runtime/pool*.ts, worker.ts) and the recorder that the
// preload installs (src/runtime/preload.ts, recorder*.ts), and between the recorder and the
// runner that reads its spool (src/runner). Both sides import this file; nothing else.
import type { Region, Schedule } from '../model/report';

/** Where the recorder lives when a script runs under the profiler; absent otherwise. */
export const RECORDER_KEY = Symbol.for('parallel-profiler.recorder');

/** Environment the runner sets for the profiled process (also honoured without the profiler). */
export const ENV = {
  /** Default thread count for pools created without `threads`; '0' is sequential mode (operations run inline on the calling thread). */
  threads: 'PARPROF_THREADS',
  /** Default schedule for pools created without `schedule`. */
  schedule: 'PARPROF_SCHEDULE',
  /** Default items per chunk for pools created without `chunkSize` (parprof ab --chunk-size); unset: automatic. */
  chunkSize: 'PARPROF_CHUNK_SIZE',
  /** Spool directory the recorder writes into; its presence turns recording on. */
  spool: 'PARPROF_SPOOL',
  /** CPU sampling interval in µs; '0' turns CPU profiling off. Default 1000. */
  sampleInterval: 'PARPROF_SAMPLE_US',
  /**
   * Longest stretch of a thread's CPU samples held in memory, ms (src/runtime/recorder-profile.ts):
   * what a kill can lose. Default 250; '0' writes each thread's profile once, at its end (a kill loses it all).
   */
  profileChunkMs: 'PARPROF_PROFILE_CHUNK_MS',
  /** hrtime origin of the run in µs, as a decimal string, chosen by the runner before spawning. */
  origin: 'PARPROF_ORIGIN_US',
  /**
   * Set by the preload on each thread for the workers it creates (they inherit it): µs to add to
   * that thread's performance.now() × 1000 to get µs from origin. A worker converts submit times
   * its pool put in task messages (poolifier's performance.now() stamps) with it.
   */
  creatorClock: 'PARPROF_CREATOR_CLOCK_US',
  /** pid of the profiled process itself, set by its preload; its child processes see another pid. */
  rootPid: 'PARPROF_ROOT_PID',
  /** Name of the one `workload('name', fn)` to run; unset: all of them. */
  workload: 'PARPROF_WORKLOAD',
  /** '1' on threads of our own tools (Node's loader-hooks thread, esbuild's worker): nothing is recorded there. */
  internal: 'PARPROF_INTERNAL',
  /** '1' when the main thread registered the ES module hooks, so its workers register them too. */
  esmHooks: 'PARPROF_ESM_HOOKS',
  /** CPU profiler of the run (one of PROFILERS); unset: 'inspector'. */
  profiler: 'PARPROF_PROFILER',
} as const;

/**
 * CPU profilers a run can use: 'inspector' samples each thread through an in-thread inspector
 * session; '0x' runs V8's tick profiler (node --prof, one isolate log per thread), which also
 * sees native, GC and optimisation-tier frames, and turns every isolate's log into its thread's
 * profile with 0x's log processing.
 */
export const PROFILERS = ['inspector', '0x'] as const;
export type ProfilerName = typeof PROFILERS[number];

/** Folder of the spool where node --prof writes its isolate logs in '0x' mode. */
export const TICK_LOG_DIR = 'v8-ticks';
/**
 * Each thread of a '0x' run compiles a script named `${TICK_MARKER}:<pid>:<threadId>:<t>` (t: µs
 * from origin, read just before compiling), then one named `...:<t'>:end` (t': read just after):
 * the first one's code-creation line in the isolate log names the log's thread and anchors the
 * log's clock (src/runtime/tick-marker.ts).
 */
export const TICK_MARKER = 'parprof-isolate';

/** `fn` of the region a forked child's process.on('message') spans belong to (instrument-child-messages.ts). */
export const CHILD_MESSAGES_FN = 'process.on(message)';

/** A child process of the script records into `<spool>/proc-<pid>/`, with a CHILD_SPOOL_INFO file naming it. */
export const CHILD_SPOOL_PREFIX = 'proc-';
export const CHILD_SPOOL_INFO = 'process.json';

/**
 * Key set to true in the workerData of ThreadPool workers, so the preload can tell them from
 * workers of other code: the pool records its own spans, and its workers' message handling must
 * not also be recorded as an external pool's.
 */
export const POOL_WORKER_MARK = 'parallelProfilerPoolWorker';

/** Schedule of pools created without one and without PARPROF_SCHEDULE: work stealing, Rayon's choice. */
export const DEFAULT_SCHEDULE: Schedule = 'steal';

/** What the pool tells the recorder when an operation starts. */
export interface RegionStart {
  name: string;
  kind: Region['kind'];
  /** Pool id (run-unique: see Recorder.newPoolId). */
  pool: number;
  fn: string;
  callSite?: Region['callSite'];
  schedule: Schedule | 'external';
  threads: number;
  items: number;
  chunkSize: number;
  /** µs from origin. */
  start: number;
  /** When the user called the operation (map(), forEach()...), µs from origin; ≤ start (it may have waited for pool start-up). */
  called?: number;
}

/**
 * Installed at globalThis[RECORDER_KEY] on every thread of a profiled process.
 * All times are µs from the run origin on the monotonic clock (see src/model/report.ts).
 */
export interface Recorder {
  /** worker_threads.threadId of this thread. */
  readonly threadId: number;
  /** Current time, µs from origin. */
  now(): number;
  /**
   * now() for a task's start, taking a CPU reading there when the last one is older than a
   * millisecond. Optional: a pool from another version of the package may find a recorder without it.
   */
  taskStart?(): number;
  /**
   * taskStart() for a pool task, which the recorder keeps as the thread's open task until its
   * span() (so that a thread stopped or dying inside it still records it, cut off). Optional, like
   * taskStart: a pool from another version of the package may find a recorder without it.
   */
  taskBegin?(region: number, index: number, first: number, items: number, enqueue: number, stolenFrom: number, parent: number): number;
  /** A run-unique pool id (unique across threads). */
  newPoolId(): number;
  /** Opens a region; returns a run-unique region key that workers pass back in `span`. */
  beginRegion(info: RegionStart): number;
  endRegion(key: number, outcome: Region['outcome'], end: number): void;
  /**
   * Records one finished task on the calling thread. Hot path: no allocation, no I/O; the
   * recorder flushes its buffer in batches (at most every ~100 ms, checked here).
   */
  span(region: number, index: number, first: number, items: number, enqueue: number, start: number,
    end: number, stolenFrom: number, parent: number, failed: number): void;
  /** Tells the recorder which pool the worker with this threadId belongs to. */
  workerJoined(threadId: number, pool: number, name: string): void;
  /** A point event (error, note) on this thread. */
  marker(kind: 'error' | 'note' | 'cancelled', message: string, stack?: string): void;
  /** Writes everything buffered now (called before a thread is known to end). */
  flush(): void;
  /**
   * A pool worker finished starting: `created` when its Worker was constructed, `ready` when its
   * task module was loaded (µs from origin). Optional: recorders written before format 2 lack it.
   */
  workerReady?(threadId: number, pool: number, created: number, ready: number): void;
}

/**
 * Where the preload keeps the original Atomics.wait before wrapping it (the wrapper records the
 * user's blocking waits). The pool's own waits call the original, so they are not the user's.
 */
export const ORIGINAL_ATOMICS_WAIT_KEY = Symbol.for('parallel-profiler.atomicsWait');
/**
 * Set on a pool worker's globalThis, to its task module, while the worker loads that module (every
 * copy of the pool shares it): a ThreadPool made then would start again in each of its workers.
 */
export const LOADING_TASK_MODULE_KEY = Symbol.for('parallel-profiler.loadingTaskModule');

/** Atomics.wait as it was before the preload wrapped it: for the pool's own (scheduling) waits. */
export const poolAtomicsWait: typeof Atomics.wait =
  ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;

/** Span record layout in the spool's binary span files: RECORD_FIELDS float64 per span, in this order. */
export const SPAN_FIELDS = ['region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed'] as const;
export const SPAN_RECORD_FIELDS = SPAN_FIELDS.length;
/**
 * Spans of instrumented third-party workers (region EXTERNAL_REGION in the spool) use two fields
 * their way: `index` carries the key of the task's submit record ('submits' events), or
 * NO_SUBMIT_KEY; `first` carries EXTERNAL_SPAN_* flags. The runner resolves both.
 */
export const NO_SUBMIT_KEY = -1;
/** The thread was handling other messages while this one ran (an async handler): spans on the thread overlap without nesting. */
export const EXTERNAL_SPAN_CONCURRENT = 1;
/** `stolenFrom` of a span whose task was not stolen (else the victim's threadId). */
export const NOT_STOLEN = -1;
/** `parent` of a span whose task no other task spawned (else the parent's task index). */
export const NO_PARENT = -1;

export function getRecorder(): Recorder | undefined {
  return (globalThis as Record<symbol, Recorder | undefined>)[RECORDER_KEY];
}
