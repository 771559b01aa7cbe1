// Packed reports (src/model/packed-report.ts): binary columns must read back as exactly the same
// numbers, whatever the values (ns-rounded µs, integers, raw doubles, large, negative, -0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { validateReport } from '../../src/model/load';
import { analyze } from '../../src/model/analysis';
import { topFunctions } from '../../src/model/flame';
import { compactTimes } from '../../src/model/html-report';
import { isPackedReport, packReport, typedColumns, unpackReport, withPlainColumns } from '../../src/model/packed-report';

const report = compactTimes(syntheticReport({ threads: 3, spans: 5_000, profiles: 2, samplesPerProfile: 3_000, seed: 5 }));

test('a packed report unpacks to typed columns with the same values, and validates', () => {
  const packed = packReport(report);
  assert.ok(isPackedReport(packed));
  assert.ok(packed.length < JSON.stringify(report).length, 'narrow integers: smaller than the JSON');
  const back = unpackReport(packed);
  assert.ok(back.spans.start instanceof Float64Array);
  assert.ok(back.spans.thread instanceof Int32Array);
  assert.ok(back.profiles[0].profile.samples instanceof Int32Array);
  assert.deepEqual(withPlainColumns(back), report);
  assert.equal(JSON.stringify(withPlainColumns(back)), JSON.stringify(report), 'same keys in the same order');
  validateReport(back);
});

test('awkward values survive packing exactly', () => {
  const r = structuredClone(report);
  const s = r.spans;
  s.start[0] = 0.1 + 0.2; // not a whole ns: the column falls back to raw doubles
  s.end[1] = 2 ** 40 + 0.5; // far beyond 32 bits
  s.enqueue[2] = -0;
  s.first[3] = 2 ** 33; // a large integer
  s.parent[4] = -123456;
  r.profiles[0].profile.timeDeltas[5] = 1e-3;
  const back = withPlainColumns(unpackReport(packReport(r)));
  assert.deepEqual(back.spans, { ...s, enqueue: s.enqueue.map((v) => v || 0) });
  assert.deepEqual(back.profiles, r.profiles);
  const empty = { ...r, spans: { ...r.spans, count: 0, thread: [], region: [], index: [], first: [], items: [], enqueue: [], start: [], end: [], stolenFrom: [], parent: [], failed: [] } };
  assert.deepEqual(withPlainColumns(unpackReport(packReport(empty))), empty);
});

test('what is not a column of numbers stays in the JSON, and validation names it', () => {
  const bad = structuredClone(report) as unknown as { spans: Record<string, unknown> };
  bad.spans.failed = 'no';
  const back = unpackReport(packReport(bad as never));
  assert.equal((back.spans as unknown as Record<string, unknown>).failed, 'no');
  assert.throws(() => validateReport(back), /spans\.failed: expected an array, found string/);
  assert.throws(() => unpackReport(new Uint8Array(16)), /not a packed Parallel Profiler report/);
});

test('typed columns give the same metrics and flame data as plain arrays', () => {
  const typed = typedColumns(report);
  assert.ok(typed.spans.end instanceof Float64Array && typed.spans.region instanceof Int8Array, 'few regions: one byte each');
  assert.ok(typed.spans.index instanceof Int16Array || typed.spans.index instanceof Int32Array);
  assert.deepEqual(Array.from(typed.spans.region), Array.from(report.spans.region));
  validateReport(typed);
  assert.deepEqual(analyze(typed), analyze(report));
  assert.deepEqual(topFunctions(typed, {}), topFunctions(report, {}));
  const wrongLength = { ...typed, spans: { ...typed.spans, end: new Float64Array(3) } };
  assert.throws(() => validateReport(wrongLength), /spans\.end: expected 5000 numbers, found 3/);
  const notFinite = { ...typed, spans: { ...typed.spans, start: Float64Array.from(typed.spans.start, (v, i) => (i === 7 ? NaN : v)) } };
  assert.throws(() => validateReport(notFinite), /spans\.start\[7\]: expected a number/);
});

test('format 2 span flags survive packing, typed columns and --json --spans; derived spans are not counted as tasks', async () => {
  const { SPAN_DERIVED, SPAN_CONCURRENT } = await import('../../src/model/report');
  const { taskCount } = await import('../../src/model/run-views');
  const { spanRows } = await import('../../src/model/span-rows');
  const report = syntheticReport({ threads: 2, spans: 40, profiles: 0, samplesPerProfile: 0, seed: 3 });
  report.spans.flags = Array.from({ length: report.spans.count }, (_, i) => (i % 4 === 0 ? SPAN_DERIVED : i % 4 === 1 ? SPAN_CONCURRENT : 0));
  const unpacked = unpackReport(packReport(report));
  assert.deepEqual(Array.from(unpacked.spans.flags!), report.spans.flags);
  assert.deepEqual(Array.from(typedColumns(report).spans.flags!), report.spans.flags);
  assert.equal(taskCount(report), 30);
  assert.equal(spanRows(report)[0].flags, SPAN_DERIVED);
});
