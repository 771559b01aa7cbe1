// End to end on the bundled examples: `parprof record` then `parprof report --json`, as a user
// would run them. Each report has a lane per thread, CPU samples in the example's own task
// function on the workers, and metrics that say what the example is built to show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../src/runner/paths';
import { parseReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';

const root = packageRoot();
const cli = join(root, 'dist', 'cli.js');

interface Recorded { report: Report; metrics: { imbalance: number; regions: { name: string; imbalance: number; tasks: number }[] } }

function record(example: string, ...flags: string[]): Recorded {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-examples-'));
  try {
    const out = join(dir, 'run.parprof');
    const rec = spawnSync(process.execPath, [cli, 'record', '--threads', '2', ...flags, '--out', out, join(root, 'examples', example)],
      { encoding: 'utf8', timeout: 180_000 });
    assert.equal(rec.status, 0, `record ${example} failed:\n${rec.stdout}\n${rec.stderr}`);
    assert.match(rec.stdout, /Threads/, 'the summary is printed');
    const json = spawnSync(process.execPath, [cli, 'report', out, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(json.status, 0, json.stderr);
    return { report: parseReport(readFileSync(out), { gunzip: (b) => gunzipSync(b) }), metrics: JSON.parse(json.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Names of the functions sampled on worker threads. */
function workerFunctions(report: Report): Set<string> {
  const workers = new Set(report.threads.filter((t) => t.kind === 'worker').map((t) => t.id));
  return new Set(report.profiles.filter((p) => workers.has(p.thread)).flatMap((p) => p.profile.nodes.map((n) => n.callFrame.functionName)));
}

/** Sampled µs on the workers in frames of files whose path ends with `suffix`. */
function workerSelfIn(report: Report, suffix: string): number {
  const workers = new Set(report.threads.filter((t) => t.kind === 'worker').map((t) => t.id));
  let us = 0;
  for (const { thread, profile } of report.profiles) {
    if (!workers.has(thread)) continue;
    const inFile = new Set(profile.nodes.filter((n) => n.callFrame.url.replace(/^file:\/\//, '').endsWith(suffix)).map((n) => n.id));
    profile.samples.forEach((id, k) => { if (inFile.has(id)) us += profile.timeDeltas[k + 1] ?? 0; });
  }
  return us;
}

const cases: [string, string][] = [
  ['sum.js', 'addSteps'],
  ['matmul.js', 'multiplyRow'],
  ['mandelbrot.js', 'row'],
  ['fork-join.js', 'countPrimes'],
];

/** Each example's pool operation: its kind and how many items its input holds (examples/*.js). */
const OPERATION: Record<string, [string, number]> = {
  'sum.js': ['reduce', 1_000_000], 'matmul.js': ['forEach', 700], 'mandelbrot.js': ['map', 1200], 'fork-join.js': ['join', 3_000_000],
};

/** Per item of a region, how many of its tasks ran it; for a join, its leaf tasks (those that spawned none: the rest hold their children's items). */
function itemsCovered(report: Report, region: number, items: number): Int32Array {
  const s = report.spans;
  const parents = new Set<number>();
  for (let k = 0; k < s.count; k++) if (s.region[k] === region && s.parent[k] !== -1) parents.add(s.parent[k]);
  const covered = new Int32Array(items);
  for (let k = 0; k < s.count; k++) {
    if (s.region[k] !== region || parents.has(s.index[k])) continue;
    for (let i = s.first[k]; i < s.first[k] + s.items[k]; i++) covered[i]++;
  }
  return covered;
}

for (const [example, taskFunction] of cases) {
  test(`parprof record examples/${example}: a lane per thread, samples in ${taskFunction} on the workers`, () => {
    const { report, metrics } = record(example);
    const workers = report.threads.filter((t) => t.kind === 'worker');
    assert.equal(workers.length, 2, `two pool threads in ${JSON.stringify(report.threads)}`);
    assert.equal(report.threads.filter((t) => t.kind === 'main').length, 1);
    // The example's one pool operation, with its input's size; its tasks cover every item once.
    assert.deepEqual(report.regions.map((r) => [r.kind, r.items]), [OPERATION[example]]);
    const covered = itemsCovered(report, report.regions[0].id, report.regions[0].items);
    const wrong = covered.findIndex((c) => c !== 1);
    assert.equal(wrong, -1, `item ${wrong} ran ${covered[wrong]} times`);
    const ran = new Set(Array.from(report.spans.thread));
    assert.ok(workers.some((w) => ran.has(w.id)), 'tasks ran on the pool threads');
    // V8 names `exports.f = (...) => ...` 'exports.f'.
    const sampled = [...workerFunctions(report)];
    assert.ok(sampled.some((n) => n === taskFunction || n.endsWith(`.${taskFunction}`)), `${taskFunction} sampled on a worker: ${sampled.join(', ')}`);
    // V8 charges an inlined function's samples to its caller: the user's code must not vanish into the pool's loop.
    const user = workerSelfIn(report, `examples/${example}`);
    const pool = workerSelfIn(report, 'dist/runtime/worker.js');
    assert.ok(user > pool, `worker samples in ${example}: ${(user / 1000).toFixed(1)} ms, in the pool's own code: ${(pool / 1000).toFixed(1)} ms`);
    assert.deepEqual(report.dropped, { spans: 0, samples: 0, profiles: 0 }, 'a clean run loses nothing');
    assert.equal(report.exit.code, 0);
    assert.ok(metrics.regions.length === report.regions.length && metrics.regions.every((r) => r.tasks > 0));
  });
}

test('mandelbrot: static is measurably less balanced than dynamic and steal', () => {
  const region = (r: Recorded) => r.metrics.regions.find((g) => g.name.includes('row'))!;
  const stat = region(record('mandelbrot.js', '--schedule', 'static'));
  const dyn = region(record('mandelbrot.js', '--schedule', 'dynamic'));
  const steal = region(record('mandelbrot.js', '--schedule', 'steal'));
  // The example puts most of the set in one half of the rows: one static chunk per thread is lopsided.
  assert.ok(stat.imbalance > 1.25, `static imbalance ${stat.imbalance}`);
  assert.ok(stat.imbalance > dyn.imbalance + 0.15, `static ${stat.imbalance} vs dynamic ${dyn.imbalance}`);
  assert.ok(stat.imbalance > steal.imbalance + 0.15, `static ${stat.imbalance} vs steal ${steal.imbalance}`);
});
