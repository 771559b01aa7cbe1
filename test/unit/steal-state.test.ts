// The steal schedule's shared ranges (src/runtime/schedule-steal.ts StealState), as the pool's
// threads use them, driven here from one thread: a thief takes the back half of a victim's
// unclaimed range, and its last unclaimed item too (a thread left idle beside an unclaimed 150 ms
// item while its owner ran another was the tryout's [150, 150, 50, 50] case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ITEM, StealState } from '../../src/runtime/schedule-steal';

function state(threads: number): StealState {
  return new StealState(new SharedArrayBuffer(StealState.bytes(threads)), threads, new Int32Array(new SharedArrayBuffer(4)), 0);
}

test('a thief takes the back half of a range, and the last item of one', () => {
  const st = state(2);
  st.setRange(0, 0, 5);
  st.setRange(1, 0, 0);
  // Five unclaimed: the thief takes the back two, the owner keeps three.
  assert.equal(st.stealHalf(1, 0), true);
  assert.equal(st.claim(1, 10), 3);
  assert.equal(st.claimEnd, 5);
  // The owner claims one (item 0), two are left: the thief takes one.
  assert.equal(st.claim(0, 1), 0);
  assert.equal(st.stealHalf(1, 0), true);
  assert.equal(st.claim(1, 10), 2);
  assert.equal(st.claimEnd, 3);
  // One left (item 1) while the owner runs item 0: an idle thief takes it.
  assert.equal(st.stealHalf(1, 0), true);
  assert.equal(st.claim(1, 10), 1);
  assert.equal(st.claimEnd, 2);
  // Nothing left: no steal, and the owner's next claim finds none.
  assert.equal(st.stealHalf(1, 0), false);
  assert.equal(st.claim(0, 1), NO_ITEM);
});
