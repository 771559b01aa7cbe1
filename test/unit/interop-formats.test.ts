// The exporters and importers on hand-built reports whose right answer is known: Perfetto's
// rules for Chrome traces, round trips, a hand-written tracing-chrome trace, malformed input.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { toChromeTrace, nestingSpans } from '../../src/model/export-chrome';
import { toSpeedscope } from '../../src/model/export-speedscope';
import { toCpuProfiles } from '../../src/model/export-cpuprofile';
import { toMarkdown } from '../../src/model/export-markdown';
import { toFirefoxTrace } from '../../src/model/export-firefox';
import { importChromeTrace } from '../../src/model/import-chrome';
import { importSpeedscope } from '../../src/model/import-speedscope';
import { importCpuProfiles } from '../../src/model/import-cpuprofile';
import { importReport, parseAnyReport } from '../../src/model/import';
import { ReportError, validateReport } from '../../src/model/load';
import { analyze } from '../../src/model/analysis';
import { msDigits } from '../../src/model/units';
import { formatSummary } from '../../src/model/summary';
import { syntheticReport } from '../../src/model/synthetic';
import type { CpuProfile, Report } from '../../src/model/report';
import { buildReport } from './model-build';
import { packageRoot } from '../../src/runner/paths';
import { perfettoProblems } from './interop-tools';

/** A profile whose samples sit in `fn` (node 3, under main at node 2), `n` samples 1000 µs apart from `start`. */
function spinProfile(fn: string, start: number, n: number): CpuProfile {
  const frame = (functionName: string, line: number) => ({ functionName, scriptId: '7', url: 'file:///app/spin.js', lineNumber: line, columnNumber: 2 });
  return {
    nodes: [
      { id: 1, callFrame: { ...frame('(root)', -1), url: '', scriptId: '0' }, children: [2] },
      { id: 2, callFrame: frame('main', 0), children: [3] },
      { id: 3, callFrame: frame(fn, 10) },
    ],
    startTime: start, endTime: start + n * 1000 + 500, samples: new Array(n).fill(3), timeDeltas: new Array(n).fill(1000),
  };
}

/** Two workers with overlapping and nested spans, a steal and a fork-join child, and one profile each. */
function plantedReport(): Report {
  const r = buildReport({
    workers: 2,
    regions: [{ start: 0, end: 9000, name: 'map spin' }, { start: 0, end: 9000, name: 'join tree', kind: 'join' }],
    spans: [
      { thread: 1, start: 0, end: 4000 },
      { thread: 1, start: 1000, end: 2000 }, // nested in the first
      { thread: 2, start: 100, end: 3000 },
      { thread: 2, start: 2000, end: 5000, stolenFrom: 1 }, // overlaps the one before without nesting
      { thread: 1, start: 5000, end: 5800, region: 1 },
      { thread: 2, start: 6000, end: 8000, region: 1, enqueue: 5500 },
    ],
    profiles: [{ thread: 1, profile: spinProfile('spinAlpha', 0, 8) }, { thread: 2, profile: spinProfile('spinBeta', 50, 6) }],
  });
  r.spans.parent[5] = 0; // the join child, spawned at 5500 µs by task 0 of region 1 on worker 1
  r.markers.push({ t: 8500, thread: 2, kind: 'worker-error', message: 'boom', stack: 'Error: boom\n  at x' });
  r.elu.push({ thread: 1, t: [5000, 10000], u: [0.8, 0.25] });
  return validateReport(r);
}

