// Tasks that never ended: a run stopped while its workers were inside tasks, a worker that died
// inside one. Each such task is a span from its start to the stop (or the death), flagged
// SPAN_CUT_OFF, counted in tasks and busy time, and the summary says so (test/fixtures/cut-off.js).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { parseReport } from '../../src/model/load';
import { SPAN_CUT_OFF, type Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { packageRoot } from '../../src/runner/paths';
import { checkSpans, fixtures, record, tempDir } from './record-helpers';

/** Rows of the report's cut-off spans. */
function cutOff(report: Report): number[] {
  const flags = report.spans.flags ?? [];
  const rows: number[] = [];
  for (let k = 0; k < report.spans.count; k++) if ((flags[k] & SPAN_CUT_OFF) !== 0) rows.push(k);
  return rows;
}

async function until(done: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGINT while both workers spin inside a task: one cut-off span per worker, busy, counted, said', async () => {
  const dir = tempDir('parprof-cut-off-');
  const out = join(dir, 'run.parprof');
  const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out,
    join(fixtures(), 'cut-off.js'), 'spin', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  cli.stdout.resume();
  const closed = new Promise<number | null>((resolve) => cli.once('close', (code) => resolve(code)));
  // Both workers are inside their task once each wrote its file (thread ids 1 and 2: the pool's first workers).
  const inside = (): string[] => [1, 2, 3, 4].filter((tid) => existsSync(join(dir, `inside-${tid}`))).map(String);
  try {
    await until(() => inside().length >= 2, 30_000, `both workers inside their task (${stderr})`);
  } catch (e) {
    cli.kill('SIGKILL');
    throw e;
  }
  const stoppedAt = Date.now();
  cli.kill('SIGINT');
  assert.equal(await closed, 130, stderr);
  assert.ok(Date.now() - stoppedAt < 20_000);

  const report = parseReport(readFileSync(out));
  checkSpans(report);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.equal(workers.length, 2);
  const rows = cutOff(report);
  assert.deepEqual(rows.map((k) => report.spans.thread[k]).sort(), workers.map((t) => t.id).sort(), 'one cut-off span per worker');
  const s = report.spans;
  const cancelled = report.markers.find((m) => m.kind === 'cancelled');
  assert.ok(cancelled, 'a cancelled marker');
  for (const k of rows) {
    assert.ok(s.start[k] < s.end[k], `span ${k} runs from its start to the stop`);
    assert.ok(s.end[k] <= report.meta.durationUs, `span ${k} ends by the end of the run`);
    assert.ok(s.start[k] < cancelled.t, `span ${k} started before the run was stopped`);
    assert.equal(s.failed[k], 0);
    assert.equal(s.region[k], report.regions[0].id);
  }
  // Every task the workers ran is cut off: no other span.
  assert.equal(s.count, 2);
  const metrics = analyze(report);
  assert.equal(metrics.extra.tasks, 2);
  for (const w of workers) {
    const row = metrics.threads.find((t) => t.id === w.id)!;
    assert.equal(row.tasks, 1, w.name);
    assert.ok(row.busyMs > 0, `${w.name} busy`);
  }
  assert.ok(metrics.utilization > 0);
  // Each thread ran its task until it was ended: a task younger than LONG_TASK_MS when its thread
  // saved keeps the creator waiting up to a second for it to end, and the thread spins on in it
  // all that while. Cut off where the thread saved, the task read as a 20-40 ms span followed by
  // ~1,050 ms of "idle" to the thread's end; it is cut off where the creator ends the thread now.
  for (const k of rows) {
    const w = workers.find((t) => t.id === s.thread[k])!;
    const end = w.end ?? report.meta.durationUs;
    assert.ok(end - s.end[k] < s.end[k] - s.start[k],
      `${w.name}: ${((end - s.end[k]) / 1000).toFixed(0)} ms from its cut-off task to its end, after a task of ${((s.end[k] - s.start[k]) / 1000).toFixed(0)} ms`);
  }
  const text = formatSummary(report, metrics);
  // 'at' one moment, or 'between' two when the threads were ended more than 10 ms apart.
  assert.match(text, /1 task on each of pool \d and pool \d was still running when the script was stopped: cut off (at|between) \d/);
  assert.doesNotMatch(text, /no pool task ran/);
});

/** Records cut-off.js in a mode where one worker dies inside the task of item 3: the report, the dead thread and its one cut-off span. */
async function diedInTask(mode: 'exit' | 'oom'): Promise<{ report: Report; dead: Report['threads'][number]; k: number }> {
  const dir = tempDir('parprof-cut-off-');
  const { report, stdout, stderr } = await record('cut-off.js', { args: [mode, dir] });
  assert.match(stdout, new RegExp(`failed ${mode}`), stderr);
  checkSpans(report);
  const dead = report.threads.filter((t) => t.died);
  assert.equal(dead.length, 1, JSON.stringify(report.threads));
  const rows = cutOff(report);
  assert.equal(rows.length, 1, 'one cut-off span');
  const k = rows[0];
  const s = report.spans;
  assert.equal(s.thread[k], dead[0].id);
  assert.equal(s.first[k], 3, 'the task of item 3');
  assert.ok(s.start[k] <= s.end[k] && s.end[k] <= dead[0].died!.at + 0.001, 'from its start to the death (times in whole ns)');
  return { report, dead: dead[0], k };
}

test('a worker that calls process.exit inside a task: its task is cut off at its death', async () => {
  const { report, dead, k } = await diedInTask('exit');
  const s = report.spans;
  // The worker's other tasks ended before it.
  for (let j = 0; j < s.count; j++) if (j !== k && s.thread[j] === dead.id) assert.ok(s.end[j] <= s.start[k]);
  const metrics = analyze(report);
  assert.equal(metrics.extra.tasks, s.count);
  assert.match(formatSummary(report, metrics), /died: process\.exit\(7\), inside a task started at [\d.]+ [mµ]?s, cut off at its death/);
});

test('a worker that runs out of memory inside a task: its creator records the task, cut off at the death', async () => {
  const { report, dead, k } = await diedInTask('oom');
  const s = report.spans;
  assert.ok(s.start[k] < s.end[k], 'it ran for a while');
  const row = analyze(report).threads.find((t) => t.id === dead.id)!;
  assert.ok(row.busyMs * 1000 >= s.end[k] - s.start[k] - 1, 'its busy time holds the cut-off task');
});

test('a run whose tasks all end has no cut-off span and no such finding', async () => {
  const dir = tempDir('parprof-cut-off-');
  const { report, stdout, stderr } = await record('cut-off.js', { args: ['normal', dir] });
  assert.match(stdout, /done normal/, stderr);
  assert.equal(report.spans.count >= 2, true);
  assert.deepEqual(cutOff(report), []);
  assert.doesNotMatch(formatSummary(report, analyze(report)), /cut off/);
});
