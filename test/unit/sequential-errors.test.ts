// Sequential mode (--threads 0): a task error names the thread the way the report and the pools'
// errors do ('main', 'pool 2 (threadId 3)'), not 'thread 0 (sequential)'. Real recordings of a map
// whose item 10 throws, on the main thread and inside a worker_threads Worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Report } from '../../src/model/report';
import { record } from './record-helpers';

/** The report's threads that ran spans of the map's region. */
function threadsThatRan(report: Report): Report['threads'] {
  const ran = new Set<number>();
  for (let k = 0; k < report.spans.count; k++) ran.add(report.spans.thread[k]);
  return report.threads.filter((t) => ran.has(t.id));
}

test('threads 0, a map whose item 10 throws on the main thread: the error says "on main (sequential)", the thread the report calls main', async () => {
  const { report } = await record('failed-map-sequential.js', { threads: 0 });
  assert.equal(report.regions.length, 1);
  assert.equal(report.regions[0].threads, 0, 'the pool ran sequentially');
  const message = report.exit.error?.message ?? '';
  const m = /^map\(work\) failed at item 10 \(task \d+\) on (\S+) \(sequential\): boom at item 10/.exec(message);
  assert.ok(m, message);
  assert.equal(m[1], 'main');
  assert.deepEqual(threadsThatRan(report).map((t) => [t.name, t.kind]), [['main', 'main']]);
  assert.doesNotMatch(message, /on thread \d/);
});

test('threads 0 inside a worker_threads Worker: the error names the worker by its threadId, the thread that ran the spans', async () => {
  const { report, stdout } = await record('failed-map-sequential.js', { threads: 0, args: ['worker'] });
  const m = /^worker (\d+) rejected: map\(work\) failed at item 10 \(task \d+\) on worker \(threadId (\d+), sequential\): boom at item 10$/m.exec(stdout);
  assert.ok(m, stdout);
  assert.equal(m[2], m[1]);
  const ran = threadsThatRan(report);
  assert.equal(ran.length, 1);
  assert.equal(ran[0].kind, 'worker');
  assert.equal(ran[0].threadId ?? ran[0].id, Number(m[2]));
});
