// A million task spans through the runner's whole path: a spool written in the recorder's format
// (spans-<tid>.bin: SPAN_FIELDS float64 per span; events-<tid>.ndjson), readSpool, buildReport,
// the streamed writer, and the capped reader. The planted spans say where each must end up.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SPAN_FIELDS, SPAN_RECORD_FIELDS } from '../../src/runtime/contract';
import type { SpoolEvent } from '../../src/runtime/recorder-events';
import { buildReport, type RunFacts } from '../../src/runner/report-build';
import { readReportFile } from '../../src/runner/read-report';
import { readSpool } from '../../src/runner/spool';
import { writeReportStreamed } from '../../src/runner/write-report';

const SPANS = 1_000_000;
const WORKERS = [2, 3];

const field = (name: typeof SPAN_FIELDS[number]): number => SPAN_FIELDS.indexOf(name);

/**
 * Task i starts at i µs and ends at i + 0.5 µs on worker WORKERS[i % 2]. Each worker writes its
 * spans in order except that every 1000th pair is swapped (a nested task ends after the one it
 * spawned), so the runner must sort within a thread and merge across threads.
 */
function writeSyntheticSpool(dir: string, spans: number): void {
  const events = (tid: number, list: SpoolEvent[]): void =>
    writeFileSync(join(dir, `events-${tid}.ndjson`), list.map((e) => JSON.stringify(e)).join('\n') + '\n');
  events(1, [
    { e: 'start', t: 0, tid: 1, main: true, pid: 1, nodeVersion: process.version, execPath: process.execPath, sampleUs: 0 },
    { e: 'region', key: 7, info: { name: 'forEach noop', kind: 'forEach', pool: 0, fn: 'noop', schedule: 'dynamic', threads: 2, items: spans, chunkSize: 1, start: 0 } },
    ...WORKERS.map((tid, k): SpoolEvent => ({ e: 'joined', tid, pool: 0, name: `pool ${k + 1}` })),
    { e: 'regionEnd', key: 7, outcome: 'ok', end: spans + 1 },
    { e: 'end', t: spans + 2, code: 0 },
  ]);
  WORKERS.forEach((tid, w) => {
    events(tid, [{ e: 'start', t: 0, tid, main: false, pid: 1, sampleUs: 0 }, { e: 'end', t: spans + 2, code: 0 }]);
    const own = Math.ceil((spans - w) / WORKERS.length);
    const rec = new Float64Array(own * SPAN_RECORD_FIELDS);
    for (let j = 0; j < own; j++) {
      const swapped = j % 1000 === 1 ? j - 1 : j % 1000 === 0 && j + 1 < own ? j + 1 : j;
      const i = swapped * WORKERS.length + w;
      const r = rec.subarray(j * SPAN_RECORD_FIELDS, (j + 1) * SPAN_RECORD_FIELDS);
      r[field('region')] = 7; r[field('index')] = i; r[field('first')] = i; r[field('items')] = 1;
      r[field('enqueue')] = 0; r[field('start')] = i; r[field('end')] = i + 0.5;
      r[field('stolenFrom')] = -1; r[field('parent')] = -1; r[field('failed')] = 0;
    }
    writeFileSync(join(dir, `spans-${tid}.bin`), rec);
  });
}

function syntheticFacts(spans: number): RunFacts {
  return {
    script: 'scale.js', args: [], cwd: '/', startedAt: 0, originUs: 0, endUs: spans + 3, exit: { code: 0, signal: null },
    cancelled: false, pool: { threads: 2, schedule: 'dynamic' }, sampleIntervalUs: 0, cores: 2, recorder: 'test',
    nodeFallback: { version: process.version, path: process.execPath },
  };
}

test('a million spans: spool → report → streamed JSON file and packed file → read back, every span where the plant says', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-scale-'));
  try {
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    writeSyntheticSpool(spool, SPANS);
    const report = buildReport(readSpool(spool), syntheticFacts(SPANS));
    assert.equal(report.spans.count, SPANS);
    // JSON (streamed), then the packed form the runner writes above PACK_SPANS_ABOVE spans.
    for (const packAbove of [SPANS, 0]) {
      const out = join(dir, `scale-${packAbove}.parprof`);
      assert.deepEqual(writeReportStreamed(out, report, packAbove), { file: out });
      const bytes = readFileSync(out);
      assert.equal(bytes[0] === 0x1f && bytes[1] === 0x8b, packAbove === 0, 'the packed form is gzip, the JSON one plain');
      const back = readReportFile(out);
      assert.equal(back.spans.count, SPANS);
      assert.equal(back.dropped.spans, 0);
      assert.deepEqual(back.threads.map((t) => t.name), ['main', 'pool 1', 'pool 2']);
      assert.deepEqual(back.regions.map((r) => [r.name, r.items, r.outcome]), [['forEach noop', SPANS, 'ok']]);
      const s = back.spans;
      let wrong = '';
      for (let k = 0; k < SPANS && !wrong; k++) {
        const expected = { thread: WORKERS[k % 2], region: 0, index: k, first: k, items: 1, enqueue: 0, start: k, end: k + 0.5, stolenFrom: -1, parent: -1, failed: 0, flags: 0 };
        for (const [name, value] of Object.entries(expected)) {
          const got = (s as unknown as Record<string, ArrayLike<number>>)[name][k];
          if (got !== value) wrong = `${packAbove ? 'JSON' : 'packed'}: spans.${name}[${k}] = ${got}, expected ${value}`;
        }
      }
      assert.equal(wrong, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('equal starts keep the old order: by start, then thread id, then the order the thread wrote them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-order-'));
  try {
    writeSyntheticSpool(dir, 0);
    // [thread, index, start]: thread 3 writes first in file order, thread 2 has an earlier span written last.
    const planted: [number, number, number][] = [[3, 0, 5], [3, 1, 5], [2, 2, 5], [2, 3, 1], [3, 4, 2]];
    for (const tid of WORKERS) {
      const own = planted.filter(([t]) => t === tid);
      const rec = new Float64Array(own.length * SPAN_RECORD_FIELDS);
      own.forEach(([, index, start], j) => {
        const r = rec.subarray(j * SPAN_RECORD_FIELDS, (j + 1) * SPAN_RECORD_FIELDS);
        r[field('region')] = 7; r[field('index')] = index; r[field('items')] = 1; r[field('start')] = start; r[field('end')] = start + 1;
        r[field('stolenFrom')] = -1; r[field('parent')] = -1;
      });
      writeFileSync(join(dir, `spans-${tid}.bin`), rec);
    }
    const { spans } = buildReport(readSpool(dir), syntheticFacts(10));
    assert.deepEqual(Array.from(spans.index), [3, 4, 2, 0, 1]);
    assert.deepEqual(Array.from(spans.thread), [2, 3, 2, 3, 3]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
