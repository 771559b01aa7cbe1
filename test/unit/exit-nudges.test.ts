// A worker that ends by itself tells the profile nudger first (preload.ts, at the start of its
// 'exit' listener; our pool does it before asking its workers to close): the nudger sends no more
// asks into a thread that is tearing down. Sending them until the worker detached was one of the
// two paths under a rare abort at exit (docs/hardening.md). Fails before: asks kept coming into
// the workers' exit listeners, one per nudge period.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { record } from './record-helpers';

test('workers ending by themselves get no nudger asks once their exit begins (asks reach them while they work)', async () => {
  const result = await record('exit-nudges.js');
  const stdout = result.stdout;
  const lines = [...stdout.matchAll(/^asks (\d+) (\d+) (\d+)$/gm)].map((m) => ({ tid: Number(m[1]), work: Number(m[2]), exit: Number(m[3]) }));
  assert.equal(lines.length, 2, `both workers reported: ${stdout}`);
  assert.ok(result.report.threads.length >= 3, 'main and both workers recorded');
  for (const l of lines) {
    // 800 ms of spinning at a 250 ms nudge period: the nudger reaches a busy worker (else a 0 below proves nothing).
    assert.ok(l.work >= 1, `worker ${l.tid}: ${l.work} asks while it worked`);
    assert.equal(l.exit, 0, `worker ${l.tid}: ${l.exit} asks more than 100 ms into its exit listener`);
  }
});
