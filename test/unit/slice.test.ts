// Time windows cut out of a report (src/model/slice.ts), checked against brute force over the
// whole report: the spans kept are exactly those overlapping the window, each sample keeps its
// exact time, the slice is a valid report that survives packing, and the windows chosen from the
// index tile the run both ways within their budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syntheticReport } from '../../src/model/synthetic';
import { decodeReport, parseReport, validateReport } from '../../src/model/load';
import { packReport, typedColumns, withPlainColumns } from '../../src/model/packed-report';
import { indexProfile } from '../../src/model/profile-index';
import { SPAN_CONCURRENT, SPAN_CUT_OFF, type CpuProfile, type Report, type SpanColumns } from '../../src/model/report';
import { sliceIndex, sliceReport, sliceSpanCount, sliceWindow, sliceWindowEnding, type SliceIndex } from '../../src/model/slice';

/** The repository: the nearest folder above this test holding docs/, else the working directory. */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'docs', 'report.schema.json'))) return dir;
  return process.cwd();
}

const COLUMNS = ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed', 'flags'] as const;

/** A synthetic run with the optional columns too: span flags, and blocking waits sorted by start. */
function fullReport(): Report {
  const r = syntheticReport({ threads: 4, spans: 20_000, profiles: 3, samplesPerProfile: 6_000, seed: 7 });
  r.spans.flags = Array.from({ length: r.spans.count }, (_, k) => (k % 3 === 0 ? SPAN_CONCURRENT : k % 101 === 0 ? SPAN_CUT_OFF : 0));
  const n = 300, d = r.meta.durationUs;
  const start = Array.from({ length: n }, (_, k) => Math.round(k * d / n));
  r.waits = { count: n, thread: start.map((_, k) => 1 + (k % 4)), start, end: start.map((s, k) => (k % 7 === 0 ? s : s + 2_000)) };
  return r;
}

const synthetic = fullReport();
const typed = typedColumns(synthetic);
const real = parseReport(readFileSync(join(repoRoot(), 'test', 'fixtures', 'phases-v1-report.parprof')));

/** Windows worth checking in a report: the whole run, thin ones, empty ones, ones on sample and span times exactly, ones past the ends. */
function windows(r: Report): [number, number][] {
  const d = r.meta.durationUs;
  const times = indexProfile(r.profiles[0].profile).times;
  const sampleAt = (f: number) => times[Math.floor(times.length * f)];
  const spanAt = (f: number) => r.spans.start[Math.floor(r.spans.count * f)];
  return [
    [0, d], [-5_000, d + 5_000], [d * 0.3, d * 0.35], [d * 0.5, d * 0.5], [d * 0.71, d * 0.9],
    [sampleAt(0.2), sampleAt(0.6)], [sampleAt(0.4), sampleAt(0.4)], [spanAt(0.25), r.spans.end[Math.floor(r.spans.count * 0.5)]],
    [-10, 0], [d + 10, d + 20], [0, 1],
  ];
}

/** Rows overlapping [from, to], or taking no time and lying in it: the rule, by brute force. */
function overlapping(start: ArrayLike<number>, end: ArrayLike<number>, from: number, to: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < start.length; i++) {
    if ((start[i] < to && end[i] > from) || (start[i] === end[i] && start[i] >= from && start[i] <= to)) rows.push(i);
  }
  return rows;
}

function column(s: SpanColumns, name: typeof COLUMNS[number]): ArrayLike<number> | undefined {
  return s[name];
}

