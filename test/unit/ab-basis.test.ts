// The A/B verdict on a busy machine (a verification tryout: `ab --schedule static,steal` of equal
// work named static the winner by +60 % wall while their critical paths were 207 / 211 ms). When
// threads of the runs waited for a core, the variants are ranked by the critical path in work and
// need a 5 % lead; on a quiet machine, by wall time as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abRows } from '../../src/model/sweep-analysis';
import { abNotes, abVerdict } from '../../src/model/sweep-tables';
import { SWEEP_FORMAT, SWEEP_VERSION, type RunSummary, type SweepReport } from '../../src/model/sweep-report';

function run(wholeMs: number, criticalMs: number, descheduledShare: number): RunSummary {
  return { file: 'x.parprof', exitCode: 0, wholeMs, wholeCovers: 'script', poolStartupMs: 0, descheduledShare, criticalMs,
    wholeBalance: { utilization: 0.9, imbalance: 1.1 }, regions: [], functions: [] };
}

function ab(runs: Record<'static' | 'steal', [number, number][]>, share: number): SweepReport {
  return {
    format: SWEEP_FORMAT, version: SWEEP_VERSION, kind: 'ab', createdAt: 0, script: '/x.js', args: [], cwd: '/', cores: 2, repeat: 2,
    variants: (['static', 'steal'] as const).map((label) => ({ label, threads: 2, schedule: label, chunkSize: null,
      runs: runs[label].map(([wall, critical]) => run(wall, critical, share)) })),
  };
}

test('a busy machine: equal work is no winner, whatever the wall times say', () => {
  const report = ab({ static: [[713, 205], [790, 209]], steal: [[358, 210], [472, 212]] }, 0.74);
  const [whole] = abRows(report);
  assert.equal(whole.basis, 'critical path');
  assert.equal(whole.winner, null);
  assert.equal(whole.slowest, null);
  assert.match(abVerdict(whole), /^no clear winner: static and steal are within 5 % of each other in work \(critical path\)$/);
  assert.match(abNotes(whole, report)[0], /^vs best and the winner: by the critical path in work/);
});

test('a busy machine: a real lead in work names the winner by its critical path', () => {
  const report = ab({ static: [[500, 300], [620, 306]], steal: [[700, 205], [760, 209]] }, 0.5);
  const [whole] = abRows(report);
  assert.equal(whole.winner, 'steal', 'slower in wall, shorter in work');
  assert.equal(whole.slowest, 'static');
  assert.match(abVerdict(whole), /^winner: steal — \+46\.4 % critical path \(the machine was busy: wall times are not compared\) for the runner-up \(static\)/);
});

test('a quiet machine: wall time decides, as before', () => {
  const report = ab({ static: [[600, 300], [610, 306]], steal: [[400, 205], [410, 209]] }, 0.01);
  const [whole] = abRows(report);
  assert.equal(whole.basis, 'wall');
  assert.equal(whole.winner, 'steal');
  assert.match(abVerdict(whole), / wall for the runner-up \(static\)/);
  assert.deepEqual(abNotes(whole, report).filter((l) => l.startsWith('vs best')), []);
});
