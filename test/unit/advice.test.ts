// Advice on planted causes: each rule fires on a workload that has its cause, with the call site
// of the pool call that caused it and a saving near the planted answer; none fires on balanced
// dynamic and steal runs of the examples. Balance items in the fixtures spin on the thread's CPU
// time (balance is judged from the work), the serial part on the clock, so the planted answers
// hold whatever the machine's load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { advise, type Advice, type AdviceRule } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { verdicts } from '../../src/model/summary';
import { packageRoot } from '../../src/runner/paths';
import { buildReport, type SpanSpec } from './model-build';
import { fixtures, record } from './record-helpers';

const WORKLOADS = 'advice-workloads.js';

/** 1-based line of the fixture's pool call marked `// call: <mode>`. */
function callLine(file: string, marker: string): number {
  const lines = readFileSync(join(fixtures(), file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `${marker} in ${file}`);
  return i + 1;
}

/** Relative tolerance with an absolute floor, ms. */
function near(actual: number, expected: number, tolerance: number, what: string): void {
  const tol = Math.max(tolerance * expected, 5);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(2)} ms, expected ${expected.toFixed(2)} ± ${tol.toFixed(2)} ms`);
}

function only(list: Advice[], rule: AdviceRule, region?: string): Advice {
  const hit = list.filter((a) => a.rule === rule && (region === undefined || a.text.includes(`'${region}'`)));
  assert.equal(hit.length, 1, `one ${rule} advice${region ? ` on '${region}'` : ''} in:\n${list.map((a) => `${a.rule}: ${a.text}`).join('\n')}`);
  return hit[0];
}

async function planted(mode: string): Promise<{ report: Report; file: string; advice: Advice[] }> {
  const { report, file, stderr } = await record(WORKLOADS, { args: [mode] });
  assert.equal(report.exit.code, 0, stderr);
  const metrics = analyze(report);
  const advice = advise(report, metrics);
  // The findings print every advice text (up to their cap), in the same order.
  const v = verdicts(metrics, report);
  for (const a of advice.slice(0, 8)) assert.ok(v.includes(a.text), a.text);
  return { report, file, advice };
}

function assertCallSite(a: Advice, mode: string): void {
  assert.ok(a.callSite, `${a.rule} has a call site`);
  assert.ok(a.callSite!.file.endsWith(WORKLOADS), a.callSite!.file);
  assert.equal(a.callSite!.line, callLine(WORKLOADS, `// call: ${mode}`));
}

test('hand-built: a 300/100 ms split of 10-item chunks under static is skew, saving wall − mean busy, with its range and call site', () => {
  const callSite = { file: '/work/app/main.js', line: 12, column: 3 };
  const split = (): Report => {
    const r = buildReport({ workers: 2, regions: [{ start: 1000, end: 301_000, name: 'split', schedule: 'static', threads: 2, items: 20, callSite }], spans: [
      { thread: 1, start: 1000, end: 301_000 }, { thread: 2, start: 1000, end: 101_000 },
    ], durationUs: 400_000 });
    r.spans.items[0] = r.spans.items[1] = 10;
    return r;
  };
  const r = split();
  const a = only(advise(r, analyze(r)), 'static-skew');
  assert.equal(a.text, "region 'split' has skewed work under the static schedule: the busiest thread ran 300 ms against a mean of 200 ms (imbalance 1.50); schedule 'dynamic' or 'steal' would save ~100 ms");
  assert.equal(a.savingMs, 100);
  assert.deepEqual(a.range, { from: 1000, to: 301_000 });
  assert.deepEqual(a.callSite, callSite);
  assert.deepEqual({ max: a.evidence.maxBusyMs, mean: a.evidence.meanBusyMs }, { max: 300, mean: 200 });
  // The same split as two items of 300 and 100 ms: no schedule ends it before the 300 ms item does.
  const whole = split();
  whole.spans.items[0] = whole.spans.items[1] = 1;
  whole.regions[0].items = 2;
  assert.deepEqual(advise(whole, analyze(whole)).filter((x) => x.rule === 'static-skew' || x.rule === 'imbalance'), []);
});

test('hand-built: tiny tasks with µs gaps get a chunk size to try; 1 ms tasks with the same gaps get no advice at all', () => {
  const gapped = (taskUs: number): Report => {
    const spans: SpanSpec[] = [];
    for (const thread of [1, 2]) for (let i = 0; i < 4000; i++) spans.push({ thread, start: i * (taskUs + 1), end: i * (taskUs + 1) + taskUs });
    const end = 4000 * (taskUs + 1);
    return buildReport({ workers: 2, regions: [{ start: 0, end, name: 'tiny', threads: 2, items: 8000, chunkSize: 1 }], spans, durationUs: end });
  };
  const small = gapped(2);
  const a = only(advise(small, analyze(small)), 'small-chunks');
  // 2 µs per item, 1 µs per chunk: 1 % overhead needs 99 · 1 / 2 → 50 items per chunk (under the cap of 8000 / 16 = 500).
  assert.equal(a.evidence.suggestedChunkSize, 50);
  assert.match(a.text, /saving up to ~4\.00 ms; try chunkSize 50$/);
  const fine = gapped(1000);
  assert.deepEqual(advise(fine, analyze(fine)), []);
});