test('Chrome trace keeps Perfetto\'s rules: nesting spans as X, the overlapping pair as async b/e', () => {
  const r = plantedReport();
  assert.deepEqual(nestingSpans(r), [true, true, false, false, true, true]);
  const trace = toChromeTrace(r, { profiles: true });
  const ev = trace.traceEvents;
  assert.deepEqual(perfettoProblems(ev), []);
  assert.deepEqual(ev.filter((e) => e.ph === 'X').map((e) => [e.tid, e.ts, e.dur]), [[1, 0, 4000], [1, 1000, 1000], [1, 5000, 800], [2, 6000, 2000]]);
  assert.deepEqual(ev.filter((e) => e.cat === 'task' && (e.ph === 'b' || e.ph === 'e')).map((e) => [e.ph, e.tid, e.ts]),
    [['b', 2, 100], ['e', 2, 3000], ['b', 2, 2000], ['e', 2, 5000]]);
  // A plain X export of the same spans breaks the nesting rule: the check above can fail.
  const naive = ev.map((e) => (e.cat === 'task' && e.ph === 'b' ? { ...e, ph: 'X' as const, dur: 2900 } : e)).filter((e) => !(e.cat === 'task' && e.ph === 'e'));
  assert.ok(perfettoProblems(naive).some((p) => /overlaps/.test(p)));
  // Threads named; the busy counter counts threads in a span (worker 1's nested span counts once).
  assert.deepEqual(ev.filter((e) => e.name === 'thread_name').map((e) => e.args!.name), ['main', 'worker 1', 'worker 2']);
  assert.deepEqual(ev.filter((e) => e.name === 'busy threads').map((e) => [e.ts, e.args!.busy]), [[0, 1], [100, 2], [4000, 1], [5800, 0], [6000, 1], [8000, 0]]);
  assert.deepEqual(ev.filter((e) => e.ph === 'C' && e.name !== 'busy threads').map((e) => [e.name, e.tid, e.ts, e.args!.elu]), [['ELU worker 1', 1, 5000, 0.8], ['ELU worker 1', 1, 10000, 0.25]]);
  // Flows: each operation's start (main lane) to each thread's first task of it; the steal from
  // worker 1 to worker 2's span; the join child's submit from its parent's thread.
  const flows = ev.filter((e) => e.ph === 's' || e.ph === 'f').map((e) => [e.name, e.ph, e.tid, e.ts]);
  assert.deepEqual(flows, [
    ['submit', 's', 0, 0], ['submit', 'f', 1, 0], ['submit', 's', 0, 0], ['submit', 'f', 2, 100], ['steal', 's', 1, 2000], ['steal', 'f', 2, 2000],
    ['submit', 's', 0, 0], ['submit', 'f', 1, 5000], ['submit', 's', 1, 5500], ['submit', 'f', 2, 6000],
  ]);
  assert.equal(new Set(ev.filter((e) => e.ph === 's').map((e) => e.id)).size, 5, 'one id per arrow');
  // Samples: node ids unique across the two threads, each thread's samples on its own function.
  const chunks = ev.filter((e) => e.name === 'ProfileChunk').map((e) => (e.args as any).data);
  const ids = chunks.map((d) => d.cpuProfile.nodes.map((n: any) => n.id));
  assert.deepEqual(ids, [[1, 2, 3], [4, 5, 6]]);
  const fnOf = (d: any) => new Map(d.cpuProfile.nodes.map((n: any) => [n.id, n.callFrame.functionName]));
  assert.deepEqual(chunks.map((d) => [...new Set(d.cpuProfile.samples.map((s: number) => fnOf(d).get(s)))]), [['spinAlpha'], ['spinBeta']]);
  // The Firefox flavour is the same trace without flows and counters.
  const ff = toFirefoxTrace(r).traceEvents;
  assert.ok(!ff.some((e) => e.ph === 's' || e.ph === 'C'));
  assert.equal(ff.filter((e) => e.name === 'ProfileChunk').length, 2);
});

