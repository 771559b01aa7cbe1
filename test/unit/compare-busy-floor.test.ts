// `parprof compare` on a busy machine (tryout finding F2): two runs of unchanged code read
// REGRESSED (critical path +7-9 %) and exited 1; two sweeps of it, 3 runs each, 4 minutes apart
// (load 18 then 24), read REGRESSED +6.4 % with ranges apart, because a busier machine stretches
// even time on a core. A change within what the machine can do (busyMachineFloor) is "cannot
// judge", never a regression; past it, and on a quiet machine, the verdicts are as before.
// Planted sweep reports: the answer does not depend on the load while the test runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busyMachineFloor, compareSides, sideFromSweep, STRETCH_PER_WAIT, type CompareOptions } from '../../src/model/compare';
import { compareCells, compareConclusion } from '../../src/model/sweep-tables';
import { SWEEP_FORMAT, SWEEP_VERSION, type RunSummary, type SweepReport } from '../../src/model/sweep-report';

const OPTIONS: CompareOptions = { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 5 };

function run(criticalMs: number, descheduledShare: number, wallMs = criticalMs * 2): RunSummary {
  return { file: 'x.parprof', exitCode: 0, wholeMs: wallMs, wholeCovers: 'script', poolStartupMs: 0, descheduledShare, criticalMs,
    regions: [{ key: 'map work @ a.js:3:7', name: 'map work', calls: 1, wallMs, utilization: 0.9, imbalance: 1.1, tasks: 8, criticalMs }], functions: [] };
}

function sweep(variants: Record<number, number[]>, share: number): SweepReport {
  return {
    format: SWEEP_FORMAT, version: SWEEP_VERSION, kind: 'sweep', createdAt: 0, script: '/a.js', args: [], cwd: '/', cores: 2, repeat: 3,
    variants: Object.entries(variants).map(([threads, critical]) => ({ label: `${threads} threads`, threads: Number(threads), schedule: 'dynamic' as const, chunkSize: null,
      runs: critical.map((c) => run(c, share)) })),
  };
}

const compare = (a: SweepReport, b: SweepReport) => compareSides(sideFromSweep('a', a), sideFromSweep('b', b), OPTIONS);

test('the floor: the threshold plus what the waiting stretches; none on a quiet machine', () => {
  assert.equal(busyMachineFloor([run(100, 0.02)], 'critical', 0.05), 0);
  assert.ok(Math.abs(busyMachineFloor([run(100, 0.2), run(100, 0.69)], 'critical', 0.05) - (0.05 + STRETCH_PER_WAIT * 0.69)) < 1e-12);
  assert.ok(Math.abs(busyMachineFloor([run(100, 0.5)], 'wall', 0.05) - 1.05) < 1e-12);
});

test('single runs at load: +8.7 % of the critical path is "cannot judge", exit 0; +40 % is REGRESSED', () => {
  const r = compare(sweep({ 2: [913] }, 0.57), sweep({ 2: [992] }, 0.69));
  const whole = r.pairs[0].subjects[0];
  assert.equal(whole.verdict, 'busy-machine');
  assert.equal(r.regressed, false);
  assert.match(compareCells([whole])[0][8], /^cannot judge: the machine was busy \(critical path \+8\.7 %\), within its ±19 %$/);
  assert.match(compareConclusion(r), /^no regression .*; 2 changes not judged: the machine was busy .* a change within ±19 % can be its doing/);

  const worse = compare(sweep({ 2: [913] }, 0.57), sweep({ 2: [1280] }, 0.69));
  assert.equal(worse.pairs[0].subjects[0].verdict, 'regressed');
  assert.equal(worse.regressed, true);
  const better = compare(sweep({ 2: [1280] }, 0.69), sweep({ 2: [913] }, 0.57));
  assert.equal(better.pairs[0].subjects[0].verdict, 'improved');
});

test('a quiet machine: +8.7 % is REGRESSED, as before', () => {
  const r = compare(sweep({ 2: [913] }, 0.02), sweep({ 2: [992] }, 0.03));
  assert.equal(r.pairs[0].subjects[0].verdict, 'regressed');
  assert.equal(r.pairs[0].subjects[0].busyFloor, undefined);
  assert.equal(r.regressed, true);
});

test('repeats at two load levels: ranges apart by +6.4 % are the machine\'s; the regression list names each pair', () => {
  // The tryout's critical paths (ms) of unchanged unevencpu.js, under the replayed critical path.
  const a = sweep({ 1: [1920, 1942, 1924], 2: [901, 950, 918] }, 0.78);
  const b = sweep({ 1: [2047, 1992, 2046], 2: [980, 983, 1010] }, 0.81);
  const r = compare(a, b);
  assert.deepEqual(r.pairs.flatMap((p) => p.subjects.map((s) => s.verdict)), ['busy-machine', 'busy-machine', 'busy-machine', 'busy-machine']);
  assert.equal(r.regressed, false);
  // A real +30 % at 2 threads still shows, named with its pair.
  const c = sweep({ 1: [2047, 1992, 2046], 2: [1190, 1200, 1230] }, 0.81);
  const worse = compare(a, c);
  assert.equal(worse.regressed, true);
  assert.match(compareConclusion(worse), /^regression \(slower by more than 5\.0 % and 1\.00 ms\): whole run \(2 threads\), map work \(2 threads\); 2 changes not judged/);
});

test('a change under the threshold is said to be within it, not "same"', () => {
  const small = compare(sweep({ 2: [40] }, 0.02), sweep({ 2: [41.6] }, 0.02)).pairs[0].subjects[0];
  assert.equal(small.verdict, 'same');
  assert.match(compareCells([small])[0][8], /^within the threshold \(critical path \+4\.0 %\)$/);
});
