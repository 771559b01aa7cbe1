// The .parprof report format, version 2 (version 1 still loads: it lacks the fields marked 'since 2'). docs/report-format.md documents it field by field and
// docs/report.schema.json is its JSON Schema; keep all three in step.
//
// Clock: every time in a report is in MICROSECONDS on the process's monotonic clock
// (process.hrtime, the same CLOCK_MONOTONIC V8 stamps CPU profile samples with), RELATIVE to
// `meta.originUs`. So t = 0 is the moment recording began, and a span on thread 3 and a sample
// on thread 5 with the same t happened at the same instant.

export const REPORT_FORMAT = 'parprof';
export const REPORT_VERSION = 2;
/** Versions readers accept: a version-1 report is a version-2 report without the 'since 2' fields. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** A whole recorded run. */
export interface Report {
  /** Always 'parprof'. */
  format: typeof REPORT_FORMAT;
  /** Format version; readers reject versions they do not know. Writers write REPORT_VERSION. */
  version: 1 | typeof REPORT_VERSION;
  meta: RunMeta;
  /** Every thread that recorded anything; the main thread is `id` 0. */
  threads: ThreadInfo[];
  /** Pool operations (map / forEach / reduce / fork-join) and instrumented third-party pools. */
  regions: Region[];
  /** Task spans, column-oriented: entry k of every column describes span k. */
  spans: SpanColumns;
  /** One V8 CPU profile per thread that was sampled. */
  profiles: ThreadProfile[];
  /** Event-loop utilization over time, one series per thread. */
  elu: EluSeries[];
  /** Point events: errors, exits, worker deaths, cancellation. */
  markers: Marker[];
  /** What was recorded but could not be kept (buffers full, profile lost with its thread). */
  dropped: Dropped;
  /** How the profiled process ended. */
  exit: ExitStatus;
  /** Since 2. Process, recorder and worker start-up times; absent in version 1. */
  startup?: Startup;
  /** Since 2. Each thread's CPU time over the run, where the platform tells it; absent in version 1. */
  cpu?: CpuTimeSeries[];
  /** Since 2. The user's blocking Atomics.wait calls (the pool's own waits excluded); absent in version 1. */
  waits?: WaitColumns;
  /**
   * Since 2, optional. The processes whose threads the report holds, the script's own first, when
   * it started child processes (fork, spawn of node, cluster) that recorded; absent: one process,
   * the script's, and every thread is its.
   */
  processes?: ProcessInfo[];
}

/** How a process of the run was started; declared once, here. */
export const PROCESS_STARTS = ['main', 'fork', 'spawn', 'cluster'] as const;
export type ProcessStart = typeof PROCESS_STARTS[number];

/** One process of the run. All of them share the monotonic clock and the origin of the report. */
export interface ProcessInfo {
  /** OS process id; unique in the report. ThreadInfo.process refers to it. */
  pid: number;
  /** pid of the process that started it; absent for the script's own process. */
  ppid?: number;
  /**
   * 'main': the script the profiler ran; 'fork': a child with an IPC channel (child_process.fork,
   * or spawn with an 'ipc' stdio); 'spawn': a node child without one (spawn, exec); 'cluster': a
   * cluster worker.
   */
  startedBy: ProcessStart;
  /** The script it ran (absolute, as Node resolved it; '' when unknown) and the arguments after it. */
  script: string;
  args: string[];
  /** Display name: 'main process x.js', 'fork of x.js', 'cluster worker 1 of x.js'. */
  title: string;
  /** When its parent spawned it, µs from origin; absent when not recorded (spawnSync, or its parent was not recorded). */
  spawned?: number;
  /** When its recording began (its main thread's preload), µs from origin. */
  start: number;
  /** When it ended, µs from origin; absent when not known (killed with its parent, or still running when the run ended). */
  end?: number;
  /** Its exit code, or the signal that ended it; absent when not known. */
  exit?: { code: number | null; signal: string | null };
  /** Set when it did not end by itself (killed by a signal, an uncaught error, or no recorded end); its threads keep what they recorded. */
  died?: { at: number; reason: string };
  /**
   * Set when its parent ended it with `kill()` (`at`, µs from origin), and the signal sent is the
   * one that ended it (`exit.signal`), SIGKILL aside (the child cannot save then): a shutdown by
   * its owner (a pool closing its process workers), not a death; `died` is then absent.
   */
  terminated?: { at: number };
}

