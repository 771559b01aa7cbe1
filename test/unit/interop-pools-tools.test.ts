// Tools that run their own workers, recorded unmodified: poolifier's FixedThreadPool, eslint 9
// with --concurrency (workers pull files through an Atomics.add index, no message per file) and
// vitest 4 with --pool=threads (async rpc messages, a fresh worker per test file). They are
// installed on first use into a cache folder outside the repository (interop-pools-helpers.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis';
import { SPAN_CONCURRENT, SPAN_DERIVED, SPAN_NO_ENQUEUE, type Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { checkSpans, record } from './record-helpers';
import { assertProfilesKept, assertQueueWaits, ensureInteropModules, recordPool, regionSpans } from './interop-pools-helpers';

const modules = ensureInteropModules();

/** A folder whose node_modules is the interop cache, for tools that resolve from their cwd. */
function project(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(modules, join(dir, 'node_modules'), 'dir');
  return dir;
}

test('poolifier: recognised by name, exactly 200 task spans, queue waits as measured, profiles kept after destroy()', async () => {
  const { report, waits, region } = await recordPool('poolifier', { INTEROP_NODE_MODULES: modules });
  assert.equal(regionSpans(report, region.id).length, 200, 'no span for ready, statistics or kill messages');
  assertQueueWaits(report, region.id, waits);
  assertProfilesKept(report, region.pool, 'interopSpin');
  checkSpans(report);
});

test('poolifier destroy(), 8 runs: no crash and no CPU sample lost while its workers end by themselves and are terminated', async () => {
  // destroy() asks each worker to end, and terminates it as it does: the save request used to
  // land inside the worker's own exit listener (its last chunk lost, in 22 of 30 runs; with one
  // chunk, its whole profile), and enabling the inspector's NodeWorker domain at that first save
  // crashed Node with SIGSEGV in ~5 % of runs.
  for (let run = 0; run < 8; run++) {
    const { report } = await recordPool('poolifier', { INTEROP_NODE_MODULES: modules });
    assert.equal(report.exit.signal ?? null, null, `run ${run}: killed by ${report.exit.signal}`);
    assert.equal(report.dropped.profiles, 0, `run ${run}: profiles lost`);
    assert.equal(report.dropped.samples, 0, `run ${run}: samples lost`);
    assert.deepEqual(report.dropped.sampleGaps ?? [], [], `run ${run}: sample gaps`);
  }
});

test('eslint --concurrency 2: both workers show busy lanes and samples in eslint\'s code', async () => {
  const dir = project('parprof-eslint-');
  writeFileSync(join(dir, 'eslint.config.js'), "module.exports = [require('@eslint/js').configs.recommended, { languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } }];\n");
  mkdirSync(join(dir, 'src'));
  for (let f = 0; f < 24; f++) {
    let s = '';
    for (let k = 0; k < 60; k++) s += `function f${k}(a, b) {\n  const x = a + b * ${k};\n  if (x > ${k}) return [x, a, b].map((v) => v * 2).filter(Boolean);\n  return { x, y: a - b };\n}\nmodule.exports.f${k} = f${k};\n`;
    writeFileSync(join(dir, 'src', `file${f}.js`), s);
  }
  const { report, stdout, stderr } = await record(join(modules, 'eslint', 'bin', 'eslint.js'), { args: ['--concurrency', '2', 'src'], cwd: dir });
  assert.equal(report.exit.code, 0, stdout + stderr);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.equal(workers.length, 2, 'eslint ran 2 workers');
  const metrics = analyze(report);
  for (const w of workers) {
    const derived = report.spans.thread.filter((t, k) => t === w.id && (report.spans.flags![k] & SPAN_DERIVED) !== 0).length;
    assert.ok(derived > 0, `${w.name}: a busy lane`);
    assert.ok(metrics.threads.find((t) => t.id === w.id)!.busyMs > 0);
    const p = report.profiles.find((x) => x.thread === w.id);
    assert.ok(p, `${w.name}: profile`);
    const sampled = new Set(p.profile.samples);
    assert.ok(p.profile.nodes.some((n) => sampled.has(n.id) && n.callFrame.url.includes('/node_modules/eslint/lib/')), `${w.name}: samples in eslint's code`);
  }
  const region = metrics.regions.find((r) => r.kind === 'external')!;
  assert.ok(region.wallMs > 0 && region.utilization > 0, 'the region has wall time and utilization');
  assert.equal(region.tasks, 0, 'derived busy time is no task');
  const text = formatSummary(report, metrics);
  assert.doesNotMatch(text, /no pool tasks were recorded/);
  // Busy stretches read from samples are no tasks: no task count or durations of 0 ms are printed.
  assert.match(text, /^ {2}tasks {11}none: the busy time above is read from CPU samples \(\d+ busy stretch(es)?\)$/m, text);
  assert.doesNotMatch(text, /tasks {11}0 \(p50/);
  // ...nor is their time "in tasks": the thread-time lines, the threads' legend and the table's column say busy.
  assert.match(text, /^ {2}thread time {5}busy \(read from CPU samples\) [\d.]+ % · start delay [\d.]+ % · between busy stretches [\d.]+ % · after the last [\d.]+ %$/m, text);
  assert.doesNotMatch(text, /in tasks \d|'in tasks'|task time/, text);
  assert.match(text, /\(busy ms: time in tasks, or, for a thread with no tasks, in busy stretches read from its CPU samples/);
  assert.match(text, /^ +region +threads +busy +start delay ms +between ms /m);
  assert.doesNotMatch(text, /of their task time/);
  checkSpans(report);
});

/** Spans of one thread that overlap without nesting must all say they are concurrent. */
function assertNoFalseNesting(report: Report): void {
  const s = report.spans;
  const byThread = new Map<number, number[]>();
  for (let k = 0; k < s.count; k++) byThread.set(s.thread[k], [...(byThread.get(s.thread[k]) ?? []), k]);
  for (const [thread, ks] of byThread) {
    ks.sort((a, b) => s.start[a] - s.start[b]);
    for (let i = 0; i < ks.length; i++) {
      for (let j = i + 1; j < ks.length && s.start[ks[j]] < s.end[ks[i]]; j++) {
        if (s.end[ks[j]] <= s.end[ks[i]]) continue; // nested
        const both = (s.flags![ks[i]] & s.flags![ks[j]] & SPAN_CONCURRENT) !== 0;
        assert.ok(both, `thread ${thread}: spans ${ks[i]} and ${ks[j]} overlap without nesting and are not marked concurrent`);
      }
    }
  }
}

test('vitest --pool=threads with 2 workers: overlapping async spans say so, and no "competed for cores"', async () => {
  const dir = project('parprof-vitest-');
  writeFileSync(join(dir, 'package.json'), '{"name":"vt","private":true,"type":"module"}\n');
  for (let k = 1; k <= 4; k++) {
    writeFileSync(join(dir, `t${k}.test.js`), `import { test, expect } from 'vitest';
function vitestSpin(ms) { const end = performance.now() + ms; let x = 0; while (performance.now() < end) x += Math.sqrt(x + 1); return x; }
test('spins ${k}', () => { expect(vitestSpin(50)).toBeGreaterThan(0); });
`);
  }
  const { report, stdout, stderr } = await record(join(modules, 'vitest', 'vitest.mjs'), { args: ['run', '--pool=threads', '--maxWorkers=2'], cwd: dir });
  assert.equal(report.exit.code, 0, stdout + stderr);
  assert.ok(report.threads.filter((t) => t.kind === 'worker').length >= 2);
  assertNoFalseNesting(report);
  // vitest's workers have two 'message' listeners: each message is still one task, one post one span
  // (each listener was a task of its own, both with the one post's stamp: 128 tasks for 64 messages).
  const s = report.spans;
  const posts = new Map<number, Set<number>>();
  for (let k = 0; k < s.count; k++) {
    if ((s.flags![k] & SPAN_NO_ENQUEUE) !== 0) continue;
    const mine = posts.get(s.thread[k]) ?? new Set<number>();
    assert.ok(!mine.has(s.enqueue[k]), `thread ${s.thread[k]}: two tasks for the message posted at ${s.enqueue[k]} µs`);
    posts.set(s.thread[k], mine.add(s.enqueue[k]));
  }
  const metrics = analyze(report);
  assert.ok(metrics.extra.peakThreads <= 2, `at most 2 workers ran at once, found ${metrics.extra.peakThreads}`);
  assert.doesNotMatch(formatSummary(report, metrics), /competed for cores/);
  checkSpans(report);
});
