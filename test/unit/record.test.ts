// Recording end to end: real processes, real worker threads, the real preload.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkSpans, fixtures, record, sampledFunctions } from './record-helpers';

test('raw worker_threads: a named thread per worker, a span per message, samples in the worker function', async () => {
  const { report } = await record('rec-raw.js');
  assert.equal(report.exit.code, 0);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.deepEqual(workers.map((t) => t.name).sort(), ['raw 0', 'raw 1']);
  assert.equal(report.threads[0].name, 'main');
  const region = report.regions.find((r) => r.kind === 'external');
  assert.ok(region, 'an external region for the raw workers');
  assert.match(region.name, /^worker_threads rec-raw\.js:\d+$/);
  assert.equal(region.threads, 2);
  // 20 work messages and one 'done' per worker.
  assert.equal(report.spans.count, 42);
  checkSpans(report);
  for (const w of workers) {
    const profile = report.profiles.find((p) => p.thread === w.id);
    assert.ok(profile, `profile of ${w.name}`);
    assert.ok(sampledFunctions(profile.profile).has('spinWork'), `${w.name} sampled in spinWork`);
    assert.ok(profile.profile.startTime >= 0 && profile.profile.endTime <= report.meta.durationUs);
  }
  assert.equal(report.dropped.profiles, 0);
  assert.ok(report.elu.length >= 1 && report.elu.every((s) => s.u.every((u) => u >= 0 && u <= 1)));
  assert.equal(report.meta.nodeVersion, process.version);
});

test('the recorder contract as a pool uses it: region, joined workers, every span kept', async () => {
  const { report } = await record('rec-contract.js', { args: ['2', '50', '2'] });
  const region = report.regions.find((r) => r.name === 'contract');
  assert.ok(region);
  assert.equal(region.outcome, 'ok');
  assert.ok(region.end !== undefined && region.end >= region.start);
  const inRegion = report.spans.region.filter((r) => r === region.id).length;
  assert.equal(inRegion, 100);
  const names = report.threads.filter((t) => t.pool === region.pool).map((t) => t.name).sort();
  assert.deepEqual(names, ['contract 0', 'contract 1']);
  checkSpans(report);
  const indices = Array.from(report.spans.index).filter((_, k) => report.spans.region[k] === region.id).sort((a, b) => a - b);
  assert.deepEqual(indices, Array.from({ length: 100 }, (_, i) => i));
});

test('ThreadPool (parallel-profiler) under the profiler: spans on the pool threads, samples in the task', async () => {
  const { report, stdout } = await record('rec-pool.js', { threads: 2 });
  assert.match(stdout, /sum 39800/);
  assert.equal(report.exit.code, 0);
  const map = report.regions.find((r) => r.kind === 'map');
  assert.ok(map, 'a map region');
  const items = report.spans.items.reduce((a, n, k) => a + (report.spans.region[k] === map.id ? n : 0), 0);
  assert.equal(items, 200);
  checkSpans(report);
  const poolThreads = report.threads.filter((t) => t.kind === 'worker' && t.pool === map.pool);
  assert.equal(poolThreads.length, 2);
  const sampled = report.profiles.filter((p) => poolThreads.some((t) => t.id === p.thread) && sampledFunctions(p.profile).has('poolSpin'));
  assert.ok(sampled.length >= 1, 'poolSpin sampled on a pool thread');
});

for (const lib of ['piscina', 'tinypool', 'workerpool']) {
  test(`${lib}, unmodified: one external region, a span per task on its worker threads`, async () => {
    const { report } = await record(`rec-${lib}.js`);
    assert.equal(report.exit.code, 0);
    const region = report.regions.find((r) => r.name === lib);
    assert.ok(region, `region ${lib}; got ${report.regions.map((r) => r.name).join(', ')}`);
    assert.equal(region.kind, 'external');
    const spans = report.spans.region.filter((r) => r === region.id).length;
    // Every task, plus at most one setup message per worker.
    assert.ok(spans >= 30 && spans <= 32, `${spans} spans`);
    const threads = new Set(report.spans.thread.filter((_, k) => report.spans.region[k] === region.id));
    assert.ok(threads.size >= 1 && !threads.has(0));
    checkSpans(report);
  });
}

test('a worker terminate()d from outside keeps its CPU profile and is marked terminated (not died)', async () => {
  const { report, stdout } = await record('rec-terminate.js');
  assert.match(stdout, /terminated/);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.equal(workers.length, 2);
  assert.equal(report.dropped.profiles, 0);
  for (const w of workers) {
    assert.ok(w.terminated && w.died === undefined, `${w.name}: terminated by its owner, not died`);
    const p = report.profiles.find((x) => x.thread === w.id);
    assert.ok(p && p.partial, `worker ${w.id} has its (partial) profile`);
    assert.ok(sampledFunctions(p.profile).has('terminatedWork'), 'samples of the work it did before termination');
  }
  checkSpans(report);
});

test('TypeScript runs directly and its frames map to .ts lines', async () => {
  const { report, stdout } = await record('rec-ts.ts');
  assert.match(stdout, /done true/);
  assert.equal(report.threads.length, 1, 'esbuild\'s own worker is not reported');
  const main = report.profiles.find((p) => p.thread === 0);
  assert.ok(main);
  const node = main.profile.nodes.find((n) => n.callFrame.functionName === 'tsHotLoop');
  assert.ok(node, 'tsHotLoop frame');
  assert.match(node.callFrame.url, /rec-ts\.ts$/);
  // `function tsHotLoop` is on line 4 of rec-ts.ts (0-based 3).
  assert.equal(node.callFrame.lineNumber, 3);
});

test('an ES module outside the repo that is its own task module imports parallel-profiler on every thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-esm-self-'));
  copyFileSync(join(fixtures(), 'rec-esm-self.mjs'), join(dir, 'rec-esm-self.mjs'));
  const { report, stdout } = await record(join(dir, 'rec-esm-self.mjs'), { cwd: dir });
  assert.equal(report.exit.code, 0, stdout);
  assert.match(stdout, /esm self sum 2664667000/);
  const workers = report.threads.filter((t) => t.kind === 'worker').map((t) => t.id);
  assert.equal(workers.length, 2);
  assert.equal(report.spans.count > 0 && Array.from(report.spans.thread).every((t) => workers.includes(t)), true);
});

test('ESM TypeScript outside the repo imports parallel-profiler and maps to its .mts lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-esm-'));
  copyFileSync(join(fixtures(), 'rec-esm.mts'), join(dir, 'rec-esm.mts'));
  const { report, stdout } = await record(join(dir, 'rec-esm.mts'), { cwd: dir });
  assert.equal(report.exit.code, 0);
  assert.match(stdout, /resolved file:\/\/.*\/dist\/runtime\/index\.js/);
  const main = report.profiles.find((p) => p.thread === 0);
  const node = main?.profile.nodes.find((n) => n.callFrame.functionName === 'esmHotLoop');
  assert.ok(node, 'esmHotLoop frame');
  assert.match(node.callFrame.url, /rec-esm\.mts$/);
  assert.equal(node.callFrame.lineNumber, 2);
});
