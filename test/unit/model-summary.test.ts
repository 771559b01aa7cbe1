import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary, verdicts } from '../../src/model/summary';
import { syntheticReport } from '../../src/model/synthetic';
import { buildReport } from './model-build';

test('the summary shows the run, every thread, the metrics, every region and the hot functions', () => {
  const r = syntheticReport({ threads: 3, spans: 3000, profiles: 3, samplesPerProfile: 1000 });
  const text = formatSummary(r, analyze(r));
  assert.match(text, /^\/work\/app\/main\.js\n/);
  // The header names the schedules the regions ran (the synthetic regions use all three), not meta.pool.schedule.
  assert.match(text, /3 worker threads on 3 cores · schedules static, dynamic, steal · exit 0/);
  for (const t of r.threads) assert.match(text, new RegExp(`^  ${t.name} `, 'm'));
  for (const g of r.regions) assert.ok(text.includes(g.name), g.name);
  for (const k of ['utilization', 'imbalance', 'potential gain', 'tail', 'queue wait', 'Hottest functions', 'Findings']) assert.ok(text.includes(k), k);
  assert.ok(!/\x1b\[/.test(text), 'no ANSI');
});

test('verdicts point at the idle thread and the saving of an unbalanced region', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 400_000, name: 'map mandel', threads: 2 }], spans: [
    { thread: 1, start: 0, end: 400_000 }, { thread: 2, start: 0, end: 236_000, enqueue: 0 },
  ], durationUs: 500_000 });
  // Chunks of 100 items each: smaller chunks could split them (two single items could not be).
  r.spans.items[0] = r.spans.items[1] = 100;
  const v = verdicts(analyze(r), r);
  // Two tasks on two threads: the longer one is the tail, so smaller chunks are the cause.
  assert.ok(v.includes("region 'map mandel': its last chunks make the tail (tail 164 ms, task p95 400 ms, 2 tasks on 2 threads); smaller chunks would save ~82.0 ms; split the work into more, smaller tasks"), v.join('\n'));
  // Chunks of a map are pulled, not queued: no finding speaks of queue wait.
  assert.ok(!v.some((x) => /queue|wait/.test(x)), v.join('\n'));
  // Many short tasks, one thread with more of them: an imbalance, not a chunk-size tail.
  const spans = [];
  for (let i = 0; i < 40; i++) spans.push({ thread: 1, start: i * 10_000, end: (i + 1) * 10_000 });
  for (let i = 0; i < 24; i++) spans.push({ thread: 2, start: i * 10_000, end: (i + 1) * 10_000 });
  const many = buildReport({ workers: 2, regions: [{ start: 0, end: 400_000, name: 'map mandel', threads: 2 }], spans, durationUs: 500_000 });
  const w = verdicts(analyze(many), many);
  assert.ok(w.includes("worker 2 idle 40 % of region 'map mandel' (busiest thread 400 ms, mean 320 ms, longest task 10.0 ms); a more even spread (the costliest items first, long tasks split) would save ~80.0 ms"), w.join('\n'));
});

test('verdicts report failures, kills, dead threads, dropped data and balanced regions', () => {
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 1000, name: 'map ok' }, { start: 2000, end: undefined, name: 'map cut', outcome: 'unfinished' }], spans: [
    { thread: 1, start: 0, end: 1000 }, { thread: 2, start: 0, end: 990, failed: 1, stolenFrom: 1 }, { thread: 1, region: 1, start: 2000, end: 2500 },
  ] });
  r.exit = { code: null, signal: 'SIGKILL', error: null };
  r.threads[2].died = { at: 2400, reason: 'process.exit(3) in the worker' };
  r.dropped = { spans: 12, samples: 0, profiles: 1 };
  const v = verdicts(analyze(r), r);
  for (const expected of [
    'the process was killed by SIGKILL; the report holds what was recorded until then',
    'worker 2 died: process.exit(3) in the worker',
    "region 'map cut' did not finish normally (unfinished)",
    '1 task failed',
    '12 spans could not be kept (buffers full or lost at exit)',
    '1 thread profile could not be collected',
    "region 'map ok' is well balanced: utilization 100 %, imbalance 1.01",
    'idle threads took work from busy ones 1 time (steals)',
  ]) assert.ok(v.includes(expected), `missing "${expected}" in:\n${v.join('\n')}`);
});