test('round trips: chrome, speedscope and cpuprofile exports read back and export identically', () => {
  const reversed = plantedReport();
  reversed.profiles.reverse(); // profiles listed [2, 1]: the order comes back too
  const crashed = plantedReport();
  crashed.exit = { code: 1, signal: null, error: { message: 'boom', stack: 'Error: boom\n    at x.js:1' } };
  const killed = plantedReport();
  killed.exit = { code: null, signal: 'SIGKILL', error: null };
  for (const r of [plantedReport(), reversed, crashed, killed, syntheticReport({ threads: 3, spans: 400, profiles: 3, samplesPerProfile: 300 })]) {
    const chrome1 = JSON.stringify(toChromeTrace(r, { profiles: true }));
    const back = importReport(JSON.parse(chrome1), 'x.trace.json');
    assert.equal(JSON.stringify(toChromeTrace(back, { profiles: true })), chrome1, 'chrome');
    assert.equal(back.spans.count, r.spans.count);
    assert.deepEqual(back.threads.map((t) => [t.id, t.name]), r.threads.map((t) => [t.id, t.name]));
    assert.deepEqual(back.regions.map((g) => [g.id, g.name, g.kind, g.schedule]), r.regions.map((g) => [g.id, g.name, g.kind, g.schedule]));
    assert.deepEqual(back.meta, r.meta);
    assert.deepEqual(back.exit, r.exit, 'how the process ended comes back');
    assert.deepEqual(back.markers, r.markers);
    assert.deepEqual(back.elu, r.elu.filter((e) => e.t.length), 'ELU series (an empty one has no counter event)');
    for (const col of ['thread', 'region', 'index', 'first', 'items', 'start', 'end', 'stolenFrom', 'parent', 'failed'] as const) {
      const order = (rep: Report) => Array.from({ length: rep.spans.count }, (_, i) => i).sort((a, b) => rep.spans.region[a] - rep.spans.region[b] || rep.spans.index[a] - rep.spans.index[b]);
      assert.deepEqual(order(back).map((i) => back.spans[col][i]), order(r).map((i) => r.spans[col][i]), col);
    }
    assert.deepEqual(back.profiles.map((p) => p.profile.samples.length), r.profiles.map((p) => p.profile.samples.length));

    const ss1 = JSON.stringify(toSpeedscope(r));
    const ssBack = importReport(JSON.parse(ss1), 'x.speedscope.json');
    assert.equal(JSON.stringify(toSpeedscope(ssBack)), ss1, 'speedscope');
    assert.deepEqual(ssBack.profiles.map((p) => [p.thread, p.profile.startTime, p.profile.endTime, p.profile.samples.length]),
      r.profiles.map((p) => [p.thread, p.profile.startTime, p.profile.endTime, p.profile.samples.length]));

    // A folder has no order: files compared by name.
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    const files1 = toCpuProfiles(r).sort(byName);
    const cpBack = validateReport(importCpuProfiles(JSON.parse(JSON.stringify(files1)).map((f: any) => ({ name: f.name, json: f.profile })), 'dir'));
    const files2 = toCpuProfiles(cpBack).sort(byName);
    assert.deepEqual(files2.map((f) => f.name), files1.map((f) => f.name));
    files1.forEach((f, k) => {
      const g = files2[k].profile;
      assert.deepEqual({ ...g, startTime: 0, endTime: 0 }, { ...f.profile, startTime: 0, endTime: 0 }, f.name);
      // Absolute times come back through a rebase to the earliest start: equal to well under a nanosecond.
      assert.ok(Math.abs(g.startTime - f.profile.startTime) < 1e-3 && Math.abs(g.endTime - f.profile.endTime) < 1e-3, f.name);
    });
    assert.deepEqual(cpBack.threads.map((t) => [t.id, t.name]), r.profiles.map((p) => [p.thread, r.threads.find((t) => t.id === p.thread)!.name]).sort((a, b) => (a[0] as number) - (b[0] as number)));
  }
});

test('a tracing-chrome trace of a Rayon program: X events, B/E pairs per tid, thread names, an unterminated array', () => {
  // As tracing-chrome writes it (test/fixtures/interop-tracing-chrome.json): a bare array, M
  // thread_name events, complete X events and B/E pairs per tid, µs since its start; the program
  // stopped before the closing bracket.
  const text = readFileSync(join(packageRoot(), 'test', 'fixtures', 'interop-tracing-chrome.json'), 'utf8');
  assert.ok(!text.trimEnd().endsWith(']'), 'unterminated');
  const r = parseAnyReport(text, { name: 'trace-1700000000.json' });
  assert.deepEqual(r.threads.map((t) => [t.id, t.name, t.kind]), [[0, 'main', 'main'], [1, 'rayon-worker-0', 'worker'], [2, 'rayon-worker-1', 'worker']]);
  assert.equal(r.meta.script, 'trace-1700000000.json');
  assert.equal(r.meta.recorder, 'import:chrome');
  assert.equal(r.meta.durationUs, 320, 'first event at 10 µs, last at 330 µs');
  const names = new Map(r.regions.map((g) => [g.id, g.name]));
  const spans = Array.from({ length: r.spans.count }, (_, i) => [r.spans.thread[i], names.get(r.spans.region[i]), r.spans.start[i], r.spans.end[i]]);
  assert.deepEqual(spans, [
    [0, 'par_sum', 0, 320], [1, 'chunk', 10, 310], [2, 'chunk', 15, 215], [2, 'leaf', 20, 120], [1, 'leaf', 40, 140], [2, 'chunk', 220, 310],
  ]);
  const chunk = r.regions.find((g) => g.name === 'chunk')!;
  assert.deepEqual([chunk.kind, chunk.schedule, chunk.threads, chunk.start, chunk.end], ['external', 'external', 2, 10, 310]);
  // The metrics run on it: chunk ran on two threads for 300 + 290 µs of its 300 µs window.
  const m = analyze(r).regions.find((g) => g.name === 'chunk')!;
  assert.equal(m.tasks, 3);
  assert.equal(Math.round(m.utilization * 1000) / 1000, Math.round(((300 + 200 + 90) / (2 * 300)) * 1000) / 1000);
});

