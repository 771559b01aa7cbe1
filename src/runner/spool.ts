// Reads a spool directory written by the recorder (src/runtime/recorder*.ts). Tolerates what a
// killed process leaves behind: a truncated last span record or event line, missing files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuProfile } from '../model/report';
import { CHILD_SPOOL_INFO, CHILD_SPOOL_PREFIX, SPAN_RECORD_FIELDS } from '../runtime/contract';
import type { SpoolEvent } from '../runtime/recorder-events';

/** What one thread left in the spool. */
export interface ThreadSpool {
  tid: number;
  events: SpoolEvent[];
  /** SPAN_RECORD_FIELDS float64 per span (src/runtime/contract.ts SPAN_FIELDS). */
  spans: Float64Array;
  /** The user's blocking Atomics.wait calls: start, end pairs (µs from origin), in call order. */
  waits?: Float64Array;
  /** Raw V8 profile: times on V8's clock (µs, monotonic), not yet rebased. */
  profile?: CpuProfile;
}

/** A source map recorded for a transpiled file. `url` is how V8 names the generated script. */
export interface RecordedSourceMap {
  url: string;
  file: string;
  map: { version: number; sources: string[]; mappings: string; names?: string[]; sourcesContent?: (string | null)[] };
}

/** A child process of the script (fork, spawn of node, cluster) that recorded into a folder of its own. */
export interface ChildSpool {
  pid: number;
  /** Its parent's pid and its command line, as its preload wrote them; absent if it died first. */
  ppid?: number;
  argv: string[];
  threads: number;
  spans: number;
  /** First thread start, µs from origin (the child shares the run's clock and origin). */
  start?: number;
}

export interface Spool {
  threads: Map<number, ThreadSpool>;
  /** Child processes, kept apart from the script's own threads. */
  children: ChildSpool[];
  sourceMaps: RecordedSourceMap[];
  /** Event lines that could not be parsed (the one a kill cut short). */
  badLines: number;
}

export function readSpool(dir: string): Spool {
  const threads = new Map<number, ThreadSpool>();
  const sourceMaps: RecordedSourceMap[] = [];
  let badLines = 0;
  const thread = (tid: number): ThreadSpool => {
    let t = threads.get(tid);
    if (!t) threads.set(tid, (t = { tid, events: [], spans: new Float64Array(0) }));
    return t;
  };
  const children: ChildSpool[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(CHILD_SPOOL_PREFIX) && /^\d+$/.test(name.slice(CHILD_SPOOL_PREFIX.length))) {
      children.push(readChild(join(dir, name), Number(name.slice(CHILD_SPOOL_PREFIX.length))));
      continue;
    }
    const m = /^(spans|waits|events|profile)-(\d+)\.(bin|ndjson|json)$/.exec(name);
    const path = join(dir, name);
    if (m) {
      const t = thread(Number(m[2]));
      if (m[1] === 'spans') {
        const buf = readFileSync(path);
        const records = Math.floor(buf.length / (8 * SPAN_RECORD_FIELDS));
        // Copy into an aligned buffer: Buffer slices from the pool may start at any byte.
        const aligned = new Uint8Array(records * 8 * SPAN_RECORD_FIELDS);
        aligned.set(buf.subarray(0, aligned.length));
        t.spans = new Float64Array(aligned.buffer);
      } else if (m[1] === 'waits') {
        const buf = readFileSync(path);
        const aligned = new Uint8Array(Math.floor(buf.length / 16) * 16);
        aligned.set(buf.subarray(0, aligned.length));
        t.waits = new Float64Array(aligned.buffer);
      } else if (m[1] === 'events') {
        for (const line of readFileSync(path, 'utf8').split('\n')) {
          if (!line) continue;
          try {
            t.events.push(JSON.parse(line) as SpoolEvent);
          } catch {
            badLines++;
          }
        }
      } else {
        try {
          t.profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
        } catch {
          badLines++;
        }
      }
    } else if (/^sourcemap-.*\.json$/.test(name)) {
      try {
        sourceMaps.push(JSON.parse(readFileSync(path, 'utf8')) as RecordedSourceMap);
      } catch {
        badLines++;
      }
    }
  }
  return { threads, children, sourceMaps, badLines };
}

function readChild(dir: string, pid: number): ChildSpool {
  let info: { ppid?: number; argv?: string[] } = {};
  try {
    info = JSON.parse(readFileSync(join(dir, CHILD_SPOOL_INFO), 'utf8')) as typeof info;
  } catch { /* died before its preload wrote it */ }
  const own = readSpool(dir);
  let spans = 0;
  let start: number | undefined;
  for (const t of own.threads.values()) {
    spans += Math.floor(t.spans.length / SPAN_RECORD_FIELDS);
    for (const e of t.events) if (e.e === 'start' && (start === undefined || e.t < start)) start = e.t;
  }
  const threads = [...own.threads.values()].filter((t) => t.events.some((e) => e.e === 'start')).length;
  return { pid, ppid: typeof info.ppid === 'number' ? info.ppid : undefined, argv: Array.isArray(info.argv) ? info.argv.map(String) : [], threads, spans, start };
}
