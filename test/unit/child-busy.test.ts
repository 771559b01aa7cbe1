// The Threads table's busy column for fork children: a child's main thread that ran no tasks is not
// idle (it ran its own code), so its busy time reads '-' with the reason in the legend, never 0.00;
// a child's main thread that ran tasks (a jest-style worker process's messages) reads its time in them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { msDigits } from '../../src/model/units';
import { fixtures, record } from './record-helpers';

/** The rows of the summary's table under `title` (its header line next), by thread name: cells split at 2+ spaces. */
function tableRows(summary: string, title: string): { header: string[]; rows: Map<string, string[]>; after: string[] } {
  const lines = summary.split('\n');
  const at = lines.findIndex((l) => l === title || l.startsWith(`${title} (`));
  assert.ok(at >= 0, `no table '${title}' in:\n${summary}`);
  const split = (l: string): string[] => l.trim().split(/\s{2,}/);
  const header = split(lines[at + 1]);
  const rows = new Map<string, string[]>();
  let k = at + 2;
  for (; k < lines.length && lines[k].startsWith('  ') && !lines[k].startsWith('  ('); k++) {
    const cells = split(lines[k]);
    rows.set(cells[0], cells);
  }
  return { header, rows, after: lines.slice(k, k + 2) };
}

const LEGEND = /busy '-': a main thread that ran no tasks, or a thread with busy samples and no task spans; it was not idle/;

test('fork children that run no pool (child-grandchild.js): their main threads read busy \'-\' with the legend, not 0.00, and did run', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-grandchild.js'));
  assert.equal(report.processes?.length, 4, stdout);
  const metrics = analyze(report);
  const summary = formatSummary(report, metrics);
  const threads = tableRows(summary, 'Threads');
  const busy = threads.header.indexOf('busy ms');
  const forks = report.processes!.filter((p) => p.startedBy === 'fork');
  assert.equal(forks.length, 2);
  for (const p of forks) {
    const t = report.threads.find((x) => x.process === p.pid && x.kind === 'main')!;
    const row = threads.rows.get(t.name);
    assert.ok(row, `no row '${t.name}' in:\n${summary}`);
    assert.equal(row[busy], '-', `${t.name}: ${row.join(' | ')}`);
    // Not idle: it spun 30 ms in generation() and booted Node.
    const m = metrics.threads.find((x) => x.id === t.id)!;
    assert.ok(m.onCpuMs === undefined || m.onCpuMs >= 20, `${t.name} on CPU ${m.onCpuMs} ms`);
    assert.ok((m.busySamples ?? 1) > 0, `${t.name}: no busy samples`);
  }
  assert.match(threads.after.join('\n'), LEGEND, summary);
  const cpu = tableRows(summary, 'CPU time');
  for (const [name, row] of cpu.rows) assert.equal(row[cpu.header.indexOf('busy ms')], '-', `CPU time row ${name}`);
  assert.doesNotMatch(summary, /main[^\n]*\bmain\s+0\.00\b/);
});

test('fork children whose main threads ran tasks (child-jest-workers.js): busy is their time in tasks; the parent\'s main (no tasks) reads \'-\'', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-jest-workers.js'));
  const m = /tasks 10, workers (\d+) (\d+)/.exec(stdout);
  assert.ok(m, stdout);
  const metrics = analyze(report);
  const summary = formatSummary(report, metrics);
  const threads = tableRows(summary, 'Threads');
  const busy = threads.header.indexOf('busy ms'), tasks = threads.header.indexOf('tasks');
  let total = 0;
  for (const pid of [Number(m[1]), Number(m[2])]) {
    const t = report.threads.find((x) => x.process === pid && x.kind === 'main')!;
    const tm = metrics.threads.find((x) => x.id === t.id)!;
    const row = threads.rows.get(t.name)!;
    assert.ok(row, `no row '${t.name}' in:\n${summary}`);
    total += tm.tasks;
    // Each task spins 40 ms of wall time: its time in tasks is at least that.
    assert.ok(tm.tasks > 0 && tm.busyMs >= 40 * tm.tasks, `${t.name}: ${tm.tasks} tasks, busy ${tm.busyMs} ms`);
    assert.deepEqual([row[busy], row[tasks]], [msDigits(tm.busyMs), String(tm.tasks)]);
  }
  assert.equal(total, 10);
  assert.equal(threads.rows.get('main')?.[busy], '-', summary);
  assert.match(threads.after.join('\n'), LEGEND);
});
