// The arithmetic of the answers on exact synthetic numbers: the Amdahl fit, Karp–Flatt,
// speedup / efficiency, medians and spreads, the A/B winner rule, the compare verdicts and the
// sweep report's loader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amdahlFit, efficiency, karpFlatt, rangesApart, scaling, speedup, spreadOf } from '../../src/model/scaling';
import { abRows, sweepScaling } from '../../src/model/sweep-analysis';
import {
  parseSweepReport, serializeSweepReport, SWEEP_FORMAT, SWEEP_VERSION, type RunSummary, type SweepReport, type Variant,
} from '../../src/model/sweep-report';
import { compareSides, CompareError, type CompareSide } from '../../src/model/compare';
import {
  formatChange, formatDurationMs, formatMs, formatMsFromUs, formatMsFromUsAtStep, formatPercent, formatRatio, formatSpeedup, formatUsFromMs, msDigits, usDigitsFromMs,
} from '../../src/model/units';

const close = (actual: number, expected: number, eps = 1e-9, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what} expected ${expected}, got ${actual}`);

test('Amdahl fit on exact T(p) = a + b/p recovers a, b and s exactly; p = 0 counts as one thread', () => {
  // s = 0.2 of a 1000 ms one-thread time: a = 200, b = 800.
  const t = (p: number): number => 200 + 800 / Math.max(1, p);
  const fit = amdahlFit([0, 1, 2, 4, 8].map((p) => ({ threads: p, ms: t(p) })))!;
  close(fit.serialMs, 200, 1e-9, 'a');
  close(fit.parallelMs, 800, 1e-9, 'b');
  close(fit.serialFraction, 0.2, 1e-12, 's');
  assert.equal(fit.points, 5);
  // s = 0 and s = 1 at the ends.
  close(amdahlFit([1, 2, 4].map((p) => ({ threads: p, ms: 600 / p })))!.serialFraction, 0, 1e-12, 's = 0');
  close(amdahlFit([1, 2, 4].map((p) => ({ threads: p, ms: 300 })))!.serialFraction, 1, 1e-12, 's = 1');
  // Not enough distinct thread counts: no fit (0 and 1 are the same p).
  assert.equal(amdahlFit([{ threads: 0, ms: 100 }, { threads: 1, ms: 110 }]), null);
  assert.equal(amdahlFit([{ threads: 2, ms: 100 }]), null);
});

test('Karp–Flatt, speedup and efficiency on known values', () => {
  // Amdahl with s = 0.1 at p = 4: S = 1 / (0.1 + 0.9/4) = 3.0769...; Karp–Flatt gives back 0.1.
  const s4 = 1 / (0.1 + 0.9 / 4);
  close(karpFlatt(s4, 4), 0.1, 1e-12, 'e');
  close(karpFlatt(2, 2), 0, 1e-12, 'perfect speedup');
  close(karpFlatt(1, 2), 1, 1e-12, 'no speedup');
  assert.ok(Number.isNaN(karpFlatt(1, 1)), 'undefined at p = 1');
  close(speedup(1000, 250), 4);
  close(efficiency(4, 4, 0), 1, 1e-12, 'against sequential');
  close(efficiency(3, 4, 1), 0.75, 1e-12, 'against one thread');
  close(efficiency(2, 4, 2), 1, 1e-12, 'against 2 threads: ideal at 4 is 2x');
});

test('scaling(): baseline is sequential when swept, else the smallest p; points above the cores are marked and not fitted', () => {
  const t = (p: number): number => 100 + 400 / Math.max(1, p);
  const sc = scaling([8, 0, 2, 1].map((p) => ({ threads: p, wallMs: [t(p) - 1, t(p), t(p) + 5] })), 4)!;
  assert.deepEqual(sc.points.map((p) => p.threads), [0, 1, 2, 8]);
  assert.equal(sc.baselineThreads, 0);
  close(sc.points[2].speedup, 500 / 300);
  close(sc.points[2].efficiency, 500 / 300 / 2);
  close(sc.points[2].karpFlatt!, 0.2, 1e-12, 'Karp–Flatt at 2');
  assert.equal(sc.points[3].overCores, true);
  assert.equal(sc.amdahl!.points, 3, 'p = 8 left out of the fit on 4 cores');
  close(sc.amdahl!.serialFraction, 0.2, 1e-12);
  const noSeq = scaling([{ threads: 2, wallMs: [300] }, { threads: 4, wallMs: [200] }], 4)!;
  assert.equal(noSeq.baselineThreads, 2);
  assert.equal(noSeq.points[1].karpFlatt, null, 'Karp–Flatt needs a one-thread baseline');
  close(noSeq.points[1].efficiency, 0.75, 1e-12, 'S = 1.5 where 2 is ideal');
});

test('spreadOf: median, range, repeats; rangesApart needs two repeats each and no overlap', () => {
  assert.deepEqual(spreadOf([5, 1, 3]), { median: 3, min: 1, max: 5, n: 3 });
  assert.deepEqual(spreadOf([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  assert.equal(spreadOf([]).n, 0);
  assert.equal(rangesApart(spreadOf([1, 2]), spreadOf([3, 4])), true);
  assert.equal(rangesApart(spreadOf([1, 3]), spreadOf([3, 4])), false);
  assert.equal(rangesApart(spreadOf([1]), spreadOf([3])), false);
});

test('units: each formatter names its unit', () => {
  assert.equal(formatMs(1234.4), '1234 ms');
  assert.equal(formatMs(5.678), '5.68 ms');
  assert.equal(formatMsFromUs(1500), '1.50 ms');
  assert.equal(formatPercent(0.2), '20 %');
  assert.equal(formatPercent(0.05), '5.0 %');
  assert.equal(formatPercent(0), '0 %');
  assert.equal(formatChange(0.3), '+30.0 %');
  assert.equal(formatChange(-0.042), '-4.2 %');
  assert.equal(formatRatio(1.234), '1.23');
  assert.equal(formatSpeedup(1.8), '1.80×');
  assert.equal(formatMs(NaN), '-');
  // Below a millisecond, three decimals: a 4 µs chunk is not '0.00 ms'.
  assert.equal(formatMs(0.004), '0.004 ms');
  assert.equal(formatMs(0), '0.00 ms');
  assert.equal(msDigits(56.74), '56.7');
  assert.equal(usDigitsFromMs(0.0083), '8.30');
  assert.equal(formatUsFromMs(0.12), '120 µs');
  // Prose picks the unit from the size, and says which.
  assert.equal(formatDurationMs(0.0008), '0.800 µs');
  assert.equal(formatDurationMs(56.74), '56.7 ms');
  assert.equal(formatDurationMs(850.4), '850 ms');
  assert.equal(formatDurationMs(2312), '2.31 s');
  assert.equal(formatDurationMs(Infinity), '-');
  // Axis labels: as many decimals as the step between ticks needs.
  assert.equal(formatMsFromUsAtStep(12_000, 1000), '12 ms');
  assert.equal(formatMsFromUsAtStep(12_345, 10), '12.35 ms');
});

function run(wholeMs: number, regions: [string, number][] = [], functions: [string, number][] = []): RunSummary {
  return {
    file: 'x.parprof', exitCode: 0, wholeMs, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: null,
    regions: regions.map(([key, wallMs]) => ({ key, name: key, calls: 1, wallMs, utilization: 0.9, imbalance: 1.1, tasks: 10 })),
    functions: functions.map(([name, selfMs]) => ({ name, file: 'a.js', line: 1, selfMs })),
  };
}

function variant(label: string, threads: number, runs: RunSummary[], schedule: Variant['schedule'] = 'steal'): Variant {
  return { label, threads, schedule, chunkSize: null, runs };
}

function sweepOf(kind: SweepReport['kind'], variants: Variant[]): SweepReport {
  return { format: SWEEP_FORMAT, version: SWEEP_VERSION, kind, createdAt: 1, script: '/s.js', args: [], cwd: '/', cores: 4, repeat: variants[0].runs.length, variants };
}

test('sweep report: serialize -> parse round trip; bad input gets one error naming the field', () => {
  const r = sweepOf('sweep', [variant('sequential', 0, [run(500, [['map f', 400]])]), variant('2 threads', 2, [run(300, [['map f', 200]])])]);
  const text = serializeSweepReport(r);
  assert.equal(serializeSweepReport(parseSweepReport(text)), text);
  const sc = sweepScaling(parseSweepReport(text));
  assert.deepEqual(sc.map((s) => s.name), ['whole run', 'map f']);
  close(sc[1].scaling!.points[1].speedup, 2);
  const bad = JSON.parse(text);
  bad.variants[1].runs[0].regions[0].wallMs = 'slow';
  assert.throws(() => parseSweepReport(JSON.stringify(bad)), /^SweepReportError: variants\[1\]\.runs\[0\]\.regions\[0\]\.wallMs: expected a finite number ≥ 0, found string "slow"$/);
  assert.throws(() => parseSweepReport('{"format":"parprof-sweep","version":9}'), /unsupported sweep report version 9/);
  assert.throws(() => parseSweepReport('{"format":"parprof"}'), /not a Parallel Profiler sweep report/);
  assert.throws(() => parseSweepReport('nope'), /not valid JSON/);
});

test('A/B: a winner only when its range is apart from the runner-up\'s', () => {
  const clear = abRows(sweepOf('ab', [
    variant('static', 2, [run(200), run(210)], 'static'), variant('dynamic', 2, [run(100), run(104)], 'dynamic'), variant('steal', 2, [run(120), run(125)]),
  ]))[0];
  assert.equal(clear.winner, 'dynamic');
  assert.equal(clear.slowest, 'static');
  close(clear.cells[0].behindBest, (205 - 102) / 102, 1e-12);
  const overlap = abRows(sweepOf('ab', [variant('dynamic', 2, [run(100), run(110)], 'dynamic'), variant('steal', 2, [run(105), run(112)])]))[0];
  assert.equal(overlap.winner, null);
  assert.match(overlap.noWinnerReason!, /overlap within the spread/);
  assert.equal(overlap.slowest, null, 'no slowest named inside the spread either');
  const once = abRows(sweepOf('ab', [variant('dynamic', 2, [run(100)], 'dynamic'), variant('steal', 2, [run(200)])]))[0];
  assert.equal(once.winner, null, 'one run each cannot show a spread');
  assert.equal(once.slowest, null);
  // Three variants, best and runner-up overlapping, the third apart: no winner, and a slowest.
  const third = abRows(sweepOf('ab', [variant('dynamic', 2, [run(100), run(110)], 'dynamic'), variant('steal', 2, [run(105), run(112)]), variant('static', 2, [run(190), run(200)], 'static')]))[0];
  assert.equal(third.winner, null);
  assert.equal(third.slowest, 'static');
});

test('compare: a slowdown past the threshold regresses; within the repeats\' spread it does not; improvements and identity pass', () => {
  const o = { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 5 };
  const side = (name: string, runs: RunSummary[]): CompareSide => ({ name, variants: [variant('2 threads', 2, runs)] });
  const base = side('base', [run(100, [['map f', 80]], [['f', 60], ['g', 10]])]);
  const slow = side('new', [run(130, [['map f', 104]], [['f', 84], ['g', 10]])]);
  const r = compareSides(base, slow, o);
  assert.equal(r.regressed, true);
  assert.deepEqual(r.pairs[0].subjects.map((s) => s.verdict), ['regressed', 'regressed']);
  close(r.pairs[0].subjects[0].change!, 0.3, 1e-12);
  assert.deepEqual(r.pairs[0].functions.map((f) => [f.name, f.deltaMs]), [['f', 24]]);
  assert.equal(compareSides(slow, base, o).regressed, false, 'an improvement');
  assert.equal(compareSides(base, base, o).regressed, false, 'itself');
  // With repeats on both sides, +8 % whose ranges overlap is noise; +30 % apart is a regression.
  const b3 = side('b', [run(95), run(100), run(110)]);
  assert.equal(compareSides(b3, side('n', [run(100), run(108), run(115)]), o).pairs[0].subjects[0].verdict, 'within-noise');
  assert.equal(compareSides(b3, side('n', [run(125), run(130), run(140)]), o).regressed, true);
  // Below the absolute floor: +50 % of 1 ms is not a regression at minDeltaMs 1.
  assert.equal(compareSides(side('b', [run(1)]), side('n', [run(1.5)]), o).regressed, false);
  // Sweeps pair configurations by threads and schedule; none in common is an error.
  const s1: CompareSide = { name: 'a', variants: [variant('sequential', 0, [run(100)]), variant('2 threads', 2, [run(60)])] };
  const s2: CompareSide = { name: 'b', variants: [variant('sequential', 0, [run(100)]), variant('2 threads', 2, [run(80)])] };
  const pairs = compareSides(s1, s2, o).pairs;
  assert.deepEqual(pairs.map((p) => p.base), ['sequential', '2 threads']);
  close(pairs[1].subjects[0].efficiency.base!, 100 / 60 / 2, 1e-12, 'efficiency base');
  close(pairs[1].subjects[0].efficiency.next!, 100 / 80 / 2, 1e-12, 'efficiency new');
  // An A/B side (same threads, other schedules) has no baseline: no efficiency.
  const ab1: CompareSide = { name: 'ab', variants: [variant('static', 2, [run(200)], 'static'), variant('steal', 2, [run(100)])] };
  assert.deepEqual(compareSides(ab1, ab1, o).pairs[1].subjects[0].efficiency, { base: null, next: null });
  assert.throws(() => compareSides(s1, { name: 'c', variants: [variant('4 threads', 4, [run(1)]), variant('8 threads', 8, [run(1)])] }, o), CompareError);
});