test('a browser trace: Profile/ProfileChunk samples of two threads whose node ids both start at 1', () => {
  const chunk = (tid: number, id: string, fn: string, deltas: number[]) => [
    { ph: 'P', name: 'Profile', pid: 9, tid, ts: 5000, id, cat: 'disabled-by-default-v8.cpu_profiler', args: { data: { startTime: 5000 } } },
    { ph: 'P', name: 'ProfileChunk', pid: 9, tid, ts: 5100, id, cat: 'disabled-by-default-v8.cpu_profiler', args: { data: {
      cpuProfile: { nodes: [{ id: 1, callFrame: { functionName: '(root)', scriptId: 0, url: '' } }, { id: 2, parent: 1, callFrame: { functionName: fn, scriptId: 4, url: 'https://x/app.js', lineNumber: 3, columnNumber: 1 } }],
        samples: deltas.map(() => 2) }, timeDeltas: deltas } } },
  ];
  const trace = { traceEvents: [
    { ph: 'M', name: 'thread_name', pid: 9, tid: 77, args: { name: 'CrRendererMain' } },
    { ph: 'M', name: 'thread_name', pid: 9, tid: 78, args: { name: 'DedicatedWorker thread' } },
    ...chunk(77, '0x1', 'render', [100, 200, 200]), ...chunk(78, '0x2', 'crunch', [50, 100, 100, 100]),
    { ph: 'X', name: 'RunTask', pid: 9, tid: 77, ts: 5000, dur: 600, cat: 'toplevel' },
  ] };
  const r = importReport(trace, 'browser.json');
  assert.deepEqual(r.threads.map((t) => [t.id, t.name, t.kind]), [[77, 'CrRendererMain', 'main'], [78, 'DedicatedWorker thread', 'worker']]);
  const fnOf = (p: CpuProfile) => [...new Set(p.samples.map((s) => p.nodes.find((n) => n.id === s)!.callFrame.functionName))];
  assert.deepEqual(r.profiles.map((p) => [p.thread, p.profile.samples.length, fnOf(p.profile), p.profile.startTime]), [[77, 3, ['render'], 0], [78, 4, ['crunch'], 0]]);
  assert.equal(r.meta.sampleIntervalUs, 200);
  // Older traces list children instead of parents; a chunk may come without its Profile event.
  const older = importReport({ traceEvents: [{ ph: 'P', name: 'ProfileChunk', pid: 9, tid: 5, ts: 7000, id: '0x9', args: { data: {
    cpuProfile: { nodes: [{ id: 1, callFrame: { functionName: '(root)' }, children: [2] }, { id: 2, callFrame: { functionName: 'old', url: 'a.js', lineNumber: 0 } }], samples: [2, 2] },
    timeDeltas: [10, 10] } } }] }, 'older.json');
  assert.deepEqual(older.profiles.map((p) => [p.thread, p.profile.startTime, p.profile.samples.length, fnOf(p.profile)]), [[5, 0, 2, ['old']]]);
  // Exported again, the second thread's ids are moved past the first's.
  const again = toChromeTrace(r, { profiles: true }).traceEvents.filter((e) => e.name === 'ProfileChunk').map((e) => (e.args as any).data.cpuProfile.samples[0]);
  assert.deepEqual(again, [2, 4]);
});

