// A worker its owner terminate()s (a pool's destroy()) is terminated, not died; one that crashed
// (an uncaught error, process.exit(≠ 0) inside) died (tryout finding 2: piscina's destroy() read
// "piscina 1 died: terminated (exit code 1)" with red lanes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

test('raw workers terminate()d by their parent: terminated, no death, a note marker, not an error', async () => {
  const { report, stdout, stderr } = await record('truthfix-stop.js', { args: ['terminate'] });
  assert.match(stdout, /done terminate/, stderr);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.equal(workers.length, 2);
  for (const w of workers) {
    assert.equal(w.died, undefined, `${w.name}: ${w.died?.reason}`);
    assert.ok(w.terminated && w.terminated.at > w.start, `${w.name} terminated`);
    assert.ok(report.markers.some((m) => m.thread === w.id && m.kind === 'note' && /terminated by its owner/.test(m.message)));
    assert.ok(!report.markers.some((m) => m.thread === w.id && (m.kind === 'worker-exit' || m.kind === 'worker-error')));
  }
  const text = formatSummary(report, analyze(report));
  assert.doesNotMatch(text, /died/);
  assert.match(text, /\(terminated\)/);
});

test('piscina destroy(): its workers are terminated, not died', async () => {
  const { report, stderr } = await record('rec-piscina.js');
  assert.equal(report.exit.code, 0, stderr);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.equal(workers.length, 2);
  for (const w of workers) assert.equal(w.died, undefined, `${w.name}: ${w.died?.reason}`);
  assert.doesNotMatch(formatSummary(report, analyze(report)), /died/);
});

test('workers that crash (uncaught error, process.exit(2)) still died', async () => {
  const { report, stdout, stderr } = await record('truthfix-stop.js', { args: ['crash'] });
  assert.match(stdout, /done crash/, stderr);
  const reasons = report.threads.filter((t) => t.kind === 'worker').map((t) => t.died?.reason ?? 'alive').sort();
  assert.equal(reasons.length, 2);
  assert.match(reasons[0], /^process\.exit\(2\)$/);
  assert.match(reasons[1], /^uncaught error: planted crash/);
  for (const w of report.threads) assert.equal(w.terminated, undefined);
  assert.match(formatSummary(report, analyze(report)), /died: uncaught error: planted crash/);
});