test('hand-built: 64 tiny tasks with µs gaps and one long stall: no "cost per task" saving (fewer tasks would not save the stall); 4000 such tasks: the per-task part', () => {
  const stalled = (tasks: number): Report => {
    const spans: SpanSpec[] = [];
    for (const thread of [1, 2]) {
      let at = 0;
      for (let i = 0; i < tasks / 2; i++) {
        // 2 µs tasks, 1.4 µs apart; thread 1 stalls 3 ms once (descheduled, say).
        if (thread === 1 && i === 10) at += 3000;
        spans.push({ thread, start: at, end: at + 2 });
        at += 3.4;
      }
    }
    const end = Math.max(...spans.map((x) => x.end));
    return buildReport({ workers: 2, regions: [{ start: 0, end, name: 'tiny', threads: 2, items: tasks * 1000, chunkSize: 1000 }], spans, durationUs: end });
  };
  const few = stalled(64);
  assert.deepEqual(advise(few, analyze(few)).filter((a) => a.rule === 'small-chunks'), []);
  const many = stalled(4000);
  const a = only(advise(many, analyze(many)), 'small-chunks');
  // 2000 tasks per thread × 1.4 µs = 2.8 ms, not the 2.8 + 1.5 ms the stall adds to the mean gap time.
  assert.ok(Math.abs(a.savingMs - 2.8) < 0.05, `saving ${a.savingMs}`);
});

test('hand-built: advice is sorted by saving and a sequential region gets no balance advice', () => {
  const r = buildReport({ workers: 2, regions: [
    { start: 0, end: 300_000, name: 'big', schedule: 'static', threads: 2 },
    { start: 400_000, end: 460_000, name: 'small', schedule: 'static', threads: 2 },
    { start: 500_000, end: 800_000, name: 'inline', schedule: 'static', threads: 0 },
  ], spans: [
    { thread: 1, start: 0, end: 300_000 }, { thread: 2, start: 0, end: 100_000 },
    { thread: 1, region: 1, start: 400_000, end: 460_000 }, { thread: 2, region: 1, start: 400_000, end: 420_000 },
    { thread: 1, region: 2, start: 500_000, end: 800_000 },
  ], durationUs: 900_000 });
  // Static chunks of 10 items (a dynamic schedule could spread them).
  for (let k = 0; k < 5; k++) r.spans.items[k] = 10;
  const list = advise(r, analyze(r));
  assert.deepEqual(list.map((a) => [a.rule, Math.round(a.savingMs)]), [['static-skew', 100], ['static-skew', 20]]);
});

test('hand-built: a worker runnable but off a core 70 % of its busy time is descheduled advice, saving that time', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 100_000, name: 'busy', threads: 2 }], spans: [
    { thread: 1, start: 0, end: 100_000 }, { thread: 2, start: 0, end: 100_000 },
  ], durationUs: 100_000 });
  r.cpu = [
    { thread: 1, source: 'schedstat', t: [0, 100_000], onCpu: [0, 30_000], runnable: [0, 70_000] },
    { thread: 2, source: 'schedstat', t: [0, 100_000], onCpu: [0, 95_000], runnable: [0, 5_000] },
  ];
  const a = only(advise(r, analyze(r)), 'descheduled');
  assert.equal(a.evidence.threads, 1);
  near(a.savingMs, 70, 0.01, 'time waiting for a core');
  assert.match(a.text, /^worker 1 was descheduled while busy: worker 1 was on a core only 30 % of its 100 ms in tasks/);
});

test('planted skew under static (items of 150, 150 / 50, 50 ms): saving ~100 ms at the forEach call; --json carries the same advice', async () => {
  const { report, file, advice } = await planted('skew');
  assert.equal(report.meta.script.endsWith(WORKLOADS), true);
  const json = JSON.parse(execFileSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'report', file, '--json'], { encoding: 'utf8' }));
  assert.deepEqual(json.extra.advice, JSON.parse(JSON.stringify(advice)));
  const a = only(advice, 'static-skew', 'skewed');
  near(a.savingMs, 100, 0.2, 'static-skew saving');
  assertCallSite(a, 'skew');
  assert.ok(a.range && a.range.to - a.range.from >= 290_000, 'the range spans the region');
});

test('planted large chunks (3 chunks of 100 ms on 2 threads): the last chunk is the tail, saving ~50 ms', async () => {
  const { advice } = await planted('large');
  const a = only(advice, 'large-chunks', 'large chunks');
  near(a.savingMs, 50, 0.3, 'large-chunks saving');
  // The chunks are CPU work: judged in wall time, the tail is at least the last chunk's 100 ms; a
  // load that stretched the lone chunk's thread can hide the tail in wall time, and then the work
  // judged (evidence.wallImbalance says so).
  assert.ok(a.evidence.wallImbalance !== undefined || a.evidence.tailMs >= 70, `tail ${a.evidence.tailMs} ms`);
  assertCallSite(a, 'large');
});

