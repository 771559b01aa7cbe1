// The sweep page's pure parts against planted numbers: the chart layout (ideal line through
// (p, p), the Amdahl curve through exactly-Amdahl points, thread counts above the cores marked),
// the Runs view's entry text, the Markdown export, and the A/B lanes' bounded size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaling } from '../../src/model/scaling';
import { sweepChartLayout, DEFAULT_CHART_SIZE } from '../../src/model/sweep-layout';
import { sweepEntry, sweepHeadline } from '../../src/model/sweep-views';
import { compareMarkdown, sweepMarkdown } from '../../src/model/sweep-tables';
import { LANE_RESOLUTION, medianRunIndex, sweepPage, variantLanes } from '../../src/model/sweep-lanes';
import { validateSweepReport, type RunSummary, type SweepReport } from '../../src/model/sweep-report';
import { syntheticReport } from '../../src/model/synthetic';
import { standalonePageHtml } from '../../src/model/html-report';
import { compareSides, sideFromSweep } from '../../src/model/compare';

/** T(p) = 30 + 120 / p ms: serial fraction 0.2 exactly. */
const amdahlMs = (p: number): number => 30 + 120 / Math.max(1, p);

function run(wholeMs: number, regionMs?: number): RunSummary {
  return {
    file: `r-${wholeMs}.parprof`, exitCode: 0, wholeMs, wholeCovers: 'script', poolStartupMs: 5, descheduledShare: null,
    regions: regionMs === undefined ? [] : [{ key: 'map work @ a.js:3:7', name: 'map work', calls: 1, wallMs: regionMs, utilization: 0.9, imbalance: 1.1, tasks: 8 }],
    functions: [{ name: 'work', file: 'a.js', line: 3, selfMs: wholeMs / 2 }],
  };
}

function sweepOf(threads: number[], cores: number, ms = amdahlMs): SweepReport {
  return validateSweepReport({
    format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 1_000_000, script: '/w/a.js', args: [], cwd: '/w', cores, repeat: 3,
    variants: threads.map((p) => ({ label: p === 0 ? 'sequential' : `${p} threads`, threads: p, schedule: 'dynamic', chunkSize: null,
      runs: [run(ms(p) * 0.98, ms(p) / 2), run(ms(p), ms(p) / 2), run(ms(p) * 1.03, ms(p) / 2)] })),
  });
}

function abOf(medians: Record<string, number[]>): SweepReport {
  return validateSweepReport({
    format: 'parprof-sweep', version: 1, kind: 'ab', createdAt: 1_000_000, script: '/w/skew.js', args: [], cwd: '/w', cores: 2, repeat: 2,
    variants: Object.entries(medians).map(([schedule, ms]) => ({ label: schedule, threads: 2, schedule, chunkSize: null, runs: ms.map((x) => run(x, x)) })),
  });
}

test('chart: the ideal line runs through (p, p) and the points sit at their speedups on the same scales', () => {
  const sc = scaling(sweepOf([0, 1, 2, 4], 4).variants.map((v) => ({ threads: v.threads, wallMs: v.runs.map((r) => r.wholeMs) })), 4)!;
  const chart = sweepChartLayout(sc, 4);
  const { plot } = chart;
  const xOf = (p: number) => plot.x0 + ((p - 1) / (chart.maxP - 1)) * (plot.x1 - plot.x0);
  const yOf = (s: number) => plot.y1 - (s / chart.maxSpeedup) * (plot.y1 - plot.y0);
  assert.deepEqual(chart.ideal.map((q) => q.p), [1, 2, 4]);
  for (const q of chart.ideal) {
    assert.equal(q.speedup, q.p);
    assert.ok(Math.abs(q.x - xOf(q.p)) < 1e-9 && Math.abs(q.y - yOf(q.p)) < 1e-9);
  }
  assert.deepEqual(chart.points.map((q) => q.threads), [0, 1, 2, 4]);
  for (const [i, q] of chart.points.entries()) {
    assert.equal(q.speedup, sc.points[i].speedup);
    assert.ok(Math.abs(q.y - yOf(q.speedup)) < 1e-9);
    assert.ok(q.yHigh <= q.y && q.y <= q.yLow, 'the spread bar spans the point');
  }
  // Speedup of 4 threads against sequential: 150 / 60 = 2.5.
  assert.ok(Math.abs(chart.points[3].speedup - 2.5) < 1e-9);
  assert.ok(chart.maxSpeedup >= 4, 'the axis reaches the ideal at the largest p');
  assert.equal(chart.coresX, null);
  assert.ok(chart.points.every((q) => q.x >= plot.x0 && q.x <= plot.x1 && q.y >= plot.y0 && q.y <= plot.y1));
  assert.equal(chart.size, DEFAULT_CHART_SIZE);
});

