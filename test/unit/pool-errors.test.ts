// The pool when things go wrong: throwing tasks, cancellation, dying workers, closing, bad
// arguments. After each failure the same pool must still give correct answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as PoolModule from '../../src/runtime/index';
import type { Schedule } from '../../src/runtime/index';

// The pool by its package name, as users load it (dist/runtime/index.js); types from the source,
// because tsconfig's node10 resolution does not follow package.json `exports` self-references.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ThreadPool, range } = require('parallel-profiler') as typeof PoolModule;
type ThreadPool = PoolModule.ThreadPool;
import { fixture, runNode } from './pool-helpers';

const tasks = fixture('tasks.js');
const schedules: Schedule[] = ['static', 'dynamic', 'steal'];
const pool = new ThreadPool({ module: tasks, threads: 2 });
after(() => pool.close());

async function stillWorks(p: ThreadPool): Promise<void> {
  for (const schedule of schedules) assert.equal(await p.reduce('add', range(0, 1000), { identity: 0, schedule }), 499_500);
}

for (const schedule of schedules) {
  test(`${schedule}: a throwing task rejects with its index and the worker's stack; the pool stays usable`, async () => {
    for (const input of [range(0, 50), Array.from({ length: 50 }, (_, i) => i)]) {
      await assert.rejects(pool.map('throwAt', input, { schedule }), (e: Error & { index?: number }) => {
        assert.match(e.message, /^map\(throwAt\) failed at item 7 \(task \d+\) on pool [1-4] \(threadId \d+\): boom at 7/);
        assert.match(e.message, /worker stack:\nError: boom at 7\n\s+at .*tasks\.js/);
        assert.equal(e.index, 7);
        return true;
      });
    }
    await stillWorks(pool);
  });
}

