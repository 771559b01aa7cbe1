// The phases a user pays for, against a script's own clock: pool start-up inside the first
// map() call, a planted serial section between operations; worker start-up of a third-party
// pool is not "no task was ready"; version-1 reports still load.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { parseReport, validateReport } from '../../src/model/load';
import { packReport, typedColumns, unpackReport, withPlainColumns } from '../../src/model/packed-report';
import { phaseMetrics } from '../../src/model/phases';
import { formatSummary } from '../../src/model/summary';
import { fixtures, record } from './record-helpers';

function near(actual: number, expected: number, what: string): void {
  const tol = Math.max(0.1 * expected, 5);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(2)} ms, expected ${expected.toFixed(2)} ± ${tol.toFixed(2)} ms`);
}

test('planted serial section and pool start-up: phases and the map() call against the script\'s clock', async () => {
  const { report, stdout } = await record('phases-serial.js');
  assert.equal(report.exit.code, 0, stdout);
  const own = Object.fromEntries([...stdout.matchAll(/^(firstMap|serial|secondMap) ([\d.]+)$/gm)].map((m) => [m[1], Number(m[2])]));
  assert.ok(own.firstMap && own.serial && own.secondMap, stdout);
  assert.equal(report.version, 2);
  assert.ok(report.startup);
  const st = report.startup;
  assert.ok(st.spawn <= st.preload && st.preload <= st.script, JSON.stringify(st));
  assert.equal(st.workers.length, 2);
  assert.ok(st.workers.every((w) => w.readyBy === 'module-loaded' && w.ready! > w.created));

  const metrics = analyze(report);
  const [first, second] = metrics.regions;
  // The map() calls: the first includes the pool's start-up it waited for; its wall does not.
  near(first.callMs!, own.firstMap, 'first map() call');
  near(second.callMs!, own.secondMap, 'second map() call');
  assert.ok(first.startupMs! > 0 && first.callMs! > first.wallMs, `call ${first.callMs} wall ${first.wallMs} start-up ${first.startupMs}`);
  near(first.wallMs + first.startupMs!, first.callMs!, 'first call = start-up + region wall');
  assert.equal(second.startupMs, 0);

  const p = metrics.extra.phases!;
  near(p.serialBetweenMs, own.serial, 'serial between the operations');
  near(p.totalMs, report.meta.durationUs / 1000 - st.spawn / 1000, 'phases cover spawn to exit');
  const sum = p.processStartMs + p.recorderStartMs + p.poolStartupMs + p.operationsMs + p.serialMs;
  assert.ok(Math.abs(sum - p.totalMs) < 1e-6, `phases add up: ${sum} vs ${p.totalMs}`);
  assert.ok(Math.abs(p.serialMs - (p.serialBeforeMs + p.serialBetweenMs + p.serialAfterMs)) < 1e-6);
  near(p.operationsMs, first.wallMs + second.wallMs, 'operations = the two regions');
  assert.ok(p.processStartMs > 0 && p.recorderStartMs > 0);
  const text = formatSummary(report, metrics);
  assert.match(text, /Phases \([\d.]+ ms from spawn to exit/);
  assert.match(text, /map work \(phases-serial\.js:24\): wall [\d.]+ ms · call [\d.]+ ms · [\d.]+ ms of it waiting for pool start-up/);
});

test('a piscina pool: its workers\' start-up is counted as start-up, not as "no task was ready"', async () => {
  const { report } = await record('rec-piscina.js');
  assert.equal(report.exit.code, 0);
  const ext = report.startup!.workers.filter((w) => w.readyBy === 'first-message');
  assert.equal(ext.length, 2);
  const metrics = analyze(report);
  const r = metrics.regions.find((x) => x.kind === 'external')!;
  // One definition for every pool (as a ThreadPool's): the region starts when its first worker is
  // ready; the start-up before it is its call's, not idle time or a potential gain of the region.
  const region = report.regions.find((x) => x.kind === 'external')!;
  assert.equal(region.start, Math.min(...ext.map((w) => w.ready!)));
  assert.ok(region.called !== undefined && region.called < region.start, 'the call begins with the first worker\'s creation');
  assert.ok(r.startupMs! > 0 && r.callMs! > r.wallMs, `start-up ${r.startupMs} ms in the call (${r.callMs} ms), outside the region (${r.wallMs} ms)`);
  assert.ok(r.potentialGainMs <= r.wallMs, 'no gain outside the region');
  // Each worker counts from its first message: its capacity excludes its start-up.
  assert.ok(r.utilizationAfterStartup! >= r.utilization, `${r.utilizationAfterStartup} after start-up vs ${r.utilization}`);
  const text = formatSummary(report, metrics);
  assert.match(text, /piscina: wall [\d.]+ ms · [\d.]+ ms from its first worker's creation · [\d.]+ ms of it before its first worker was ready/);
  if (r.utilizationAfterStartup! >= 0.6) assert.doesNotMatch(text, /busy only .* of region 'piscina'/);
  else assert.match(text, /busy only .* of region 'piscina' once their workers were ready \([\d.]+ ms from its first worker's creation, [\d.]+ ms of it waiting for the first worker to start, the region itself [\d.]+ ms(; workers were still starting during [\d.]+ ms of it)?\)/);
  // The phases put the start-up before the work.
  const phases = metrics.extra.phases!;
  assert.ok(phases.poolStartupMs > 0);
});

test('a version-1 report (recorded before format 2) still loads, analyzes and prints', () => {
  const report = parseReport(readFileSync(join(fixtures(), 'phases-v1-report.parprof')));
  assert.equal(report.version, 1);
  assert.equal(report.startup, undefined);
  assert.equal(phaseMetrics(report), undefined);
  const metrics = analyze(report);
  assert.equal(metrics.extra.phases, undefined);
  assert.equal(metrics.extra.waitMs, undefined);
  assert.ok(metrics.threads.every((t) => t.onCpuMs === undefined && t.waitMs === undefined));
  assert.ok(metrics.threads.some((t) => (t.busySamples ?? 0) > 0), 'busy samples counted from the v1 profiles');
  const text = formatSummary(report, metrics);
  assert.doesNotMatch(text, /Phases|CPU time/);
  assert.match(text, /Regions/);
});

test('format-2 fields are validated with their path', () => {
  const good = JSON.parse(readFileSync(join(fixtures(), 'phases-v1-report.parprof'), 'utf8'));
  const bad = (edit: (r: Record<string, any>) => void, message: RegExp): void => {
    const r = structuredClone(good);
    r.version = 2;
    edit(r);
    assert.throws(() => parseReport(JSON.stringify(r)), message);
  };
  const t = good.threads[1].id;
  bad((r) => (r.cpu = [{ thread: t, source: 'schedstat', t: [1, 2], onCpu: [5, 4] }]), /cpu\[0\]\.onCpu\[1\]: 4 is less than 5: the counter is cumulative/);
  bad((r) => (r.cpu = [{ thread: 99, source: 'schedstat', t: [], onCpu: [] }]), /cpu\[0\]\.thread: thread 99 is not in threads/);
  bad((r) => (r.waits = { count: 1, thread: [t], start: [10], end: [5] }), /waits\.end\[0\]: 5 is before start 10/);
  bad((r) => (r.startup = { spawn: 0, preload: 5, script: 4, workers: [] }), /startup\.script: 4 is before preload 5/);
  bad((r) => (r.regions[0].called = r.regions[0].start + 1), /regions\[0\]\.called: .* is after start/);
  bad((r) => (r.version = 3), /unsupported report version 3 \(this reader knows 1 and 2\)/);
  const ok = structuredClone(good);
  ok.version = 2;
  ok.cpu = [{ thread: t, source: 'threadCpuUsage', t: [1, 2], onCpu: [4, 5] }];
  ok.waits = { count: 0, thread: [], start: [], end: [] };
  assert.equal(parseReport(JSON.stringify(ok)).cpu![0].source, 'threadCpuUsage');
});

test('format-2 fields survive the HTML page\'s packing and the VS Code typed-column path', () => {
  const r = JSON.parse(readFileSync(join(fixtures(), 'phases-v1-report.parprof'), 'utf8'));
  const t = r.threads[1].id;
  r.version = 2;
  r.startup = { spawn: 0.5, preload: 60_000.25, script: 70_000, workers: [{ thread: t, pool: r.regions[0].pool, created: 80_000, ready: 120_000.5, readyBy: 'module-loaded' }] };
  r.cpu = [{ thread: t, source: 'schedstat', t: [80_000, 130_000.125], onCpu: [1000, 40_000], runnable: [10, 2000] }];
  r.waits = { count: 3, thread: [t, 0, t], start: [100_000, 100_500.5, 101_000], end: [100_400, 100_600, 109_000.25] };
  r.regions[0].called = r.regions[0].start - 1000;
  const report = parseReport(JSON.stringify(r));
  const back = withPlainColumns(unpackReport(packReport(report)));
  assert.deepEqual(back.waits, r.waits);
  assert.deepEqual(back.cpu, r.cpu);
  assert.deepEqual(back.startup, r.startup);
  assert.equal(back.regions[0].called, r.regions[0].called);
  const typed = typedColumns(report);
  assert.ok(ArrayBuffer.isView(typed.waits!.start));
  // What the webview does with VS Code's init message: validate the typed report as it is.
  assert.equal(validateReport(structuredClone(typed)).waits!.count, 3);
  assert.deepEqual(withPlainColumns(parseReport(JSON.stringify(withPlainColumns(typed)))).waits, r.waits);
  assert.deepEqual(analyze(typed).extra.waitMs, analyze(report).extra.waitMs);
});

test('phases of a planted timeline: each instant once, operation over start-up over serial', () => {
  const r = JSON.parse(readFileSync(join(fixtures(), 'phases-v1-report.parprof'), 'utf8'));
  r.version = 2;
  // Region 0 runs 186,842.3 → 209,652.7 µs; its call began at 150,050 while both workers were
  // starting (150,000 → 171,000); from 171,000 to its start it prepared its input.
  r.startup = { spawn: 0, preload: 50_000, script: 60_000, workers: [
    { thread: 1, pool: 0, created: 150_000, ready: 170_000, readyBy: 'module-loaded' },
    { thread: 2, pool: 0, created: 150_100, ready: 171_000, readyBy: 'module-loaded' }] };
  r.regions[0].called = 150_050;
  const report = parseReport(JSON.stringify(r));
  const p = phaseMetrics(report)!;
  const { start, end } = report.regions[0];
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);
  close(p.processStartMs, 50, 'process start');
  close(p.recorderStartMs, 10, 'recorder start');
  close(p.poolStartupMs, 21, 'pool start-up');
  close(p.operationsMs, (end! - 171_000) / 1000, 'operation: its call after start-up, then its tasks');
  close(p.serialBeforeMs, 90, 'serial before');
  close(p.serialBetweenMs, 0, 'serial between');
  close(p.serialAfterMs, (report.meta.durationUs - end!) / 1000, 'serial after');
  close(p.totalMs, report.meta.durationUs / 1000, 'total');
  assert.deepEqual(p.intervals.map((x) => x.kind), ['process-start', 'recorder-start', 'serial', 'pool-startup', 'operation', 'serial']);
  const region = analyze(report).regions[0];
  close(region.callMs!, (end! - 150_050) / 1000, 'call');
  close(region.startupMs!, (171_000 - 150_050) / 1000, 'start-up inside the call');
  assert.ok(start > 171_000);
});
