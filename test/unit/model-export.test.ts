import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCpuProfile, parseAnyReport, toChromeTrace } from '../../src/model/export';
import { ReportError, parseReport, serializeReport, validateReport } from '../../src/model/load';
import { topFunctions } from '../../src/model/flame';
import { analyze } from '../../src/model/analysis';
import { syntheticReport } from '../../src/model/synthetic';
import { buildReport } from './model-build';

function fixture(name: string): string {
  // Built to out/test/unit; the fixtures stay in test/fixtures of the repository.
  for (const base of [join(__dirname, '..', '..', '..'), process.cwd()]) {
    const p = join(base, 'test', 'fixtures', name);
    try {
      readFileSync(p);
      return p;
    } catch {
      // try the next base
    }
  }
  throw new Error(`fixture ${name} not found`);
}

test('Chrome trace: a named lane per thread, a complete event per span, regions and markers', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1000, name: 'map square' }], spans: [
    { thread: 1, start: 0, end: 400, enqueue: 0 }, { thread: 2, start: 10, end: 900, enqueue: 5, stolenFrom: 1 },
  ] });
  r.markers.push({ t: 950, thread: 2, kind: 'worker-error', message: 'boom', stack: 'Error: boom' });
  const trace = toChromeTrace(r);
  const round = JSON.parse(JSON.stringify(trace));
  assert.deepEqual(round, trace, 'plain JSON');
  const ev = trace.traceEvents;
  assert.deepEqual(ev.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args!.name]), [[0, 'main'], [1, 'worker 1'], [2, 'worker 2']]);
  const spans = ev.filter((e) => e.ph === 'X');
  assert.deepEqual(spans.map((e) => [e.name, e.tid, e.ts, e.dur]), [['map square', 1, 0, 400], ['map square', 2, 10, 890]]);
  // A chunk of a map is pulled, not queued: its start − enqueue is not called a queue wait.
  assert.deepEqual(spans[1].args, { region: 0, index: 1, first: 1, items: 1, sinceOperationStartUs: 5, stolenFrom: 1, parent: -1, failed: 0 });
  r.regions[0].kind = 'join';
  const joined = toChromeTrace(r).traceEvents.filter((e) => e.ph === 'X');
  assert.equal((joined[1].args as { queueWaitUs?: number }).queueWaitUs, 5, 'a queued task has a queue wait');
  assert.deepEqual(ev.filter((e) => e.cat === 'region').map((e) => [e.ph, e.ts, e.id]), [['b', 0, 'region-0'], ['e', 1000, 'region-0']]);
  assert.deepEqual(ev.filter((e) => e.ph === 'i').map((e) => [e.name, e.tid, e.ts, e.s]), [['worker-error', 2, 950, 't']]);
  assert.equal(trace.displayTimeUnit, 'ms');
  assert.ok(!ev.some((e) => e.ph === 'P'), 'no profiles unless asked');
});

test('Chrome trace with profiles carries each profile as Profile + ProfileChunk with parent links', () => {
  const r = syntheticReport({ threads: 2, spans: 50, profiles: 2, samplesPerProfile: 200 });
  const trace = toChromeTrace(r, { profiles: true });
  const chunks = trace.traceEvents.filter((e) => e.name === 'ProfileChunk');
  assert.deepEqual(chunks.map((e) => e.tid), [1, 2]);
  const data = (chunks[0].args as any).data;
  assert.equal(data.cpuProfile.samples.length, 200);
  assert.equal(data.timeDeltas.length, 200);
  assert.equal(data.cpuProfile.nodes.filter((n: any) => n.parent === undefined).length, 1, 'one root');
  assert.equal(trace.traceEvents.filter((e) => e.ph === 'X').length, 50);
});

