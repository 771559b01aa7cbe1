// Threads that lived one after another (a pool that replaces its workers: vitest's worker per test
// file, an idle timeout) count as the slots they took turns in (src/model/thread-slots.ts). Planted:
// five workers over a 1 s window, never more than two alive at once; the right answer is known
// by hand. The same spans from five workers alive together keep the per-thread numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { lifeSlots } from '../../src/model/thread-slots';
import { threadsWithTasksText } from '../../src/model/headline';
import { advise } from '../../src/model/advice';
import { buildReport } from './model-build';

const MS = 1000;
// Slot A: worker 1 (0-600 ms, busy all of it), then worker 3 (600-1000, busy 600-900).
// Slot B: worker 2 (0-300, busy), worker 4 (300-700, busy), worker 5 (700-1000, busy 750-1000).
const lives: [number, number][] = [[0, 600], [0, 300], [600, 1000], [300, 700], [700, 1000]];
const busy: [number, number][] = [[0, 600], [0, 300], [600, 900], [300, 700], [750, 1000]];

function planted(lived: boolean) {
  const r = buildReport({
    workers: 5, durationUs: 1000 * MS,
    regions: [{ start: 0, end: 1000 * MS, name: 'vitest', kind: 'external', threads: 5 }],
    spans: busy.map(([a, b], k) => ({ thread: k + 1, start: a * MS, end: b * MS })),
  });
  if (lived) for (let k = 0; k < 5; k++) Object.assign(r.threads[k + 1], { start: lives[k][0] * MS, end: lives[k][1] * MS });
  return r;
}

test('lifeSlots: as few slots as lives alive at once; none when all were alive together', () => {
  const s = lifeSlots(lives.map(([start, end]) => ({ start, end })))!;
  assert.equal(s.slots, 2);
  assert.deepEqual([...s.slotOf], [0, 1, 0, 1, 1]);
  assert.equal(lifeSlots([{ start: 0, end: 10 }, { start: 5, end: 20 }, { start: 9, end: 30 }]), undefined);
  assert.equal(lifeSlots([{ start: 0, end: 10 }]), undefined);
});

test('five workers, at most two alive at once: balance over two slots, each thread\'s own row over its life', () => {
  const r = planted(true);
  const m = analyze(r);
  const reg = m.regions[0];
  // Busy 600 + 300 + 300 + 400 + 250 = 1850 ms over 2 × 1000 ms.
  assert.equal(reg.utilization, 0.925);
  assert.equal(m.utilization, 0.925);
  // Slot A busy 900, slot B 950: max over mean 950 / 925.
  assert.equal(reg.imbalance, 950 / 925);
  assert.equal(reg.potentialGainMs, 75);
  assert.equal(m.potentialGainMs, 75);
  // Slot A ran out of work at 900 ms.
  assert.equal(reg.tailMs, 100);
  // The window's thread time adds up to 2 × 1000 ms: slot B's 50 ms from worker 4's last task to
  // worker 5's first is a hand-over (a worker starting), counted as start delay, not between tasks.
  assert.deepEqual(reg.threadTime, { threads: 2, taskMs: 1850, startDelayMs: 50, gapMs: 0, tailIdleMs: 100 });
  assert.equal(m.extra.workerThreads, 5);
  assert.equal(m.extra.concurrentThreads, 2);
  const w5 = reg.threads.find((t) => t.id === 5)!;
  assert.deepEqual([w5.busyMs, w5.idleMs, w5.startDelayMs, w5.tailIdleMs], [250, 50, 50, 0], 'worker 5: no start delay before it existed');
  const w2 = reg.threads.find((t) => t.id === 2)!;
  assert.deepEqual([w2.idleMs, w2.tailIdleMs], [0, 0], 'worker 2: no idle time after it ended');
  assert.equal(threadsWithTasksText(r, m), `5, at most 2 at once, on ${r.meta.cores} cores`);
  assert.match(formatSummary(r, m), /5 threads ran tasks, at most 2 alive at once: utilization, imbalance and gain count 2 threads/);
  assert.match(formatSummary(r, m), /Where thread time went \(region wall × threads; threads that took turns count as the most alive at once\)\n +region +threads.*\n +vitest +2 of 5 at once +93 % +50\.0 +0\.00 /);
});

