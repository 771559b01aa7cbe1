// A million task spans through the runner's whole path: a spool written in the recorder's format
// (spans-<tid>.bin: SPAN_FIELDS float64 per span; events-<tid>.ndjson), readSpool, buildReport,
// the streamed writer, and the capped reader. The planted spans say where each must end up.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SPAN_FIELDS, SPAN_RECORD_FIELDS } from '../../src/runtime/contract';
import { buildReport } from '../../src/runner/report-build';
import { readReportFile } from '../../src/runner/read-report';
import { readSpool } from '../../src/runner/spool';
import { writeReportStreamed } from '../../src/runner/write-report';
import { packReport } from '../../src/model/packed-report';
import { SCALE_WORKERS, plantedSpan, syntheticFacts, writeSyntheticSpool } from './scale-helpers';

const SPANS = 1_000_000;
const WORKERS = SCALE_WORKERS;

const field = (name: typeof SPAN_FIELDS[number]): number => SPAN_FIELDS.indexOf(name);

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
      // Packed, the writer also hands back the metrics it computed for the header's answers.
      const written = writeReportStreamed(out, report, packAbove);
      assert.equal(written.file, out);
      assert.equal(written.unwritten, undefined);
      assert.equal(written.metrics !== undefined, packAbove === 0);
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
        const expected = plantedSpan(k);
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

test('the spool is read in bounded batches, into typed columns of the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-batches-'));
  try {
    writeSyntheticSpool(dir, 200_000);
    const spool = readSpool(dir);
    const t = spool.threads.get(WORKERS[0])!;
    assert.equal(t.spans.count, 100_000, 'counted from the file size, not read');
    const batches: number[] = [];
    t.spans.read((b) => batches.push(b.length / SPAN_RECORD_FIELDS));
    assert.equal(batches.reduce((a, b) => a + b, 0), 100_000);
    assert.ok(Math.max(...batches) <= 65_536 && batches.length >= 2, `batches of at most 4 MB: ${batches.join(', ')}`);
    const { spans } = buildReport(spool, syntheticFacts(200_000));
    assert.ok(spans.start instanceof Float64Array && spans.end instanceof Float64Array && spans.enqueue instanceof Float64Array);
    // Integers in the narrowest array that holds them: ids, flags, counts and -1s in one byte; indices up to 200,000 in four.
    for (const name of ['thread', 'region', 'stolenFrom', 'failed', 'flags', 'items', 'parent'] as const) {
      assert.ok(spans[name] instanceof Int8Array, `${name} is an Int8Array (its values fit)`);
    }
    for (const name of ['index', 'first'] as const) assert.ok(spans[name] instanceof Int32Array, `${name} is an Int32Array`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('span times are whole nanoseconds: the packed form stores them as integers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-ns-'));
  try {
    writeSyntheticSpool(dir, 0);
    // [start, end, enqueue] as performance.now() + a fractional offset gives them, and what the report keeps.
    const planted: [number, number, number][] = [[1.2345678, 2.0000004, 0.99949999], [3.0000005, 3.5000001, 1.00050001]];
    const rec = new Float64Array(planted.length * SPAN_RECORD_FIELDS);
    planted.forEach(([start, end, enqueue], j) => {
      const r = rec.subarray(j * SPAN_RECORD_FIELDS, (j + 1) * SPAN_RECORD_FIELDS);
      r[field('region')] = 7; r[field('index')] = j; r[field('items')] = 1; r[field('start')] = start; r[field('end')] = end; r[field('enqueue')] = enqueue;
      r[field('stolenFrom')] = -1; r[field('parent')] = -1;
    });
    writeFileSync(join(dir, `spans-${WORKERS[0]}.bin`), rec);
    const report = buildReport(readSpool(dir), syntheticFacts(10));
    assert.deepEqual(Array.from(report.spans.start), [1.235, 3]);
    assert.deepEqual(Array.from(report.spans.end), [2, 3.5]);
    assert.deepEqual(Array.from(report.spans.enqueue), [0.999, 1.001]);
    const blob = packReport(report);
    const header = JSON.parse(new TextDecoder().decode(blob.subarray(8, 8 + new DataView(blob.buffer, blob.byteOffset).getUint32(4, true))));
    for (const name of ['start', 'end', 'enqueue']) assert.equal(header.columns[header.report.spans[name].$column].scale, 1000, `spans.${name} stored as ns integers`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
