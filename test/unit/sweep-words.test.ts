// Numbers in the sweep's sentences read as one number each: a thread count is never a bare digit
// before a time ('sequential 701 ms · 1 1613 ms' read as 11 613 ms, a space thousands separator),
// and no formatter groups digits (one formatter per unit, src/model/units.ts: plain '1435 ms').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaling } from '../../src/model/scaling';
import { criticalScalingNote, scalingNotes } from '../../src/model/sweep-tables';
import { formatDurationMs, formatMs, msDigits } from '../../src/model/units';

/** Digits, one space, three digits: what reads as a thousands separator. */
const GROUPED = /\d \d{3}(?!\d)/;

test('the critical-path sentence names each thread count in words, with a colon before its time', () => {
  const sc = scaling([[0, 701], [1, 1613], [2, 559], [4, 1435]].map(([threads, ms]) => ({ threads, wallMs: [ms] })), 2)!;
  const note = criticalScalingNote(sc, 2);
  assert.ok(note.includes('sequential: 701 ms · 1 thread: 1613 ms (0.43×) · 2 threads: 559 ms (1.25×) · 4 threads (> cores): 1435 ms (0.49×)'), note);
  assert.doesNotMatch(note, GROUPED);
  for (const n of scalingNotes(sc, 2)) assert.doesNotMatch(n, GROUPED, n);
});

test('durations print plain digits everywhere: 1435 ms, not 1 435 ms or 1,435 ms', () => {
  assert.equal(formatMs(1435), '1435 ms');
  assert.equal(msDigits(12345.6), '12346');
  assert.equal(formatDurationMs(1435), '1.44 s');
});