test('a speedscope file of another tool: sampled profiles in ms, evented profiles as spans', () => {
  const r = importReport({
    $schema: 'https://www.speedscope.app/file-format-schema.json', activeProfileIndex: 0, exporter: 'other@1',
    shared: { frames: [{ name: 'main', file: 'a.js', line: 1 }, { name: 'work', file: 'a.js', line: 5, col: 3 }] },
    profiles: [
      { type: 'sampled', name: 'cpu', unit: 'milliseconds', startValue: 0, endValue: 4, samples: [[0, 1], [0, 1], [0]], weights: [1, 1, 2] },
      { type: 'evented', name: 'tasks', unit: 'milliseconds', startValue: 0, endValue: 4, events: [
        { type: 'O', frame: 0, at: 0 }, { type: 'O', frame: 1, at: 1 }, { type: 'C', frame: 1, at: 3 }, { type: 'C', frame: 0, at: 4 }] },
    ],
  }, 'other.speedscope.json');
  assert.deepEqual(r.threads.map((t) => [t.id, t.name]), [[0, 'cpu'], [1, 'tasks']]);
  const p = r.profiles[0].profile;
  assert.deepEqual([p.startTime, p.endTime, p.timeDeltas], [0, 4000, [1000, 1000, 2000]]);
  const names = (id: number) => p.nodes.find((n) => n.id === id)!.callFrame;
  assert.deepEqual(p.samples.map((s) => [names(s).functionName, names(s).lineNumber, names(s).columnNumber]), [['work', 4, 2], ['work', 4, 2], ['main', 0, -1]]);
  assert.deepEqual(r.regions.map((g) => [g.name, g.start, g.end, g.threads]), [['work', 1000, 3000, 1], ['main', 0, 4000, 1]]);
  assert.deepEqual(Array.from({ length: r.spans.count }, (_, i) => [r.spans.thread[i], r.spans.start[i], r.spans.end[i]]), [[1, 1000, 3000], [1, 0, 4000]]);
});

test('nested async b/e of one cat, id and name: every pair kept, innermost first, on its own thread when the ends interleave', () => {
  const ev = (ph: string, tid: number, ts: number) => ({ ph, pid: 1, tid, ts, id: 1, cat: 'c', name: 'req' });
  const spans = (r: Report) => Array.from({ length: r.spans.count }, (_, i) => [r.spans.thread[i], r.spans.start[i], r.spans.end[i]]);
  // The Trace Event Format's nestable async events: b b e e closes the inner begin first.
  const nested = importReport({ traceEvents: [ev('b', 1, 0), ev('b', 2, 10), ev('e', 2, 20), ev('e', 1, 30)] });
  assert.deepEqual(spans(nested), [[1, 0, 30], [2, 10, 20]]);
  // Node's --trace-events-enabled: a worker's async ids are counted apart from the main thread's, in one pid.
  const interleaved = importReport({ traceEvents: [ev('b', 1, 0), ev('b', 2, 10), ev('e', 1, 20), ev('e', 2, 30)] });
  assert.deepEqual(spans(interleaved), [[1, 0, 20], [2, 10, 30]]);
  // Begun on one thread, ended on another: still one span, on the thread that began it.
  assert.deepEqual(spans(importReport({ traceEvents: [ev('b', 1, 0), ev('e', 2, 5)] })), [[1, 0, 5]]);
  // A begin never ended ends with the trace, as an unclosed B does.
  const unclosed = importReport({ traceEvents: [ev('b', 1, 0), ev('b', 1, 5), ev('e', 1, 8), { ph: 'X', pid: 1, tid: 1, ts: 40, dur: 10, name: 'x' }] });
  assert.deepEqual(spans(unclosed), [[1, 0, 50], [1, 5, 8], [1, 40, 50]]);
  assert.throws(() => importReport({ traceEvents: [ev('b', 1, 0), ev('e', 1, 5), ev('e', 1, 6)] }),
    (e: unknown) => e instanceof ReportError && e.message === "traceEvents[2]: async end 'e' of 'req' (id 1) with no begin 'b'");
});

test('speedscope evented spans lie inside the report: its duration holds the last close, a time before 0 is refused naming the event', () => {
  const file = (events: unknown[]) => ({ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'f' }] },
    profiles: [{ type: 'evented', name: 't', unit: 'microseconds', startValue: 0, endValue: 10, events }] });
  const r = importReport(file([{ type: 'O', frame: 0, at: 2 }, { type: 'C', frame: 0, at: 30 }]));
  assert.deepEqual([r.meta.durationUs, r.spans.start[0], r.spans.end[0]], [30, 2, 30]);
  assert.throws(() => importReport(file([{ type: 'O', frame: 0, at: -5000 }, { type: 'C', frame: 0, at: 3 }])),
    (e: unknown) => e instanceof ReportError && e.message === "speedscope profiles[0].events[0].at: -5000 is before 0, where the report's clock starts");
});

