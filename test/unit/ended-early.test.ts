// Runs that ended early, forks and names (tryout findings F4, F5, F6, F10, F11): true sentences for
// a script that ended before its pool's first task, an operation that failed part way, a
// child_process fan-out, the '(not sampled)' entry and a task error's thread name. Real recordings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { NOT_SAMPLED } from '../../src/model/unsampled';
import { record } from './record-helpers';

async function summaryOf(script: string, args: string[] = []) {
  const run = await record(script, { args });
  const metrics = analyze(run.report);
  return { ...run, metrics, text: formatSummary(run.report, metrics) };
}

const OLD_SENTENCE = /the script used no parallel-profiler pool or instrumented worker/;

for (const how of ['throw', 'exit'] as const) {
  test(`a script that called map and ended (${how}) before any worker was ready: the finding says so, not "no pool"`, async () => {
    const { report, text } = await summaryOf('early-end.js', [how]);
    assert.equal(report.spans.count, 0);
    const workers = report.threads.filter((t) => t.kind === 'worker');
    assert.ok(workers.length > 0, 'the pool started at least one worker thread');
    assert.doesNotMatch(text, OLD_SENTENCE);
    const ended = how === 'throw' ? 'threw an uncaught error' : 'exited with code 3';
    const line = text.split('\n').find((l) => l.startsWith('  - no pool task ran'));
    assert.ok(line, text);
    // Every worker named is one of the report's threads; the script's end is said as it happened.
    assert.ok(line.includes(ended), line);
    assert.ok(line.includes('still starting'), line);
    for (const t of workers.slice(0, 4)) assert.ok(line.includes(t.name), `${t.name} in ${line}`);
    // The same run had its workers been ready: the sentence says they were, and that no operation had started.
    const ready = structuredClone(report);
    ready.startup!.workers = workers.map((t) => ({ thread: t.id, pool: t.pool ?? 0, created: t.start, ready: t.start + 1000, readyBy: 'module-loaded' as const }));
    const readyLine = formatSummary(ready, analyze(ready)).split('\n').find((l) => l.startsWith('  - no pool task ran on its '));
    assert.ok(readyLine, 'a sentence for ready workers');
    assert.match(readyLine, new RegExp(`: (all were|it was) ready \\(the first .* before the process ended\\), no pool operation had started, and none ran before the script ${ended}$`));
  });
}

test('a map whose item 10 throws: the error names the thread as the report does; call and start-up on one basis', async () => {
  const { report, metrics, text } = await summaryOf('failed-map.js');
  const message = report.exit.error?.message ?? '';
  const m = /^map\(work\) failed at item 10 \(task \d+\) on (pool \d+) \(threadId (\d+)\): boom at item 10/.exec(message);
  assert.ok(m, message);
  const named = report.threads.find((t) => t.name === m[1]);
  assert.ok(named, `${m[1]} is a thread of the report`);
  assert.equal(named.threadId ?? named.id, Number(m[2]));
  // Its end was not recorded: the start-up it waited for is before its wall, never 'of it'.
  const region = metrics.regions[0];
  assert.equal(region.callMs, undefined);
  const call = text.split('\n').find((l) => l.startsWith('  map work: wall'));
  assert.ok(call, text);
  assert.doesNotMatch(call, /of it waiting/);
  // Utilization once workers were ready cannot be below utilization over the whole window.
  assert.ok(region.utilizationAfterStartup! >= region.utilization - 1e-9, `${region.utilizationAfterStartup} < ${region.utilization}`);
  assert.ok((region.startupMs ?? 0) * 1000 <= (report.regions[0].start - (report.regions[0].called ?? report.regions[0].start)) + region.wallMs * 1000 + 1);
});

test('a fork fan-out: each child with its args, lifetime and exit; the finding names the child processes', async () => {
  const { report, text } = await summaryOf('fanout-cpu.js');
  const children = (report.processes ?? []).filter((p) => p.startedBy === 'fork');
  assert.equal(children.length, 3);
  const onCpu = new Map<string, number>();
  for (const ms of ['300', '150', '50']) {
    const line = text.split('\n').find((l) => l.includes(`args child ${ms} `));
    assert.ok(line, `a Processes line for the ${ms} ms child:\n${text}`);
    const m = /; exit 0 · args child \d+ · spawned at [\d.]+ m?s, ended at [\d.]+ m?s \([\d.]+ m?s\) · main thread on CPU (?:≥ )?([\d.]+) ms$/.exec(line);
    assert.ok(m, line);
    onCpu.set(ms, Number(m[1]));
  }
  // The planted imbalance shows in CPU time, which the machine's load does not stretch as it does
  // wall time: 250 ms of CPU more in the first child than in the last (start-up alike in both).
  assert.ok(onCpu.get('300')! > onCpu.get('50')!, JSON.stringify([...onCpu]));
  assert.doesNotMatch(text, OLD_SENTENCE);
});

test("'(not sampled)' among the hottest functions gets one legend line, and none without it", async () => {
  const { report, metrics } = await summaryOf('failed-map.js');
  const strip = structuredClone(metrics);
  for (const t of strip.threads) t.topFunctions = t.topFunctions.filter((f) => f.name !== NOT_SAMPLED);
  assert.doesNotMatch(formatSummary(report, strip), /^ {2}\(not sampled\): /m);
  const plant = structuredClone(strip);
  plant.threads[0].topFunctions.push({ name: NOT_SAMPLED, file: '', line: 0, selfMs: 12, totalMs: 12 });
  const lines = formatSummary(report, plant).split('\n').filter((l) => l.startsWith('  (not sampled): '));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /no CPU sample saw/);
});
