// The streamed report writer (src/runner/write-report.ts) writes exactly what JSON.stringify would,
// whatever the report holds, and slices long columns without changing a byte.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseAnyReport } from '../../src/model/import';
import { ReportError, decodeReport } from '../../src/model/load';
import { packReport } from '../../src/model/packed-report';
import { readReportFile, gunzipCapped } from '../../src/runner/read-report';
import type { Report } from '../../src/model/report';
import { reportJsonChunks, writeReportStreamed } from '../../src/runner/write-report';
import { buildReport } from './model-build';

function small(): Report {
  return buildReport({
    workers: 2,
    regions: [{ start: 0, end: 1000, name: 'quote " and \\ and \u2028 and é' }],
    spans: [{ thread: 1, start: 0, end: 400.25 }, { thread: 2, start: 10, end: 1000 }],
  });
}

/** A report with `n` spans whose times are fractions (long numbers) and one NaN (JSON null). */
function large(n: number): Report {
  const r = small();
  const s = r.spans;
  s.count = n;
  for (const name of ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed'] as const) {
    s[name] = Array.from({ length: n }, (_, k) => (name === 'start' ? k / 3 : name === 'end' ? k / 3 + 1e-7 : name === 'thread' ? 1 + (k % 2) : k % 5 - 1));
  }
  s.flags = new Array<number>(n).fill(0);
  s.start[n - 1] = NaN;
  return r;
}

test('the streamed JSON is JSON.stringify byte for byte: a small report, a report of 150,000 spans, an empty one', () => {
  const empty = small();
  empty.spans = { count: 0, thread: [], region: [], index: [], first: [], items: [], enqueue: [], start: [], end: [], stolenFrom: [], parent: [], failed: [] };
  const withUndefined = { ...small(), startup: undefined } as unknown as Report;
  for (const report of [small(), large(150_000), empty, withUndefined]) {
    assert.equal([...reportJsonChunks(report)].join(''), JSON.stringify(report));
  }
});

test('typed span columns are written as JSON arrays', () => {
  const plain = large(70_000);
  const typed = { ...plain, spans: { ...plain.spans, thread: Int32Array.from(plain.spans.thread), end: Float64Array.from(plain.spans.end) } } as unknown as Report;
  assert.equal([...reportJsonChunks(typed)].join(''), JSON.stringify(plain));
});

test('written to a file, plain and .gz, the bytes are the JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-write-'));
  try {
    const report = large(100_000);
    const plain = join(dir, 'r.parprof');
    const gz = join(dir, 'r.parprof.gz');
    assert.deepEqual(writeReportStreamed(plain, report), { file: plain });
    assert.deepEqual(writeReportStreamed(gz, report), { file: gz });
    assert.equal(readFileSync(plain, 'utf8'), JSON.stringify(report));
    assert.equal(gunzipSync(readFileSync(gz)).toString('utf8'), JSON.stringify(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a packed file is read by every reader (parseReport, parseAnyReport, decodeReport); a broken one is one ReportError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-packed-'));
  try {
    const report = large(5_000);
    // Valid for a reader: large() plants a NaN and numbers the writer need not understand.
    const s = report.spans;
    s.start[4_999] = 4_999 / 3;
    s.region = s.region.map(() => 0); s.index = s.index.map((_, k) => k); s.first = s.index.slice(); s.items = s.items.map(() => 1);
    s.enqueue = s.start.slice(); s.stolenFrom = s.stolenFrom.map(() => -1); s.parent = s.parent.map(() => -1); s.failed = s.failed.map(() => 0);
    const file = join(dir, 'r.parprof');
    const jsonFile = join(dir, 'r.json.parprof');
    writeReportStreamed(file, report, 0);
    writeReportStreamed(jsonFile, report);
    const bytes = readFileSync(file);
    assert.equal(bytes[0], 0x1f, 'packed reports are gzip');
    const plain = (r: Report): string => JSON.stringify(r, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v));
    const fromJson = plain(readReportFile(jsonFile));
    assert.equal(plain(readReportFile(file)), fromJson);
    assert.equal(plain(parseAnyReport(bytes, { gunzip: gunzipCapped })), fromJson);
    const decoded = decodeReport(bytes, { gunzip: gunzipCapped });
    assert.ok('value' in decoded);
    const blob = packReport(report);
    blob.fill(0xff, blob.length - 64);
    const broken = gzipSync(Buffer.from(blob.subarray(0, blob.length - 1000)));
    assert.throws(() => parseAnyReport(broken, { gunzip: gunzipCapped }), (e: unknown) => e instanceof ReportError && /^packed report: spans\.flags: column at \d+ \(5000 × i8\) lies outside the \d+-byte blob$/.test((e as Error).message) && !(e as Error).message.includes('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gunzipCapped inflates into one buffer of the size the trailer states, and stays what gunzip is: the same bytes, several members, the cap, a trailer that lies', () => {
  const data = Buffer.alloc(3_000_000, 7);
  const gz = gzipSync(data);
  const out = gunzipCapped(gz, 512 * 2 ** 20);
  assert.equal(Buffer.compare(Buffer.from(out), data), 0);
  // One buffer of the stated size (+1 byte zlib asks for), not 64 KiB chunks joined into a copy.
  assert.ok(out.buffer.byteLength <= data.length + 1, String(out.buffer.byteLength));
  const members = gunzipCapped(Buffer.concat([gzipSync(Buffer.alloc(100_000, 1)), gzipSync(Buffer.alloc(10, 2))]), 512 * 2 ** 20);
  assert.deepEqual([members.length, members[0], members[100_005]], [100_010, 1, 2]);
  assert.throws(() => gunzipCapped(gz, 1_000_000), RangeError);
  const lying = Buffer.from(gz);
  lying.writeUInt32LE(400 * 2 ** 20, lying.length - 4);
  assert.throws(() => gunzipCapped(lying, 512 * 2 ** 20), /incorrect length check/);
});