test('an import without task spans claims CPU samples only when it has some', () => {
  const file = (profiles: unknown[]) => ({ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'f' }] }, profiles });
  const summaryOf = (x: unknown) => { const r = importReport(x, 'x.speedscope.json'); return formatSummary(r, analyze(r)); };
  const empty = summaryOf(file([]));
  assert.doesNotMatch(empty, /has CPU samples|CPU samples per thread are above/);
  assert.match(empty, /^ {2}- the imported file has neither task spans nor CPU samples, so nothing here says how the work was divided$/m);
  const sampled = summaryOf(file([{ type: 'sampled', name: 'p', unit: 'microseconds', startValue: 0, endValue: 2, samples: [[0], [0]], weights: [1, 1] }]));
  assert.match(sampled, /^ {2}- the imported file has CPU samples but no task spans, so nothing here says how the work was divided$/m);
  assert.match(sampled, /no task spans in this import: utilization, balance and waits need them; the CPU samples per thread are above$/m);
});

test('Node\'s own trace (--trace-events-enabled): the thread it names JavaScriptMainThread is the main thread, not a worker', () => {
  const meta = (tid: number, name: string) => ({ ph: 'M', pid: 1, tid, ts: 0, name: 'thread_name', args: { name } });
  const r = importReport({ traceEvents: [meta(7, 'JavaScriptMainThread'), meta(8, 'WorkerThread'), { ph: 'X', pid: 1, tid: 8, ts: 0, dur: 5, name: 'a' }, { ph: 'X', pid: 1, tid: 7, ts: 1, dur: 5, name: 'b' }] });
  assert.deepEqual(r.threads.map((t) => [t.name, t.kind]), [['JavaScriptMainThread', 'main'], ['WorkerThread', 'worker']]);
});

test('not my format is told apart from malformed, which names the reason', () => {
  const notMine = [{ hello: 1 }, [1, 2], { nodes: 1 }, 'text', null];
  for (const x of notMine) {
    assert.equal(importChromeTrace(x), undefined, JSON.stringify(x));
    assert.equal(importSpeedscope(x), undefined, JSON.stringify(x));
  }
  assert.throws(() => importReport({ hello: 1 }), (e: unknown) => e instanceof ReportError && /^not a Parallel Profiler report \(format 'parprof'\), a Chrome trace/.test(e.message));
  const malformed: [unknown, RegExp][] = [
    [{ traceEvents: [{ ph: 'X', pid: 1, tid: 1, name: 'a' }] }, /^traceEvents\[0\]: ts: expected a number, found nothing$/],
    [{ traceEvents: [{ ph: 'E', pid: 1, tid: 3, ts: 5 }] }, /^traceEvents\[0\]: E event on thread 1:3 \(pid:tid\) at 5 µs with no open B event$/],
    [{ traceEvents: [{ ph: 'X', pid: 1, tid: 1, ts: 1, dur: -4, name: 'a' }] }, /dur: expected a duration ≥ 0, found -4/],
    // Times too large for the report are named by their event, not by the report field they would have become.
    [{ traceEvents: [{ ph: 'X', pid: 1, tid: 2, ts: 0, dur: 50, name: 'y' }, { ph: 'X', pid: 1, tid: 2, ts: 1e300, dur: 50, name: 'x' }] }, /^traceEvents\[1\]: ts: expected a number within ±2\^53, found 1e\+300$/],
    [{ traceEvents: [{ ph: 'X', pid: 1, tid: 2, ts: 2 ** 53, dur: 2 ** 53, name: 'x' }] }, /^traceEvents\[0\]: ts \+ dur: expected a time within ±2\^53 µs, found 18014398509481984$/],
    [{ traceEvents: [{ ph: 'B', pid: 1, tid: 2, ts: -(2 ** 53), name: 'x' }, { ph: 'E', pid: 1, tid: 2, ts: 2 ** 53 }] },
      /^traceEvents\[1\]: ts: 9007199254740992 µs is more than 2\^53 µs after traceEvents\[0\]'s -9007199254740992 µs$/],
    [{ traceEvents: [{ ph: 'P', name: 'ProfileChunk', pid: 1, tid: 2, ts: 0, id: '0x1', args: { data: { cpuProfile: { nodes: [] }, timeDeltas: [], endTime: 1e300 } } }] },
      /^traceEvents\[0\]: args\.data\.endTime: expected a number within ±2\^53, found 1e\+300$/],
    [{ traceEvents: [] }, /^the trace has no spans, instants or CPU profiles to show$/],
    [{ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'f' }] }, profiles: [{ type: 'sampled', name: 'p', unit: 'bytes', startValue: 0, endValue: 1, samples: [], weights: [] }] },
      /^speedscope profiles\[0\]\.unit: expected a time unit/],
    [{ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'f' }] }, profiles: [{ type: 'sampled', name: 'p', unit: 'microseconds', startValue: 0, endValue: 1, samples: [[0, 3]], weights: [1] }] },
      /^speedscope profiles\[0\]\.samples\[0\]: frame 3 is not in shared\.frames$/],
  ];
  for (const [x, message] of malformed) assert.throws(() => importReport(x), (e: unknown) => e instanceof ReportError && message.test(e.message), message.source);
  // node --prof's log is text, not JSON: one line says what it is and what reads it.
  assert.throws(() => parseAnyReport('v8-version,11,3,244,8,-node.38,0\nv8-platform,linux,linux\ntick,0x1,2,0,0x0,6\n'),
    (e: unknown) => e instanceof ReportError && /^a V8 tick log \(node --prof\), which parprof does not read: record with 'parprof record --profiler 0x <script>'.*'node --prof-process <log>'$/.test(e.message));
  assert.throws(() => importCpuProfiles([{ name: 'CPU.20260101.000000.5.1.001.cpuprofile', json: { nodes: [], startTime: 0, endTime: 1, samples: [2], timeDeltas: [1] } }], 'dir'),
    /: CPU\.20260101\.000000\.5\.1\.001\.cpuprofile\.samples\[0\]: node 2 is not in nodes$/);
});