test('sliceReport keeps exactly the spans that overlap the window, in their order, with every column of the same kind', () => {
  for (const r of [synthetic, typed, real]) {
    for (const [from, to] of windows(r)) {
      const slice = sliceReport(r, from, to);
      const rows = overlapping(r.spans.start, r.spans.end, from, to);
      const where = `window [${from}, ${to}] of ${r.spans.count} spans`;
      assert.equal(slice.spans.count, rows.length, where);
      assert.equal(sliceSpanCount(r, from, to), rows.length, where);
      for (const name of COLUMNS) {
        const before = column(r.spans, name), after = column(slice.spans, name);
        if (before === undefined) { assert.equal(after, undefined, `${where}: spans.${name}`); continue; }
        assert.equal(after!.constructor, before.constructor, `${where}: spans.${name} keeps its kind`);
        assert.deepEqual(Array.from(after!), rows.map((i) => before[i]), `${where}: spans.${name}`);
      }
      if (r.waits) {
        const kept = overlapping(r.waits.start, r.waits.end, from, to);
        assert.equal(slice.waits!.count, kept.length, where);
        for (const name of ['thread', 'start', 'end'] as const) {
          assert.deepEqual(Array.from(slice.waits![name]), kept.map((i) => r.waits![name][i]), `${where}: waits.${name}`);
        }
      }
      for (const key of ['meta', 'threads', 'regions', 'markers', 'elu', 'cpu', 'startup', 'processes', 'dropped', 'exit'] as const) {
        assert.equal(slice[key], r[key], `${where}: ${key} kept whole`);
      }
    }
  }
});

test('a span that started before the window and runs into it is kept; spans only touching the window are not', () => {
  const r = syntheticReport({ threads: 2, spans: 10, profiles: 0, samplesPerProfile: 0, seed: 3 });
  //              long      ends at from  starts at to  no time at from  no time at to  inside    to the end
  const start = [100,       100,          600,          400,             600,           450,      599.5];
  const end = [900,         400,          700,          400,             600,           550,      1_000];
  const n = start.length;
  const fill = (v: number) => start.map(() => v);
  r.spans = { count: n, thread: start.map((_, k) => 1 + (k % 2)), region: fill(0), index: start.map((_, k) => k), first: fill(0), items: fill(1),
    enqueue: start.slice(), start, end, stolenFrom: fill(-1), parent: fill(-1), failed: fill(0) };
  const slice = sliceReport(r, 400, 600);
  assert.deepEqual(slice.spans.index, [0, 3, 4, 5, 6], 'the long span (0) and both spans taking no time at the window\'s ends');
  assert.ok(!(start[0] >= 400), 'planted: a filter by start alone would leave span 0 out');
  assert.deepEqual(sliceReport(r, 400, 400).spans.index, [0, 3], 'a window of no time keeps what runs through it and what takes no time there');
  assert.equal(sliceSpanCount(r, 400, 600), 5);
  validateReport(slice);
});

/** Each sample's node and time, µs from origin, as the readers compute them (profile-index.ts). */
function samplesOf(p: CpuProfile): { node: number; t: number }[] {
  const times = indexProfile(p).times;
  return Array.from(times, (t, i) => ({ node: p.samples[i], t }));
}

test('the samples kept are those whose time lies in the window, each at exactly its time; nodes stay whole', () => {
  for (const r of [synthetic, typed, real]) {
    for (const [from, to] of windows(r)) {
      const slice = sliceReport(r, from, to);
      assert.equal(slice.profiles.length, r.profiles.length, 'every profile stays, with no samples left or not');
      r.profiles.forEach((tp, k) => {
        const where = `window [${from}, ${to}], thread ${tp.thread}`;
        const kept = slice.profiles[k];
        const p = kept.profile;
        assert.equal(kept.thread, tp.thread);
        const expected = samplesOf(tp.profile).filter((s) => s.t >= from && s.t <= to);
        assert.deepEqual(samplesOf(p), expected, `${where}: same samples at the same times`);
        assert.equal(p.samples.constructor, tp.profile.samples.constructor, `${where}: samples keep their kind`);
        assert.equal(p.timeDeltas.constructor, tp.profile.timeDeltas.constructor, `${where}: deltas keep their kind`);
        assert.deepEqual(p.nodes.map((n) => n.id), tp.profile.nodes.map((n) => n.id), `${where}: every node stays`);
        const hits = p.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
        if (tp.profile.nodes.some((n) => n.hitCount !== undefined)) assert.equal(hits, expected.length, `${where}: hit counts count the samples kept`);
        assert.ok(p.startTime <= p.endTime, where);
        if (expected.length) {
          assert.ok(p.startTime <= expected[0].t && p.endTime >= expected[expected.length - 1].t, `${where}: the profile spans its samples`);
          // Each kept sample weighs what it weighed in the whole profile, cut at the window's end.
          const whole = indexProfile(tp.profile), part = indexProfile(p);
          const first = whole.times.indexOf(expected[0].t);
          for (let i = 0; i < part.weights.length; i++) {
            const t = whole.times[first + i], w = whole.weights[first + i];
            assert.equal(part.weights[i], Math.max(0, Math.min(t + w, to) - t), `${where}: weight of sample ${i}`);
          }
        }
      });
    }
  }
});

