// An operation aborted by its own signal is that operation's outcome, not the run's: a tryout saw
// "cancelled (the script got SIGTERM from parprof and exited 0)" and "the run was cancelled after
// 686 ms" for a script that caught the AbortError and finished by itself. Real workers; the run
// cancelled by parprof still reads cancelled (hand-built marker, as the runner writes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary, verdicts } from '../../src/model/summary';
import { runEnd, RUN_CANCELLED } from '../../src/model/run-views';
import { record } from './record-helpers';

test('an operation aborted by its signal: its region is cancelled, the run ends clean (exit 0), no word of parprof stopping it', async () => {
  const { report, stdout } = await record('abort-op.js');
  assert.ok(report);
  assert.match(stdout, /AbortError\n[\s\S]*done/);
  assert.equal(report.exit.code, 0);
  const aborted = report.regions.find((r) => r.name === 'aborted')!;
  assert.equal(aborted.outcome, 'cancelled');
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'), 'the pool marks the aborted operation');
  assert.equal(runEnd(report), 'clean');
  const m = analyze(report);
  const text = formatSummary(report, m);
  assert.doesNotMatch(text, /SIGTERM from parprof|the run was cancelled/);
  assert.ok(!verdicts(m, report).some((v) => /run was cancelled/.test(v)));
  // The runner's own cancel marker still makes a cancelled run.
  const cancelled = { ...report, markers: [...report.markers, { t: report.meta.durationUs, thread: 0, kind: 'cancelled' as const, message: RUN_CANCELLED }] };
  assert.equal(runEnd(cancelled), 'cancelled');
  assert.ok(verdicts(analyze(cancelled), cancelled).some((v) => /^the run was cancelled after/.test(v)));
});
