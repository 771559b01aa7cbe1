// Tryout finding F12: the sweep page drew an "Amdahl fit" through the wall times that its notes
// said were not judged (the machine was busy), and the curve, base / T(p), started at 1.3× and
// ended above the ideal line. The chart plots what the notes judge (chartedScaling) and the fit's
// curve passes through 1× at the baseline. Planted sweeps: the answer does not depend on the load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaling } from '../../src/model/scaling';
import { sweepScaling } from '../../src/model/sweep-analysis';
import { chartedScaling, sweepChartLayout } from '../../src/model/sweep-layout';
import { validateSweepReport, type SweepReport } from '../../src/model/sweep-report';

/** Per thread count: wall and critical path of the whole run (ms; 400 ms of it serial, the rest one region); every run's descheduled share. */
function sweep(points: [number, number, number][], share: number): SweepReport {
  return validateSweepReport({
    format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 0, script: '/w/a.js', args: [], cwd: '/w', cores: 2, repeat: 1,
    variants: points.map(([p, wall, critical]) => ({ label: p ? `${p} threads` : 'sequential', threads: p, schedule: 'dynamic', chunkSize: null,
      runs: [{ file: `a-${p}.parprof`, exitCode: 0, wholeMs: wall, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: share, criticalMs: critical,
        regions: [{ key: 'map w @ a.js:3:1', name: 'map w', calls: 1, wallMs: wall - 400, utilization: 1, imbalance: 1, tasks: 8, criticalMs: critical - 400 }], functions: [] }] })),
  });
}

test('the Amdahl curve passes through 1× at the baseline and stays under the ideal line', () => {
  // The tryout's shape: the 1-thread run faster than sequential (1.5×), so the fit's T(1) is not the sequential time.
  const sc = scaling([{ threads: 0, wallMs: [3000] }, { threads: 1, wallMs: [2000] }, { threads: 2, wallMs: [1300] }], 2)!;
  assert.ok(sc.amdahl && sc.amdahl.serialFraction >= 0 && sc.amdahl.serialFraction <= 1, JSON.stringify(sc.amdahl));
  const chart = sweepChartLayout(sc, 2);
  assert.ok(chart.amdahl);
  assert.ok(Math.abs(chart.amdahl![0].p - 1) < 1e-12 && Math.abs(chart.amdahl![0].speedup - 1) < 1e-9, `curve starts at ${chart.amdahl![0].speedup}×`);
  for (const q of chart.amdahl!) assert.ok(q.speedup <= q.p + 1e-9, `curve at p=${q.p}: ${q.speedup}× above ideal`);
  assert.equal(sweepChartLayout(sc, 2, undefined, false).amdahl, null);
});

test('a busy machine: the chart plots the critical path with its fit; no fit when a speedup is beyond its bounds', () => {
  const busy = sweep([[0, 3000, 2000], [1, 2000, 2010], [2, 1800, 1200]], 0.6);
  const [whole] = sweepScaling(busy);
  const charted = chartedScaling(busy, whole)!;
  assert.equal(charted.basis, 'critical path');
  assert.equal(charted.scaling, whole.criticalScaling);
  assert.equal(charted.fit, true);
  assert.ok(sweepChartLayout(charted.scaling, 2, undefined, charted.fit).amdahl);

  // 2.22× on 2 threads: not a real speedup, the notes give no serial fraction, the chart no fit.
  const beyond = sweep([[0, 3000, 1998], [2, 1800, 900]], 0.6);
  const [w2] = sweepScaling(beyond);
  const c2 = chartedScaling(beyond, w2)!;
  assert.equal(c2.basis, 'critical path');
  assert.equal(c2.fit, false);
  assert.equal(sweepChartLayout(c2.scaling, 2, undefined, c2.fit).amdahl, null);
});

test('a quiet machine: the wall times and their fit, as before', () => {
  const quiet = sweep([[0, 3000, 2000], [1, 3000, 1990], [2, 1800, 1200]], 0.02);
  const [whole] = sweepScaling(quiet);
  const charted = chartedScaling(quiet, whole)!;
  assert.equal(charted.basis, 'wall');
  assert.equal(charted.scaling, whole.scaling);
  assert.equal(charted.fit, true);
});
