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
  | { e: 'dropped'; spans: number }
  /** Written by the thread that created a worker. `region` is the external region its messages belong to, -1 for ThreadPool workers. */
  | { e: 'worker'; t: number; tid: number; name: string | null; lib: string; region: number }
  | { e: 'workerExit'; t: number; tid: number; code: number }
  | { e: 'workerError'; t: number; tid: number; message: string; stack?: string }
  /** The script's own uncaught exception (main thread) or the worker's. */
  | { e: 'uncaught'; t: number; message: string; stack?: string }
  /** process.exit() was called on this thread. */
  | { e: 'processExit'; t: number; code: number }
  /** Last line of a thread that ended through its 'exit' event. */
  | { e: 'end'; t: number; code: number }
  | { e: 'sourcemap'; file: string; url: string };
