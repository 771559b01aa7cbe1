// The thread's half of '0x' mode (node --prof). V8 writes one isolate log per thread, named by
// the isolate's address, which no JavaScript can read. So each thread compiles a tiny script whose
// name says which thread it is and when (µs from origin, read just before compiling; a second
// script's name gives the time just after): V8 logs a code-creation line for it with its own
// timestamp, which names the log's thread and ties the log's clock (µs since the isolate's log
// opened) to the run's. The names are unique per thread, so V8's compilation cache never answers
// for them, and no frame of them is ever sampled.
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
    const id = `${TICK_MARKER}:${process.pid}:${rec.threadId}`;
    // A thread's first compile costs milliseconds (measured 2.7 ms in a worker; V8 sets up its
    // compiler), which would blur the anchor: pay it on a script of no interest first.
    runInThisContext('void 0', { filename: `${id}:warm-up` });
    // V8 stamps the marker somewhere between these two reads; the end marker carries the second.
    const before = rec.now();
    runInThisContext('void 0', { filename: `${id}:${before.toFixed(3)}` });
    const after = rec.now();
    runInThisContext('void 0', { filename: `${id}:${after.toFixed(3)}:end` });
  } catch (err) {
    warn('cannot mark the V8 tick log of this thread', err);
  }
}
