// Tryout finding F3: a sweep at load printed a critical-path speedup of 2.22× on 2 threads and a
// serial fraction of 12 % for serialcpu.js's planted 20 % (400 ms serial, 8 × 200 ms tasks): the
// same work took less time on a core on 2 threads than sequentially. A speedup above what the
// thread count, or Amdahl's law with the baseline's serial work, allows is flagged as not real and
// no serial fraction is drawn from it; a sweep within the bounds keeps its serial fraction.
// Planted sweep reports (the tryout's medians), so the answer does not depend on the load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepScaling } from '../../src/model/sweep-analysis';
import { validateSweepReport, type SweepReport } from '../../src/model/sweep-report';
import { busyContext, scalingNotes } from '../../src/model/sweep-tables';

/** Per thread count: the whole run's critical path and its region's (ms); every run busy (share 0.6). */
function sweep(points: [number, number, number][]): SweepReport {
  return validateSweepReport({
    format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 0, script: '/w/serialcpu.js', args: [], cwd: '/w', cores: 2, repeat: 1,
    variants: points.map(([p, run, region]) => ({ label: p ? `${p} threads` : 'sequential', threads: p, schedule: 'dynamic', chunkSize: null,
      runs: [{ file: `a-${p}.parprof`, exitCode: 0, wholeMs: run * 2, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: 0.6, criticalMs: run,
        regions: [{ key: 'map work @ serialcpu.js:9:3', name: 'map work', calls: 1, wallMs: region * 2, utilization: 1, imbalance: 1, tasks: 8, criticalMs: region }], functions: [] }] })),
  });
}

function criticalNote(report: SweepReport, key: string): string {
  const s = sweepScaling(report).find((x) => x.key === key)!;
  const note = scalingNotes(s.scaling!, report.cores, busyContext(report, s)).find((n) => n.startsWith('on the critical path'));
  assert.ok(note);
  return note!;
}

test('above the threads and above Amdahl: flagged, no serial fraction (the tryout\'s serialcpu.js sweep)', () => {
  const report = sweep([[0, 2416, 1998], [1, 2306, 1895], [2, 1321, 902]]);
  const region = criticalNote(report, 'map work @ serialcpu.js:9:3');
  assert.match(region, /2 threads: 902 ms \(2\.22× — not a real speedup: above the 2\.00× 2 threads allow\)/, region);
  assert.match(region, /; no serial fraction: the same work took less time on a core/);
  assert.doesNotMatch(region, /serial fraction \d/);
  const whole = criticalNote(report, '');
  // Amdahl with the sequential run's 418 ms of serial work: 2416 / (418 + 1998 / 2) = 1.71×.
  assert.match(whole, /2 threads: 1321 ms \(1\.83× — not a real speedup: above the 1\.71× Amdahl's law allows with sequential's 418 ms of serial work\)/, whole);
  // 1 thread 4.8 % faster than sequential: within what identical work reads from run to run (BEYOND_TOLERANCE).
  assert.match(whole, /1 thread: 2306 ms \(1\.05×\) · /, whole);
  assert.doesNotMatch(whole, /serial fraction \d/);
});

test('within the bounds: no flag, and the serial fraction is printed', () => {
  // 400 ms serial + 1600 ms of parallel work: 2000 sequential, 1200 on 2 threads (1.67×, Amdahl's bound).
  const report = sweep([[0, 2000, 1600], [2, 1200, 800]]);
  const whole = criticalNote(report, '');
  assert.doesNotMatch(whole, /not a real speedup/);
  assert.match(whole, /; serial fraction 20 %$/, whole);
  assert.doesNotMatch(criticalNote(report, 'map work @ serialcpu.js:9:3'), /not a real speedup/);
});

test('a few per cent above the bounds is run-to-run noise: no flag, the serial fraction is given (a tryout\'s planted 20 %)', () => {
  // Sequential 1-4 % slower on a core than 1 thread at every repeat, and 2 threads 1.1 % above Amdahl's bound: refused before.
  const report = sweep([[0, 1213, 970], [1, 1192, 955], [2, 720, 485]]);
  const whole = criticalNote(report, '');
  assert.doesNotMatch(whole, /not a real speedup/, whole);
  const fraction = Number(/; serial fraction (\d+(?:\.\d+)?) %$/.exec(whole)?.[1]);
  assert.ok(fraction >= 15 && fraction <= 25, whole);
  // 6 % above: flagged.
  assert.match(criticalNote(sweep([[0, 1213, 970], [2, 686, 485]]), ''), /not a real speedup/);
});
