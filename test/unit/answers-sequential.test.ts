// Sequential mode in-process: ThreadPool({ threads: 0 }) runs on the calling thread, counts one
// task per chunk, reports task errors by item, honours an abort, and says why an ES module that
// awaits itself at top level cannot be its own task module here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import type * as PoolModule from '../../src/runtime/index';
import { fixture, runNode } from './pool-helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ThreadPool, range, chunkSizeFor } = require('parallel-profiler') as typeof PoolModule;

test('threads 0: every operation on this thread, one task per dynamic chunk, operations in order', async () => {
  const pool = new ThreadPool({ module: fixture('tasks.js'), threads: 0 });
  assert.equal(pool.threads, 0);
  const [a, b] = await Promise.all([pool.map('threadOf', range(0, 1000)), pool.reduce('add', range(0, 1000), { identity: 0 })]);
  assert.ok(a.every((t) => t === threadId));
  assert.equal(b, 499500);
  assert.equal(pool.taskCounts().tasks, 2 * Math.ceil(1000 / chunkSizeFor('dynamic', 1000, 1)));
  assert.equal(await pool.join('sumRange', range(0, 100)), 4950);
  assert.deepEqual(await pool.map('square', [1, 2, 3], { chunkSize: 2 }), [1, 4, 9]);
  await pool.close();
});

test('threads 0: a task error names the item and the sequential thread; an aborted operation rejects with AbortError', async () => {
  const pool = new ThreadPool({ module: fixture('tasks.js'), threads: 0 });
  await assert.rejects(pool.map('throwAt', range(0, 20)), (e: Error & { index?: number }) => {
    assert.match(e.message, /^map\(throwAt\) failed at item 7 \(task \d+\) on main \(sequential\): boom at 7/);
    assert.equal(e.index, 7);
    return true;
  });
  await assert.rejects(pool.map('nope', range(0, 2)), /task module .*tasks\.js has no exported function 'nope'/);
  await assert.rejects(pool.map('asyncTask', [1]), (e: Error & { index?: number }) => /returned a Promise/.test(e.message) && e.index === 0 && /failed at item 0 /.test(e.message));
  await assert.rejects(pool.forEach('asyncTask', [1, 2, 3], { chunkSize: 3 }), (e: Error & { index?: number }) => e.index === 2);
  await assert.rejects(pool.reduce('add', range(0, 10), { identity: 0, signal: AbortSignal.abort() }), { name: 'AbortError' });
  await assert.rejects(pool.join('badSpawn', range(0, 10)), /ctx\.spawn\(10, 20\): expected integers first <= end within the operation's range \[0, 10\)/);
  assert.deepEqual(await pool.map('square', [5]), [25], 'the pool still works after failures');
  await pool.close();
});

test('threads 0: an ES module awaiting itself at top level gets a sentence, not exit 13', () => {
  const r = runNode(fixture('answers-esm-self.mjs'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^rejected: map\(double\): cannot load task module file:.*answers-esm-self\.mjs: .* is the main ES module and is still running its top level, which awaits this operation/);
});