/** When the process and its pools' workers started, µs from origin (since 2). */
export interface Startup {
  /** The runner spawned the process (the origin is read just before, so this is ≈ 0). */
  spawn: number;
  /** The preload began on the main thread: Node had booted and started running JavaScript. */
  preload: number;
  /** The recorder was installed on the main thread: the script's own code runs from here. */
  script: number;
  /** One entry per recorded worker start-up, in creation order. */
  workers: WorkerStartup[];
}

export interface WorkerStartup {
  /** Thread id of the worker (ThreadInfo.id). */
  thread: number;
  /** Pool id (Region.pool) the worker belongs to. */
  pool: number;
  /** `new Worker()` on the creating thread, µs from origin. */
  created: number;
  /** When it was ready, µs from origin; absent when it never was (died while loading). */
  ready?: number;
  /**
   * What `ready` means: 'module-loaded' — a ThreadPool worker loaded its task module (the pool
   * received its 'ready'); 'first-message' — a worker of another library (piscina...) began
   * handling its first message (the library does not say when its worker is ready).
   */
  readyBy: 'module-loaded' | 'first-message';
}

/** Cumulative CPU time of one thread, read every ~50 ms and at span-batch flushes (since 2). */
export interface CpuTimeSeries {
  thread: number;
  /** 'schedstat': Linux /proc/thread-self/schedstat; 'threadCpuUsage': process.threadCpuUsage() (no run-queue time). */
  source: 'schedstat' | 'threadCpuUsage';
  /** When each reading was taken, µs from origin; increasing. */
  t: number[];
  /** µs the thread had been on a CPU since it was created, at t[k]; non-decreasing. */
  onCpu: number[];
  /** µs the thread had been runnable but waiting for a CPU (on a run queue) since it was created, at t[k]; absent for 'threadCpuUsage'. */
  runnable?: number[];
}

/** The user's blocking Atomics.wait calls, columnar, sorted by start (since 2). */
export interface WaitColumns {
  count: number;
  /** Thread that blocked (ThreadInfo.id). */
  thread: number[];
  /** When the call began and returned, µs from origin; end ≥ start. */
  start: number[];
  end: number[];
}

export interface RunMeta {
  /** Absolute path of the script that was run. */
  script: string;
  /** Arguments passed to the script (not to node). */
  args: string[];
  /** Working directory of the run. */
  cwd: string;
  /** `process.version` of the Node that ran the script, e.g. 'v20.20.2'. */
  nodeVersion: string;
  /** Path of the Node executable that ran the script. */
  nodePath: string;
  /** Logical CPU cores of the machine (os.availableParallelism()). */
  cores: number;
  platform: string;
  /** Wall-clock start of the run, milliseconds since the Unix epoch (Date.now()). */
  startedAt: number;
  /** Origin of every report time: hrtime at the start of recording, microseconds. */
  originUs: number;
  /** Length of the run from origin to process exit, microseconds. */
  durationUs: number;
  /** Defaults applied to pools created without explicit settings. */
  pool: { threads: number; schedule: Schedule };
  /** V8 CPU sampling interval, microseconds; 0 when CPU profiling was off. */
  sampleIntervalUs: number;
  /** Version of Parallel Profiler that recorded the run. */
  recorder: string;
}

/** How a pool operation's items are handed to its threads (docs/pool.md); declared once, here. */
export const SCHEDULES = ['static', 'dynamic', 'steal'] as const;
export type Schedule = typeof SCHEDULES[number];