test('chart: the Amdahl curve passes through exactly-Amdahl points; none when the fit has no serial fraction in 0..1', () => {
  const exact = (p: number) => amdahlMs(p);
  const sc = scaling([0, 1, 2, 4].map((p) => ({ threads: p, wallMs: [exact(p)] })), 4)!;
  assert.ok(Math.abs(sc.amdahl!.serialFraction - 0.2) < 1e-9);
  const chart = sweepChartLayout(sc, 4);
  for (const q of chart.points) {
    const onCurve = chart.amdahl!.find((c) => c.p === q.p)!;
    assert.ok(Math.abs(onCurve.speedup - q.speedup) < 1e-9, `curve at p=${q.p}: ${onCurve.speedup} vs ${q.speedup}`);
    assert.ok(Math.abs(onCurve.y - q.y) < 1e-6);
  }
  assert.ok(chart.amdahl!.length <= 64 + 1 + chart.points.length);
  // Slower with more threads: the fit's serial fraction is above 1, no curve.
  const worse = scaling([0, 1, 2].map((p) => ({ threads: p, wallMs: [10 * Math.max(1, p)] })), 4)!;
  assert.equal(sweepChartLayout(worse, 4).amdahl, null);
});

test('chart: thread counts above the cores are marked and the cores line drawn', () => {
  const sc = scaling(sweepOf([0, 1, 2, 4], 2).variants.map((v) => ({ threads: v.threads, wallMs: v.runs.map((r) => r.wholeMs) })), 2)!;
  const chart = sweepChartLayout(sc, 2);
  assert.deepEqual(chart.points.map((q) => q.overCores), [false, false, false, true]);
  const x2 = chart.points.find((q) => q.threads === 2)!.x;
  assert.equal(chart.coresX, x2);
});

test('Runs view entry of a sweep names the thread counts and the best speedup; of an A/B the winner', () => {
  const sweep = sweepOf([0, 1, 2], 2);
  // 150 ms sequential against 90 ms at 2 threads: 1.67×.
  assert.equal(sweepHeadline(sweep), 'sweep 0,1,2 threads · speedup 1.67× at 2');
  const entry = sweepEntry(sweep, '/w/.parprof/a.parprof-sweep.json', 1_000_000 + 4 * 60_000);
  assert.equal(entry.label, 'a.js');
  assert.equal(entry.description, 'sweep 0,1,2 threads · speedup 1.67× at 2 · 4 min ago');
  assert.match(entry.tooltip, /scaling sweep · 9 runs \(3 per variant\) on 2 cores/);
  assert.match(entry.tooltip, /whole run \(median\): sequential: 150 ms · 1 threads: 150 ms · 2 threads: 90.0 ms/);
  assert.equal(sweepHeadline(sweepOf([0, 1], 2, () => 100)), 'sweep 0,1 threads · no speedup');
  assert.equal(sweepHeadline(sweepOf([0, 1], 2, (p) => (p === 0 ? 100 : 120))), 'sweep 0,1 threads · no speedup');
  assert.equal(sweepHeadline(abOf({ static: [200, 210], dynamic: [100, 104] })), 'A/B static/dynamic · winner dynamic');
  assert.equal(sweepHeadline(abOf({ static: [100, 130], dynamic: [110, 120] })), 'A/B static/dynamic · no clear winner');
});