test('the first kept sample keeps its time when the window start cannot be the profile\'s start exactly', () => {
  // Integer deltas in an Int16Array cannot hold a fraction of a µs measured from the window's start.
  const r = typedColumns(syntheticReport({ threads: 1, spans: 10, profiles: 1, samplesPerProfile: 0, seed: 2 }));
  const p = r.profiles[0].profile;
  r.profiles[0].profile = { ...p, startTime: 1_000, endTime: 2_000, samples: Int16Array.from([1, 1, 1, 1]) as unknown as number[], timeDeltas: Int16Array.from([100, 100, 100, 100]) as unknown as number[] };
  const slice = sliceReport(r, 1_150.5, 1_400);
  const q = slice.profiles[0].profile;
  assert.deepEqual(samplesOf(q).map((s) => s.t), [1_200, 1_300, 1_400]);
  assert.ok(q.timeDeltas instanceof Int16Array);
  assert.equal(q.startTime, 1_100, 'the time of the sample before the window: the window start does not fit in the deltas');
  const plain = sliceReport(withPlainColumns(r), 1_150.5, 1_400).profiles[0].profile;
  assert.equal(plain.startTime, 1_150.5, 'plain deltas can start at the window');
  assert.deepEqual(samplesOf(plain).map((s) => s.t), [1_200, 1_300, 1_400]);
  assert.equal(plain.endTime, 1_400, 'the last sample\'s weight stops at the window\'s end');
});

test('a slice is a valid report, and packing and unpacking it gives it back', () => {
  for (const r of [synthetic, typed, real]) {
    for (const [from, to] of windows(r)) {
      const slice = sliceReport(r, from, to);
      const where = `window [${from}, ${to}]`;
      assert.doesNotThrow(() => validateReport(slice), where);
      const decoded = decodeReport(packReport(slice));
      assert.ok('value' in decoded, `${where}: a packed report`);
      const back = validateReport(decoded.value);
      assert.deepEqual(withPlainColumns(back), withPlainColumns(slice), where);
    }
  }
});

function startsIn(r: Report, index: SliceIndex, from: number, to: number): number {
  let n = 0;
  for (let i = 0; i < r.spans.count; i++) {
    const s = r.spans.start[i];
    if ((s >= from && s < to) || (to === index.to && s === to)) n++;
  }
  return n;
}

/** The last bin edge at or before t (< t when `before`). */
function edgeAt(index: SliceIndex, t: number, before = false): number {
  let k = 0;
  while (k + 1 <= index.bins && (before ? index.edges[k + 1] < t : index.edges[k + 1] <= t)) k++;
  return k;
}

/** Whether [from, to] lies within one bin of the index: the least a window may be. */
function oneBin(index: SliceIndex, from: number, to: number): boolean {
  return to <= index.edges[Math.min(edgeAt(index, from) + 1, index.bins)];
}

