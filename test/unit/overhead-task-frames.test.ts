// Task functions keep their own samples without a V8 flag (issue 12, "Fast"): TurboFan would
// inline a small task function into the pool's per-item loop, and V8's CPU profiler would then
// charge its time to the loop (runItems). The pool makes the loop's task call sites megamorphic
// before each operation (pool-run.ts, pool-inline.ts), so the task is a real call. Planted: task
// functions of a few dozen bytecodes, which TurboFan inlines at a monomorphic site, whose work
// far outweighs the loop's per-item cost; a known checksum says every item ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Report } from '../../src/model/report';
import { record } from './record-helpers';

const FIXTURE = 'overhead-tiny-task.js';
/** 4 × the sum of plantedTiny(i) over i in [0, 200k). */
const CHECKSUM = 26203048492;

/** Sampled µs per function name on the threads in `threads` (self time: the sample's leaf). */
function selfTimes(report: Report, threads: Set<number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const { thread, profile } of report.profiles) {
    if (!threads.has(thread)) continue;
    const name = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
    profile.samples.forEach((id, k) => {
      const fn = name.get(id) ?? '';
      out.set(fn, (out.get(fn) ?? 0) + (profile.timeDeltas[k + 1] ?? 0));
    });
  }
  return out;
}

for (const [mode, task, loop] of [
  ['map', 'plantedTiny', 'runItems'],
  ['reduce', 'plantedTinyFold', 'runItems'],
  ['sequential', 'plantedTiny', 'runItemsInline'],
] as const) {
  test(`a tiny task function (${mode}) carries its own samples, not the pool loop's (${loop})`, async () => {
    const { report, stdout, stderr } = await record(FIXTURE, { args: [mode] });
    assert.equal(report.exit.code, 0, stderr);
    assert.match(stdout, new RegExp(`^sum ${CHECKSUM}$`, 'm'), 'every item ran');
    const ran = new Set(report.threads.filter((t) => (mode === 'sequential' ? t.kind === 'main' : t.kind === 'worker')).map((t) => t.id));
    const self = selfTimes(report, ran);
    const inTask = self.get(task) ?? 0;
    const inLoop = self.get(loop) ?? 0;
    const detail = `${task} ${(inTask / 1000).toFixed(1)} ms, ${loop} ${(inLoop / 1000).toFixed(1)} ms`;
    console.log(`${mode}: ${detail}`);
    assert.ok(inTask > 0, `${task} has no samples of its own: ${detail}`);
    assert.ok(inTask > 2 * inLoop, `the loop holds a third or more of the two: ${detail}`);
  });
}
