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
  assert.ok(back.spans.thread instanceof Int8Array, 'a few thread ids: one byte each');
  assert.ok(back.spans.index instanceof Int16Array, 'indices below 32768: two bytes each');
  assert.ok(back.profiles[0].profile.samples instanceof Int8Array || back.profiles[0].profile.samples instanceof Int16Array);
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

test('typed columns are views into one ArrayBuffer (one buffer to post), each aligned, values exact, typed inputs keep their type', () => {
  const r = structuredClone(report);
  r.waits = { count: 3, thread: [1, 2, 1], start: [1.5, 2.25, 3], end: [2, 3.5, 4] };
  r.spans.parent[2] = -123456;
  // Columns already typed (as the report reader's arrive), one of them an Int32Array that narrows.
  const mixed = { ...r, spans: { ...r.spans, thread: Int32Array.from(r.spans.thread), start: Float64Array.from(r.spans.start), items: Uint16Array.from(r.spans.items) } };
  const typed = typedColumns(mixed as unknown as typeof r);
  const views: ArrayBufferView[] = [
    ...['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed'].map((k) => (typed.spans as unknown as Record<string, ArrayBufferView>)[k]),
    ...Object.values(typed.waits!).filter((v) => ArrayBuffer.isView(v)),
    ...typed.profiles.flatMap((tp) => [tp.profile.samples, tp.profile.timeDeltas] as unknown as ArrayBufferView[]),
  ];
  assert.equal(views.length, 11 + 3 + 2 * r.profiles.length);
  assert.ok(views.every((v) => ArrayBuffer.isView(v)), 'every column typed');
  assert.equal(new Set(views.map((v) => v.buffer)).size, 1, 'one ArrayBuffer under every column');
  assert.ok(views.every((v) => v.byteOffset % (v as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT === 0), 'each view aligned');
  const ranges = views.map((v) => [v.byteOffset, v.byteOffset + v.byteLength]).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i][0] >= ranges[i - 1][1], 'no two columns overlap');
  assert.ok(typed.spans.thread instanceof Int8Array, 'an Int32Array of small values narrows');
  assert.ok(typed.spans.items instanceof Uint16Array, 'a typed column keeps its type');
  assert.ok(typed.spans.parent instanceof Int32Array && typed.spans.end instanceof Float64Array);
  assert.ok(typed.waits!.start instanceof Float64Array && typed.waits!.thread instanceof Int8Array);
  assert.deepEqual(withPlainColumns(typed), r, 'every value exact');
  assert.equal(mixed.spans.start instanceof Float64Array && mixed.spans.thread instanceof Int32Array, true, 'the input is left as it was');
  validateReport(typed);
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

/** The blob with its header changed by `edit` (the columns' bytes kept where the header says they are). */
function withHeader(blob: Uint8Array, edit: (h: { report: Record<string, any>; columns: Record<string, unknown>[] }) => void): Uint8Array {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const length = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(blob.subarray(8, 8 + length)));
  const data = blob.subarray(Math.ceil((8 + length) / 8) * 8);
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + text.length) / 8) * 8;
  const out = new Uint8Array(start + data.length).fill(0x20);
  out.set(blob.subarray(0, 8));
  new DataView(out.buffer).setUint32(4, text.length, true);
  out.set(text, 8);
  out.set(data, start);
  return out;
}

test('a corrupt packed blob is one ReportError naming the field, never a plain Error', async () => {
  const { ReportError } = await import('../../src/model/load');
  const blob = packReport(report);
  const col = (h: { report: Record<string, any> }, path: string): number => path.split('.').reduce((o, k) => o[k], h.report).$column;
  assert.doesNotThrow(() => unpackReport(withHeader(blob, () => undefined)), 'the header rewrite alone keeps the blob valid');
  const cases: [string, Uint8Array, RegExp][] = [
    ['unknown storage', withHeader(blob, (h) => { h.columns[col(h, 'spans.thread')].storage = 'constructor'; }), /^packed report: spans\.thread: unknown storage "constructor"$/],
    ['negative length', withHeader(blob, (h) => { h.columns[col(h, 'spans.end')].length = -1; }), /^packed report: spans\.end: length must be an integer ≥ 0, found -1$/],
    ['offset past the end', withHeader(blob, (h) => { h.columns[col(h, 'spans.start')].offset = 8 * 2 ** 30; }), /^packed report: spans\.start: column at 8589934592 .* lies outside the \d+-byte blob$/],
    ['misaligned offset', withHeader(blob, (h) => { h.columns[col(h, 'spans.items')].offset = 3; }), /^packed report: spans\.items: offset must be a multiple of 8, found 3$/],
    ['unknown mode', withHeader(blob, (h) => { h.columns[col(h, 'spans.region')].mode = 'zigzag'; }), /^packed report: spans\.region: unknown mode "zigzag"$/],
    ['bad scale', withHeader(blob, (h) => { h.columns[col(h, 'spans.enqueue')].scale = 'x'; }), /^packed report: spans\.enqueue: scale must be a number ≥ 0, found "x"$/],
    ['base that comes later', withHeader(blob, (h) => { const k = col(h, 'spans.start'); Object.assign(h.columns[k], { mode: 'base', base: h.columns.length - 1 }); }), /^packed report: spans\.start: its base column \d+ is missing, comes after it or has another length$/],
    ['reference to no column', withHeader(blob, (h) => { h.report.spans.end = { $column: 999 }; }), /^packed report: spans\.end: refers to column 999, the blob has \d+$/],
    ['sample column', withHeader(blob, (h) => { h.columns[col(h, 'profiles.1.profile.samples')].out = 'u64'; }), /^packed report: profiles\[1\]\.profile\.samples: unknown output type "u64"$/],
    ['a column that is not an object', withHeader(blob, (h) => { h.columns[col(h, 'spans.failed')] = null as never; }), /^packed report: spans\.failed: its column description is not an object$/],
    ['no columns', withHeader(blob, (h) => { delete (h as Partial<typeof h>).columns; }), /^packed report: header\.columns: expected an array$/],
    ['header not JSON', (() => { const b = blob.slice(); b[9] = 0x7b; b[10] = 0x7b; return b; })(), /^packed report: header is not valid JSON: /],
    ['header not UTF-8', (() => { const b = blob.slice(); b[12] = 0xff; return b; })(), /^packed report: header is not UTF-8 text$/],
    ['header overruns', (() => { const b = blob.slice(0, 64); return b; })(), /^packed report: header of \d+ bytes overruns the 64-byte blob$/],
    ['not packed', new Uint8Array(16), /^not a packed Parallel Profiler report \(no PPC1 header\)$/],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(() => unpackReport(bytes), (e: Error) => {
      assert.ok(e instanceof ReportError, `${what}: ${e.name}: ${e.message}`);
      assert.match(e.message, message, what);
      return true;
    }, what);
  }
});
