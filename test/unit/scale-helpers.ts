// A synthetic spool in the recorder's format (spans-<tid>.bin: SPAN_FIELDS float64 per span;
// events-<tid>.ndjson) with a planted answer, for the scale tests and the scale stages harness.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SPAN_FIELDS, SPAN_RECORD_FIELDS } from '../../src/runtime/contract';
import type { SpoolEvent } from '../../src/runtime/recorder-events';
import type { RunFacts } from '../../src/runner/report-build';

export const SCALE_WORKERS = [2, 3];

const field = (name: typeof SPAN_FIELDS[number]): number => SPAN_FIELDS.indexOf(name);

/** Records written per write call: the generator holds a few MB, not the whole spool. */
const BATCH = 65_536;

/**
 * Task i starts at i µs and ends at i + 0.5 µs on worker SCALE_WORKERS[i % 2]. Each worker writes its
 * spans in order except that every 1000th pair is swapped (a nested task ends after the one it
 * spawned), so the runner must sort within a thread and merge across threads.
 */
export function writeSyntheticSpool(dir: string, spans: number): void {
  const events = (tid: number, list: SpoolEvent[]): void =>
    writeFileSync(join(dir, `events-${tid}.ndjson`), list.map((e) => JSON.stringify(e)).join('\n') + '\n');
  events(1, [
    { e: 'start', t: 0, tid: 1, main: true, pid: 1, nodeVersion: process.version, execPath: process.execPath, sampleUs: 0 },
    { e: 'region', key: 7, info: { name: 'forEach noop', kind: 'forEach', pool: 0, fn: 'noop', schedule: 'dynamic', threads: 2, items: spans, chunkSize: 1, start: 0 } },
    ...SCALE_WORKERS.map((tid, k): SpoolEvent => ({ e: 'joined', tid, pool: 0, name: `pool ${k + 1}` })),
    { e: 'regionEnd', key: 7, outcome: 'ok', end: spans + 1 },
    { e: 'end', t: spans + 2, code: 0 },
  ]);
  SCALE_WORKERS.forEach((tid, w) => {
    events(tid, [{ e: 'start', t: 0, tid, main: false, pid: 1, sampleUs: 0 }, { e: 'end', t: spans + 2, code: 0 }]);
    const own = Math.ceil((spans - w) / SCALE_WORKERS.length);
    const fd = openSync(join(dir, `spans-${tid}.bin`), 'w');
    try {
      const rec = new Float64Array(BATCH * SPAN_RECORD_FIELDS);
      for (let from = 0; from < own; from += BATCH) {
        const to = Math.min(own, from + BATCH);
        for (let j = from; j < to; j++) {
          const swapped = j % 1000 === 1 ? j - 1 : j % 1000 === 0 && j + 1 < own ? j + 1 : j;
          const i = swapped * SCALE_WORKERS.length + w;
          const at = (j - from) * SPAN_RECORD_FIELDS;
          rec[at + field('region')] = 7; rec[at + field('index')] = i; rec[at + field('first')] = i; rec[at + field('items')] = 1;
          rec[at + field('enqueue')] = 0; rec[at + field('start')] = i; rec[at + field('end')] = i + 0.5;
          rec[at + field('stolenFrom')] = -1; rec[at + field('parent')] = -1; rec[at + field('failed')] = 0;
        }
        writeSync(fd, new Uint8Array(rec.buffer, 0, (to - from) * SPAN_RECORD_FIELDS * 8));
      }
    } finally {
      closeSync(fd);
    }
  });
}

/** What span k of the synthetic spool must be after the runner sorted it. */
export function plantedSpan(k: number): Record<string, number> {
  return { thread: SCALE_WORKERS[k % 2], region: 0, index: k, first: k, items: 1, enqueue: 0, start: k, end: k + 0.5, stolenFrom: -1, parent: -1, failed: 0, flags: 0 };
}

export function syntheticFacts(spans: number): RunFacts {
  return {
    script: 'scale.js', args: [], cwd: '/', startedAt: 0, originUs: 0, endUs: spans + 3, exit: { code: 0, signal: null },
    cancelled: false, pool: { threads: 2, schedule: 'dynamic' }, sampleIntervalUs: 0, cores: 2, recorder: 'test',
    nodeFallback: { version: process.version, path: process.execPath },
  };
}
