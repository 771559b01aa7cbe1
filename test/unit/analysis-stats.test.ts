import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupBy, percentiles, unionLength } from '../../src/model/stats';

function reference(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const rank = (q: number) => s[Math.max(0, Math.ceil(q * s.length) - 1)];
  return { p50: rank(0.5), p95: rank(0.95), max: s[s.length - 1] };
}

test('quickselect percentiles equal nearest-rank on sorted data, for many shapes', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const shapes: number[][] = [[5], [2, 1], [3, 3, 3, 3]];
  for (const n of [10, 99, 1000, 4097]) {
    shapes.push(Array.from({ length: n }, () => rand() * 100));
    shapes.push(Array.from({ length: n }, (_, i) => i));
    shapes.push(Array.from({ length: n }, (_, i) => n - i));
    shapes.push(Array.from({ length: n }, () => Math.floor(rand() * 4)));
  }
  for (const values of shapes) assert.deepEqual(percentiles(Float64Array.from(values)), reference(values), `n = ${values.length}`);
  assert.deepEqual(percentiles(new Float64Array(0)), { p50: 0, p95: 0, max: 0 });
});

test('union length merges overlaps and clips to the window', () => {
  const start = [0, 5, 20, 30], end = [10, 15, 25, 40];
  assert.deepEqual(unionLength(Int32Array.of(0, 1, 2, 3), Float64Array.from(start), Float64Array.from(end), -Infinity, Infinity), { busy: 30, lastEnd: 40 });
  assert.deepEqual(unionLength(Int32Array.of(0, 1, 2, 3), Float64Array.from(start), Float64Array.from(end), 8, 35), { busy: 7 + 5 + 5, lastEnd: 35 });
});

test('groupBy is a stable counting sort', () => {
  const { order, offset } = groupBy(Int32Array.of(2, 0, 2, 1, 0), 3);
  assert.deepEqual([...order], [1, 4, 3, 0, 2]);
  assert.deepEqual([...offset], [0, 2, 3, 5]);
});
