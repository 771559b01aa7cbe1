// The GC advice weighs a late sample no more than the flame trees do (unsampled.ts): a
// verification tryout saw "spent 24 % … collecting garbage (159 ms …)" from one GC sample whose
// next sample came 140 ms late while the thread waited for a core (the flamegraph said 30 ms).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { SAMPLE_CAP_INTERVALS } from '../../src/model/unsampled';
import { buildProfile, buildReport } from './model-build';

const MS = 1000;

/**
 * One worker, one task: `work` samples 1 ms apart around `gcs` GC samples; with `lateMs`, the
 * sample after the last GC sample comes that late (V8 charges the gap to the GC sample).
 */
function report(gcs: number, lateMs: number) {
  const samples: [number, number][] = [];
  for (let i = 0; i < 150; i++) samples.push([3, MS]);
  for (let i = 0; i < gcs; i++) samples.push([4, MS]);
  samples.push([3, lateMs > 0 ? lateMs * MS : MS]);
  for (let i = 0; i < 150; i++) samples.push([3, MS]);
  const end = samples.reduce((a, x) => a + x[1], 0) + MS;
  const profile = buildProfile([
    [1, '(root)', '', -1, [2, 4]], [2, 'task', '/work/app/task.js', 1, [3]], [3, 'work', '/work/app/task.js', 5, []],
    [4, '(garbage collector)', '', -1, []],
  ], samples, end);
  return buildReport({ workers: 1, durationUs: end, regions: [{ start: 0, end }],
    spans: [{ thread: 1, start: 0, end }], profiles: [{ thread: 1, profile }] });
}

const gcAdvice = (r: ReturnType<typeof report>) => advise(r, analyze(r)).find((a) => a.rule === 'gc');

test('one GC sample followed by a 140 ms wait is no GC advice: it weighs the cap, 10 ms', () => {
  assert.equal(SAMPLE_CAP_INTERVALS, 10);
  assert.equal(gcAdvice(report(1, 140)), undefined);
});

test('GC that was sampled all along still gets its advice, with its sampled time', () => {
  const a = gcAdvice(report(150, 0));
  assert.ok(a, 'gc advice for 150 ms of GC samples');
  assert.equal(Math.round((a.evidence as { gcMs: number }).gcMs), 150);
});
