// Nothing lost: a throwing script, process.exit in a worker, SIGKILL from outside, cancellation, Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';
import { checkSpans, fixtures, record } from './record-helpers';

const hrtimeUs = (): number => Number(process.hrtime.bigint()) / 1000;

test('a throwing script: exit code 1, the error in report.exit, the spans before the throw kept', async () => {
  const { report } = await record('crash-throw.js');
  assert.equal(report.exit.code, 1);
  assert.ok(report.exit.error);
  assert.equal(report.exit.error.message, 'fixture boom after 10 answers');
  assert.match(report.exit.error.stack ?? '', /crash-throw\.js/);
  assert.equal(report.spans.count, 10);
  checkSpans(report);
  assert.ok(report.markers.some((m) => m.kind === 'error' && m.message === 'fixture boom after 10 answers'));
  assert.ok(report.profiles.some((p) => p.thread === 0), 'the main thread profile survives the throw');
});

test('process.exit(3) inside a worker: the report is kept and the thread marked died', async () => {
  const { report, stdout } = await record('crash-worker-exit.js');
  assert.match(stdout, /quitter exited 3/);
  assert.equal(report.exit.code, 0);
  const quitter = report.threads.find((t) => t.name === 'quitter');
  const stayer = report.threads.find((t) => t.name === 'stayer');
  assert.ok(quitter?.died, 'quitter died');
  assert.match(quitter.died.reason, /process\.exit\(3\)/);
  assert.equal(stayer?.died, undefined);
  const spansOf = (id: number): number => report.spans.thread.filter((t) => t === id).length;
  assert.equal(spansOf(quitter.id), 3);
  assert.equal(spansOf(stayer!.id), 7);
  assert.ok(report.markers.some((m) => m.kind === 'worker-exit' && m.thread === quitter.id));
  // process.exit runs the worker's 'exit' listeners: its profile is written, marked partial.
  assert.equal(report.profiles.find((p) => p.thread === quitter.id)?.partial, true);
  checkSpans(report);
});

test('SIGKILL of the script from outside: spans up to shortly before the kill survive', async () => {
  let killedAt = 0;
  const { report } = await record('rec-contract.js', {
    args: ['2', '3000', '1', '300'],
    onOutput: (text) => {
      const m = /ready (\d+)/.exec(text);
      if (m && !killedAt) {
        setTimeout(() => { killedAt = hrtimeUs(); process.kill(Number(m[1]), 'SIGKILL'); }, 700);
      }
    },
  });
  assert.ok(killedAt > 0, 'the fixture signalled readiness');
  assert.equal(report.exit.signal, 'SIGKILL');
  assert.equal(report.exit.code, null);
  assert.ok(report.markers.some((m) => m.kind === 'killed'));
  const killUs = killedAt - report.meta.originUs;
  const lastEnd = Math.max(...report.spans.end);
  assert.ok(report.spans.count > 100, `${report.spans.count} spans`);
  // Batches are written at least every 100 ms; the bound leaves room for a worker starved of CPU
  // on a loaded 2-core machine, and still fails if spans were kept only in memory until exit.
  assert.ok(killUs - lastEnd < 1_000_000, `last span ${((killUs - lastEnd) / 1000).toFixed(0)} ms before the kill`);
  assert.ok(lastEnd <= killUs + 50_000);
  const region = report.regions.find((r) => r.name === 'contract');
  assert.equal(region?.outcome, 'unfinished');
  checkSpans(report);
});

test('cancel through AbortSignal: the partial report is kept and marked cancelled', async () => {
  const controller = new AbortController();
  const result = await record('rec-contract.js', {
    args: ['2', '3000', '1', '300'],
    signal: controller.signal,
    onOutput: (text) => { if (/ready/.test(text)) setTimeout(() => controller.abort(), 300); },
  });
  assert.equal(result.cancelled, true);
  const { report } = result;
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'));
  assert.ok(report.spans.count > 0 && report.spans.count < 6000, `${report.spans.count} spans`);
  // The preload turns SIGTERM into an orderly exit: the main thread's profile is written.
  assert.equal(report.exit.code, 143);
  assert.ok(report.profiles.some((p) => p.thread === 0));
  checkSpans(report);
});

test('Ctrl-C on parprof record stops the script and still writes the partial report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-sigint-'));
  const out = join(dir, 'run.parprof');
  const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out,
    join(fixtures(), 'rec-contract.js'), '2', '3000', '1', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  cli.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  // A terminal sends SIGINT to the foreground group, which is parprof's: send it to parprof alone.
  cli.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    if (/ready \d+/.test(s)) setTimeout(() => cli.kill('SIGINT'), 300);
  });
  const code = await new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
  assert.match(stderr, /interrupted/);
  assert.notEqual(code, 0);
  const report = parseReport(readFileSync(out));
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'));
  assert.ok(report.spans.count > 0 && report.spans.count < 6000, `${report.spans.count} spans: the script stopped early`);
  assert.match(stdout, /report: /);
  rmSync(dir, { recursive: true, force: true });
});
