// The parent's half of '0x' mode: the script ran under V8's tick profiler (node --prof), which
// wrote one isolate log per thread into the spool. Each log is turned into JSON by 0x's own log
// processing (its v8-log-to-ticks runs `node --prof-process --preprocess` on a copy filtered of
// the long lines V8's processor chokes on), then into the CPU profile of the thread whose marker
// it holds (src/runtime/tick-marker.ts), written where the inspector profile would have been.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { findIsolateMarker, tickLogToProfile, type IsolateMarker, type V8TickLog } from '../model/import-v8log';
import { CHILD_SPOOL_PREFIX, TICK_LOG_DIR, TICK_MARKER } from '../runtime/contract';

/** The one line a user sees when 0x is missing. */
export const ZEROX_MISSING = "--profiler 0x needs the 0x package (V8 tick-log processing): run 'npm i -D 0x' in the project";

/**
 * Folders 0x is looked up from: the project (cwd, the script's folder), then NODE_PATH. Not this
 * package's own folder: 0x is the project's tool (npm i -D 0x), never a dependency of ours.
 */
function lookupPaths(cwd: string, script: string, nodePath: string | undefined): string[] {
  return [cwd, dirname(script), ...(nodePath ?? '').split(delimiter).filter(Boolean)];
}

/** The folder of the 0x package as the project would load it (`nodePath`: the script's NODE_PATH); throws ZEROX_MISSING when there is none. */
export function resolveZeroX(cwd: string, script: string, nodePath = process.env.NODE_PATH): string {
  try {
    const req = createRequire(join(cwd, 'package.json'));
    return dirname(req.resolve('0x/package.json', { paths: lookupPaths(cwd, script, nodePath) }));
  } catch {
    throw new Error(ZEROX_MISSING);
  }
}

/** Node arguments that make the script's process write its isolate logs into the spool. */
export function tickProfilerArgs(spool: string, sampleIntervalUs: number): string[] {
  return ['--prof', `--prof-sampling-interval=${sampleIntervalUs}`, `--logfile=${join(spool, TICK_LOG_DIR, 'v8.log')}`];
}

/** Bytes of a log read at a time while looking for its marker (it comes after the thread's bootstrap). */
const MARKER_CHUNK = 1 << 20;

/** The marker of a raw isolate log, read chunk by chunk up to the first match; undefined when the thread never marked it. */
function readMarker(path: string): IsolateMarker | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(MARKER_CHUNK);
    let carry = '';
    let extra = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return findIsolateMarker(carry, TICK_MARKER);
      const text = carry + buf.toString('latin1', 0, n);
      const found = findIsolateMarker(text, TICK_MARKER);
      // The end marker follows within bytes: only a chunk's end can part them.
      if (found && (found.errorUs !== Infinity || extra++ > 0)) return found;
      // A line cut by the chunk's end is looked at again with the next chunk (a found marker, with its end).
      carry = found ? text : text.slice(text.lastIndexOf('\n') + 1);
    }
  } finally {
    closeSync(fd);
  }
}

type V8LogToTicks = (log: string, options: { pathToNodeBinary: string; collectDelay: number }) => Promise<unknown[]>;

/** Runs 0x's processing of one isolate log; returns the preprocessed JSON it wrote beside the log. */
async function preprocess(v8LogToTicks: V8LogToTicks, log: string, node: string): Promise<V8TickLog> {
  await v8LogToTicks(log, { pathToNodeBinary: node, collectDelay: 0 });
  // 0x pipes the processor's output into <log>.json and resolves when it has parsed the ticks,
  // which can be before its file stream has flushed: read it once it parses whole.
  const json = `${log}.json`;
  let lastError: unknown;
  for (let tries = 0; tries < 600; tries++) {
    try {
      return JSON.parse(readFileSync(json, 'utf8')) as V8TickLog;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`0x's processing of ${log} left no readable ${json}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

export interface TickLogsResult {
  /** Threads that got a profile from their log. */
  threads: number;
  /** Logs without a marker (Node's own threads, a thread that died before the preload ran). */
  unmarked: number;
  /** One line per log that could not be turned into a profile. */
  failures: string[];
}

/**
 * Turns every marked isolate log under `<spool>/v8-ticks` into `profile-<thread>.json` of the
 * spool of its process (the script's, or a child's `proc-<pid>` folder), on the hrtime clock
 * like an inspector profile. At most one log per core is processed at a time.
 */
export async function tickLogsToProfiles(spool: string, o: { zeroxDir: string; node: string; rootPid: number | undefined; originUs: number }): Promise<TickLogsResult> {
  const dir = join(spool, TICK_LOG_DIR);
  const result: TickLogsResult = { threads: 0, unmarked: 0, failures: [] };
  if (!existsSync(dir)) return result;
  const v8LogToTicks = createRequire(join(o.zeroxDir, 'package.json'))('./lib/v8-log-to-ticks.js') as V8LogToTicks;
  const logs = readdirSync(dir).filter((f) => /^isolate-.*-v8\.log$/.test(f)).sort().map((f) => join(dir, f));
  const jobs: { log: string; marker: IsolateMarker }[] = [];
  for (const log of logs) {
    const marker = readMarker(log);
    if (marker) jobs.push({ log, marker });
    else result.unmarked++;
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { log, marker } = jobs[next++];
      try {
        const target = marker.pid === o.rootPid ? spool : join(spool, `${CHILD_SPOOL_PREFIX}${marker.pid}`);
        if (!existsSync(target)) continue;
        const data = await preprocess(v8LogToTicks, log, o.node);
        // A tick at log time tm is at tm + (marker's origin time - marker's log time) from origin;
        // the spool's profiles are on the absolute hrtime clock (the report builder rebases them).
        const profile = tickLogToProfile(data, marker.originUs - marker.logUs + o.originUs);
        writeFileSync(join(target, `profile-${marker.thread}.json`), JSON.stringify(profile));
        result.threads++;
      } catch (err) {
        result.failures.push(`thread ${marker.thread}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), jobs.length)) }, worker));
  return result;
}