test('a run without pool tasks says so', () => {
  const r = buildReport({ workers: 0 });
  r.exit = { code: 1, signal: null, error: { message: 'boom' } };
  const v = verdicts(analyze(r), r);
  assert.deepEqual(v, ['the script threw an uncaught error: boom',
    'no pool tasks were recorded: the script used no parallel-profiler pool or instrumented worker']);
  assert.match(formatSummary(r, analyze(r)), /uncaught error: boom/);
});

test('a region whose threads mostly wait is called starved, not unbalanced', () => {
  // Both threads run short tasks spread over a long region: utilization ~10 %, imbalance ~1.05.
  const spans = [];
  for (let i = 0; i < 10; i++) spans.push({ thread: 1, start: i * 10_000, end: i * 10_000 + 1050 }, { thread: 2, start: i * 10_000, end: i * 10_000 + 950 });
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 100_000, name: 'external pool', kind: 'external' }], spans, durationUs: 100_000 });
  const v = verdicts(analyze(r), r);
  // Per thread: 10 tasks of ~1 ms every 10 ms, so 9 gaps of ~9 ms and ~9 ms after the last task.
  assert.ok(v.includes("threads were busy only 10 % of region 'external pool'; the rest of their time: start delay 0 % · between tasks 81 % · after last task 9.0 %"), v.join('\n'));
  assert.ok(v.includes("threads spent 81 % of region 'external pool' between tasks (gap p50 8.95 ms, task p50 950 µs, 20 tasks); the pool's queue was empty during 100 % of that time, so the gaps are waits for the program to submit work: submitting it sooner (all of it before awaiting results) would save up to ~81.0 ms"), v.join('\n'));
  assert.ok(!v.some((x) => x.includes('balanced schedule')), v.join('\n'));
});

test('an imported profile is described as imported: no schedule, cores or exit it never recorded, no idle time it cannot know', async () => {
  const { importCpuProfile } = await import('../../src/model/import-cpuprofile');
  const frame = (functionName: string) => ({ functionName, scriptId: '1', url: 'file:///app/x.js', lineNumber: 1, columnNumber: 1 });
  const report = importCpuProfile({
    nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('spin') }],
    startTime: 0, endTime: 3000, samples: [2, 2, 2], timeDeltas: [1000, 1000, 1000],
  }, 'x.cpuprofile')!;
  const text = formatSummary(report, analyze(report));
  const header = text.split('\n')[1];
  assert.match(header, /^imported \(cpuprofile\) · 3\.00 ms from the first recorded event to the last · 1 thread$/);
  assert.match(text, /no task spans in this import: utilization, balance and waits need them/);
  assert.match(text, /the imported file has CPU samples but no task spans/);
  assert.doesNotMatch(text, /utilization +0 %|used no parallel-profiler pool/);
  assert.doesNotMatch(text, /schedule static|on \d+ cores?|exit unknown/);
});

test('an error whose message carries a stack is summed up by its first line, not printed as one long escaped line', () => {
  const report = syntheticReport({ threads: 2, spans: 20, profiles: 0, samplesPerProfile: 0, seed: 5 });
  report.exit = { code: 1, signal: null, error: { message: 'task seven failed\nworker stack:\nError: boom\n    at x (/a.js:1:1)', stack: 'Error: boom' } };
  const text = formatSummary(report, analyze(report));
  assert.match(text, /uncaught error: task seven failed …/);
  assert.doesNotMatch(text, /\\x0a|worker stack/);
});

