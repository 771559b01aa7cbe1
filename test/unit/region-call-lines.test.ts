// The "Operation calls" lines of `parprof report` (summary-v2.ts regionCallLines) when a region's
// end was not recorded (a run stopped by Ctrl-C during a piscina pool's work): the start-up before
// the wall is said once, in a sentence that reads, for a library's pool and for our own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regionCallLines } from '../../src/model/summary-v2';
import type { RunMetrics } from '../../src/model/analysis';
import { formatMs } from '../../src/model/units';

const lines = (region: Record<string, unknown>) => regionCallLines({ regions: [{ id: 1, wallMs: 3471, ...region }] } as unknown as RunMetrics, () => 'piscina');

test('a start-up before the wall, with and without the call\'s end', () => {
  assert.equal(lines({ kind: 'external', startupMs: 280 })[2],
    `  piscina: wall ${formatMs(3471)} · ${formatMs(280)} before it, from its first worker's creation until that worker was ready (the pool's end was not recorded)`);
  assert.equal(lines({ kind: 'operation', startupMs: 280 })[2],
    `  piscina: wall ${formatMs(3471)} · ${formatMs(280)} before it waiting for pool start-up (the call's end was not recorded)`);
  assert.equal(lines({ kind: 'external', startupMs: 280, callMs: 3751 })[2],
    `  piscina: wall ${formatMs(3471)} · ${formatMs(3751)} from its first worker's creation · ${formatMs(280)} of it before its first worker was ready`);
  assert.deepEqual(lines({ kind: 'operation' }), [], 'nothing to say without a start-up, a call or a wait');
});
