// `parprof report --json --spans` at any size: the span rows are written as JSON text in pieces
// (src/model/span-rows.ts spanRowsJson), never as one string, and the text is JSON.stringify's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spanRows, spanRowsJson } from '../../src/model/span-rows';
import { syntheticReport } from '../../src/model/synthetic';
import { typedColumns } from '../../src/model/packed-report';

test('span rows in pieces are JSON.stringify byte for byte, nested where the CLI puts them', () => {
  const report = syntheticReport({ threads: 3, spans: 25_000, profiles: 0, samplesPerProfile: 0, seed: 9 });
  report.spans.flags = Array.from({ length: report.spans.count }, (_, i) => i % 5);
  const empty = { ...report, spans: { ...report.spans, count: 0 } };
  for (const r of [report, typedColumns(report), empty]) {
    const placeholder = 'the rows';
    const expected = JSON.stringify({ wallMs: 1, extra: { tasks: 2, spans: spanRows(r) } }, null, 2);
    const [head, tail] = JSON.stringify({ wallMs: 1, extra: { tasks: 2, spans: placeholder } }, null, 2).split(JSON.stringify(placeholder));
    const pieces = [...spanRowsJson(r, 2)];
    assert.equal(head + pieces.join('') + tail, expected);
    if (r.spans.count === 25_000) assert.equal(pieces.length, 4, 'three pieces of at most 10,000 rows and the closing bracket');
  }
});
