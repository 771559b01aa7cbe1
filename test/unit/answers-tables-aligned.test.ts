// The tables of `parprof ab`, `sweep` and `compare` printed one under another line up: each
// column ends at the same place in every table (the whole run's 1196 ms and a region's 876 ms
// used to shift the columns). And compare gives the whole run's utilization and imbalance
// when both runs have them, or says why it prints '-'. Planted summaries, no recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSides, type CompareSide } from '../../src/model/compare';
import { SWEEP_FORMAT, SWEEP_VERSION, type RunSummary, type SweepReport, type Variant } from '../../src/model/sweep-report';
import { formatAb } from '../../src/cli/ab';
import { formatSweep } from '../../src/cli/sweep';
import { formatCompareText } from '../../src/cli/compare';

function run(wholeMs: number, regionMs: number, whole?: { utilization: number; imbalance: number }): RunSummary {
  return {
    file: 'x.parprof', exitCode: 0, wholeMs, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: null,
    ...(whole ? { wholeBalance: whole } : {}),
    regions: [{ key: 'map f @ a.js:3:7', name: 'map f', calls: 1, wallMs: regionMs, utilization: 0.9, imbalance: 1.1, tasks: 10 }],
    functions: [],
  };
}

const variant = (label: string, threads: number, runs: RunSummary[], schedule: Variant['schedule'] = 'dynamic'): Variant => ({ label, threads, schedule, chunkSize: null, runs });
const sweepOf = (kind: SweepReport['kind'], variants: Variant[]): SweepReport =>
  ({ format: SWEEP_FORMAT, version: SWEEP_VERSION, kind, createdAt: 1, script: '/s.js', args: [], cwd: '/', cores: 2, repeat: 1, variants });

/** For each table (a header line and its rows), where each line's cells end: the header's ends must match in every table. */
function headerEnds(text: string, firstHeaderCell: string): number[][] {
  return text.split('\n').filter((l) => l.startsWith(`  ${firstHeaderCell}`)).map((l) => [...l.matchAll(/\S(?=\s{2}|$)/g)].map((m) => m.index!));
}

test('A/B: the whole run\'s table and a region\'s have their columns at the same places', () => {
  const text = formatAb(sweepOf('ab', [variant('static', 2, [run(11960, 876)], 'static'), variant('dynamic', 2, [run(692, 429)])]), 'ab.json');
  const ends = headerEnds(text, 'variant');
  assert.equal(ends.length, 2, text);
  assert.deepEqual(ends[1], ends[0], text);
});

test('sweep: the whole run\'s table and a region\'s have their columns at the same places', () => {
  const text = formatSweep(sweepOf('sweep', [variant('sequential', 0, [run(11960, 876)]), variant('2 threads', 2, [run(6920, 429)])]), 'sweep.json');
  const ends = headerEnds(text, 'threads');
  assert.equal(ends.length, 2, text);
  assert.deepEqual(ends[1], ends[0], text);
});

test('compare: whole-run utilization and imbalance of two runs that have them; "-" with the reason for a report without', () => {
  const o = { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 5 };
  const side = (name: string, r: RunSummary): CompareSide => ({ name, variants: [variant('2 threads', 2, [r])] });
  const both = compareSides(side('a', run(100, 80, { utilization: 0.5, imbalance: 2 })), side('b', run(90, 70, { utilization: 0.8, imbalance: 1.2 })), o);
  const whole = both.pairs[0].subjects.find((s) => s.key === '')!;
  assert.deepEqual([whole.utilization, whole.imbalance], [{ base: 0.5, next: 0.8 }, { base: 2, next: 1.2 }]);
  const text = formatCompareText(both, 'a', 'b');
  assert.match(text, /^ {2}whole run .* 50 % → 80 % \(\+30 pp\) +2\.00 → 1\.20 \(-0\.80\)/m);
  assert.doesNotMatch(text, /utilization and imbalance of the whole run/);
  const old = compareSides(side('a', run(100, 80)), side('b', run(90, 70, { utilization: 0.8, imbalance: 1.2 })), o);
  assert.match(formatCompareText(old, 'a', 'b'), /^utilization and imbalance of the whole run: "-" — 2 threads: its report was written by an earlier parprof, which kept them per region only$/m);
});
