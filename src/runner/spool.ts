// Reads a spool directory written by the recorder (src/runtime/recorder*.ts). Tolerates what a
// killed process leaves behind: a truncated last span record or event line, missing files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuProfile } from '../model/report';
import { CHILD_SPOOL_INFO, CHILD_SPOOL_PREFIX } from '../runtime/contract';
import type { SpoolEvent } from '../runtime/recorder-events';
import { readProfileChunksFile, type ProfileChunks } from './profile-chunks';
import { NO_SPAN_RECORDS, spanRecordsInFile, type SpanRecords } from './span-records';

/** What one thread left in the spool. */
export interface ThreadSpool {
  tid: number;
  events: SpoolEvent[];
  /** Its span records (src/runtime/contract.ts SPAN_FIELDS), read in batches when the report is built. */
  spans: SpanRecords;
  /** The user's blocking Atomics.wait calls: start, end pairs (µs from origin), in call order. */
  waits?: Float64Array;
  /** Raw V8 profile: times on V8's clock (µs, monotonic), not yet rebased. */
  profile?: CpuProfile;
  /** Where `profile` was stitched from chunks (profile-<tid>.ndjson): whether it ends with the thread, and its gaps. */
  profileChunks?: ProfileChunks;
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
  /** Its parent's pid, command line and how it was started, as its preload wrote them; absent if it died first. */
  ppid?: number;
  argv: string[];
  startedBy?: 'fork' | 'spawn' | 'cluster';
  clusterId?: number;
  /** What its threads wrote, read like the script's own (its own children are listed in the root's `children`). */
  spool: Spool;
}

export interface Spool {
  threads: Map<number, ThreadSpool>;
  /** Child processes (and theirs: every process records into a folder of the root spool), apart from the script's own threads. */
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
    if (!t) threads.set(tid, (t = { tid, events: [], spans: NO_SPAN_RECORDS }));
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
        t.spans = spanRecordsInFile(path);
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
      } else if (m[1] === 'profile' && m[3] === 'ndjson') {
        const chunks = readProfileChunksFile(path);
        badLines += chunks.badLines;
        t.profileChunks = chunks;
        if (chunks.profile) t.profile = chunks.profile;
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
  let info: { ppid?: unknown; argv?: unknown; startedBy?: unknown; clusterId?: unknown } = {};
  try {
    info = JSON.parse(readFileSync(join(dir, CHILD_SPOOL_INFO), 'utf8')) as typeof info;
  } catch { /* died before its preload wrote it */ }
  const startedBy = info.startedBy === 'fork' || info.startedBy === 'spawn' || info.startedBy === 'cluster' ? info.startedBy : undefined;
  return {
    pid, ppid: typeof info.ppid === 'number' ? info.ppid : undefined, argv: Array.isArray(info.argv) ? info.argv.map(String) : [],
    ...(startedBy ? { startedBy } : {}), ...(typeof info.clusterId === 'number' ? { clusterId: info.clusterId } : {}),
    spool: readSpool(dir),
  };
}
