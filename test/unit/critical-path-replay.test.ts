// The critical path in work of a self-scheduled region (critical-path.ts regionCriticalPaths), on
// planted reports: spans and CPU readings written here, so the answer is known whatever the
// machine's load while the test runs. Tryout findings F2 and F17 (unevencpu.js: items of 300, 300,
// 300, 300, 100, 100, 100, 100 ms of CPU on 2 threads): at load, a thread that waited for a core
// took fewer chunks (unchanged code read +7-9 %), and a chunk size that left one thread a single
// 1200 ms chunk read as 1.19 × the mean instead of 1.5 ×.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { regionCriticalPaths } from '../../src/model/critical-path';
import { summarizeRun } from '../../src/model/sweep-report';
import { syntheticReport } from '../../src/model/synthetic';
import type { Report } from '../../src/model/report';

const ITEMS = [300, 300, 300, 300, 100, 100, 100, 100];
const MS = 1000;

/**
 * A dynamic map of `items` (ms of work each) in chunks of `chunk` on 2 workers, where worker k
 * gets `share[k]` of a core while it runs (the rest it waits for one, on the run queue): the
 * spans a dynamic schedule makes (each chunk claimed in item order by the thread free first) and
 * each thread's CPU readings every 5 ms and at every task's start and end.
 */
function planted(items: number[], chunk: number, share: [number, number], schedule: 'dynamic' | 'static' = 'dynamic'): Report {
  const base = syntheticReport({ threads: 2, spans: 0, profiles: 0, samplesPerProfile: 0 });
  const origin = 10 * MS;
  const chunks: { first: number; n: number; work: number }[] = [];
  for (let i = 0; i < items.length; i += chunk) chunks.push({ first: i, n: Math.min(chunk, items.length - i), work: items.slice(i, i + chunk).reduce((a, b) => a + b, 0) });
  const free = [origin, origin];
  const spans = { thread: [] as number[], region: [] as number[], index: [] as number[], first: [] as number[], items: [] as number[], enqueue: [] as number[],
    start: [] as number[], end: [] as number[], stolenFrom: [] as number[], parent: [] as number[], failed: [] as number[], count: 0 };
  const perThread: [number, number, number][][] = [[], []];
  chunks.forEach((c, k) => {
    const w = schedule === 'static' ? (k < chunks.length / 2 ? 0 : 1) : (free[0] <= free[1] ? 0 : 1);
    const s = free[w], e = s + (c.work * MS) / share[w];
    free[w] = e;
    perThread[w].push([s, e, share[w]]);
    spans.thread.push(w + 1); spans.region.push(0); spans.index.push(k); spans.first.push(c.first); spans.items.push(c.n);
    spans.enqueue.push(origin); spans.start.push(s); spans.end.push(e); spans.stolenFrom.push(-1); spans.parent.push(-1); spans.failed.push(0);
    spans.count++;
  });
  const end = Math.max(...free);
  const cpu = perThread.map((busy, w) => {
    const marks = new Set<number>([0]);
    for (let t = 0; t <= end + 5 * MS; t += 5 * MS) marks.add(t);
    for (const [s, e] of busy) { marks.add(s); marks.add(e); }
    const t = [...marks].sort((a, b) => a - b);
    const at = (x: number, f: (s: number) => number) => busy.reduce((a, [s, e, sh]) => a + Math.max(0, Math.min(x, e) - s) * f(sh), 0);
    return { thread: w + 1, source: 'schedstat' as const, t, onCpu: t.map((x) => at(x, (sh) => sh)), runnable: t.map((x) => at(x, (sh) => 1 - sh)) };
  });
  const main = { thread: 0, source: 'schedstat' as const, t: [0, end + 10 * MS], onCpu: [0, 1 * MS], runnable: [0, 0] };
  return {
    ...base,
    meta: { ...base.meta, durationUs: end + 20 * MS, pool: { threads: 2, schedule } },
    threads: base.threads.map((t) => ({ ...t, start: 0, end: end + 20 * MS })),
    regions: [{ id: 0, name: 'map work', kind: 'map', pool: 0, fn: 'work', schedule, threads: 2, items: items.length, chunkSize: chunk, start: origin, end, outcome: 'ok' }],
    spans, cpu: [main, ...cpu], elu: [], markers: [],
  } as Report;
}

function critical(report: Report): number {
  const c = regionCriticalPaths(report, analyze(report))[0];
  assert.ok(c !== undefined);
  return c;
}

test('unchanged code: a descheduled thread that took fewer chunks leaves the critical path as on free cores (F2)', () => {
  const quiet = planted(ITEMS, 1, [1, 1]);
  const busy = planted(ITEMS, 1, [0.25, 1]);
  const m = analyze(busy).regions[0];
  // The load's doing: the slow thread took fewer items and the wall times split unevenly.
  assert.ok(m.imbalance > 1.1, `planted wall imbalance ${m.imbalance}`);
  assert.ok(Math.abs(m.threads[0].busyOnCpuMs! - m.threads[1].busyOnCpuMs!) >= 200, 'the split of the work moved with the load');
  assert.ok(Math.abs(critical(quiet) - 800) < 1, `quiet ${critical(quiet)}`);
  assert.ok(Math.abs(critical(busy) - 800) < 1, `busy ${critical(busy)} against 800 on free cores`);
  // The sweep summary carries the same number.
  assert.ok(Math.abs(summarizeRun(busy, analyze(busy), 'x.parprof').regions[0].criticalMs! - 800) < 1);
});

test('one chunk on a thread counts in full, even when the load hides it in the wall time (F17)', () => {
  // Chunk 4: one thread gets 1200 ms, the other 400 ms; the one with 400 ran at a third of a core,
  // so both ended about together (wall imbalance near 1) while the work split 1200/400.
  const busy = planted(ITEMS, 4, [1, 0.34]);
  const m = analyze(busy).regions[0];
  assert.ok(m.imbalance < 1.05, `planted wall imbalance ${m.imbalance}`);
  assert.ok(Math.abs(critical(busy) - 1200) < 1, `${critical(busy)} against 1200`);
  assert.ok(Math.abs(critical(planted(ITEMS, 4, [1, 1])) - 1200) < 1);
  // Chunk 1 against chunk 4: +50 %, as planted.
  assert.ok(Math.abs(critical(busy) / critical(planted(ITEMS, 1, [0.4, 1])) - 1.5) < 0.01);
});

test('static: the busiest thread\'s work, whatever the load', () => {
  assert.ok(Math.abs(critical(planted(ITEMS, 1, [0.4, 1], 'static')) - 1200) < 1);
  assert.ok(Math.abs(critical(planted([200, 200, 200, 200, 200, 200, 200, 200], 1, [0.4, 1], 'static')) - 800) < 1);
});
