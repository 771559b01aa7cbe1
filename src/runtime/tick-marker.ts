// The thread's half of '0x' mode (node --prof). V8 writes one isolate log per thread, named by
// the isolate's address, which no JavaScript can read. So each thread compiles a tiny script whose
// name says which thread it is and when (µs from origin, read just before compiling): V8 logs a
// code-creation line for it with its own timestamp, which names the log's thread and ties the
// log's clock (µs since the isolate's log opened) to the run's. The name is unique per thread, so
// V8's compilation cache never answers for it, and no frame of it is ever sampled.
import { runInThisContext } from 'node:vm';
import { TICK_MARKER } from './contract';
import type { Recorder } from './contract';
import { warn } from './recorder';

/** Whether this process runs V8's tick profiler (a child process the script started may not). */
export function tickProfilerOn(): boolean {
  return process.execArgv.some((a) => a === '--prof' || a.startsWith('--prof='));
}

export function markIsolateLog(rec: Recorder): void {
  try {
    const t = rec.now();
    runInThisContext(`void ${rec.threadId}`, { filename: `${TICK_MARKER}:${process.pid}:${rec.threadId}:${t.toFixed(3)}` });
  } catch (err) {
    warn('cannot mark the V8 tick log of this thread', err);
  }
}
