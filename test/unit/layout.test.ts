// Pure layout of the views (webview/layout*.ts), in plain Node: culling, level of detail,
// flamegraph rectangles, histogram bins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySpans, type SpanColumns } from '../../src/model/report';
import {
  buildLaneIndexes, visibleSpans, spanRects, buildCoverage, coverageBins, coverageColumns, exactColumns, exactCoverage, firstBins, spanAt,
  timeTicks, zoomWindow, panWindow, formatTime, bisect, type LaneIndex,
} from '../../webview/layout-timeline';
import { flameRects, searchTree, nodeAtPath, chartRects, type FlameNodeShape } from '../../webview/layout-flame';
import { durationHistogram, slowest, histogramBars } from '../../webview/layout-histogram';

function spans(rows: [thread: number, region: number, start: number, end: number][]): SpanColumns {
  const s = emptySpans();
  rows.forEach(([thread, region, start, end], k) => {
    s.thread.push(thread); s.region.push(region); s.index.push(k); s.first.push(0); s.items.push(1);
    s.enqueue.push(start); s.start.push(start); s.end.push(end); s.stolenFrom.push(-1); s.parent.push(-1); s.failed.push(0);
  });
  s.count = rows.length;
  return s;
}

/** One thread's million spans: [10k, 10k + 8) µs for k < 1,000,000. */
function millionSpans(): SpanColumns {
  const n = 1_000_000;
  const s = emptySpans();
  for (let k = 0; k < n; k++) {
    s.thread.push(1); s.region.push(0); s.start.push(k * 10); s.end.push(k * 10 + 8);
  }
  s.count = n;
  return s;
}

/** The lane with columns that record which elements are read (by index): how much of the lane a step touches. */
function countingLane(lane: LaneIndex): { lane: LaneIndex; reads: () => number; touched: () => number[]; reset: () => void } {
  let read: number[] = [];
  const counted = <A extends Float64Array | Int32Array | Int16Array | Int8Array>(column: A): A => new Proxy(column, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) read.push(Number(key));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const wrapped: LaneIndex = { thread: lane.thread, start: counted(lane.start), end: counted(lane.end), maxEnd: counted(lane.maxEnd), span: counted(lane.span), region: counted(lane.region) };
  return { lane: wrapped, reads: () => read.length, touched: () => [...new Set(read)], reset: () => { read = []; } };
}

test('lane indexes group spans by thread and sort them by start', () => {
  const lanes = buildLaneIndexes(spans([[1, 0, 50, 60], [2, 0, 0, 10], [1, 0, 10, 20], [1, 1, 30, 40]]), [0, 1, 2]);
  assert.deepEqual(lanes.map((l) => l.thread), [0, 1, 2]);
  assert.equal(lanes[0].start.length, 0);
  assert.deepEqual([...lanes[1].start], [10, 30, 50]);
  assert.deepEqual([...lanes[1].span], [2, 3, 0]);
  assert.deepEqual([...lanes[1].region], [0, 1, 0]);
});

/** The lane indexes as a plain reading of their definition: each thread's spans in start order (then report order), ends clamped to starts, maxEnd the running maximum. */
function expectedLanes(s: SpanColumns, threads: number[]): { start: number[]; end: number[]; maxEnd: number[]; span: number[]; region: number[] }[] {
  return threads.map((t) => {
    const ks = [...Array(s.count).keys()].filter((k) => s.thread[k] === t).sort((a, b) => s.start[a] - s.start[b] || a - b);
    let running = -Infinity;
    const end = ks.map((k) => Math.max(s.start[k], s.end[k]));
    return { span: ks, start: ks.map((k) => s.start[k]), end, maxEnd: end.map((e) => (running = Math.max(running, e))), region: ks.map((k) => s.region[k]) };
  });
}

