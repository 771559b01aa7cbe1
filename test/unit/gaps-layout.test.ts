// The layout and words of lost CPU samples (src/model/sample-gaps.ts) that the views draw: bands
// over a window, the gap under a pointer, how much of a shown selection has no samples, why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gapAt, gapBands, gapReason, gapText, gapsByThread, lostInWords, unsampledGapUs } from '../../src/model/sample-gaps';
import { buildReport } from './model-build';

/** Worker 1 lost 2–3 ms (a chunk) and 8–10 ms (its tail: it ends at 10 ms); worker 2 lost 9–10 ms. */
function report() {
  const r = buildReport({ workers: 2 });
  r.dropped.sampleGaps = [{ thread: 1, from: 8000, to: 10_000 }, { thread: 2, from: 9000, to: 10_000 }, { thread: 1, from: 2000, to: 3000 }];
  return r;
}

test('bands: gaps map onto the window\'s pixels, clipped to it; a sub-pixel gap stays 2 px wide; gaps outside are left out', () => {
  const gaps = gapsByThread(report()).get(1)!;
  assert.deepEqual(gaps.map((g) => g.from), [2000, 8000], 'sorted by start');
  assert.deepEqual(gapBands(gaps, 0, 10_000, 1000).map((b) => [b.x0, b.x1]), [[200, 300], [800, 1000]]);
  assert.deepEqual(gapBands(gaps, 2500, 8500, 600).map((b) => [b.x0, b.x1]), [[0, 50], [550, 600]], 'clipped at both edges');
  assert.deepEqual(gapBands(gaps, 3500, 7500, 400), [], 'none in the window');
  // 1 px = 1 ms: the 1 ms gap is widened to 2 px about its middle, the 2 ms one is already 2 px.
  assert.deepEqual(gapBands(gaps, 0, 1_000_000, 1000).map((b) => [b.x0, b.x1]), [[1.5, 3.5], [8, 10]]);
  assert.equal(gapAt(gaps, 2500)?.from, 2000);
  assert.equal(gapAt(gaps, 5000), undefined);
  assert.equal(gapAt(gaps, 1990, 20)?.from, 2000, 'within the slack');
});

test('time without samples in what a view shows: all threads or some, a range, or the selected tasks (nested, unordered)', () => {
  const r = report();
  assert.equal(unsampledGapUs(r, {}), 1000 + 2000 + 1000);
  assert.equal(unsampledGapUs(r, { threads: [2] }), 1000);
  assert.equal(unsampledGapUs(r, { threads: [0] }), 0, 'main lost nothing');
  assert.equal(unsampledGapUs(r, { from: 2500, to: 9500 }), 500 + 1500 + 500);
  assert.equal(unsampledGapUs(r, { from: 3000, to: 8000 }), 0, 'a range between the gaps');
  // Tasks 1.5–2.6 and 2.2–2.4 (nested), 9.5–12 given first: 0.6 + 0.5 ms on worker 1, none on worker 2.
  const pairs = new Map([[1, [9500, 12_000, 1500, 2600, 2200, 2400]], [2, [0, 500]]]);
  assert.equal(unsampledGapUs(r, { pairs }), 600 + 500);
});

test('words: a tail gap says the thread ended before it saved them, a middle one that a part could not be kept; the summary\'s sentence', () => {
  const r = report();
  const [mid, tail] = gapsByThread(r).get(1)!;
  assert.equal(gapReason(r, mid), 'a part of its CPU profile could not be kept');
  assert.equal(gapText(r, tail), 'no CPU samples from 8.00 ms to 10.0 ms (2.00 ms): the thread ended (killed, terminated, or its process stopped) before it saved them');
  r.threads[1].died = { at: 10_000, reason: 'uncaught Error: boom' };
  assert.match(gapReason(r, tail), /; it died: uncaught Error: boom$/);
  assert.equal(lostInWords(r), 'Not everything was recorded: worker 1 and worker 2 lost the CPU samples of 3 stretches (4.00 ms in all; grey bands on the timeline), which the flamegraph and call tree leave out.');
  const counts = buildReport({ workers: 1 });
  assert.equal(lostInWords(counts), undefined, 'nothing lost, nothing said');
  counts.dropped = { spans: 12, samples: 1, profiles: 2, waits: 3 };
  assert.equal(lostInWords(counts), 'Not everything was recorded: 12 task spans, 1 CPU sample, 2 threads\' CPU profiles and 3 blocking waits could not be kept.');
});
