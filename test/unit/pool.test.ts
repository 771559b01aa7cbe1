// The pool with real workers: every item runs exactly once under every schedule and input
// kind, map keeps order, reduce merges in order, fork-join runs every spawned task once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
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
const pool = new ThreadPool({ module: tasks, threads: 3 });
after(() => pool.close());

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function inputs(n: number): [string, unknown][] {
  const shared = new Int32Array(new SharedArrayBuffer(n * 4));
  for (let i = 0; i < n; i++) shared[i] = i * 2;
  return [
    ['array', iota(n).map((i) => i * 2)],
    ['typed array', Float64Array.from(iota(n), (i) => i * 2)],
    ['shared typed array', shared],
    ['range', range(0, n)],
  ];
}

// n = 0, 1, 2 (fewer items than threads), 3, odd and prime sizes, explicit chunk sizes.
const sizes = [0, 1, 2, 3, 101, 1009];

for (const schedule of schedules) {
  test(`${schedule}: every index runs exactly once, for every input kind and size`, async () => {
    for (const n of sizes) {
      for (const [kind, input] of inputs(n)) {
        for (const chunkSize of [undefined, 7]) {
          const seen = await pool.reduce<unknown, number[]>('collect', input as number[], { identity: [], combine: 'concat', schedule, chunkSize });
          // combine runs in item order, so the visits come back sorted: no gap, no duplicate.
          assert.deepEqual(seen, iota(n), `${kind}, n = ${n}, chunkSize = ${chunkSize}`);
        }
      }
    }
  });

  test(`${schedule}: map keeps input order and passes (item, index)`, async () => {
    for (const [kind, input] of inputs(1009)) {
      const out = await pool.map<number, { item: number; index: number }>('echo', input as number[], { schedule });
      assert.equal(out.length, 1009);
      for (let i = 0; i < 1009; i++) assert.deepEqual(out[i], { item: kind === 'range' ? i : i * 2, index: i }, `${kind} at ${i}`);
    }
    assert.deepEqual(await pool.map('square', [{}, 3].slice(1), { schedule }), [9]);
  });

  test(`${schedule}: reduce sums, and an offset range passes item === index`, async () => {
    assert.equal(await pool.reduce('add', range(0, 10_000), { identity: 0, schedule }), 49_995_000);
    assert.equal(await pool.reduce('add', range(5, 5), { identity: 42, schedule }), 42);
    assert.equal(await pool.reduce('add', [1n, 2n, 3n], { identity: 0n, schedule }), 6n);
    assert.deepEqual(await pool.map('indexOf', range(100, 105), { schedule }), [100, 101, 102, 103, 104]);
  });

  test(`${schedule}: forEach over every input kind resolves`, async () => {
    for (const [, input] of inputs(333)) assert.equal(await pool.forEach('square', input as number[], { schedule }), undefined);
  });
}

test('join: every spawned subtask runs once and results merge in range order', async () => {
  assert.equal(await pool.join('sumRange', range(0, 1000)), 499_500);
  assert.equal(await pool.join('sumRange', range(10, 11)), 10);
  assert.deepEqual(await pool.join('listRange', range(3, 700), { combine: 'concat' }), iota(697).map((i) => i + 3));
  assert.equal(await pool.join('sumRange', range(0, 0), { identity: 0 }), 0);
});

test('join: spawning outside the operation range, or from map, is an error', async () => {
  await assert.rejects(pool.join('badSpawn', range(0, 10)), /ctx\.spawn\(10, 20\).*within the operation's range \[0, 10\)/);
  await assert.rejects(pool.map('spawnInMap', range(0, 3), { schedule: 'steal' }), /ctx\.spawn is only available in pool\.join/);
  assert.deepEqual(await pool.map('square', [2, 3]), [4, 9]);
});

test('an ES module task module loads through import(), by path or file URL', async () => {
  const esm = fixture('pool-esm.mjs');
  for (const module of [esm, pathToFileURL(esm), pathToFileURL(esm).href]) {
    const p = new ThreadPool({ module, threads: 2 });
    try {
      assert.deepEqual(await p.map('triple', [1, 2, 3]), [3, 6, 9]);
    } finally {
      await p.close();
    }
  }
});

test('a script can be its own task module', () => {
  const r = runNode(fixture('pool-self.js'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '0,1,8,27,64');
});

test('a one-thread pool runs every schedule and fork-join', async () => {
  const one = new ThreadPool({ module: tasks, threads: 1 });
  try {
    for (const schedule of schedules) {
      assert.deepEqual(await one.reduce('collect', range(0, 257), { identity: [] as number[], combine: 'concat', schedule }), iota(257));
    }
    assert.equal(await one.join('sumRange', range(0, 500)), 124_750);
  } finally {
    await one.close();
  }
});

test('ctx.data reaches every task; shared typed arrays in it are written in place', async () => {
  const out = new Int32Array(new SharedArrayBuffer(4 * 100));
  for (const schedule of schedules) {
    out.fill(0);
    await pool.forEach('writeData', range(0, 100), { schedule, data: { out, add: 5 } });
    assert.deepEqual(Array.from(out), iota(100).map((i) => i + 5), schedule);
  }
});
