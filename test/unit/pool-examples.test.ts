// Every example runs with plain node, prints one line and exits 0; the answers they print are the
// ones their task functions give when run one after another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { root, runNode } from './pool-helpers';

const examples = ['sum.js', 'matmul.js', 'mandelbrot.js', 'fork-join.js', 'workloads.js'];

for (const example of examples) {
  test(`examples/${example} prints one line and exits 0`, () => {
    const r = runNode(join(root, 'examples', example), { PARPROF_THREADS: '2' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
    assert.match(r.stdout, /threads=2/);
  });
}

/**
 * The examples' own task functions run one after another on a plain worker thread (where the
 * examples do not start their main()): the answer their pools must print.
 */
function sequentially(): Promise<{ mandelbrot: number; collatz: number }> {
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads');
    const { row } = require(${JSON.stringify(join(root, 'examples', 'mandelbrot.js'))});
    let mandelbrot = 0;
    for (let y = 0; y < 1200; y++) mandelbrot += row(y);
    const { addSteps } = require(${JSON.stringify(join(root, 'examples', 'sum.js'))});
    let collatz = 0;
    for (let n = 1; n <= 1000000; n++) collatz = addSteps(collatz, n);
    parentPort.postMessage({ mandelbrot, collatz });`, { eval: true });
  return new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
}

test('mandelbrot\'s checksum under every schedule, and sum\'s total, are the sequential answers', async () => {
  const expected = await sequentially();
  for (const schedule of ['static', 'dynamic', 'steal']) {
    const r = runNode(join(root, 'examples', 'mandelbrot.js'), { PARPROF_THREADS: '2', PARPROF_SCHEDULE: schedule });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^mandelbrot 1600x1200: checksum ${expected.mandelbrot} in \\d+ ms \\(threads=2, schedule=${schedule}\\)$`, 'm'));
  }
  const r = runNode(join(root, 'examples', 'sum.js'), { PARPROF_THREADS: '2' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^sum: Collatz steps of 1..1000000 add up to ${expected.collatz} in `, 'm'));
});