test('a starved region with a start-up: its busy share once ready, then the whole region\'s thread time given whole, not as "the rest"', () => {
  const spans = [];
  for (let i = 0; i < 10; i++) spans.push({ thread: 1, start: i * 10_000, end: i * 10_000 + 1050 }, { thread: 2, start: i * 10_000, end: i * 10_000 + 950 });
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 100_000, name: 'external pool', kind: 'external' }], spans, durationUs: 100_000 });
  const m = analyze(r);
  // Planted: a 50 ms start-up before the region, and a busy share once ready that is not the whole region's.
  // Planted: a 50 ms start-up, 30 ms of it inside the region (later workers still starting), and a busy share once ready that is not the whole region's.
  Object.assign(m.regions[0], { startupMs: 50, startupInWallMs: 30, utilizationAfterStartup: 0.4, callMs: 150 });
  const line = verdicts(m, r).find((x) => x.startsWith('threads were busy only'))!;
  assert.equal(line, "threads were busy only 40 % of region 'external pool' once their workers were ready (150 ms from its first worker's creation, 20.0 ms of it waiting for the first worker to start, the region itself 100 ms; workers were still starting during 30.0 ms of it); " +
    'over the whole region, start-up included, their time went: in tasks 10 % · start delay 0 % · between tasks 81 % · after last task 9.0 %');
});

test('a starved region whose start-up was all before it: "the rest of their time", never "start-up included" (the region\'s shares do not hold it)', () => {
  const spans = [];
  for (let i = 0; i < 10; i++) spans.push({ thread: 1, start: i * 10_000, end: i * 10_000 + 1050 }, { thread: 2, start: i * 10_000, end: i * 10_000 + 950 });
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 100_000, name: 'external pool', kind: 'external' }], spans, durationUs: 100_000 });
  const m = analyze(r);
  Object.assign(m.regions[0], { startupMs: 50, startupInWallMs: 0, utilizationAfterStartup: m.regions[0].utilization, callMs: 150 });
  const line = verdicts(m, r).find((x) => x.startsWith('threads were busy only'))!;
  assert.equal(line, "threads were busy only 10 % of region 'external pool' once their workers were ready (150 ms from its first worker's creation, 50.0 ms of it waiting for the first worker to start, the region itself 100 ms); " +
    'the rest of their time: start delay 0 % · between tasks 81 % · after last task 9.0 %');
});

test('unbalanced in wall time only (a descheduled thread looks busy): said to be the load\'s; silent when balanced or when the work itself is uneven', () => {
  // Two workers with 100 ms of work each; worker 1's stretch lasts 160 ms in wall time (60 ms waiting for a core).
  const build = (w1End: number, w1OnCpu: number) => {
    const r = buildReport({ workers: 2, regions: [{ start: 0, end: 160_000, name: 'job', threads: 2 }],
      spans: [{ thread: 1, start: 0, end: w1End }, { thread: 2, start: 0, end: 100_000 }], durationUs: 160_000 });
    r.cpu = [
      { thread: 1, source: 'schedstat' as const, t: [0, w1End], onCpu: [0, w1OnCpu], runnable: [0, w1End - w1OnCpu] },
      { thread: 2, source: 'schedstat' as const, t: [0, 100_000], onCpu: [0, 100_000], runnable: [0, 0] },
    ];
    return r;
  };
  const loaded = build(160_000, 100_000);
  const m = analyze(loaded);
  assert.ok(m.regions[0].imbalance >= 1.1 && m.regions[0].cpuImbalance! < 1.1, JSON.stringify([m.regions[0].imbalance, m.regions[0].cpuImbalance]));
  const line = verdicts(m, loaded).find((v) => v.includes('unbalanced in wall time only'));
  assert.ok(line, verdicts(m, loaded).join('\n'));
  assert.match(line, /^region 'job' is unbalanced in wall time only: imbalance 1\.23 in wall time, 1\.00 with time waiting for a core left out; its work was spread evenly, and the gain of 30\.0 ms is the machine's load \(a thread waited for a core 38 % of its busy time\), not the program's$/);
  // The work itself uneven (160 ms of it on worker 1): not the load's.
  const uneven = build(160_000, 160_000);
  assert.ok(!verdicts(analyze(uneven), uneven).some((v) => v.includes('wall time only')));
  // Balanced in both: nothing of the kind.
  const even = build(100_000, 100_000);
  assert.ok(!verdicts(analyze(even), even).some((v) => v.includes('wall time only')));
});