test('Markdown of a sweep and of an A/B: the tables and the serial fraction, the winner', () => {
  const md = sweepMarkdown(sweepOf([0, 1, 2, 4], 4, (p) => amdahlMs(p)));
  assert.match(md, /^### Parallel Profiler: Sweep of `a\.js`\n/);
  assert.match(md, /\| threads \| wall \(median\) \| range \| speedup \| efficiency \| Karp-Flatt \|/);
  assert.match(md, /\| 4 \| 60\.0 ms \| 58\.8–61\.8 ms \| 2\.50× \| 63 % \| 0\.20 \|/);
  assert.match(md, /- serial fraction \(Amdahl fit over sequential, 1 thread, 2 threads, 4 threads\): 20 % — T\(p\) = 30\.0 ms \+ 120 ms \/ p/);
  assert.match(md, /\*\*Region map work @ a\.js:3:7\*\*/);
  const ab = sweepMarkdown(abOf({ static: [200, 210], dynamic: [100, 104] }));
  assert.match(ab, /\| static \| 205 ms \| 200–210 ms \| 90 % \| 1\.10 \| \+101\.0 % \|/);
  assert.match(ab, /- winner: dynamic — \+101\.0 % wall for the runner-up \(static\), outside the spread of 2 runs each/);
});

test('A/B lanes: the median run of each variant, spans merged to at most LANE_RESOLUTION per thread', () => {
  const ab = abOf({ static: [300, 100, 200], dynamic: [150, 120] });
  assert.equal(medianRunIndex(ab.variants[0]), 2);
  // Two runs: the lower middle (120 ms), the shortest one.
  assert.equal(medianRunIndex(ab.variants[1]), 1);
  // 50 000 spans of a synthetic run merge into at most LANE_RESOLUTION intervals per thread.
  const report = syntheticReport({ threads: 2, spans: 50_000, profiles: 0, samplesPerProfile: 0 });
  const lanes = variantLanes('static', 'x.parprof', 12, report);
  assert.ok(lanes.threads.length >= 2);
  for (const t of lanes.threads) {
    assert.ok(t.busy.length > 0 && t.busy.length / 2 <= LANE_RESOLUTION + 1, `${t.busy.length / 2} intervals`);
    for (let i = 0; i + 1 < t.busy.length; i += 2) assert.ok(t.busy[i] <= t.busy[i + 1] && (i === 0 || t.busy[i - 1] <= t.busy[i]));
  }
  const read: string[] = [];
  const page = sweepPage(ab, (file) => { read.push(file); if (file === 'r-120.parprof') throw new Error('missing'); return report; });
  assert.deepEqual(read, ['r-200.parprof', 'r-120.parprof']);
  assert.deepEqual(page.lanes.map((l) => [l.label, l.file, l.wholeMs]), [['static', 'r-200.parprof', 200]]);
  assert.equal(page.lanesNote, 'no lanes for dynamic (r-120.parprof: missing)');
  assert.equal(sweepPage(sweepOf([0, 1], 2), () => { throw new Error('never read'); }).lanes.length, 0);
});

test('the standalone sweep page carries the report as inert JSON: a hostile script name cannot close the element', () => {
  const sweep = sweepOf([0, 1], 2);
  const hostile = { ...sweep, script: '/w/</script><script>alert(1)</script><!--.js' };
  const html = standalonePageHtml('sweep', { sweep: hostile, lanes: [] }, 'console.log("bundle")', 'a <title>');
  assert.equal(html.match(/<script/g)!.length, 2);
  assert.match(html, /<title>a &#60;title&#62;<\/title>/);
  const json = /<script type="application\/json" id="parprof-sweep" data-page="sweep">(.*)<\/script>\n<script nonce/.exec(html)![1];
  assert.equal((JSON.parse(json) as { sweep: SweepReport }).sweep.script, hostile.script);
});

test('Markdown of a comparison: a planted 30 % slowdown is a regression, with the function that grew', () => {
  const one = (ms: number) => validateSweepReport({ ...sweepOf([2], 2, () => ms), repeat: 3 });
  const r = compareSides(sideFromSweep('base', one(100)), sideFromSweep('new', one(130)), { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 10 });
  const md = compareMarkdown(r, '/w/base.parprof', '/w/new.parprof');
  assert.match(md, /^### Parallel Profiler: `base\.parprof` → `new\.parprof`\n/);
  assert.match(md, /\| whole run \| 100 ms \(98\.0–103 ms\) \| 130 ms \(127–134 ms\) \| \+30\.0 % \| \+30\.0 ms \| - \| - \| - \| REGRESSED \(wall\) \|/, 'no CPU times in this planted pair: the verdict says it judged wall time');
  // work's self time is half the whole run: 50.17 → 65.22 ms per run on average.
  assert.match(md, /\| \+15\.0 ms \| 50\.2 ms \| 65\.2 ms \| work a\.js:3 \|/);
  assert.match(md, /\*\*regression \(slower by more than 5\.0 % and 1\.00 ms\): whole run, map work\*\*\n$/);
});
