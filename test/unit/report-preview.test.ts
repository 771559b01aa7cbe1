// The preview of a large report (src/model/report-preview.ts) against planted reports whose answer
// is known: each lane's task count and busy share per bin, lanes in the timeline's order, spans
// across many bins, overlapping tasks, and spans the reader has not validated yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PREVIEW_CELLS, PREVIEW_MAX_BINS, PREVIEW_MIN_BINS, previewBins, reportPreview } from '../../src/model/report-preview';
import { buildReport } from './model-build';

const share = (x: number) => Math.round(x * 255);

test('task counts and busy shares per bin, lanes by thread id', () => {
  // 1000 µs in 10 bins of 100 µs. Thread 2: [0,100) whole bin 0, [150,250) half of bins 1 and 2.
  // Thread 1: one span over the whole run. Thread 3: no tasks.
  const report = buildReport({ workers: 3, durationUs: 1000, regions: [{}], spans: [
    { thread: 2, start: 0, end: 100 }, { thread: 1, start: 0, end: 1000 }, { thread: 2, start: 150, end: 250 },
  ] });
  const preview = reportPreview(report, 10);
  assert.equal(preview.spans, 3);
  assert.equal(preview.endUs, 1000);
  assert.deepEqual(preview.lanes.map((l) => l.thread), [0, 1, 2, 3]);
  assert.deepEqual(preview.lanes.map((l) => l.tasks), [0, 1, 2, 0]);
  assert.deepEqual([...preview.lanes[1].busy], Array(10).fill(255));
  assert.deepEqual([...preview.lanes[2].busy], [255, share(0.5), share(0.5), 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...preview.lanes[3].busy], Array(10).fill(0));
  assert.equal(preview.lanes[1].name, report.threads.find((t) => t.id === 1)!.name);
  assert.equal(preview.meta, report.meta);
  // Counted as the rest of the views count them, not "tasks on 4 threads" (main ran none).
  assert.equal(preview.threads, '3 workers + main');
});

test('a span over many bins: its edge bins in part, the ones between whole; overlapping tasks count once', () => {
  // 10 bins of 100 µs: [250, 730) covers half of bin 2, bins 3..6 whole, 30 % of bin 7.
  const report = buildReport({ workers: 1, durationUs: 1000, regions: [{}], spans: [
    { thread: 1, start: 250, end: 730 }, { thread: 1, start: 900, end: 1000 }, { thread: 1, start: 900, end: 950 },
  ] });
  const busy = [...reportPreview(report, 10).lanes[1].busy];
  assert.deepEqual(busy, [0, 0, share(0.5), 255, 255, 255, 255, share(0.3), 0, 255]);
});

test('the run ends where the timeline\'s whole run ends: the last span\'s end when it is past the duration', () => {
  const report = buildReport({ workers: 1, durationUs: 1000, regions: [{}], spans: [{ thread: 1, start: 1500, end: 2000 }] });
  const preview = reportPreview(report, 4);
  assert.equal(preview.endUs, 2000);
  assert.deepEqual([...preview.lanes[1].busy], [0, 0, 0, 255]);
});

test('spans not validated yet: an unknown thread, times that are not numbers and columns shorter than the count count nowhere', () => {
  const report = buildReport({ workers: 1, durationUs: 1000, regions: [{}], spans: [
    { thread: 1, start: 0, end: 100 }, { thread: 7, start: 0, end: 1000 }, { thread: 1, start: NaN, end: 500 }, { thread: 1, start: 600, end: 700 },
  ] });
  report.spans.count = 10;
  (report.spans.end as number[]).length = 4;
  const preview = reportPreview(report, 10);
  assert.deepEqual(preview.lanes.map((l) => l.tasks), [0, 3]);
  assert.deepEqual([...preview.lanes[1].busy], [255, 0, 0, 0, 0, 0, 255, 0, 0, 0]);
});

test('bins per lane: the finest for a few lanes, a byte budget over many, never coarser than a pixel of a wide panel', () => {
  assert.equal(previewBins(3), PREVIEW_MAX_BINS);
  assert.equal(previewBins(17), PREVIEW_MAX_BINS);
  assert.equal(previewBins(1000), Math.floor(PREVIEW_CELLS / 1000));
  assert.equal(previewBins(100_000), PREVIEW_MIN_BINS);
  // The default preview uses them: 4 lanes of the finest bins, the planted span's share where it lies.
  const report = buildReport({ workers: 3, durationUs: 1_000_000, regions: [{}], spans: [{ thread: 2, start: 500_000, end: 500_000 + 1_000_000 / PREVIEW_MAX_BINS }] });
  const lanes = reportPreview(report).lanes;
  assert.deepEqual(lanes.map((l) => l.busy.length), [PREVIEW_MAX_BINS, PREVIEW_MAX_BINS, PREVIEW_MAX_BINS, PREVIEW_MAX_BINS]);
  assert.deepEqual([...lanes[2].busy.keys()].filter((b) => lanes[2].busy[b] > 0), [PREVIEW_MAX_BINS / 2]);
});