test('lane indexes of interleaved threads, in and out of start order, nested or not, in typed columns: each lane is its thread\'s spans', () => {
  // A small generator with a fixed seed: 5 threads in report order at random, some lanes written
  // out of start order, one with a span that holds the next ones (fork-join), one thread no span.
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: [number, number, number, number][] = [];
  const clock = [0, 0, 0, 0, 0];
  for (let k = 0; k < 5000; k++) {
    const t = Math.floor(rand() * 4);
    const start = t === 2 ? Math.floor(rand() * 100_000) : (clock[t] += 1 + Math.floor(rand() * 50));
    // Threads 0 and 1 end each span before the next starts (one ends before it starts: clamped); 3 holds long ones.
    const end = t < 2 ? start + 1 - (k % 500 === 0 ? 60 : 0) : t === 3 && k % 97 === 0 ? start + 5000 : start + Math.floor(rand() * 40);
    rows.push([t, Math.floor(rand() * 3), start, end]);
  }
  const plain = spans(rows);
  const threads = [0, 1, 2, 3, 4];
  const want = expectedLanes(plain, threads);
  // As the views get them from the decoder: typed columns, the region narrowed to one byte.
  const typed = { ...plain, thread: Int8Array.from(plain.thread), region: Int8Array.from(plain.region), start: Float64Array.from(plain.start), end: Float64Array.from(plain.end) } as unknown as SpanColumns;
  for (const [name, columns] of [['plain', plain], ['typed', typed]] as const) {
    const lanes = buildLaneIndexes(columns, threads);
    assert.deepEqual(lanes.map((l) => ({ start: [...l.start], end: [...l.end], maxEnd: [...l.maxEnd], span: [...l.span], region: [...l.region] })), want, name);
    // Lanes 0 and 1: in order, never nested, so maxEnd is their end itself; 2 was sorted, 3 nests.
    assert.equal(lanes[0].maxEnd, lanes[0].end, `${name}: a lane without nesting keeps no second copy of its ends`);
    assert.notEqual(lanes[3].maxEnd, lanes[3].end);
    assert.ok(want[3].maxEnd.some((m, i) => m > want[3].end[i]), 'lane 3 nests');
    assert.ok(want[2].span.some((k, i) => i > 0 && k < want[2].span[i - 1]), 'lane 2 was written out of start order');
    if (name === 'typed') assert.ok(lanes.every((l) => l.region instanceof Int8Array), 'the region column keeps its narrowed type');
  }
});

test('visible spans are found by binary search, including a long span that starts before the window', () => {
  // A fork-join parent [0, 100] holds children; maxEnd keeps the search correct.
  const [lane] = buildLaneIndexes(spans([[1, 0, 0, 100], [1, 0, 10, 20], [1, 0, 30, 40], [1, 0, 110, 120]]), [1]);
  assert.deepEqual(visibleSpans(lane, 50, 60), [0, 3]);
  assert.deepEqual(visibleSpans(lane, 105, 200), [3, 4]);
  assert.deepEqual(visibleSpans(lane, 121, 200), [4, 4]);
  assert.equal(bisect([1, 2, 2, 3], 2), 3);
  assert.equal(bisect([1, 2, 2, 3], 2, true), 1);
});

test('culling a million spans finds the window\'s index range', () => {
  const [lane] = buildLaneIndexes(millionSpans(), [1]);
  const [lo, hi] = visibleSpans(lane, 5_000_000, 5_000_100);
  assert.deepEqual([lo, hi], [500_000, 500_010]); // the span starting exactly at the end is not visible
});

test('culling, drawing and hit-testing a lane of a million spans read O(log n + window) of its elements, none outside the window', () => {
  const n = 1_000_000;
  const [plain] = buildLaneIndexes(millionSpans(), [1]);
  const { lane, reads, touched, reset } = countingLane(plain);
  const search = 2 * (Math.ceil(Math.log2(n)) + 1); // two binary searches
  for (const [from, to] of [[5_000_000, 5_000_100], [2_000_000, 2_100_000], [9_999_000, 10_000_000]]) {
    reset();
    const [lo, hi] = visibleSpans(lane, from, to);
    assert.ok(reads() <= search, `visibleSpans(${from}, ${to}) read ${reads()} elements, bound ${search}`);
    assert.deepEqual([lo, hi], [Math.ceil((from - 8) / 10), Math.ceil(to / 10)], 'from the first span ending at or after `from` to the last starting before `to`');
    reset();
    spanRects(lane, lo, hi, from, to, 1000);
    exactColumns(lane, lo, hi, from, to, 1000);
    const t = touched();
    assert.ok(t.length > 0 && t.every((i) => i >= lo && i < hi), `drawing [${from}, ${to}) read only spans ${lo}..${hi - 1}`);
    // Per span: start, end, region and the report index (spanRects), start, end and region (exactColumns): 7; 8 leaves room.
    assert.ok(reads() <= 8 * (hi - lo), `drawing ${hi - lo} spans read ${reads()} elements`);
    reset();
    assert.equal(lane.span[spanAt(lane, (from + to) / 2 + 4, 1)], Math.floor(((from + to) / 2) / 10));
    assert.ok(reads() <= search + 8, `spanAt read ${reads()} elements`);
  }
});

