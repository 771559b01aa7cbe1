// compare judges CPU time where both sides have it (tryout finding 9): on a loaded machine two runs
// of unchanged code differed by +120 % in wall time and were REGRESSED; doubling a loop's work
// (on CPU 669 → 1324 ms) showed as +5686 ms of wall self time. Planted summaries: wall times that
// a load stretched against CPU times that tell the work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSides, type CompareSide } from '../../src/model/compare';
import type { RunSummary } from '../../src/model/sweep-report';
import { compareCells, functionDeltaTitle } from '../../src/model/sweep-tables';

const o = { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 5 };

/** A run: whole-run wall and CPU ms, one region 'map row' (wall, work ms), and function `row` (wall self, CPU self ms). */
function run(wall: number, cpu: number | undefined, region: [number, number | undefined], row: [number, number | undefined]): RunSummary {
  return {
    file: 'x.parprof', exitCode: 0, wholeMs: wall, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: null, ...(cpu !== undefined ? { cpuMs: cpu } : {}),
    regions: [{ key: 'map row', name: 'map row', calls: 1, wallMs: region[0], utilization: 0.9, imbalance: 1, tasks: 10, ...(region[1] !== undefined ? { workMs: region[1] } : {}) }],
    functions: [{ name: 'row', file: 'a.js', line: 3, selfMs: row[0], ...(row[1] !== undefined ? { selfCpuMs: row[1] } : {}) }],
  };
}
const side = (name: string, r: RunSummary): CompareSide => ({ name, variants: [{ label: '2 threads, steal', threads: 2, schedule: 'steal', chunkSize: null, runs: [r] }] });

test('unchanged code on a loaded machine: wall +120 %, CPU time the same: not a regression, and the cell says CPU judged', () => {
  const r = compareSides(side('base', run(1000, 1400, [800, 1300], [600, 590])), side('new', run(2200, 1420, [1800, 1310], [1500, 600])), o);
  assert.equal(r.regressed, false);
  assert.deepEqual(r.pairs[0].subjects.map((s) => [s.verdictBy, s.verdict]), [['cpu', 'same'], ['cpu', 'same']]);
  assert.ok(r.pairs[0].subjects[0].change! > 1, 'the wall change is still shown');
  assert.match(compareCells(r.pairs[0].subjects)[0].at(-1)!, /^within the threshold \(on CPU \+1\.4 %\)$/);
  // Function deltas are on-CPU self time: 590 → 600 ms, not 600 → 1500 ms of wall.
  assert.deepEqual(r.pairs[0].functions.map((f) => [f.name, f.deltaMs]), [['row', 10]]);
  assert.equal(functionDeltaTitle(r.pairs[0]), 'Functions whose self time changed most (on CPU, mean per run, all threads)');
});

test('doubled work: CPU time 669 → 1324 ms regresses, whatever the wall time did', () => {
  const r = compareSides(side('base', run(1500, 900, [1400, 669], [1360, 669])), side('new', run(1450, 1560, [1380, 1324], [1300, 1324])), o);
  assert.equal(r.regressed, true);
  assert.deepEqual(r.pairs[0].subjects.map((s) => s.verdict), ['regressed', 'regressed']);
  assert.deepEqual(r.pairs[0].functions.map((f) => [f.name, f.deltaMs]), [['row', 655]]);
});

test('a side without CPU times (format 1, or no schedstat) is judged by wall time, and says so', () => {
  const r = compareSides(side('base', run(1000, undefined, [800, undefined], [600, undefined])), side('new', run(1300, 1400, [1040, 900], [780, 700])), o);
  assert.deepEqual(r.pairs[0].subjects.map((s) => [s.verdictBy, s.verdict]), [['wall', 'regressed'], ['wall', 'regressed']]);
  assert.match(compareCells(r.pairs[0].subjects)[0].at(-1)!, /^REGRESSED \(wall\)$/);
  assert.equal(r.pairs[0].functionsBy, 'wall');
  assert.equal(functionDeltaTitle(r.pairs[0]), 'Functions whose self time changed most (wall time, mean per run, all threads)');
});