test('the index counts every span start once, in its bin, and knows the run\'s extent', () => {
  for (const r of [synthetic, typed, real]) {
    const index = sliceIndex(r, 512);
    assert.equal(index.bins, 512);
    assert.equal(index.spans, r.spans.count);
    assert.equal(index.before[index.bins], r.spans.count);
    assert.equal(index.firstStart, Math.min(...Array.from(r.spans.start)));
    assert.equal(index.lastEnd, Math.max(...Array.from(r.spans.end)));
    assert.equal(index.durationUs, r.meta.durationUs);
    assert.equal(index.from, Math.min(0, index.firstStart!));
    assert.equal(index.to, Math.max(r.meta.durationUs, index.lastEnd!));
    for (let k = 0; k < index.bins; k++) {
      assert.ok(index.edges[k] < index.edges[k + 1], `edges increase at ${k}`);
      assert.equal(index.counts[k], startsIn(r, index, index.edges[k], index.edges[k + 1]), `bin ${k}`);
      assert.equal(index.before[k + 1], index.before[k] + index.counts[k]);
    }
  }
  const none = syntheticReport({ threads: 1, spans: 0, profiles: 0, samplesPerProfile: 0 });
  const empty = sliceIndex(none);
  assert.equal(empty.firstStart, undefined);
  assert.deepEqual(sliceWindow(empty, 0, 10), { from: 0, to: none.meta.durationUs }, 'no spans: everything fits');
});

test('a time on a bin edge is in the bin after it, whatever the rounding of the edges', () => {
  // A run that starts before the origin, at an awkward time: edges are not round, and dividing back gives the bin before.
  const r = syntheticReport({ threads: 2, spans: 2_000, profiles: 0, samplesPerProfile: 0, seed: 9 });
  r.spans.start[0] = -500.37;
  const first = sliceIndex(r, 1000);
  // Plant a span start on every edge: each must count in the bin that edge opens.
  for (let k = 1; k < 1000; k++) r.spans.start[k] = r.spans.end[k] = first.edges[k];
  const index = sliceIndex(r, 1000);
  assert.deepEqual(index.edges, first.edges);
  const { edges, counts, bins } = index;
  for (let k = 0; k < bins; k++) {
    assert.equal(counts[k], startsIn(r, index, edges[k], edges[k + 1]), `bin ${k}`);
    // A budget of 0: bin k alone when it holds a span start, else the empty bins after it (before it, going backwards) as well.
    let after = k + 1, before = k;
    while (counts[k] === 0 && after < bins && counts[after] === 0) after++;
    while (counts[k] === 0 && before > 0 && counts[before - 1] === 0) before--;
    assert.deepEqual(sliceWindow(index, edges[k], 0), { from: edges[k], to: edges[after] }, `the window from edge ${k}`);
    assert.deepEqual(sliceWindowEnding(index, edges[k + 1], 0), { from: edges[before], to: edges[k + 1] }, `the window to edge ${k + 1}`);
  }
  assert.ok(counts.filter((c) => c > 0).length > 900, 'planted: most bins hold a span start');
  // The double just below an edge is still in the bin before it.
  const below = (x: number) => { const f = new Float64Array([x]), i = new BigInt64Array(f.buffer); i[0] += x > 0 ? -1n : 1n; return f[0]; };
  for (let k = 1; k < bins; k++) {
    if (!counts[k - 1]) continue;
    const t = below(edges[k]);
    assert.deepEqual(sliceWindow(index, t, 0), { from: t, to: edges[k] }, `just before edge ${k}`);
  }
});

test('windows tile the run going forward, each within its budget unless one bin is already over it', () => {
  for (const [r, bins, budget] of [[synthetic, 4096, 1_000], [synthetic, 64, 1_000], [typed, 4096, 37], [real, 256, 1], [synthetic, 4096, 5]] as const) {
    const index = sliceIndex(r, bins);
    let w = sliceWindow(index, index.from, budget);
    assert.equal(w.from, index.from);
    let spans = 0, steps = 0;
    for (;;) {
      const n = startsIn(r, index, w.from, w.to);
      assert.ok(w.to > w.from, `window ${steps} moves on`);
      assert.ok(n <= budget || oneBin(index, w.from, w.to), `window ${steps} [${w.from}, ${w.to}]: ${n} spans for a budget of ${budget}`);
      spans += n;
      if (w.to === index.to) break;
      const next = sliceWindow(index, w.to, budget);
      assert.equal(next.from, w.to, 'no gap, no overlap');
      // Greedy: one more bin would have been over the budget.
      const k = index.edges.indexOf(w.to);
      assert.ok(k > 0, 'a window ends on a bin edge');
      assert.ok(index.before[k + 1] - index.before[edgeAt(index, w.from)] > budget, `window ${steps} could not be longer`);
      w = next;
      assert.ok(++steps <= bins, 'at most one window per bin');
    }
    assert.equal(spans, r.spans.count, 'every span starts in exactly one window');
    assert.equal(sliceSpanCount(r, index.from, index.to), r.spans.count, 'the whole run keeps every span');
  }
});

