// Spans that mean what they say: one span per scheduled chunk under every schedule, counted by
// the pool itself; items that add up; no span before its enqueue; metrics of a planted split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze, type RegionMetrics } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { checkSpans, record } from './record-helpers';

const within = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual.toFixed(3)}`);

/** The spans of one region as rows, sorted by first item. */
function regionSpans(report: Report, name: string): { first: number; items: number; stolenFrom: number; thread: number; enqueue: number; start: number }[] {
  const region = report.regions.find((r) => r.name === name);
  assert.ok(region, `region '${name}' recorded`);
  const s = report.spans;
  const rows = [];
  for (let k = 0; k < s.count; k++) {
    if (s.region[k] === region.id) rows.push({ first: s.first[k], items: s.items[k], stolenFrom: s.stolenFrom[k], thread: s.thread[k], enqueue: s.enqueue[k], start: s.start[k] });
  }
  return rows.sort((a, b) => a.first - b.first);
}

/** The items [0, n) are covered by the spans exactly once, in contiguous chunks. */
function checkCoverage(rows: { first: number; items: number }[], n: number): void {
  let next = 0;
  for (const r of rows) {
    assert.equal(r.first, next, `span at item ${r.first}: expected the next span to start at ${next}`);
    assert.ok(r.items >= 1, `span at item ${r.first} covers ${r.items} items`);
    next += r.items;
  }
  assert.equal(next, n, 'item counts sum to the input length');
}

async function counted(schedule: string, items: number, chunk: string): Promise<{ report: Report; counts: { tasks: number; steals: number } }> {
  const { report, stdout } = await record('truth-pool.js', { args: ['count', schedule, String(items), chunk, '2'], sampleIntervalUs: 0 });
  assert.equal(report.exit.code, 0, stdout);
  const line = /^counts (.*)$/m.exec(stdout);
  assert.ok(line, `the fixture printed the pool's counts:\n${stdout}`);
  return { report, counts: JSON.parse(line[1]) };
}

for (const schedule of ['steal', 'dynamic']) {
  test(`${schedule}: one span per chunk the pool ran, items add up, none starts before its enqueue`, async () => {
    const n = 2000;
    const { report, counts } = await counted(schedule, n, 'auto');
    const rows = regionSpans(report, 'counted');
    assert.equal(rows.length, counts.tasks, 'spans = the pool\'s own count of chunks it ran');
    assert.equal(rows.filter((r) => r.stolenFrom >= 0).length, counts.steals, 'stolen spans = the pool\'s own count of steals');
    // Auto chunking aims at ~64 chunks per thread: far more spans than threads.
    assert.ok(rows.length >= 64, `${rows.length} spans`);
    checkCoverage(rows, n);
    for (const r of rows) assert.ok(r.start >= r.enqueue, `span at item ${r.first}: start ${r.start} before enqueue ${r.enqueue}`);
    const tids = new Set(report.threads.map((t) => t.id));
    for (const r of rows) if (r.stolenFrom >= 0) assert.ok(tids.has(r.stolenFrom) && r.stolenFrom !== r.thread, `stolenFrom ${r.stolenFrom} names another thread`);
    checkSpans(report);
  });
}

test('steal with chunkSize 1: one span per item', async () => {
  const n = 300;
  const { report, counts } = await counted('steal', n, '1');
  const rows = regionSpans(report, 'counted');
  assert.equal(rows.length, n);
  assert.equal(counts.tasks, n);
  assert.ok(rows.every((r) => r.items === 1));
  checkCoverage(rows, n);
  checkSpans(report);
});

test('parprof report --json --spans lists every span with its first item and item count', async () => {
  const { report, file } = await record('truth-pool.js', { args: ['count', 'dynamic', '400', '10', '2'], sampleIntervalUs: 0 });
  const cli = join(packageRoot(), 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cli, 'report', file, '--json', '--spans'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const spans = json.extra.spans as { region: number; first: number; items: number; stolenFrom: number; start: number; end: number }[];
  assert.equal(spans.length, report.spans.count);
  assert.ok(spans.every((s) => s.items === 10), 'chunks of 10 items');
  checkCoverage([...spans].sort((a, b) => a.first - b.first), 400);
  assert.deepEqual(spans[0], { thread: report.spans.thread[0], region: report.spans.region[0], index: report.spans.index[0], first: report.spans.first[0],
    items: 10, enqueue: report.spans.enqueue[0], start: report.spans.start[0], end: report.spans.end[0], stolenFrom: report.spans.stolenFrom[0],
    parent: -1, failed: 0, ...(report.spans.flags ? { flags: report.spans.flags[0] } : {}) });
  const plain = JSON.parse(spawnSync(process.execPath, [cli, 'report', file, '--json'], { encoding: 'utf8' }).stdout);
  assert.equal(plain.extra.spans, undefined, 'without --spans the JSON has no span list');
  const bad = spawnSync(process.execPath, [cli, 'report', file, '--spans'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--spans .* --json/);
});

/**
 * A 300 ms / 100 ms split under static on 2 threads. Tasks spin on the clock, so their planted
 * times are wall times; but a thread descheduled around its task's deadline overruns it, and the
 * region also holds the hand-off to the workers and the collection of results (well under a
 * millisecond on an idle machine, many on a loaded one). So of up to five recordings the test
 * reads the least disturbed one: the smallest overrun of the planted times. Wrong metrics fail
 * every recording alike.
 */
test('a planted 300 / 100 ms split under static: imbalance 1.5, utilization 0.67, gain 100 ms, tail 200 ms', async (ctx) => {
  let best: { m: RegionMetrics; overrun: number } | undefined;
  for (let attempt = 0; attempt < 5 && !(best && best.overrun < 4); attempt++) {
    const { report } = await record('truth-pool.js', { args: ['split'], sampleIntervalUs: 0 });
    assert.equal(report.exit.code, 0);
    checkSpans(report);
    const m = analyze(report).regions.find((r) => r.name === 'planted split');
    assert.ok(m, 'the planted region was recorded');
    const rows = regionSpans(report, 'planted split');
    assert.deepEqual(rows.map((r) => [r.first, r.items]), [[0, 1], [1, 1]], 'one span per thread, one item each');
    // Overrun of the planted times: tasks longer than planted, threads starting late, results collected late.
    const busy = m.threads.map((t) => t.busyMs).sort((a, b) => b - a);
    const overrun = (busy[0] - 300) + (busy[1] - 100) + m.threads.reduce((a, t) => a + t.startDelayMs, 0) + (m.wallMs - busy[0]);
    if (!best || overrun < best.overrun) best = { m, overrun };
  }
  const m = best!.m;
  ctx.diagnostic(`least disturbed recording: planted times overrun by ${best!.overrun.toFixed(1)} ms`);
  within(m.imbalance, 1.5, 0.05, 'imbalance');
  within(m.utilization, 0.67, 0.03, 'utilization');
  within(m.potentialGainMs, 100, 10, 'potential gain ms');
  within(m.tailMs, 200, 10, 'tail ms');
  // The split of thread time adds up, and the idle part is the short thread's tail.
  const t = m.threadTime;
  within(t.taskMs + t.startDelayMs + t.gapMs + t.tailIdleMs, 2 * m.wallMs, 1e-6, 'thread time sums to wall × threads');
  within(t.tailIdleMs, 200, 15, 'tail idle ms');
});
