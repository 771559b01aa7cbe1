// narrowColumns and columnBuffers (packed-report.ts): what the views' decoder worker does to an
// unpacked report before handing its columns to the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnBuffers, narrowColumns, packReport, unpackReport } from '../../src/model/packed-report';
import { validateReport } from '../../src/model/load';
import { syntheticReport } from '../../src/model/synthetic';

test('narrowColumns keeps every value and stores small integers in 1 or 2 bytes', () => {
  const report = syntheticReport({ threads: 3, spans: 5000, profiles: 2, samplesPerProfile: 500, seed: 3 });
  // A column of 2-byte values, planted: task indexes up to 300.
  for (let k = 0; k < report.spans.count; k++) report.spans.index[k] = k % 301;
  const narrowed = narrowColumns(validateReport(unpackReport(packReport(report))));
  const s = narrowed.spans as unknown as Record<string, ArrayLike<number>>;
  assert.ok(s.thread instanceof Int8Array, 'thread ids 0..3: one byte');
  assert.ok(s.index instanceof Int16Array, 'indexes up to 300: two bytes');
  assert.ok(s.start instanceof Float64Array, 'times stay doubles');
  for (const name of ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed'] as const) {
    assert.deepEqual(Array.from(s[name]), Array.from(report.spans[name] as ArrayLike<number>), name);
  }
  assert.deepEqual(Array.from(narrowed.profiles[0].profile.samples), Array.from(report.profiles[0].profile.samples));
});

test('columnBuffers lists each column buffer once: the transfer list hands over every column', () => {
  const report = narrowColumns(validateReport(unpackReport(packReport(syntheticReport({ threads: 2, spans: 300, profiles: 2, samplesPerProfile: 100, seed: 4 })))));
  const buffers = columnBuffers(report);
  assert.equal(new Set(buffers).size, buffers.length);
  // 11 span columns and 2 × (samples, timeDeltas), each in its own buffer.
  assert.equal(buffers.length, 11 + 4);
  const copy = structuredClone(report, { transfer: buffers });
  assert.equal(report.spans.start.length, 0, 'transferred: the sender\'s columns are detached');
  assert.equal(copy.spans.count, 300);
});
