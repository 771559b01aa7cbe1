// Lines of a thread's spool event file (events-<threadId>.ndjson). Written by the recorder,
// read by src/runner/spool.ts. Times are µs from the run origin.
import type { Marker, Region } from '../model/report';
import type { RegionStart } from './contract';

export type SpoolEvent =
  /** First line of every thread. `main` threads also say which Node runs the script. */
  | { e: 'start'; t: number; tid: number; main: boolean; pid: number; nodeVersion?: string; execPath?: string; sampleUs: number }
  | { e: 'region'; key: number; info: RegionStart }
  | { e: 'regionEnd'; key: number; outcome: Region['outcome']; end: number }
  | { e: 'joined'; tid: number; pool: number; name: string }
  | { e: 'marker'; t: number; kind: Marker['kind']; message: string; stack?: string }
  | { e: 'elu'; t: number[]; u: number[] }
  /**
   * Lost: spans, wait spans, CPU samples of profile chunks that could not be written. `tid`: the
   * thread whose spans these were, when its creator counted them (it was stopped before it saved).
   */
  | { e: 'dropped'; spans: number; waits?: number; samples?: number; tid?: number }
  /**
   * Cumulative CPU time of this thread since it was created, read at flushes and the 50 ms timer:
   * `on` µs on a CPU, `wait` µs runnable but waiting for one (schedstat only), at times `t`.
   */
  | { e: 'cpu'; source: 'schedstat' | 'threadCpuUsage'; t: number[]; on: number[]; wait?: number[] }
  /** The preload finished installing the recorder on this thread: the user's code runs from here. */
  | { e: 'installed'; t: number }
  /** A ThreadPool worker loaded the task module: created (new Worker) to ready (by the worker's clock; else 'ready' received), written by the pool's thread. */
  | { e: 'workerReady'; tid: number; pool: number; created: number; ready: number }
  /** Written by the thread that created a worker. `region` is the external region its messages belong to, -1 for ThreadPool workers. */
  | { e: 'worker'; t: number; tid: number; name: string | null; lib: string; region: number }
  /**
   * Tasks submitted to a known pool on this thread (src/runtime/interop-submits.ts): `key[k]` is
   * the key its worker's span carries (piscina, tinypool: taskId; workerpool: threadId · 2^32 +
   * request id), submitted at `t[k]`.
   */
  | { e: 'submits'; lib: string; key: number[]; t: number[] }
  /** `terminated`: the worker's owner called worker.terminate() (a pool's destroy()), so the exit is no crash. */
  | { e: 'workerExit'; t: number; tid: number; code: number; terminated?: boolean }
  | { e: 'workerError'; t: number; tid: number; message: string; stack?: string }
  /** The script's own uncaught exception (main thread) or the worker's. */
  | { e: 'uncaught'; t: number; message: string; stack?: string }
  /** process.exit() was called on this thread. */
  | { e: 'processExit'; t: number; code: number }
  /**
   * A signal (SIGTERM, SIGINT, SIGHUP) the user's code does not listen to reached the script's main
   * thread: the preload saves the recording and exits 128 + its number instead of dying by it.
   */
  | { e: 'signal'; t: number; signal: string }
  /**
   * A pool task of thread `tid` that was still running when the thread was stopped or died: its
   * span record's fields (region key, index, first, items: the chunk's size, enqueue, start,
   * stolenFrom, parent) and `end`, when it was cut off. Written by the thread itself when it saves
   * or exits, or by its creator when it died running no more JavaScript (its open task read from
   * the task board, stop-board.ts). A span of the same task in the thread's records wins over it.
   */
  | { e: 'cutTask'; tid: number; region: number; index: number; first: number; items: number; enqueue: number; start: number;
    stolenFrom: number; parent: number; end: number }
  /** Last line of a thread that ended through its 'exit' event. */
  | { e: 'end'; t: number; code: number }
  | { e: 'sourcemap'; file: string; url: string }
  /** This thread started a child process (instrument-children.ts): `t` just before the spawn, the command as spawned. */
  | { e: 'childSpawn'; t: number; pid: number; file: string; args: string[] }
  /** This thread called kill() on a child process it started, still running then; `signal` as given (default SIGTERM). */
  | { e: 'childKill'; t: number; pid: number; signal: string }
  /** A child process this thread started ended: its exit code, or the signal that ended it. */
  | { e: 'childExit'; t: number; pid: number; code: number | null; signal: string | null };
