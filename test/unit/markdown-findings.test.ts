// `parprof export --format markdown` (the PR summary) carries what the CLI report says beside its
// numbers (tryout finding F8): the findings, the note that the machine was busy, imbalance with the
// wait for a core left out and the on-CPU self time. A real recording; the note both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { toMarkdown } from '../../src/model/export-markdown';
import { verdicts } from '../../src/model/summary';
import { record } from './record-helpers';

test('markdown export: findings, the busy-machine note when threads waited for a core (and not otherwise), on-CPU columns', async () => {
  const { report } = await record('failed-map.js');
  const metrics = analyze(report);
  const md = toMarkdown(report, metrics);

  // Every finding of the CLI, in its order, under one heading.
  const found = verdicts(metrics, report);
  assert.ok(found.length > 0);
  const section = md.slice(md.indexOf('#### Findings'));
  assert.ok(md.includes('#### Findings'), md);
  const bullets = section.split('\n').filter((l) => l.startsWith('- '));
  assert.equal(bullets.length, found.length);
  assert.match(bullets[0], /^- the script threw an uncaught error: map\(work\) failed at item 10/);

  // On Linux the recorder reads schedstat: imbalance on CPU and self time on CPU are columns.
  if (metrics.extra.cpuImbalance !== undefined) assert.match(md, /^\| imbalance with time waiting for a core left out \| \d+\.\d\d \|$/m);
  if (metrics.threads.some((t) => t.topFunctions.some((f) => f.selfCpuMs !== undefined))) assert.match(md, /^\| thread \| function \| self ms \| self on CPU ms \| total ms \| where \|$/m);

  // The note both ways, on the same report: every thread waited half its busy time, or none.
  const waiting = structuredClone(metrics), idle = structuredClone(metrics);
  // Over each thread's life too (the note takes the worst of both): else the machine's own load, kept from the recording, can read above 50 %.
  for (const t of waiting.threads) {
    t.busyRunnableMs = t.busyMs / 2;
    if (t.onCpuMs !== undefined && t.runnableMs !== undefined) t.runnableMs = t.onCpuMs;
  }
  for (const t of idle.threads) { t.busyRunnableMs = 0; if (t.runnableMs !== undefined) t.runnableMs = 0; }
  assert.match(toMarkdown(report, waiting), /^> \*\*Note:\*\* the machine was busy — a thread waited for a core up to 50 % of the time it had code to run; wall times/m);
  assert.doesNotMatch(toMarkdown(report, idle), /machine was busy/);
  // A thread that ran no task but serial code (the main thread) and waited for a core 40 % of the time it had code to run: the note too.
  const main = structuredClone(idle);
  const m0 = main.threads.find((t) => t.busyMs === 0) ?? main.threads[0];
  Object.assign(m0, { busyMs: 0, busyRunnableMs: undefined, onCpuMs: 300, runnableMs: 200 });
  assert.match(toMarkdown(report, main), /^> \*\*Note:\*\* the machine was busy — a thread waited for a core up to 40 % of the time it had code to run; wall times/m);
});