export interface ThreadInfo {
  /** Unique in the report: worker_threads threadId of the thread; 0 is the script's main thread. Threads of child processes are renumbered after the script's (see `threadId`). */
  id: number;
  /** Display name: 'main', 'worker 1', or the Worker's `name` option. */
  name: string;
  kind: 'main' | 'worker';
  /** Id of the pool (ThreadPool or instrumented library) that owns the worker, if known. */
  pool?: number;
  /** When the thread started and stopped recording, µs from origin. `end` absent if it never finished. */
  start: number;
  end?: number;
  /** Set when the thread died: an uncaught error, process.exit(≠ 0) in the worker, or it stopped (out of memory, say) without its owner asking. */
  died?: { at: number; reason: string };
  /** Since 2, optional. Set when its owner stopped it with worker.terminate() (a pool's destroy() or close()): a shutdown, not a death. µs from origin. */
  terminated?: { at: number };
  /** Since 2, optional. pid of its process (ProcessInfo.pid); absent when the report has no `processes`. */
  process?: number;
  /** Since 2, optional. Its worker_threads threadId inside its process, when that differs from `id` (threads of child processes are renumbered to keep ids unique). */
  threadId?: number;
}

export type RegionKind = 'map' | 'forEach' | 'reduce' | 'join' | 'external';

/**
 * Whether a region's tasks wait in a queue (fork-join spawns, messages to a third-party pool), so
 * start − enqueue is a queue wait. Chunks of map/forEach/reduce are pulled by the threads from
 * the operation's index: their start − enqueue is only their place in line, not a wait.
 */
export function tasksAreQueued(kind: RegionKind): boolean {
  return kind === 'join' || kind === 'external';
}

/** One pool operation: the unit every per-region metric is computed over. */
export interface Region {
  /** 0-based, unique in the report; span `region` columns refer to it. */
  id: number;
  /** User-given name, else `<kind> <function>` (e.g. 'map square'). */
  name: string;
  kind: RegionKind;
  /** Pool id; all regions of one ThreadPool share it. */
  pool: number;
  /** Name of the task function in the task module; for external pools, the library name. */
  fn: string;
  /** Source location of the call that started the operation, if known (1-based line/column). */
  callSite?: { file: string; line: number; column: number };
  schedule: Schedule | 'external';
  /** Worker threads that could run the region's tasks. */
  threads: number;
  /** Items in the input (array length, range size); 0 when not applicable. */
  items: number;
  /** Items per task chosen for the operation (0 when tasks are not chunks of items). */
  chunkSize: number;
  /**
   * µs from origin: when the operation's tasks became available to the workers (after the pool's
   * start-up it waited for). `end` absent when the operation never finished (crash, kill).
   */
  start: number;
  end?: number;
  /** How it ended. */
  outcome: 'ok' | 'error' | 'cancelled' | 'unfinished';
  /** Since 2. When the user called the operation (map(), forEach()...), µs from origin; ≤ start. The call took end − called. */
  called?: number;
  /** Since 2, optional. pid of the process that ran the operation (ProcessInfo.pid); absent when the report has no `processes`. */
  process?: number;
}

/**
 * Task spans, columnar. All arrays have length `count`. A span is one task: a contiguous chunk
 * of items of a pool operation (or one message handled by an instrumented worker). JSON arrays in
 * a file, except in a packed report (runs of over 2M spans, docs/report-format.md), whose loader
 * gives typed arrays in their place; the report the runner builds (runProfiled) holds typed arrays
 * too (Int32Array, Float64Array: 10M spans fit in memory). Read columns by index only: a typed
 * array's map() and filter() give typed arrays.
 */
export interface SpanColumns {
  count: number;
  /** Thread id that ran the task (ThreadInfo.id). */
  thread: number[];
  /** Region id (Region.id). */
  region: number[];
  /** 0-based task index within the region, in creation order. */
  index: number[];
  /** First item index of the chunk (0 for non-chunk tasks). */
  first: number[];
  /** Number of items in the chunk (1 for non-chunk tasks). */
  items: number[];
  /** When the task became available to run, µs from origin. */
  enqueue: number[];
  /** When it started and ended running, µs from origin. */
  start: number[];
  end: number[];
  /** Thread id it was stolen from, or -1 when not stolen. */
  stolenFrom: number[];
  /** `index` of the task in the same region that spawned it (fork-join), or -1. */
  parent: number[];
  /** 1 when the task threw. */
  failed: number[];
  /**
   * Since 2, optional (absent: all 0). SPAN_* bits: SPAN_CONCURRENT — an async message handler
   * whose thread handled other messages while it ran (such spans overlap without nesting);
   * SPAN_DERIVED — not a task: a stretch when a thread that handled no messages was busy,
   * derived from its CPU samples (index −1; counts as busy time, never as a task);
   * SPAN_NO_ENQUEUE — when it was submitted is not known (enqueue = start; no queue wait);
   * SPAN_CUT_OFF — the task never ended: it was still running when the run stopped or its thread
   * died, and `end` is that moment (a task all the same: busy time, task counts).
   */
  flags?: number[];
}