test('sub-pixel spans of one region merge; wide ones and other regions stay apart', () => {
  const rows: [number, number, number, number][] = [];
  for (let k = 0; k < 1000; k++) rows.push([1, 0, k * 10, k * 10 + 9]); // 1000 spans in [0, 10000]
  rows.push([1, 1, 10_000, 20_000]);
  const [lane] = buildLaneIndexes(spans(rows), [1]);
  const [lo, hi] = visibleSpans(lane, 0, 20_000);
  const r = spanRects(lane, lo, hi, 0, 20_000, 200);
  // 100 µs per pixel: the 1000 short spans become one merged rect, the long one its own.
  assert.equal(r.count, 2);
  assert.equal(r.span[0], -1);
  assert.equal(r.span[1], 1000);
  assert.ok(Math.abs(r.x0[1] - 100) < 1e-6 && Math.abs(r.x1[1] - 200) < 1e-6);
  // Zoomed in to 0.1 µs per pixel, every span is its own rect.
  const [lo2, hi2] = visibleSpans(lane, 0, 100);
  const r2 = spanRects(lane, lo2, hi2, 0, 100, 1000);
  assert.equal(r2.count, 10);
  assert.ok([...r2.span.subarray(0, r2.count)].every((x) => x >= 0));
});

test('coverage pyramid agrees with exact coverage and shows idle gaps', () => {
  // Busy [0, 5000) and [7500, 10000) of a 10 ms run; idle in between.
  const [lane] = buildLaneIndexes(spans([[1, 0, 0, 5000], [1, 2, 7500, 10_000]]), [1]);
  const pyramid = buildCoverage(lane, 10_000, 1024);
  const cols = coverageColumns(pyramid, 0, 10_000, 100)!;
  const exact = exactColumns(lane, 0, 2, 0, 10_000, 100);
  for (let x = 0; x < 100; x++) assert.ok(Math.abs(cols.busy[x] - exact[x]) < 0.02, `column ${x}: ${cols.busy[x]} vs ${exact[x]}`);
  assert.ok(cols.busy[10] > 0.99 && cols.busy[60] < 0.01 && cols.busy[90] > 0.99);
  assert.equal(cols.region[10], 0);
  assert.equal(cols.region[90], 2);
  // Zoomed in past the finest level, the caller is told to draw spans instead.
  assert.equal(coverageColumns(pyramid, 0, 10, 100), undefined);
});

test('a busy lane\'s finer pyramid: about one level-0 bin per 4 spans, from 2^15 up to 2^18', () => {
  assert.equal(coverageBins(0), 1 << 15);
  assert.equal(coverageBins(4 << 15), 1 << 15);
  assert.equal(coverageBins((4 << 15) + 1), 1 << 16);
  assert.equal(coverageBins(625_000), 1 << 18);
  assert.equal(coverageBins(100_000_000), 1 << 18);
});

test('exact coverage: the busy share of exactColumns and, per pixel, the region of the span covering most of it', () => {
  // 10 µs pixels: [0, 10) half region 1 (6 µs) and region 2 (3 µs); [10, 20) all region 3; [20, 30) idle; [30, 40) region 2 for 2 µs.
  const [lane] = buildLaneIndexes(spans([[1, 1, 0, 6], [1, 2, 6, 9], [1, 3, 10, 20], [1, 2, 31, 33]]), [1]);
  const cols = exactCoverage(lane, 0, 4, 0, 40, 4);
  assert.deepEqual([...cols.busy].map((b) => +b.toFixed(6)), [0.9, 1, 0, 0.2]);
  assert.deepEqual([...cols.busy], [...exactColumns(lane, 0, 4, 0, 40, 4)]);
  assert.deepEqual([...cols.region], [1, 3, -1, 2]);
});

test('spanAt finds the span under the pointer, innermost first, within tolerance', () => {
  const [lane] = buildLaneIndexes(spans([[1, 0, 0, 100], [1, 0, 10, 20], [1, 0, 200, 300]]), [1]);
  assert.equal(lane.span[spanAt(lane, 15, 0)], 1);
  assert.equal(lane.span[spanAt(lane, 50, 0)], 0);
  assert.equal(spanAt(lane, 150, 5), -1);
  assert.equal(lane.span[spanAt(lane, 197, 5)], 2);
});

test('ticks are round, inside the window and labelled in ms', () => {
  const ticks = timeTicks(0, 10_000, 900);
  assert.ok(ticks.length >= 5 && ticks.length <= 12);
  assert.ok(ticks.every((t) => t.t >= 0 && t.t <= 10_000 && t.x >= 0 && t.x <= 900));
  assert.equal(ticks[1].label, '1 ms');
  assert.equal(formatTime(1500, 100), '1.5 ms');
  assert.equal(formatTime(1234, 1), '1.234 ms');
});

test('zoom keeps the point under the cursor; pan and zoom stay inside the run', () => {
  const [f, t] = zoomWindow(0, 1000, 0.5, 250, 1000);
  assert.deepEqual([f, t], [125, 625]);
  assert.deepEqual(zoomWindow(0, 1000, 4, 250, 1000), [0, 1000]);
  assert.deepEqual(panWindow(100, 200, -500, 1000), [0, 100]);
  assert.deepEqual(panWindow(100, 200, 5000, 1000), [900, 1000]);
  const [a, b] = zoomWindow(0, 1000, 1e-9, 500, 1000, 2);
  assert.ok(Math.abs(b - a - 2) < 1e-9);
});

