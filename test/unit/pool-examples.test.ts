// Every example runs with plain node, prints one line and exits 0, under each schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
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

test('mandelbrot gives the same checksum under every schedule', () => {
  const sums = ['static', 'dynamic', 'steal'].map((schedule) => {
    const r = runNode(join(root, 'examples', 'mandelbrot.js'), { PARPROF_THREADS: '2', PARPROF_SCHEDULE: schedule });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`schedule=${schedule}`));
    return /checksum (\d+)/.exec(r.stdout)?.[1];
  });
  assert.ok(sums[0] !== undefined);
  assert.deepEqual(sums, [sums[0], sums[0], sums[0]]);
});
