// --profiler 0x across processes: a forked child inherits node's --prof (fork passes execArgv
// on), writes its own isolate logs, marks them with its pid, and its threads get their profiles
// in its own spool folder, merged into the one report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { packageRoot } from '../../src/runner/paths';
import { record } from './record-helpers';
import { bare, samplesOf } from './tick-helpers';

test('--profiler 0x with a forked child: fork passes --prof on, so the child\'s threads get their profiles from their own logs too', { timeout: 300_000 }, async () => {
  const { report, stderr } = await record('child-fork.js', { profiler: '0x', env: { NODE_PATH: join(packageRoot(), 'node_modules') } });
  assert.equal(report.exit.code, 0, stderr);
  const processes = new Set(report.threads.map((t) => t.process));
  assert.equal(processes.size, 2, 'the script and its child');
  assert.equal(report.dropped.profiles, 0);
  assert.deepEqual(report.profiles.map((p) => p.thread).sort(), report.threads.map((t) => t.id).sort(), 'one profile per thread of both processes');
  for (const t of report.threads.filter((x) => x.kind === 'worker')) {
    const samples = samplesOf(report.profiles.find((p) => p.thread === t.id)!.profile);
    assert.ok(samples.some((s) => s.stack.some((f) => bare(f) === 'exports.spin')), `${t.name} (process ${t.process}): samples of the pool's task`);
  }
});