function node(name: string, self: number, children: FlameNodeShape[] = []): FlameNodeShape {
  const total = self + children.reduce((s, c) => s + c.total, 0);
  return { key: name, name, file: `/app/${name}.js`, line: 1, self, total, children };
}

test('flamegraph rectangles are left-heavy, proportional, and zoom into a frame', () => {
  const root = node('(root)', 0, [node('light', 10), node('heavy', 20, [node('inner', 30)])]);
  const rects = flameRects(root, [], 100);
  const byName = new Map(rects.map((r) => [r.node.name, r]));
  assert.equal(byName.get('(root)')!.width, 100);
  assert.ok(Math.abs(byName.get('heavy')!.width - 83.333) < 0.01);
  assert.equal(byName.get('heavy')!.x, 0, 'heaviest child first');
  assert.ok(Math.abs(byName.get('light')!.x - 83.333) < 0.01);
  assert.equal(byName.get('inner')!.depth, 2);
  const zoomed = flameRects(root, [0], 100);
  const z = new Map(zoomed.map((r) => [r.node.name, r]));
  assert.equal(z.get('heavy')!.width, 100);
  assert.equal(z.get('(root)')!.ancestor, true);
  assert.equal(z.has('light'), false);
  assert.ok(Math.abs(z.get('inner')!.width - 60) < 1e-9);
  assert.deepEqual(nodeAtPath(root, [0, 0])!.map((n) => n.name), ['(root)', 'heavy', 'inner']);
  assert.equal(nodeAtPath(root, [5]), undefined);
  // Frames narrower than minPx are left out.
  assert.equal(flameRects(root, [], 100, 20).some((r) => r.node.name === 'light'), false);
});

test('search counts matching frames and their time once when nested', () => {
  const root = node('(root)', 0, [node('work', 5, [node('workInner', 10)]), node('other', 7)]);
  assert.deepEqual(searchTree(root, 'WORK'), { frames: 2, totalUs: 15 });
  assert.deepEqual(searchTree(root, ''), { frames: 0, totalUs: 0 });
  assert.deepEqual(searchTree(root, 'other.js'), { frames: 1, totalUs: 7 });
});

test('flame chart rectangles clip to the window', () => {
  const frames = [{ name: 'a', file: '', line: 0, depth: 0, start: 0, end: 100 }, { name: 'b', file: '', line: 0, depth: 1, start: 150, end: 160 }];
  const r = chartRects(frames, 50, 150, 100);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].x, r[0].width], [0, 50]);
});

test('histogram covers every duration; slowest lists the longest first', () => {
  const d = [5, 1, 9, 3, 9, 100];
  const bins = durationHistogram(d, 10);
  assert.equal(bins.reduce((s, b) => s + b.count, 0), d.length);
  assert.ok(bins[0].x0 <= 1 && bins[bins.length - 1].x1 >= 100);
  assert.deepEqual(slowest(d, 3), [5, 2, 4]);
  const bars = histogramBars(bins, 200, 50);
  assert.equal(Math.max(...bars.map((b) => b.height)), 50);
  assert.deepEqual(durationHistogram([]), []);
});

test('a lane\'s first pyramid is as fine as its window needs (two bins a pixel, 2^10 to 2^15), and draws the whole run as the finer one does', () => {
  assert.equal(firstBins(1600, 10_000, 10_000), 1 << 12);
  assert.equal(firstBins(100, 10_000, 10_000), 1 << 10);
  assert.equal(firstBins(1600, 1_000, 10_000), 1 << 15, 'a window of a tenth of the run needs 32,000 bins: the cap');
  assert.equal(firstBins(1600, 1, 1e9), 1 << 15);
  // 4,000 spans of 1-3 µs with gaps, one region each in turn, over 10 ms.
  const rows: [number, number, number, number][] = [];
  for (let k = 0, t = 0; k < 4000; k++) { const d = 1 + (k % 3); rows.push([1, k % 3, t, t + d]); t += d + (k % 5) * 0.1; }
  const [lane] = buildLaneIndexes(spans(rows), [1]);
  const end = lane.end[lane.end.length - 1];
  const coarse = coverageColumns(buildCoverage(lane, end, firstBins(1600, end, end)), 0, end, 1600)!;
  const fine = coverageColumns(buildCoverage(lane, end, 1 << 15), 0, end, 1600)!;
  for (let x = 0; x < 1600; x++) assert.ok(Math.abs(coarse.busy[x] - fine.busy[x]) < 1e-4, `column ${x}: ${coarse.busy[x]} vs ${fine.busy[x]}`);
});
