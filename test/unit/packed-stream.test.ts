// A gzip-compressed packed report inflated as a stream (load.ts decodeReportStreamed, the report
// reader's validation of a large report's view): the report decodeReport makes of the whole file,
// column for column, while no more than one column's bytes are held at once (the inflated blob is
// never whole); and every refusal in decodeReport's own words: a file that decompresses past the
// cap, corrupt or cut gzip, a trailer that lies, a broken blob. Several gzip members and
// gzip-compressed JSON read as decodeReport reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { syntheticReport } from '../../src/model/synthetic';
import { compactTimes } from '../../src/model/html-report';
import { packReport, PackedUnpacker } from '../../src/model/packed-report';
import { PackedStreamUnpacker } from '../../src/model/packed-stream';
import { decodeReport, decodeReportStreamed, serializeReport, validateReport } from '../../src/model/load';
import { gunzipCapped } from '../../src/runner/read-report';

const report = compactTimes(syntheticReport({ threads: 4, spans: 60_000, profiles: 2, samplesPerProfile: 2_000, seed: 5 }));
const blob = packReport(report);
const gz = gzipSync(blob);

/** What decodeReport says of `bytes` (the error message), or the report it validates to. */
function whole(bytes: Uint8Array, maxBytes?: number): { report?: unknown; error?: string } {
  try {
    const d = decodeReport(bytes, { gunzip: gunzipCapped, maxBytes });
    return { report: validateReport('value' in d ? d.value : JSON.parse(d.text)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

async function streamed(bytes: Uint8Array, maxBytes?: number): Promise<{ report?: unknown; error?: string }> {
  try {
    const d = await decodeReportStreamed(bytes, { maxBytes });
    return { report: validateReport('value' in d ? d.value : JSON.parse(d.text)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

test('inflated as a stream: the same report as decodeReport of the whole file, column for column', async () => {
  const a = whole(gz), b = await streamed(gz);
  assert.equal(a.error, undefined);
  assert.equal(b.error, undefined);
  assert.equal(serializeReport(b.report as never), serializeReport(a.report as never));
  // Several gzip members (a writer that flushed in parts): the same.
  const members = Buffer.concat([gzipSync(blob.subarray(0, 100_000)), gzipSync(blob.subarray(100_000))]);
  const c = await streamed(members);
  assert.equal(serializeReport(c.report as never), serializeReport(a.report as never));
  // Gzip-compressed JSON (not packed): read as decodeReport reads it.
  const json = gzipSync(Buffer.from(serializeReport(report)));
  assert.equal(serializeReport((await streamed(json)).report as never), serializeReport(whole(json).report as never));
});

test('pushed as it inflates, no more than the largest column\'s bytes are held at once (the blob never whole)', () => {
  const sink = new PackedStreamUnpacker();
  for (let at = 0; at < blob.length; at += 65536) sink.push(blob.subarray(at, at + 65536));
  sink.end();
  const ranges = new PackedUnpacker(blob).columnRanges()!;
  // A column's bytes, or the header with the part that completed it.
  const most = Math.max(...ranges.map(([from, to]) => to - from), PackedUnpacker.headerBytes(blob)! + 65536);
  assert.ok(sink.largestHeld <= most, `held ${sink.largestHeld} bytes at once, at most ${most} expected`);
  assert.ok(blob.length > 4 * most, 'the blob is several columns');
  // Keeping the bytes holds the blob (the webview worker's metrics): the measure tells the two apart.
  const kept = new PackedStreamUnpacker({ keepBytes: true });
  for (let at = 0; at < blob.length; at += 65536) kept.push(blob.subarray(at, at + 65536));
  kept.end();
  assert.ok(kept.largestHeld >= blob.length - 8);
});

test('every refusal in decodeReport\'s words: past the cap, corrupt, cut short, a lying trailer, a broken blob', async () => {
  const corrupt = Buffer.from(gz);
  corrupt[Math.floor(corrupt.length / 2)] ^= 0xff;
  const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
  const lying = Buffer.from(gz);
  lying.writeUInt32LE((blob.length + 12345) >>> 0, lying.length - 4);
  const brokenBlob = Buffer.from(blob);
  // The header's length overruns the blob.
  brokenBlob.writeUInt32LE(blob.length * 2, 4);
  const cases: [string, Uint8Array, number | undefined][] = [
    ['past the cap', gz, Math.floor(blob.length / 3)],
    ['corrupt', corrupt, undefined],
    ['cut short', cut, undefined],
    ['a lying trailer', lying, undefined],
    ['a broken blob', gzipSync(brokenBlob), undefined],
    ['a blob cut short', gzipSync(blob.subarray(0, blob.length - 1000)), undefined],
  ];
  for (const [name, bytes, max] of cases) {
    const a = whole(bytes, max), b = await streamed(bytes, max);
    assert.ok(a.error, `${name}: decodeReport refuses it`);
    assert.ok(b.error, `${name}: refused streamed too`);
    // zlib's own words may differ between its one-shot and streamed APIs; the sentence around them does not.
    const lead = (m: string) => m.replace(/: [^:]*$/, '');
    if (name === 'corrupt' || name === 'cut short' || name === 'a lying trailer') assert.equal(lead(b.error!), lead(a.error!), name);
    else assert.equal(b.error, a.error, name);
  }
});
