// The CLI from one install and the script's `require('parallel-profiler')` from another (a project
// that installed the package, recorded with another copy's CLI): the other copy's ThreadPool
// workers are the pool's, not raw worker_threads. They were counted as both: a fake external
// region of 0 tasks, twice the worker start-ups, and a whole-run window that began at it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/runner/paths';
import { analyze } from '../../src/model/analysis';
import { record, tempDir } from './record-helpers';

test('a script whose parallel-profiler is another copy: one region, the pool\'s, and its two workers start once', async () => {
  const dir = tempDir('parprof-two-copies-');
  const copy = join(dir, 'node_modules', 'parallel-profiler');
  mkdirSync(join(copy, 'dist'), { recursive: true });
  cpSync(join(packageRoot(), 'package.json'), join(copy, 'package.json'));
  cpSync(join(packageRoot(), 'dist', 'runtime'), join(copy, 'dist', 'runtime'), { recursive: true });
  const script = join(dir, 'squares.js');
  writeFileSync(script, `const { ThreadPool } = require('parallel-profiler');
exports.square = (x) => { let s = 0; for (let k = 0; k < 2e5; k++) s += x * k; return s; };
// The main thread runs the pool; its workers load this file as the task module only.
if (require('node:worker_threads').isMainThread) (async () => {
  if (require.resolve('parallel-profiler') !== ${JSON.stringify(join(copy, 'dist', 'runtime', 'index.js'))}) throw new Error('not the other copy: ' + require.resolve('parallel-profiler'));
  const pool = new ThreadPool({ module: __filename, threads: 2, schedule: 'dynamic' });
  await pool.map('square', Array.from({ length: 64 }, (_, i) => i));
  await pool.close();
})();
`);
  const { report, stderr } = await record(script, { cwd: dir });
  assert.equal(report.exit.code, 0, stderr);
  assert.deepEqual(report.regions.map((r) => [r.kind, r.fn]), [['map', 'square']]);
  assert.equal(report.spans.count > 0, true);
  assert.equal(report.startup?.workers.length, 2, JSON.stringify(report.startup?.workers));
  const m = analyze(report);
  assert.equal(m.extra.start, report.regions[0].start, 'the whole run starts at the region of the pool');
});
