// Span columns left encoded by unpackReport's `lazy` (src/model/packed-report.ts): after a
// structured clone (the worker's postMessage) and decodeOnRead, every column reads back as exactly
// the values the eager unpacking gives, including a column stored relative to the span starts
// (enqueue, mode 'base'); the shape check accepts them; a column cut short is one clear error when read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { compactTimes } from '../../src/model/html-report';
import { checkValidatedShape } from '../../src/model/load';
import { analyze } from '../../src/model/analysis';
import { decodeOnRead, isEncodedColumn, LAZY_SPAN_COLUMNS, packReport, unpackReport, type EncodedColumn } from '../../src/model/packed-report';
import { ReportError } from '../../src/model/report-error';

// Times rounded to the ns, as a recording writes them (compactTimes): the packer stores them as integers.
const report = compactTimes(syntheticReport({ threads: 4, spans: 60_000, profiles: 2, samplesPerProfile: 2_000, seed: 21 }));
// Submit times a little before each start: stored relative to the starts (mode 'base').
report.spans.enqueue = Array.from(report.spans.start, (s, k) => Math.round((s - (k % 7) * 1.5) * 1000) / 1000);

test('lazy span columns, cloned and decoded on read, equal the eager ones; the metrics are the same', () => {
  const packed = packReport(report);
  const eager = unpackReport(packed);
  const lazy = structuredClone(unpackReport(packed, undefined, LAZY_SPAN_COLUMNS));
  const spans = lazy.spans as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(spans).filter((k) => isEncodedColumn(spans[k])).sort(), [...LAZY_SPAN_COLUMNS].sort());
  assert.equal((spans.enqueue as EncodedColumn).$encoded.mode, 'base', 'the planted submit times are stored relative to the starts');
  assert.ok(!isEncodedColumn(spans.start) && !isEncodedColumn(spans.thread), 'the columns the first screen reads are decoded');
  checkValidatedShape(lazy);
  decodeOnRead(spans);
  for (const key of Object.keys(eager.spans) as (keyof typeof eager.spans)[]) {
    const a = eager.spans[key], b = lazy.spans[key];
    if (typeof a === 'number') { assert.equal(b, a, key); continue; }
    assert.equal((b as ArrayLike<number>).constructor, (a as ArrayLike<number>).constructor, key);
    assert.deepEqual(Array.from(b as ArrayLike<number>), Array.from(a as ArrayLike<number>), key);
  }
  assert.deepEqual(Array.from(lazy.spans.enqueue), report.spans.enqueue);
  assert.deepEqual(analyze(lazy), analyze(eager));
});

test('a lazy column whose bytes are cut short is a ReportError naming it, when it is read', () => {
  const lazy = unpackReport(packReport(report), undefined, LAZY_SPAN_COLUMNS);
  const spans = lazy.spans as unknown as Record<string, unknown>;
  const first = spans.first as EncodedColumn;
  spans.first = { ...first, bytes: first.bytes.subarray(0, 100) };
  decodeOnRead(spans);
  assert.throws(() => lazy.spans.first[0], (e: unknown) => e instanceof ReportError && /spans\.first: column at 0 .* lies outside the 100-byte blob/.test(e.message));
});