test('a missing task function or a Promise-returning task is named in the error', async () => {
  await assert.rejects(pool.map('nope', [1]), /task module .*tasks\.js has no exported function 'nope' \(functions: .*square/);
  await assert.rejects(pool.map('asyncTask', [1, 2]), /'asyncTask' returned a Promise/);
  // The item named is one that returned a Promise: a chunk's first for map, its last for forEach
  // and reduce (it had named the item after the chunk: 1 of a one-item input).
  for (const schedule of schedules) {
    const at = async (op: Promise<unknown>) => { try { await op; } catch (e) { return [(e as { index?: number }).index, /failed at item (\d+)/.exec((e as Error).message)?.[1]]; } return undefined; };
    assert.deepEqual(await at(pool.map('asyncTask', [10], { schedule })), [0, '0'], schedule);
    // map: the first item of the chunk that failed first (steal splits the range between the threads: either one's).
    const mapped = await at(pool.map('asyncTask', [10, 20, 30], { schedule, chunkSize: 3 }));
    assert.ok(mapped && [0, 1, 2].includes(mapped[0] as number) && mapped[1] === String(mapped[0]), `${schedule}: ${JSON.stringify(mapped)}`);
    if (schedule !== 'steal') assert.deepEqual(mapped, [0, '0'], schedule);
    // forEach: the last item its chunk ran (steal claims a grain of its own): one of the input's, named in the message too.
    const each = await at(pool.forEach('asyncTask', [10, 20, 30], { schedule, chunkSize: 3 }));
    assert.ok(each && [0, 1, 2].includes(each[0] as number) && each[1] === String(each[0]), `${schedule}: ${JSON.stringify(each)}`);
    if (schedule !== 'steal') assert.equal(each![0], 2, schedule);
  }
  await assert.rejects(pool.reduce('add', range(0, 4), { identity: {}, schedule: 'dynamic' }), /options\.combine is required when identity is not a number/);
  await stillWorks(pool);
});

test('an unloadable task module rejects every operation with the load error', async () => {
  const p = new ThreadPool({ module: fixture('no-such-module.js'), threads: 2 });
  try {
    await assert.rejects(p.map('square', [1]), /cannot load task module .*no-such-module\.js: Cannot find module/);
    await assert.rejects(p.map('square', [1]), /cannot load task module/);
  } finally {
    await p.close();
  }
});

for (const schedule of schedules) {
  test(`${schedule}: an AbortSignal cancels the operation; the pool stays usable`, async () => {
    const controller = new AbortController();
    // 4000 items of 1 ms: far longer than the abort delay on any machine.
    const slow = pool.forEach('spin', new Float64Array(4000).fill(1000), { schedule, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(slow, (e: Error) => e.name === 'AbortError' && /forEach\(spin\) was aborted/.test(e.message));
    await stillWorks(pool);
  });
}

test('an already aborted signal rejects without running anything', async () => {
  await assert.rejects(pool.map('throwAt', range(0, 20), { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

for (const schedule of schedules) {
  test(`${schedule}: a worker that exits inside a task rejects the operation and is replaced`, async () => {
    await assert.rejects(pool.map('exitAt', range(0, 40), { schedule }), /map\(exitAt\): worker \d \(thread \d+\) of pool 'pool' exited with code 3 while running it/);
    await stillWorks(pool);
    const threads = new Set(await pool.map<number, number>('threadOf', range(0, 2), { schedule: 'static' }));
    assert.equal(threads.size, 2, 'both slots answer after the replacement');
  });
}

test('close() ends the workers; a closed pool rejects with a clear error', async () => {
  const p = new ThreadPool({ module: tasks, threads: 2, name: 'short-lived' });
  const queued = p.map('square', [1, 2, 3]);
  await p.close(); // lets the queued operation finish first
  assert.deepEqual(await queued, [1, 4, 9]);
  await assert.rejects(p.map('square', [1]), /ThreadPool 'short-lived' is closed; cannot run map\(square\)/);
  await p.close();
});

test('operations queue: concurrent calls all complete, each with its own answer', async () => {
  const answers = await Promise.all(schedules.map((schedule, k) => pool.reduce('add', range(0, 100 * (k + 1)), { identity: 0, schedule })));
  assert.deepEqual(answers, [4950, 19900, 44850]);
});

test('bad arguments throw errors that name the input', async () => {
  assert.throws(() => new ThreadPool({ module: tasks, threads: -1 }), /threads must be a non-negative integer \(0 = sequential\), got -1/);
  assert.throws(() => new ThreadPool({ module: tasks, threads: 1.5 }), /threads must be a non-negative integer \(0 = sequential\), got 1\.5/);
  assert.throws(() => new ThreadPool({ module: tasks, schedule: 'fifo' as Schedule }), /schedule must be one of static, dynamic, steal, got fifo/);
  assert.throws(() => new ThreadPool({ module: tasks, chunkSize: -1 }), /chunkSize must be a positive integer, got -1/);
  assert.throws(() => new ThreadPool({ module: '' }), /options\.module must be the path or file URL/);
  assert.throws(() => range(3, 1), /range end must be >= start, got range\(3, 1\)/);
  assert.throws(() => range(0.5, 1), /range start must be an integer, got 0\.5/);
  await assert.rejects(pool.map('square', 'abc' as unknown as number[]), /map\(square\): input must be an array, a typed array or range\(start, end\), got string/);
  await assert.rejects(pool.map('square', [() => 1]), /cannot send the input to the workers/);
  await assert.rejects(pool.join('sumRange', [1, 2] as unknown as ReturnType<typeof range>), /join\(sumRange\): input must be range/);
  await assert.rejects(pool.map('square', [1], { chunkSize: 0 }), /chunkSize must be a positive integer, got 0/);
  await stillWorks(pool);
});

test('close() after a worker died in the last operation still resolves', async () => {
  const p = new ThreadPool({ module: tasks, threads: 2 });
  const dying = p.map('exitAt', range(0, 40), { schedule: 'dynamic' });
  const closing = p.close();
  await assert.rejects(dying, /exited with code 3/);
  await closing;
  assert.equal(await p.close(), undefined, 'a second close() resolves too');
});

test('a task module that kills its worker while loading rejects each operation, not the process', async () => {
  const p = new ThreadPool({ module: fixture('pool-exit-on-load.js'), threads: 2 });
  try {
    await assert.rejects(p.map('square', [1]), /map\(square\): worker \d \(thread \d+\) of pool 'pool' exited with code 7 while loading the task module/);
    await assert.rejects(p.map('square', [1]), /exited with code 7/);
  } finally {
    await p.close();
  }
});

test('a task module whose worker ends after it loaded, before the operation started, rejects the operation instead of waiting for that worker forever', { timeout: 120_000 }, async () => {
  const p = new ThreadPool({ module: fixture('pool-exit-after-load.js'), threads: 2 });
  try {
    await assert.rejects(p.map('square', [1]), /map\(square\): worker \d \(thread \d+\) of pool 'pool' exited with code 5 (after it loaded the task module, before the operation started|while running it)/);
    await assert.rejects(p.map('square', [1]), /exited with code 5/);
  } finally {
    await p.close();
    rmSync(join(tmpdir(), `parprof-exit-after-load-${process.pid}`), { force: true });
  }
});

for (const script of ['pool-self-unguarded.js', 'pool-self-unguarded.mjs']) {
  test(`a script that is its own task module and makes its pool without \`if (isMainThread)\` (${script}) ends with one sentence, not a pool in every worker until memory runs out`, () => {
    const r = runNode(fixture(script));
    assert.equal(r.code, 1, `exit ${r.code} (null: killed when it did not end)\n${r.stderr.slice(0, 2000)}`);
    assert.match(r.stderr, /ThreadPool: made while a pool worker was loading its task module .*pool-self-unguarded\.m?js\. A module's top-level code runs again in every worker that loads it, .*make the pool under `if \(isMainThread\)`/);
    assert.equal(r.stdout, '');
  });
}

test('a result that cannot be copied back fails the operation in words, the worker lives on; a thrown plain object is shown, not "[object Object]"', async () => {
  await assert.rejects(pool.map('returnFn', range(0, 10)), (e: Error) => {
    assert.match(e.message, /^map\(returnFn\) failed on pool [1-4] \(threadId \d+\): a result could not be sent back to the calling thread: .*could not be cloned.* \(results are copied by the structured clone algorithm: no functions or symbols\)/);
    // Not "exited with code 1 while running it": the worker said what went wrong and lives on.
    assert.doesNotMatch(e.message, /exited with code/);
    return true;
  });
  for (const schedule of schedules) {
    await assert.rejects(pool.map('throwObject', range(0, 10), { schedule }), (e: Error & { index?: number }) => {
      assert.match(e.message, /failed at item 3 .*: \{ code: 'E42', detail: 'planted' \}/);
      assert.doesNotMatch(e.message, /\[object Object\]/);
      assert.equal(e.index, 3);
      return true;
    });
  }
  await stillWorks(pool);
  // Sequential mode (threads 0) words a thrown object the same way.
  const inline = new ThreadPool({ module: tasks, threads: 0 });
  await assert.rejects(inline.map('throwObject', range(0, 10)), /failed at item 3 .*: \{ code: 'E42', detail: 'planted' \}/);
  await inline.close();
});
