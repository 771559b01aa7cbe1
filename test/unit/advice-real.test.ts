// Advice rules on real runs (recorded through the CLI's runner, real worker threads) where the
// other tests had only hand-built reports: `imbalance`, `waiting-for-work` and `small-chunks` of a
// `join`. Each fires on its planted cause (test/fixtures/advice-balance.js) at the pool call,
// with the saving near the planted answer, and stays silent on the balanced twin of the same
// workload. Items are CPU time of their thread, so the planted work does not change with the
// machine's load; where the load changes a wall-time answer (waits), the planted answer is
// computed from the tasks as they ran, by another route than the rule's formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { advise, type Advice, type AdviceRule } from '../../src/model/advice';
import { analyze, type RunMetrics } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { verdicts } from '../../src/model/summary';
import { fixtures, record } from './record-helpers';

const FIXTURE = 'advice-balance.js';

function callLine(marker: string): number {
  const lines = readFileSync(join(fixtures(), FIXTURE), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, marker);
  return i + 1;
}

/** Relative tolerance with an absolute floor, ms. */
function near(actual: number, expected: number, tolerance: number, what: string): void {
  const tol = Math.max(tolerance * expected, 5);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(2)} ms, expected ${expected.toFixed(2)} ± ${tol.toFixed(2)} ms`);
}

interface Planted { report: Report; metrics: RunMetrics; advice: Advice[]; region: RunMetrics['regions'][number] }

async function planted(mode: string, region: string): Promise<Planted> {
  const { report, stderr } = await record(FIXTURE, { args: [mode] });
  assert.equal(report.exit.code, 0, stderr);
  const metrics = analyze(report);
  const advice = advise(report, metrics);
  // The findings print the advice texts.
  const v = verdicts(metrics, report);
  for (const a of advice.slice(0, 8)) assert.ok(v.includes(a.text), a.text);
  const r = metrics.regions.find((g) => g.name === region);
  assert.ok(r, `region '${region}' in ${metrics.regions.map((g) => g.name).join(', ')}`);
  return { report, metrics, advice: advice.filter((a) => a.text.includes(`'${region}'`)), region: r };
}

function list(advice: Advice[]): string {
  return advice.map((a) => `${a.rule} (${a.savingMs.toFixed(1)} ms): ${a.text}`).join('\n');
}

function only(advice: Advice[], rule: AdviceRule): Advice {
  const hit = advice.filter((a) => a.rule === rule);
  assert.equal(hit.length, 1, `one ${rule} advice in:\n${list(advice)}`);
  return hit[0];
}

function none(advice: Advice[], rules: AdviceRule[]): void {
  assert.deepEqual(advice.filter((a) => rules.includes(a.rule)).map((a) => `${a.rule}: ${a.text}`), []);
}

/** Task spans of a region: thread, start and end (µs). */
function tasksOf(report: Report, regionName: string): { thread: number; start: number; end: number }[] {
  const id = report.regions.find((g) => g.name === regionName)!.id;
  const s = report.spans;
  const out = [];
  for (let k = 0; k < s.count; k++) if (s.region[k] === id) out.push({ thread: s.thread[k], start: s.start[k], end: s.end[k] });
  return out;
}

/** Wall of the best greedy schedule of these durations on p threads, longest first (LPT), ms. */
function longestFirstMs(durationsUs: number[], p: number): number {
  const load = new Array(p).fill(0);
  for (const d of [...durationsUs].sort((a, b) => b - a)) load[load.indexOf(Math.min(...load))] += d;
  return Math.max(...load) / 1000;
}

const BALANCE: AdviceRule[] = ['imbalance', 'static-skew', 'large-chunks'];
const GAPS: AdviceRule[] = ['small-chunks', 'waiting-for-work'];

test('imbalance: a 300 ms item last after 40 of 5 ms (dynamic); the saving is the light work its thread did first, ~100 ms', async () => {
  const { report, advice, region } = await planted('heavy-last', 'heavy last');
  const a = only(advice, 'imbalance');
  assert.equal(a.callSite?.line, callLine('// call: heavy-last'));
  assert.ok(region.taskMs.max >= 290, `the 300 ms item: ${region.taskMs.max} ms`);
  // Planted: the heavy item's thread did about half the 200 ms of light items first (all of them
  // at most); taken first, the heavy item would have run alongside them all.
  assert.ok(a.savingMs >= 30 && a.savingMs <= 210, `saving ${a.savingMs.toFixed(1)} ms, planted ~100 ms\n${list(advice)}`);
  if (a.evidence.wallImbalance === undefined) {
    // Weighed in wall time: the planted answer from the tasks as they ran, the wall against the
    // same tasks longest first.
    const lpt = longestFirstMs(tasksOf(report, 'heavy last').map((t) => t.end - t.start), 2);
    near(a.savingMs, region.wallMs - lpt, 0.25, 'imbalance saving against the longest-first schedule');
  }
  assert.match(a.text, /^.+ idle \d+(\.\d)? % of region 'heavy last' \(busiest thread .*, longest task .*\); a more even spread/);
  none(advice, GAPS);
});

test('imbalance is silent on the twin: the 300 ms item first, which no schedule can end sooner than; long-task says to split that item (planted 300 − 250 = 50 ms)', async () => {
  const { advice } = await planted('heavy-first', 'heavy first');
  none(advice, [...BALANCE, ...GAPS]);
  const a = only(advice, 'long-task');
  assert.equal(a.callSite?.line, callLine('// call: heavy-first'));
  near(a.savingMs, 50, 0.3, 'long-task saving');
  assert.match(a.text, /^region 'heavy first': its longest item, .* \(a task of its own\), is longer than an even share of the region's work .*: no schedule or chunk size ends the region sooner; splitting that item's work into smaller items would save ~/);
});

test('long-task is silent when no item is longer than an even share: two 300 ms items on 2 threads', async () => {
  const { advice } = await planted('two-heavy', 'two heavy');
  none(advice, ['long-task', ...BALANCE, ...GAPS]);
});

test('waiting-for-work: a join root that spins 25 ms before each 5 ms child; saving ~ the waits per thread (planted 190 ms)', async () => {
  const { report, advice } = await planted('producer', 'producer');
  const tasks = tasksOf(report, 'producer');
  const root = tasks.reduce((x, y) => (y.end - y.start > x.end - x.start ? y : x));
  const others = tasks.filter((t) => t.thread !== root.thread);
  // The planted cause needs the other thread to have run children while the root produced.
  assert.ok(others.length >= 5, `the other thread ran ${others.length} of 20 children (a machine too busy to run it?)`);
  const a = only(advice, 'waiting-for-work');
  assert.equal(a.callSite?.line, callLine('// call: producer'));
  assert.ok(a.evidence.gapP50Us > 50, `gaps are waits, longer than a claim: ${a.evidence.gapP50Us} µs`);
  // The planted waits: the other thread idles while the root produces, from the first child it
  // took to the root's end, less the children it ran.
  const first = Math.min(...others.map((t) => t.start));
  const otherBusy = others.reduce((s, t) => s + Math.min(t.end, root.end) - Math.min(t.start, root.end), 0);
  near(a.savingMs, (root.end - first - otherBusy) / 1000 / 2, 0.25, 'waits per thread');
  // ...at least the planted 190 ms, which a loaded machine stretches.
  assert.ok(a.savingMs >= 120, `saving ${a.savingMs.toFixed(1)} ms, planted 190 ms`);
  // The idle time is the gaps': no 'imbalance' counting it again.
  none(advice, ['imbalance']);
});

test('waiting-for-work and balance advice are silent when the root spawns its children first', async () => {
  const { advice } = await planted('producer-first', 'producer-first');
  // The root's own 500 ms is one task: no schedule ends the region sooner, so its imbalance is no saving.
  none(advice, [...BALANCE, ...GAPS]);
});

test('small-chunks for join: one item per task; at least its saving is what 1,000-item tasks save', async () => {
  const tiny = await planted('join-tiny', 'join-tiny');
  const a = only(tiny.advice, 'small-chunks');
  assert.equal(a.callSite?.line, callLine('// call: join'));
  assert.equal(tiny.region.tasks, 60_000, 'one task per item');
  assert.ok(a.evidence.gapShare >= 0.1 && a.evidence.gapP50Us <= 50, JSON.stringify(a.evidence));
  assert.match(a.text, /spawn fewer, larger tasks, which would save ~\S+ ms in gaps alone/);
  const leaves = await planted('join-leaves', 'join-leaves');
  none(leaves.advice, GAPS);
  // The planted answer: the same sum with 1,000 items per task.
  const saved = tiny.region.wallMs - leaves.region.wallMs;
  assert.ok(a.savingMs >= 1 && a.savingMs <= saved, `saving ${a.savingMs.toFixed(1)} ms, larger tasks saved ${saved.toFixed(1)} ms`);
});
