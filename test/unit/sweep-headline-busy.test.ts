// Tryout: a Runs view entry read "sweep 1,2 threads · speedup 1.94× at 2" for a script whose
// planted work (100 ms serial, tasks of 300 and 100 ms) cannot go past 1.25×; the sweep's 1-thread
// run had waited for a core, and the sweep page itself charted the critical path (0.68×) and did
// not judge the wall times. The headline says what the page charts. Planted sweeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepHeadline } from '../../src/model/sweep-views';
import { validateSweepReport, type SweepReport } from '../../src/model/sweep-report';

/** Per thread count: wall and critical path of the whole run (ms); every run's descheduled share. */
function sweep(points: [number, number, number][], share: number): SweepReport {
  return validateSweepReport({
    format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 0, script: '/w/a.js', args: [], cwd: '/w', cores: 2, repeat: 1,
    variants: points.map(([p, wall, critical]) => ({ label: `${p} thread${p === 1 ? '' : 's'}`, threads: p, schedule: 'dynamic', chunkSize: null,
      runs: [{ file: `a-${p}.parprof`, exitCode: 0, wholeMs: wall, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: share, criticalMs: critical,
        regions: [], functions: [] }] })),
  });
}

test('a busy machine: the headline gives the critical path\'s speedup, as the page charts it, and says why', () => {
  assert.equal(sweepHeadline(sweep([[1, 873, 144], [2, 450, 212]], 0.74)), 'sweep 1,2 threads · no speedup (critical path: the machine was busy)');
  assert.equal(sweepHeadline(sweep([[1, 873, 400], [2, 450, 320]], 0.74)), 'sweep 1,2 threads · speedup 1.25× at 2 (critical path: the machine was busy)');
});

test('a quiet machine: the wall times, as before', () => {
  assert.equal(sweepHeadline(sweep([[1, 873, 400], [2, 450, 320]], 0.01)), 'sweep 1,2 threads · speedup 1.94× at 2');
});
