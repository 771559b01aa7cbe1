// lowerBoundNear (advice.ts): the hinted search the GC advice walks spans with gives exactly the
// plain binary search's answer, for any hint, inside or outside the array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBoundNear } from '../../src/model/advice';

function lowerBound(times: Float64Array, t: number): number {
  let lo = 0, hi = times.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
}

test('lowerBoundNear equals a binary search for every hint, with repeated times and times outside the array', () => {
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let c = 0; c < 2000; c++) {
    const n = Math.floor(rand() * 50);
    const times = Float64Array.from({ length: n }, () => Math.floor(rand() * 30)).sort();
    for (let q = 0; q < 20; q++) {
      const t = Math.floor(rand() * 34) - 2;
      const hint = Math.floor(rand() * (n + 4)) - 2;
      assert.equal(lowerBoundNear(times, t, hint), lowerBound(times, t), `times ${times.join(',')}, t ${t}, hint ${hint}`);
    }
  }
  assert.equal(lowerBoundNear(new Float64Array([1, 2, 2, 3]), 2, 3), 1, 'the first of equal times');
  assert.equal(lowerBoundNear(new Float64Array(0), 5, 0), 0);
});
