// Issue 13, item 2: costs that grow linearly in threads and regions. No timings: the work is
// counted as the array elements that the model's scans (find, some, filter, map, ...) go over,
// at n and at 4n; linear work grows ~4x, a scan per element (the bugs fixed) ~16x.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import type { CpuProfile, Region, Report, ThreadInfo } from '../../src/model/report';
import { emptySpans, REPORT_FORMAT, REPORT_VERSION } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { advise } from '../../src/model/advice';
import { parseReport, serializeReport } from '../../src/model/load';
import { buildFlameTree, topFunctions } from '../../src/model/flame';
import { lineHotness } from '../../src/model/lines';

/**
 * `workers` worker threads of pool 1, all alive all run, and `regions` back-to-back regions of that
 * pool, each with one 10 µs span on worker 1: every other worker is an idle worker of every region.
 */
function poolReport(workers: number, regions: number, profiled = false): Report {
  const spans = emptySpans();
  const regionList: Region[] = [];
  for (let r = 0; r < regions; r++) {
    const start = 100 + r * 20;
    regionList.push({ id: r, name: `map step${r}`, kind: 'map', pool: 1, fn: 'step', schedule: 'dynamic', threads: workers, items: 1, chunkSize: 1, start, end: start + 15, outcome: 'ok' });
    spans.thread.push(1); spans.region.push(r); spans.index.push(0); spans.first.push(0); spans.items.push(1);
    spans.enqueue.push(start); spans.start.push(start + 1); spans.end.push(start + 11); spans.stolenFrom.push(-1); spans.parent.push(-1); spans.failed.push(0);
    spans.count++;
  }
  const durationUs = 200 + regions * 20;
  const threads: ThreadInfo[] = [{ id: 0, name: 'main', kind: 'main', start: 0, end: durationUs }];
  for (let w = 1; w <= workers; w++) threads.push({ id: w, name: `worker ${w}`, kind: 'worker', pool: 1, start: 50, end: durationUs - 10 });
  const report: Report = {
    format: REPORT_FORMAT, version: REPORT_VERSION,
    meta: { script: '/app/main.js', args: [], cwd: '/app', nodeVersion: 'v20.0.0', nodePath: '/usr/bin/node', cores: 2, platform: 'linux',
      startedAt: 1_700_000_000_000, originUs: 1e9, durationUs, pool: { threads: workers, schedule: 'dynamic' }, sampleIntervalUs: 0, recorder: 'test' },
    threads, regions: regionList, spans, profiles: profiled ? threads.map((t) => ({ thread: t.id, profile: tinyProfile(durationUs) })) : [], elu: [], markers: [],
    dropped: { spans: 0, samples: 0, profiles: 0 }, exit: { code: 0, signal: null, error: null },
  };
  // Through the reader, so the report is one the CLI would accept (and any later format's defaults apply).
  return parseReport(serializeReport(report));
}

/** (root) -> work -> inner, the same three functions on every thread, as a pool's workers have. */
function tinyProfile(endTime: number): CpuProfile {
  const frame = (functionName: string, lineNumber: number) => ({ functionName, scriptId: '1', url: 'file:///app/work.js', lineNumber, columnNumber: 0 });
  return {
    nodes: [{ id: 1, callFrame: frame('(root)', -1), children: [2] }, { id: 2, callFrame: frame('work', 3), children: [3] }, { id: 3, callFrame: frame('inner', 9), positionTicks: [{ line: 11, ticks: 2 }] }],
    startTime: 0, endTime, samples: [2, 3, 3], timeDeltas: [10, 10, 10],
  };
}

const SCANS = ['find', 'findIndex', 'findLast', 'some', 'every', 'filter', 'map', 'forEach', 'reduce', 'indexOf', 'includes'] as const;

/** Elements gone over by Array.prototype scans while `work` runs. */
function scannedElements(work: () => void): number {
  const proto = Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = SCANS.map((name) => [name, proto[name]] as const);
  let count = 0;
  for (const [name, original] of saved) {
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      count += this.length;
      return original.apply(this, args);
    };
  }
  try {
    work();
  } finally {
    for (const [name, original] of saved) proto[name] = original;
  }
  return count;
}