test('a real .cpuprofile from node --cpu-prof imports as a one-thread report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-model-'));
  try {
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, fixture('model-busy.js')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const report = importCpuProfile(json, 'model-busy.js')!;
    assert.ok(report, 'recognised');
    validateReport(report);
    assert.equal(report.meta.script, 'model-busy.js');
    assert.equal(report.profiles[0].profile.startTime, 0);
    assert.equal(report.meta.originUs, json.startTime);
    assert.ok(report.meta.sampleIntervalUs > 0);
    const busy = topFunctions(report).find((f) => f.name === 'busyLoop');
    assert.ok(busy, 'busyLoop is among the functions');
    assert.match(busy.file, /model-busy\.js$/);
    assert.equal(busy.line, 2);
    // It is the hottest code by far: the script does nothing else for 300 ms. Not a share of the
    // whole tree: on a loaded machine late samples' waits ('(not sampled)', unsampled.ts) and
    // Node's start-up grow it. The function with the most self time is busyLoop.
    const hottest = topFunctions(report).filter((f) => !f.name.startsWith('(')).sort((a, b) => b.self - a.self)[0];
    assert.equal(hottest.name, 'busyLoop', `hottest ${hottest.name} ${hottest.self}, busyLoop ${busy.self}`);
    const text = serializeReport(report);
    assert.equal(serializeReport(parseReport(text)), text, 'round trip');
    assert.equal(analyze(report).extra.tasks, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('importCpuProfile: undefined for other formats, ReportError for broken profiles', () => {
  assert.equal(importCpuProfile({ format: 'parprof' }), undefined);
  assert.equal(importCpuProfile([1, 2]), undefined);
  assert.equal(importCpuProfile('x'), undefined);
  assert.equal(importCpuProfile(null), undefined);
  const broken = { nodes: [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } }],
    startTime: 0, endTime: 10, samples: [1, 2], timeDeltas: [1, 1] };
  assert.throws(() => importCpuProfile(broken), (e: unknown) => e instanceof ReportError && e.message === 'cpuprofile.samples[1]: node 2 is not in nodes');
  assert.throws(() => importCpuProfile({ ...broken, samples: [1], timeDeltas: [] }), /cpuprofile\.timeDeltas: expected 1 numbers, found 0/);
});

test('synthetic reports are deterministic, valid and of the requested size', () => {
  const a = syntheticReport({ threads: 4, spans: 5000, profiles: 5, samplesPerProfile: 700, seed: 42 });
  const b = syntheticReport({ threads: 4, spans: 5000, profiles: 5, samplesPerProfile: 700, seed: 42 });
  const c = syntheticReport({ threads: 4, spans: 5000, profiles: 5, samplesPerProfile: 700, seed: 43 });
  assert.equal(serializeReport(a), serializeReport(b));
  assert.notEqual(serializeReport(a), serializeReport(c));
  validateReport(a);
  assert.equal(a.spans.count, 5000);
  assert.deepEqual(a.profiles.map((p) => p.thread), [1, 2, 3, 4, 0]);
  assert.ok(a.profiles.every((p) => p.profile.samples.length === 700));
  assert.deepEqual(new Set(a.spans.thread), new Set([1, 2, 3, 4]));
  assert.throws(() => syntheticReport({ threads: 0, spans: 1, profiles: 0, samplesPerProfile: 0 }), /threads must be an integer ≥ 1, got 0/);
});

test('parseAnyReport reads reports and .cpuprofiles, and names both when it gets neither', () => {
  const r = syntheticReport({ threads: 2, spans: 10, profiles: 1, samplesPerProfile: 10 });
  assert.equal(serializeReport(parseAnyReport(serializeReport(r))), serializeReport(r));
  const profile = { ...r.profiles[0].profile, startTime: 5000, endTime: 90000 };
  const imported = parseAnyReport(new TextEncoder().encode(JSON.stringify(profile)), { name: 'x.cpuprofile' });
  assert.equal(imported.meta.script, 'x.cpuprofile');
  assert.equal(imported.profiles[0].profile.endTime, 85000);
  assert.throws(() => parseAnyReport('{"hello": 1}'), /not a Parallel Profiler report \(format 'parprof'\), a Chrome trace \(traceEvents\), a speedscope file or a V8 \.cpuprofile/);
  assert.throws(() => parseAnyReport('{"traceEvents": []}'), /the trace has no spans, instants or CPU profiles to show/);
  assert.throws(() => parseAnyReport('{"format": "parprof", "version": 99}'), /unsupported report version 99/);
});
