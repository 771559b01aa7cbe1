// One clock for every thread: the recorder's anchor of performance.now() to hrtime survives a
// thread descheduled between its clock reads; and the schedule names are said once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { SCHEDULES } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { validateRunOptions } from '../../src/runner/run';
import { checkSchedule } from '../../src/runtime/pool-types';
import { anchorClock } from '../../src/runtime/recorder';

/**
 * A planted clock: true time advances 0.1 µs per read; performance.now() reads it minus
 * `perfOrigin`; the thread is descheduled for `stallUs` just before the performance.now()
 * reads numbered in `stalled` (0-based), i.e. between an hrtime read and that read.
 */
function plantedClocks(perfOrigin: number, stallUs: number, stalled: Set<number>): { hrtime: () => number; perfNow: () => number } {
  let now = 5_000_000;
  let perfReads = 0;
  return {
    hrtime: () => (now += 0.1),
    perfNow: () => {
      if (stalled.has(perfReads++)) now += stallUs;
      return (now += 0.1) - perfOrigin;
    },
  };
}

test('a thread descheduled between its clock reads still anchors its clock to within a µs', () => {
  const perfOrigin = 1_234_567.25;
  // Descheduled for 8 ms (seen on an idle 2-core machine) in the bare reads and the anchor's first two tries.
  const { hrtime, perfNow } = plantedClocks(perfOrigin, 8000, new Set([0, 1, 2]));
  // The two bare reads the recorder used to make would be off by the whole stall.
  const naive = hrtime() - perfNow();
  assert.ok(Math.abs(naive - perfOrigin) > 7000, `the planted stall shows in two bare reads: off by ${naive - perfOrigin} µs`);
  const anchor = anchorClock(hrtime, perfNow);
  assert.ok(Math.abs(anchor.offsetUs - perfOrigin) <= anchor.errorUs, `offset off by ${anchor.offsetUs - perfOrigin} µs, bound ${anchor.errorUs} µs`);
  assert.ok(anchor.errorUs <= 1, `error bound ${anchor.errorUs} µs`);
});

test('the anchor reports its error bound honestly when every try is disturbed', () => {
  const perfOrigin = 42;
  const every = new Set(Array.from({ length: 64 }, (_, k) => k));
  const { hrtime, perfNow } = plantedClocks(perfOrigin, 3000, every);
  const anchor = anchorClock(hrtime, perfNow);
  assert.ok(anchor.errorUs >= 1500, `bound ${anchor.errorUs} µs covers the stall`);
  assert.ok(Math.abs(anchor.offsetUs - perfOrigin) <= anchor.errorUs, `offset off by ${anchor.offsetUs - perfOrigin} µs, bound ${anchor.errorUs} µs`);
});

test('the real clocks anchor with a bound the recorder can state', () => {
  const anchor = anchorClock(() => Number(process.hrtime.bigint()) / 1000, () => performance.now() * 1000);
  assert.ok(Number.isFinite(anchor.offsetUs) && Number.isFinite(anchor.errorUs) && anchor.errorUs >= 0);
  // Any later performance.now() read, moved onto hrtime by the anchor, lies between the hrtime
  // reads around it, up to the stated bound (however long this thread is descheduled meanwhile).
  for (let k = 0; k < 1000; k++) {
    const h0 = Number(process.hrtime.bigint()) / 1000;
    const p = performance.now() * 1000 + anchor.offsetUs;
    const h1 = Number(process.hrtime.bigint()) / 1000;
    assert.ok(p >= h0 - anchor.errorUs - 1 && p <= h1 + anchor.errorUs + 1, `read ${k}: ${p} not in [${h0}, ${h1}] ± ${anchor.errorUs}`);
  }
});

test('schedule names are declared once and every surface accepts exactly them', () => {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
  const setting = pkg.contributes.configuration.properties?.['parallelProfiler.schedule']
    ?? pkg.contributes.configuration.find?.((c: { properties: Record<string, unknown> }) => c.properties['parallelProfiler.schedule'])?.properties['parallelProfiler.schedule'];
  assert.deepEqual(setting.enum, ['default', ...SCHEDULES]);
  for (const s of SCHEDULES) {
    assert.equal(checkSchedule(s), s);
    assert.deepEqual(parseArgs(['record', '--schedule', s, 'x.js']), { cmd: 'record', script: 'x.js', args: [], schedule: s });
    assert.doesNotThrow(() => validateRunOptions({ script: join(packageRoot(), 'package.json'), schedule: s }));
  }
  assert.throws(() => checkSchedule('guided'), /schedule must be one of static, dynamic, steal, got guided/);
  assert.throws(() => parseArgs(['record', '--schedule', 'guided', 'x.js']), (e: Error) => e instanceof UsageError && /static, dynamic or steal, got guided/.test(e.message));
  assert.throws(() => validateRunOptions({ script: join(packageRoot(), 'package.json'), schedule: 'guided' as never }), /one of static, dynamic, steal/);
});