function growth(make: (n: number) => Report, n: number, work: (r: Report) => void): { small: number; large: number } {
  const a = make(n), b = make(4 * n);
  return { small: scannedElements(() => work(a)), large: scannedElements(() => work(b)) };
}

test('analyze: idle workers of every region cost linear in threads (was rows.some per thread: threads² per region)', () => {
  const { small, large } = growth((n) => poolReport(n, 20), 150, (r) => analyze(r));
  assert.ok(small > 0, 'the counter sees the scans');
  assert.ok(large < 8 * small, `4x threads scanned ${large} elements vs ${small}: ${(large / small).toFixed(1)}x, expected < 8x`);
});

test('formatSummary: regions and threads found by id (was regions.find per region and threads.find per thread)', () => {
  const byRegions = growth((n) => poolReport(2, n), 1000, (r) => formatSummary(r, analyze(r)));
  assert.ok(byRegions.large < 8 * byRegions.small, `4x regions: ${(byRegions.large / byRegions.small).toFixed(1)}x, expected < 8x`);
  const byThreads = growth((n) => poolReport(n, 2), 1000, (r) => formatSummary(r, analyze(r)));
  assert.ok(byThreads.large < 8 * byThreads.small, `4x threads: ${(byThreads.large / byThreads.small).toFixed(1)}x, expected < 8x`);
});

test('profiles of many threads: analysis, summary, flame tree, top functions and hot lines linear in threads (was a scan of every profile per thread)', () => {
  const { small, large } = growth((n) => poolReport(n, 2, true), 300, (r) => {
    formatSummary(r, analyze(r));
    buildFlameTree(r);
    topFunctions(r);
    lineHotness(r);
  });
  assert.ok(large < 8 * small, `4x profiled threads: ${(large / small).toFixed(1)}x, expected < 8x`);
});

test('the sizes of the issue finish: 2,000 threads x 2,000 regions, and 50,000 regions', () => {
  // Kept at full size so a quadratic step shows as a test that runs for minutes (the runner's
  // --test-timeout); the assertions are on what they print, not on how long they took.
  const big = poolReport(2000, 2000);
  const m = analyze(big);
  assert.equal(m.regions.length, 2000);
  assert.equal(m.regions[0].threads.length, 2000, 'every worker is listed under every region: 1 busy, 1,999 idle');
  assert.equal(m.regions[0].threads.filter((t) => t.tasks === 0).length, 1999);
  const many = poolReport(2, 50_000);
  const text = formatSummary(many, analyze(many));
  // The tables show 20 regions (the longest, in run order) and say what they left out.
  assert.match(text, /map step19\b/);
  assert.doesNotMatch(text, /map step49999/);
  assert.match(text, /\(the 20 regions with the longest wall time of 50000, in run order; the other 49980: .* of wall time together; `--json` lists every region\)/);
});