test('windows tile the run going backwards too', () => {
  for (const [r, bins, budget] of [[synthetic, 4096, 1_000], [typed, 100, 333], [real, 256, 1]] as const) {
    const index = sliceIndex(r, bins);
    let w = sliceWindowEnding(index, index.to, budget);
    assert.equal(w.to, index.to);
    let spans = 0, steps = 0;
    for (;;) {
      const n = startsIn(r, index, w.from, w.to);
      assert.ok(w.to > w.from, `window ${steps} moves on`);
      const lastBin = edgeAt(index, w.to, true);
      assert.ok(n <= budget || w.from === index.edges[lastBin], `window ${steps} [${w.from}, ${w.to}]: ${n} spans for a budget of ${budget}`);
      spans += n;
      if (w.from === index.from) break;
      const before = sliceWindowEnding(index, w.from, budget);
      assert.equal(before.to, w.from, 'no gap, no overlap');
      w = before;
      assert.ok(++steps <= bins, 'at most one window per bin');
    }
    assert.equal(spans, r.spans.count, 'every span starts in exactly one window');
  }
});

test('windows past the ends are clamped; a budget below one bin gives one bin; a budget over everything, the whole run', () => {
  const index = sliceIndex(synthetic);
  const all = { from: index.from, to: index.to };
  assert.deepEqual(sliceWindow(index, -1e9, Infinity), all);
  assert.deepEqual(sliceWindow(index, index.from, synthetic.spans.count), all);
  assert.deepEqual(sliceWindowEnding(index, 1e12, Infinity), all);
  const last = sliceWindow(index, 1e12, 1_000);
  assert.equal(last.to, index.to, 'past the end: the run\'s last window');
  assert.deepEqual(last, sliceWindowEnding(index, index.to, 1_000));
  assert.deepEqual(sliceWindowEnding(index, -1e9, 1_000), sliceWindow(index, index.from, 1_000), 'before the start: the first window');
  const busy = index.counts.findIndex((c) => c > 1);
  assert.ok(busy >= 0, 'planted: a bin holding several span starts');
  const mid = (index.edges[busy] + index.edges[busy + 1]) / 2;
  assert.deepEqual(sliceWindow(index, mid, 1), { from: mid, to: index.edges[busy + 1] }, 'one bin, from where it was asked');
  assert.deepEqual(sliceWindow(index, index.edges[busy], 0), { from: index.edges[busy], to: index.edges[busy + 1] });
  assert.deepEqual(sliceWindowEnding(index, mid, 0), { from: index.edges[busy], to: mid });
  assert.deepEqual(sliceWindowEnding(index, index.edges[busy + 1], 1), { from: index.edges[busy], to: index.edges[busy + 1] });
});

test('what is not a window or a bin count is refused, naming it', () => {
  assert.throws(() => sliceIndex(synthetic, 0), /bins must be an integer from 1 to \d+, got 0/);
  assert.throws(() => sliceReport(synthetic, 10, 5), /the window must not end before it starts: from 10 to 5 µs/);
  assert.throws(() => sliceReport(synthetic, NaN, 5), /from must be a time in µs, got NaN/);
  assert.throws(() => sliceWindow(sliceIndex(synthetic), NaN, 5), /from must be a time in µs/);
  assert.throws(() => sliceWindowEnding(sliceIndex(synthetic), NaN, 5), /to must be a time in µs/);
});