test('Markdown for a pull request: run header, metrics, a row per region, each thread\'s top functions', () => {
  const r = plantedReport();
  const md = toMarkdown(r, analyze(r));
  const lines = md.split('\n');
  assert.equal(lines[0], '### Parallel Profiler: `/work/app/main.js`');
  assert.match(md, /^Node v20\.0\.0 · 2 worker threads on 2 cores · wall 10\.0 ms · exit 0 · 2023-11-14T22:13:20Z$/m);
  const m = analyze(r);
  assert.ok(lines.includes(`| utilization | ${Math.round(m.utilization * 100)} % |`));
  assert.ok(lines.includes(`| steals | 1 |`));
  assert.equal(lines.filter((l) => /^\| (map spin|join tree) \|/.test(l)).length, 2);
  // Each worker's top function as the analysis weighs its samples (8 and 6 samples 1 ms apart).
  for (const [thread, fn] of [[1, 'spinAlpha'], [2, 'spinBeta']] as const) {
    const top = m.threads.find((t) => t.id === thread)!.topFunctions[0];
    assert.equal(top.name, fn);
    assert.ok(lines.includes(`| worker ${thread} | ${fn} | ${msDigits(top.selfMs)} | ${msDigits(top.totalMs)} | /app/spin.js:11 |`), md);
  }
  // A name cannot break the table.
  r.regions[0].name = 'a | b\nc';
  assert.ok(toMarkdown(r, analyze(r)).includes('| a \\| b c |'));
});

test('one .cpuprofile alone: the main thread unless its file name says which thread it was', () => {
  const r = syntheticReport({ threads: 3, spans: 30, profiles: 3, samplesPerProfile: 50, seed: 2 });
  const kindOf = (name: string) => {
    const back = importReport(r.profiles[0].profile, name);
    return [back.threads[0].kind, back.threads[0].name];
  };
  assert.deepEqual(kindOf('CPU.20261202.053000.4242.0.001.cpuprofile'), ['main', 'main']);
  assert.deepEqual(kindOf('CPU.20261202.053000.4242.2.003.cpuprofile'), ['worker', 'worker 2']);
  assert.deepEqual(kindOf('thread-1-pool 1.cpuprofile'), ['worker', 'pool 1']);
  assert.deepEqual(kindOf('thread-0-main.cpuprofile'), ['main', 'main']);
  assert.deepEqual(kindOf('profile.cpuprofile'), ['main', 'main']);
});