/** `report` with every span column behind a Proxy that counts the elements read; the count so far. */
function countingColumns(report: Report): { report: Report; reads: () => number } {
  let reads = 0;
  const spans: Record<string, unknown> = { ...report.spans };
  for (const [name, column] of Object.entries(report.spans)) {
    if (!Array.isArray(column) && !ArrayBuffer.isView(column)) continue;
    spans[name] = new Proxy(column as object, {
      get(target, key, receiver) {
        if (typeof key === 'string' && key.length > 0 && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57) reads++;
        const v = Reflect.get(target, key, ArrayBuffer.isView(target) ? target : receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }
  return { report: { ...report, spans: spans as unknown as Report['spans'] }, reads: () => reads };
}

/** A run of `n` spans on 4 workers over 3 regions (forEach, join, external), with CPU series: every per-span path of the analysis. */
function spansReport(n: number): Report {
  const base = poolReport(4, 3);
  const s = emptySpans();
  s.flags = [];
  base.regions[1].kind = 'join';
  for (let k = 0; k < n; k++) {
    const region = k % 3, thread = 1 + (k % 4), start = 100 + region * 20 + (k / n) * 10;
    s.thread.push(thread); s.region.push(region); s.index.push(k); s.first.push(k); s.items.push(1); s.enqueue.push(start - 0.5);
    s.start.push(start); s.end.push(start + 1 / n); s.stolenFrom.push(k % 7 === 0 ? 2 : -1); s.parent.push(-1); s.failed.push(k % 11 === 0 ? 1 : 0);
    s.flags.push(k % 13 === 0 ? 2 : 0);
    s.count++;
  }
  const cpu = base.threads.map((t) => ({ thread: t.id, source: 'schedstat' as const, t: [0, 100, 200], onCpu: [0, 50, 90], runnable: [0, 10, 20] }));
  return { ...base, spans: s, cpu };
}

test('analyze reads the span columns a bounded number of times per span: linear in spans (10M spans must not take n log n passes of closures)', () => {
  const reads = (n: number): number => {
    const { report, reads } = countingColumns(spansReport(n));
    analyze(report);
    return reads();
  };
  const small = reads(5_000), large = reads(20_000);
  assert.ok(small > 5_000, 'the counter sees the reads');
  assert.ok(large / 20_000 <= 60, `${(large / 20_000).toFixed(1)} column reads per span, expected at most 60`);
  assert.ok(large < 4.6 * small, `4x spans read ${large} column elements vs ${small}: ${(large / small).toFixed(2)}x, expected ~4x`);
});

test('the runner orders spans by start in linear passes when each thread wrote them in order (a merge of runs, not a sort)', async () => {
  const { startOrder } = await import('../../src/runner/report-build-spans');
  const reads = (n: number): number => {
    // Two threads, each in start order, interleaved in time: rows 0..n/2−1 and n/2..n−1.
    const start = new Float64Array(n);
    for (let k = 0; k < n / 2; k++) { start[k] = 2 * k; start[n / 2 + k] = 2 * k + 1; }
    let count = 0;
    const counted = new Proxy(start, { get(t, key) { if (typeof key === 'string' && /^\d/.test(key)) count++; const v = Reflect.get(t, key, t); return typeof v === 'function' ? v.bind(t) : v; } });
    const order = startOrder(counted, [0, n / 2], n);
    for (let k = 1; k < n; k++) assert.ok(start[order[k - 1]] <= start[order[k]], 'sorted');
    return count;
  };
  const small = reads(10_000), large = reads(40_000);
  assert.ok(large / 40_000 <= 6, `${(large / 40_000).toFixed(1)} reads of start per span, expected a few passes`);
  assert.ok(large < 4.4 * small, `4x spans read ${(large / small).toFixed(2)}x as many starts, expected ~4x`);
});

/** `regions` back-to-back regions on 2 profiled workers, every thread with a CPU-time reading every 10 µs of the run. */
function regionsWithCpu(regions: number): { report: Report; readings: () => number } {
  const profiled = poolReport(2, regions, true);
  // With the process's and workers' start-ups, so the run has phases (an interval between every two regions).
  const base: Report = { ...profiled, startup: { spawn: 0, preload: 10, script: 20, workers: [1, 2].map((thread) => ({ thread, pool: 1, created: 30, ready: 60, readyBy: 'module-loaded' as const })) } };
  let readings = 0;
  const cpu = base.threads.map((t) => {
    const n = Math.ceil(base.meta.durationUs / 10) + 1;
    const times = Array.from({ length: n }, (_, k) => k * 10);
    const counted = new Proxy(times, {
      get(target, key, receiver) {
        if (typeof key === 'string' && key.length > 0 && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57) readings++;
        return Reflect.get(target, key, receiver);
      },
    });
    return { thread: t.id, source: 'schedstat' as const, t: counted, onCpu: times.map((x) => x / 2), runnable: times.map((x) => x / 10) };
  });
  return { report: { ...base, cpu }, readings: () => readings };
}

test('analysis, advice and summary of many regions with CPU readings: linear in regions (each region read the whole CPU series, and the advice every phase interval of the run)', () => {
  const run = (n: number) => {
    const { report, readings } = regionsWithCpu(n);
    const scans = scannedElements(() => {
      const metrics = analyze(report);
      advise(report, metrics);
      formatSummary(report, metrics);
    });
    return { scans, readings: readings() };
  };
  const small = run(500), large = run(2000);
  assert.ok(small.scans > 0 && small.readings > 0, 'the counters see the work');
  assert.ok(large.scans < 8 * small.scans, `4x regions: ${(large.scans / small.scans).toFixed(1)}x array elements scanned, expected < 8x`);
  assert.ok(large.readings < 8 * small.readings, `4x regions: ${(large.readings / small.readings).toFixed(1)}x CPU readings read, expected < 8x`);
});