test('planted serial section (200 ms of CPU before a 400 ms parallel part): serial ~200 ms, its Amdahl bound, the call it precedes', async () => {
  const { report, advice } = await planted('serial');
  const a = only(advice, 'serial');
  near(a.evidence.serialMs, 200, 0.15, 'serial stretch');
  assert.equal(a.savingMs, a.evidence.serialMs * (1 - 1 / report.meta.cores));
  assert.equal(a.evidence.maxSpeedup, a.evidence.workMs / a.evidence.serialMs);
  // 200 ms of serial CPU against 400 ms of tasks: (200 + 400) / 200 = 3x, a little more with the
  // run's other serial code (loading, posting the operations), which is work too.
  assert.ok(a.evidence.maxSpeedup >= 2.7 && a.evidence.maxSpeedup <= 3.6, `Amdahl bound ${a.evidence.maxSpeedup}: ${a.text}`);
  assertCallSite(a, 'serial');
  const region = report.regions.find((g) => g.name === 'parallel part')!;
  assert.ok(a.range!.to <= region.start && Math.abs(a.range!.to - a.range!.from - a.evidence.stretchMs * 1000) < 1e-6, 'the range is the stretch');
  assert.ok(a.evidence.serialMs + a.evidence.profilerMs <= a.evidence.stretchMs + 1e-6, "the serial code and the profiler's own time fit in the stretch");
});

test('planted data movement (60,000 records copied to map): their posting shows, at the map call', async () => {
  const { report, advice } = await planted('copy');
  const a = only(advice, 'data-movement', 'copied input');
  assertCallSite(a, 'copy');
  const region = report.regions.find((g) => g.name === 'copied input')!;
  assert.ok(a.evidence.mainCloneMs > 0, 'main thread posted the input');
  assert.ok(a.savingMs <= a.evidence.callMs && a.evidence.callMs === (region.end! - region.called!) / 1000, a.text);
  assert.match(a.text, /range\(\) indices or shared typed arrays/);
  // The workers' receiving is not in their samples' frames here: no claim that it took them nothing.
  assert.doesNotMatch(a.text, / 0\.00 ms on its workers/);
  // Its tasks were a sliver of the call (all on one worker while the main thread copied): spreading them saves nothing.
  assert.deepEqual(advice.filter((x) => ['imbalance', 'static-skew', 'large-chunks'].includes(x.rule)).map((x) => x.text), []);
});

test('planted garbage (workers allocating for 300 ms each): GC share of their task time, at the forEach call', async () => {
  const { advice } = await planted('gc');
  const a = only(advice, 'gc', 'allocating');
  assertCallSite(a, 'gc');
  assert.ok(a.evidence.gcShare >= 0.05 && a.evidence.gcShare <= 1, a.text);
  assert.ok(a.evidence.gcMs <= a.evidence.busyMs, a.text);
});

test('planted tiny chunks (100,000 empty tasks, chunkSize 1): a larger chunk size to try, at the forEach call', async () => {
  const { advice } = await planted('tiny');
  const a = only(advice, 'small-chunks', 'tiny chunks');
  assertCallSite(a, 'tiny');
  assert.ok(a.evidence.suggestedChunkSize > 1 && a.evidence.suggestedChunkSize <= 100_000 / 16, a.text);
  assert.ok(a.evidence.gapShare >= 0.1, a.text);
  // range() input: nothing was copied to the workers, so no data-movement advice.
  assert.ok(!advice.some((x) => x.rule === 'data-movement'), advice.map((x) => x.text).join('\n'));
});

test('planted contention (two workers on an Atomics.wait mutex): saving = blocked time per thread, by the script\'s own clock', async () => {
  const { report, stdout } = await record('sync-lock.js');
  assert.equal(report.exit.code, 0, stdout);
  const lines = [...stdout.matchAll(/^blocked (\d+) (\d+) ([\d.]+)$/gm)].map((m) => ({ attempt: Number(m[1]), ms: Number(m[3]) }));
  const attempts = Math.max(...lines.map((l) => l.attempt));
  const last = lines.filter((l) => l.attempt === attempts && l.ms > 0);
  const region = report.regions[attempts - 1];
  const advice = advise(report, analyze(report)).filter((a) => a.rule === 'contention' && a.range?.from === region.start);
  assert.equal(advice.length, 1, JSON.stringify(advice));
  near(advice[0].savingMs, last.reduce((s, l) => s + l.ms, 0) / last.length, 0.15, 'blocked per thread');
  assert.equal(advice[0].callSite?.line, callLine('sync-lock.js', "pool.map('contend'"));
});

for (const schedule of ['dynamic', 'steal'] as const) {
  for (const example of ['mandelbrot.js', 'matmul.js']) {
    test(`a balanced ${schedule} run of examples/${example} gets no advice (but descheduling, which a loaded machine truly does)`, async () => {
      const { report } = await record(join(packageRoot(), 'examples', example), { threads: 2, schedule });
      assert.equal(report.exit.code, 0);
      const advice = advise(report, analyze(report)).filter((a) => a.rule !== 'descheduled');
      assert.deepEqual(advice.map((a) => `${a.rule}: ${a.text}`), []);
    });
  }
}
