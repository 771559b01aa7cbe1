// Spans finished before process.exit() on main are never lost silently (issue 13 item 3): the
// fixture's threads count every task they finish in shared memory, main exits while they run,
// and each run's counts must equal the report's spans per thread, plus `dropped.spans`, exactly
// (whatever the split between them: it depends on the machine's load, the sum does not). The
// threads: ThreadPool workers, raw workers driven by messages, a worker of a worker (which the
// inspector cannot reach), and a worker stuck in a native call when main exits (it cannot save:
// its creator counts its unwritten spans as dropped).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPAN_DERIVED, type Report } from '../../src/model/report';
import { record } from './record-helpers';

/** The fixture's `count <threadId> <n>` lines. */
function countsOf(stdout: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of stdout.matchAll(/^count (\d+) (\d+)$/gm)) counts.set(Number(m[1]), Number(m[2]));
  return counts;
}

/**
 * Recorded task spans per thread. A raw worker with no span written (the stuck one, when all of
 * its spans were counted as dropped) gets busy stretches read from its samples instead: those are
 * SPAN_DERIVED, no task.
 */
function spansPerThread(report: Report): { per: Map<number, number>; derived: number } {
  const per = new Map<number, number>();
  let derived = 0;
  for (let k = 0; k < report.spans.count; k++) {
    if ((report.spans.flags?.[k] ?? 0) & SPAN_DERIVED) derived++;
    else per.set(report.spans.thread[k], (per.get(report.spans.thread[k]) ?? 0) + 1);
  }
  return { per, derived };
}

/** Tasks per run before main exits: spread so the exit lands at different points of the work. */
const EXIT_AFTER = [300, 900, 1600, 2500];

test('every task finished before process.exit() is a span in the report or counted in dropped.spans', async () => {
  const lines: string[] = [];
  for (const exitAfter of EXIT_AFTER) {
    const { report, stdout, stderr } = await record('exit-spans.js', { args: [String(exitAfter)] });
    assert.equal(report.exit.code, 3, stderr);
    const counts = countsOf(stdout);
    // 2 pool workers, 2 raw workers, the raw parent and its child, the stuck worker: 7 ran tasks.
    assert.equal(counts.size, 7, `threads that counted tasks: ${[...counts.keys()].join(', ')}\n${stdout}`);
    const { per: spans, derived } = spansPerThread(report);
    let counted = 0;
    let inReport = 0;
    for (const [tid, n] of counts) {
      const got = spans.get(tid) ?? 0;
      assert.ok(got <= n, `thread ${tid}: ${got} spans in the report, but it counted ${n} tasks`);
      counted += n;
      inReport += got;
    }
    assert.equal(inReport + derived, report.spans.count, 'every task span belongs to a counting thread');
    lines.push(`exit after ${exitAfter}: counted ${counted}, in the report ${inReport}, dropped ${report.dropped.spans}`);
    assert.equal(inReport + report.dropped.spans, counted, lines.join('\n'));
  }
  console.log(lines.join('\n'));
});

test('terminate() of a worker that drives a worker of its own: every task of both is a span or counted in dropped.spans', async () => {
  const lines: string[] = [];
  for (const after of [300, 1200]) {
    const { report, stdout, stderr } = await record('exit-terminate-tree.js', { args: [String(after)] });
    assert.equal(report.exit.code, 0, stderr);
    const counts = countsOf(stdout);
    assert.equal(counts.size, 2, `threads that counted tasks: ${[...counts.keys()].join(', ')}\n${stdout}`);
    const { per: spans } = spansPerThread(report);
    let counted = 0;
    let inReport = 0;
    for (const [tid, n] of counts) {
      const got = spans.get(tid) ?? 0;
      assert.ok(got <= n, `thread ${tid}: ${got} spans in the report, but it counted ${n} tasks`);
      counted += n;
      inReport += got;
    }
    lines.push(`terminate after ${after}: counted ${counted}, in the report ${inReport}, dropped ${report.dropped.spans}`);
    assert.equal(inReport + report.dropped.spans, counted, lines.join('\n'));
  }
  console.log(lines.join('\n'));
});
