// The descheduled finding names every thread it counts: "2 threads were descheduled" named only
// the worst one. Hand-built schedstat readings with a known share on a core for each worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { buildReport } from './model-build';

function descheduled(onCpuUs: number[]) {
  const n = onCpuUs.length;
  const r = buildReport({ workers: n, regions: [{ start: 0, end: 100_000, name: 'busy', threads: n }],
    spans: onCpuUs.map((_, i) => ({ thread: i + 1, start: 0, end: 100_000 })), durationUs: 100_000 });
  r.cpu = onCpuUs.map((on, i) => ({ thread: i + 1, source: 'schedstat' as const, t: [0, 100_000], onCpu: [0, on], runnable: [0, 100_000 - on] }));
  const a = advise(r, analyze(r)).find((x) => x.rule === 'descheduled');
  assert.ok(a);
  return a;
}

test('three descheduled workers: the count is three and all three are named, the worst with its numbers', () => {
  const a = descheduled([30_000, 40_000, 95_000, 50_000]);
  assert.equal(a.evidence.threads, 3);
  assert.match(a.text, /^3 threads were descheduled while busy: the most, worker 1, was on a core only 30 % of its 100 ms in tasks \([^)]*\); the others: worker 2 on a core 40 %, worker 4 50 %; /);
  assert.doesNotMatch(a.text, /worker 3/, 'worker 3 was on a core 95 %: not descheduled');
});

test('one descheduled worker is named once as the subject', () => {
  const a = descheduled([30_000, 95_000]);
  assert.match(a.text, /^worker 1 was descheduled while busy: worker 1 was on a core only 30 %/);
});
