// Reads a spool directory written by the recorder (src/runtime/recorder*.ts). Tolerates what a
// killed process leaves behind: a truncated last span record or event line, missing files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuProfile } from '../model/report';
import { SPAN_RECORD_FIELDS } from '../runtime/contract';
import type { SpoolEvent } from '../runtime/recorder-events';

/** What one thread left in the spool. */
export interface ThreadSpool {
  tid: number;
  events: SpoolEvent[];
  /** SPAN_RECORD_FIELDS float64 per span (src/runtime/contract.ts SPAN_FIELDS). */
  spans: Float64Array;
  /** Raw V8 profile: times on V8's clock (µs, monotonic), not yet rebased. */
  profile?: CpuProfile;
}

/** A source map recorded for a transpiled file. `url` is how V8 names the generated script. */
export interface RecordedSourceMap {
  url: string;
  file: string;
  map: { version: number; sources: string[]; mappings: string; names?: string[]; sourcesContent?: (string | null)[] };
}

export interface Spool {
  threads: Map<number, ThreadSpool>;
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
  for (const name of readdirSync(dir).sort()) {
    const m = /^(spans|events|profile)-(\d+)\.(bin|ndjson|json)$/.exec(name);
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
  return { threads, sourceMaps, badLines };
}