/** SpanColumns.flags bit: the span's thread handled other messages while it ran (async handler); spans overlap, they do not nest. */
export const SPAN_CONCURRENT = 1;
/** SpanColumns.flags bit: not a task but busy time derived from the thread's CPU samples (it handled no messages). */
export const SPAN_DERIVED = 2;
/** SpanColumns.flags bit: when the task was submitted is not known (a raw worker's message): enqueue = start, and it counts in no queue wait. */
export const SPAN_NO_ENQUEUE = 4;
/**
 * SpanColumns.flags bit: the task never ended. It was still running when the run was stopped (a
 * signal, a cancelled run, the script's exit) or its thread died (out of memory, process.exit in
 * a worker, terminated): `end` is that moment, µs from origin, and `items` the chunk's size (how
 * many of them ran is not known). It counts as a task and as busy time up to `end`; `failed` is 0.
 */
export const SPAN_CUT_OFF = 8;
/** How the views say a span is SPAN_CUT_OFF (tooltip, keyboard focus). */
export const CUT_OFF_WORDS = 'Cut off: still running when the run stopped or its thread died; it ends at that moment';

/** A V8 CPU profile (the format of the inspector's Profiler.stop, and of .cpuprofile files). */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs from origin (rebased from V8's clock by the recorder). */
  startTime: number;
  endTime: number;
  /** Node id of each sample. */
  samples: number[];
  /** µs between consecutive samples; the first is relative to startTime. */
  timeDeltas: number[];
}

export interface CpuProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    scriptId: string;
    url: string;
    /** 0-based, as V8 reports them; already mapped to the original source when a source map was known. */
    lineNumber: number;
    columnNumber: number;
  };
  hitCount?: number;
  children?: number[];
  /** Samples by 1-based source line within the function. */
  positionTicks?: { line: number; ticks: number }[];
}

export interface ThreadProfile {
  thread: number;
  profile: CpuProfile;
  /** True when the profile stops early (thread died, process killed) and covers only a part of the thread's life. */
  partial?: boolean;
}

/** Event-loop utilization of one thread, sampled over windows. */
export interface EluSeries {
  thread: number;
  /** End of each window, µs from origin. */
  t: number[];
  /** Utilization within the window ending at t[k], 0..1. */
  u: number[];
}

export interface Marker {
  /** µs from origin. */
  t: number;
  thread: number;
  kind: 'error' | 'exit' | 'worker-exit' | 'worker-error' | 'cancelled' | 'killed' | 'note';
  message: string;
  stack?: string;
}

export interface Dropped {
  /** Spans lost (buffer overflow or unflushed at a hard kill, when known). */
  spans: number;
  /** CPU samples lost. */
  samples: number;
  /** Threads whose CPU profile could not be collected. */
  profiles: number;
  /** Since 2. Wait spans lost (could not be written). */
  waits?: number;
  /**
   * Since 2. Stretches of a thread's life whose CPU samples were lost, µs from origin: after its
   * last profile chunk when the thread or process was killed (`to` is when the runner saw it
   * end), or a chunk that could not be kept. Samples are written in chunks of at most ~250 ms.
   */
  sampleGaps?: SampleGap[];
}

/** No samples of `thread` were kept from `from` to `to` (µs from origin). */
export interface SampleGap {
  thread: number;
  from: number;
  to: number;
}

export interface ExitStatus {
  /** Exit code of the process, or null when it ended by a signal. */
  code: number | null;
  /** Signal name ('SIGKILL', ...) or null. */
  signal: string | null;
  /** The uncaught exception that ended the script, if any. */
  error: { message: string; stack?: string } | null;
}

export function emptySpans(): SpanColumns {
  return {
    count: 0, thread: [], region: [], index: [], first: [], items: [], enqueue: [], start: [], end: [],
    stolenFrom: [], parent: [], failed: [],
  };
}