test('the same spans from five workers alive together: five threads, as before', () => {
  const r = planted(false);
  const m = analyze(r);
  assert.equal(m.regions[0].utilization, 1850 / 5000);
  assert.equal(m.utilization, 1850 / 5000);
  assert.equal(m.extra.concurrentThreads, undefined);
  assert.equal(m.regions[0].threadTime.threads, 5);
  assert.equal(threadsWithTasksText(r, m), `5 on ${r.meta.cores} cores`);
  assert.doesNotMatch(formatSummary(r, m), /alive at once/);
});

test('our own pool of 2 whose worker died and was replaced: 2 slots, not 3 threads; a pool size larger than the slots still counts its idle room', () => {
  const r = buildReport({
    workers: 3, durationUs: 1000 * MS,
    regions: [{ start: 0, end: 1000 * MS, threads: 2 }],
    spans: [{ thread: 1, start: 0, end: 500 * MS }, { thread: 2, start: 0, end: 1000 * MS }, { thread: 3, start: 500 * MS, end: 900 * MS }],
  });
  Object.assign(r.threads[1], { start: 0, end: 500 * MS });
  Object.assign(r.threads[3], { start: 500 * MS, end: 1000 * MS });
  let m = analyze(r);
  // 500 + 1000 + 400 ms over 2 × 1000 ms.
  assert.equal(m.regions[0].utilization, 0.95);
  assert.equal(m.regions[0].threadTime.threads, 2);
  // A pool of 4 with the same three threads: 4 could run at once, two of them idle all along.
  r.regions[0].threads = 4;
  m = analyze(r);
  assert.equal(m.regions[0].utilization, 1900 / 4000);
  assert.equal(m.regions[0].threadTime.threads, 4);
});

test('worker-turnover: fires where hand-overs take a tenth of the slots\' time, silent where they are short or threads never took turns', () => {
  // Six workers, two at a time, each busy for the 100 ms it lives; 100 ms between one's end and the next's start.
  const lived: [number, number][] = [[0, 100], [0, 100], [200, 300], [200, 300], [400, 500], [400, 500]];
  const r = buildReport({
    workers: 6, durationUs: 500 * MS,
    regions: [{ start: 0, end: 500 * MS, name: 'per-file workers', kind: 'external', threads: 6 }],
    spans: lived.map(([a, b], k) => ({ thread: k + 1, start: a * MS, end: b * MS })),
  });
  lived.forEach(([a, b], k) => Object.assign(r.threads[k + 1], { start: a * MS, end: b * MS }));
  const m = analyze(r);
  assert.deepEqual(m.regions[0].handovers, { count: 4, ms: 400, maxSlotMs: 200 });
  const a = advise(r, m).filter((x) => x.rule === 'worker-turnover');
  assert.equal(a.length, 1);
  assert.equal(a[0].savingMs, 200);
  assert.equal(a[0].text, "region 'per-file workers' ended a worker and started another 4 times (6 threads, at most 2 alive at once): " +
    "the hand-overs, from one worker's last task to the next one's first (a worker ending, starting and loading its code), took 400 ms, 40 % of its threads' time; " +
    'keeping the workers alive between tasks would save up to ~200 ms');
  // The first planted run: 50 ms of hand-over in 2 × 1000 ms (2.5 %): silent. Threads alive together: no hand-overs at all.
  assert.deepEqual(advise(planted(true), analyze(planted(true))).filter((x) => x.rule === 'worker-turnover'), []);
  assert.equal(analyze(planted(false)).regions[0].handovers, undefined);
});
