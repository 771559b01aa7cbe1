// A packed report unpacked as its inflated bytes arrive (webview/streamed-unpack.ts, the decoder's
// worker for a fetched file): whatever the parts' sizes, the report is the one unpackReport makes of
// the whole blob, column for column, and the lane indexes built as soon as the span columns are in
// are exactly buildLaneIndexes' of that report (also for a lane out of start order and one whose
// spans nest); a blob cut short says what unpackReport says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { compactTimes } from '../../src/model/html-report';
import { decodeOnRead, LAZY_SPAN_COLUMNS, packReport, unpackReport } from '../../src/model/packed-report';
import type { Report } from '../../src/model/report';
import { UnpackingSink } from '../../webview/streamed-unpack';
import { buildLaneIndexes, laneThreads } from '../../webview/layout-timeline';

const base = compactTimes(syntheticReport({ threads: 4, spans: 40_000, profiles: 2, samplesPerProfile: 2_000, seed: 33 }));

/** The report with its spans in reverse order (every lane out of start order) and, on one thread, spans nested in their predecessor. */
function reordered(r: Report): Report {
  const s = r.spans as unknown as Record<string, number[] | number>;
  const n = r.spans.count;
  const out: Record<string, number[] | number> = { count: n };
  for (const [key, col] of Object.entries(s)) {
    if (typeof col === 'number') continue;
    const rev = Array.from(col).reverse();
    out[key] = key === 'parent' ? rev.map((p) => (p < 0 ? p : n - 1 - p)) : rev;
  }
  const thread = out.thread as number[], start = out.start as number[], end = out.end as number[];
  const nester = thread[0];
  // Every other span of that thread ends at once after it starts: nested inside its neighbour's extent.
  let seen = 0;
  for (let k = 0; k < n; k++) if (thread[k] === nester && seen++ % 2 === 1) end[k] = start[k] + 0.001;
  return { ...r, spans: out as unknown as Report['spans'] };
}

/** Feeds `blob` in parts of `size` bytes (the last shorter). */
function feed(blob: Uint8Array, size: number, sink = new UnpackingSink()): UnpackingSink {
  for (let at = 0; at < blob.length; at += size) sink.push(blob.slice(at, at + size));
  return sink;
}

for (const [name, report] of [['in start order', base], ['out of start order, nested on one thread', reordered(base)]] as const) {
  test(`unpacked part by part (${name}): the report and lane indexes equal those of the whole blob`, () => {
    const blob = packReport(report);
    const whole = unpackReport(blob, undefined, LAZY_SPAN_COLUMNS);
    decodeOnRead(whole.spans as unknown as Record<string, unknown>);
    const expected = buildLaneIndexes(whole.spans, laneThreads(whole.threads.map((t) => t.id)));
    assert.equal(expected.length, whole.threads.length);
    assert.ok(expected.filter((l) => l.span.length > 0).length >= 4, 'four lanes with tasks');
    for (const [size, keepBytes] of [[1, false], [7, false], [4096, false], [blob.length, false], [4096, true], [blob.length, true]] as const) {
      const told: [number, boolean][] = [];
      const got = feed(blob, size, new UnpackingSink((columns, lanes) => told.push([columns, lanes]), keepBytes)).end();
      // Each column's bytes let go once decoded, unless asked to keep them (the worker's metrics).
      if (keepBytes) assert.deepEqual(got.bytes, blob, 'the inflated blob kept');
      else assert.equal(got.bytes, undefined);
      decodeOnRead(got.report.spans as unknown as Record<string, unknown>);
      for (const key of Object.keys(whole.spans) as (keyof Report['spans'])[]) {
        const a = whole.spans[key], b = got.report.spans[key];
        if (typeof a === 'number') { assert.equal(b, a, key); continue; }
        assert.deepEqual(Array.from(b as ArrayLike<number>), Array.from(a as ArrayLike<number>), `${key}, parts of ${size}`);
      }
      assert.deepEqual(got.report.profiles.map((p) => Array.from(p.profile.samples)), whole.profiles.map((p) => Array.from(p.profile.samples)));
      assert.ok(got.lanes, `lanes built, parts of ${size}`);
      assert.deepEqual(got.lanes, expected, `lanes, parts of ${size}`);
      if (size < blob.length) {
        // Told as they grew: the lanes were built before the last column came (the profiles follow the spans).
        const firstLanes = told.findIndex(([, lanes]) => lanes);
        assert.ok(firstLanes >= 0 && told[firstLanes][0] < told[told.length - 1][0], `lanes told at ${JSON.stringify(told[firstLanes])} of ${JSON.stringify(told.at(-1))}`);
      }
    }
    if (name !== 'in start order') assert.ok(expected.every((l) => l.span.length === 0 || l.maxEnd !== l.end), 'every lane with tasks was sorted (maxEnd of its own)');
  });
}

test('a blob cut short is the error unpackReport gives for it', () => {
  const blob = packReport(base);
  for (const cut of [5, 100, Math.floor(blob.length / 2), blob.length - 1]) {
    const short = blob.slice(0, cut);
    let expected = '';
    try { unpackReport(short, undefined, LAZY_SPAN_COLUMNS); } catch (e) { expected = (e as Error).message; }
    assert.notEqual(expected, '', `unpackReport refuses ${cut} bytes`);
    for (const keepBytes of [false, true]) {
      assert.throws(() => feed(short, 4096, new UnpackingSink(undefined, keepBytes)).end(), (e: Error) => e.message === expected, `cut at ${cut}, keepBytes ${keepBytes}`);
    }
  }
});
