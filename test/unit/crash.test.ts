// Nothing lost: a throwing script, process.exit in a worker, SIGKILL from outside, cancellation, Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { checkSpans, fixtures, record } from './record-helpers';
import { describeExit } from '../../src/model/summary';

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

test('a script that gets SIGINT from outside (not parprof\'s Ctrl-C): killed by SIGINT, as without parprof, every span kept, no process.exit of its own', async () => {
  const { report, stdout } = await record('self-sigint.js');
  assert.deepEqual([report.exit.code, report.exit.signal], [null, 'SIGINT']);
  assert.doesNotMatch(stdout, /survived SIGINT/);
  assert.equal(report.spans.count, 10);
  checkSpans(report);
  assert.ok(!report.markers.some((m) => m.message.startsWith('process.exit(')), JSON.stringify(report.markers));
  assert.ok(report.markers.some((m) => m.kind === 'killed' && m.message === 'killed by SIGINT (the recorder saved the recording, then exited 130, as the signal would have ended it)'), JSON.stringify(report.markers));
  assert.equal(describeExit(report.exit, report.markers), 'killed by SIGINT');
  assert.ok(report.profiles.some((p) => p.thread === 0), 'the main thread profile is saved');
  // The script's own process.exit(130) stays its own: an exit code, not a signal.
  const own = await record('exit-code-130.js');
  assert.deepEqual([own.report.exit.code, own.report.exit.signal], [130, null]);
  assert.ok(own.report.markers.some((m) => m.message === 'process.exit(130)'));
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

/**
 * Reads truth-kill.js's `flushed <thread> <spans>` lines: per thread, how many of its spans the
 * recorder had written to disk. Calls `act` once, when every worker has flushed `times` times.
 */
function flushWatcher(workers: number, times: number, act: () => void): { onText: (text: string) => void; flushed: Map<number, number> } {
  const flushed = new Map<number, number>();
  const seen = new Map<number, number>();
  let buffer = '';
  let acted = false;
  return {
    flushed,
    onText: (text) => {
      buffer += text;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const m = /^flushed (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        const tid = Number(m[1]);
        flushed.set(tid, Math.max(flushed.get(tid) ?? 0, Number(m[2])));
        seen.set(tid, (seen.get(tid) ?? 0) + 1);
      }
      if (!acted && seen.size === workers && [...seen.values()].every((n) => n >= times)) {
        acted = true;
        act();
      }
    },
  };
}

/** Every span a worker had flushed before the end is in the report: its first `n` tasks, each once. */
function checkFlushedKept(report: Report, flushed: Map<number, number>): void {
  assert.ok(flushed.size > 0, 'the fixture announced flushes');
  for (const [tid, n] of flushed) {
    const w = report.threads.find((t) => t.id === tid);
    assert.ok(w, `thread ${tid} is in the report`);
    const indices = new Set<number>();
    for (let k = 0; k < report.spans.count; k++) if (report.spans.thread[k] === tid) indices.add(report.spans.index[k]);
    const firstIndex = Math.min(...indices);
    for (let i = 0; i < n; i++) assert.ok(indices.has(firstIndex + i), `thread ${tid}: flushed span ${i} of ${n} is missing`);
  }
}

test('SIGKILL of the script from outside: every span flushed before the kill is in the report', async () => {
  let pid = 0;
  const watch = flushWatcher(2, 3, () => process.kill(pid, 'SIGKILL'));
  const { report } = await record('truth-kill.js', {
    args: ['2', '100000', '1'],
    onOutput: (text, stream) => {
      if (stream !== 'stdout') return;
      pid ||= Number(/^pid (\d+)$/m.exec(text)?.[1] ?? 0);
      watch.onText(text);
    },
  });
  assert.ok(pid > 0, 'the fixture printed its pid');
  assert.equal(report.exit.signal, 'SIGKILL');
  assert.equal(report.exit.code, null);
  assert.ok(report.markers.some((m) => m.kind === 'killed'));
  checkFlushedKept(report, watch.flushed);
  const region = report.regions.find((r) => r.name === 'killed');
  assert.equal(region?.outcome, 'unfinished');
  checkSpans(report);
});

test('cancel through AbortSignal: the partial report is kept and marked cancelled', async () => {
  const controller = new AbortController();
  const watch = flushWatcher(2, 2, () => controller.abort());
  const result = await record('truth-kill.js', {
    args: ['2', '100000', '1'],
    signal: controller.signal,
    onOutput: (text, stream) => { if (stream === 'stdout') watch.onText(text); },
  });
  assert.equal(result.cancelled, true);
  const { report } = result;
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'));
  checkFlushedKept(report, watch.flushed);
  assert.ok(report.spans.count < 200_000, `${report.spans.count} spans: the script stopped early`);
  // The preload turns SIGTERM into an orderly exit: the main thread's profile is written.
  assert.equal(report.exit.code, 143);
  assert.ok(report.profiles.some((p) => p.thread === 0));
  checkSpans(report);
});

test('Ctrl-C on parprof record stops the script and still writes the partial report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-sigint-'));
  const out = join(dir, 'run.parprof');
  const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out,
    join(fixtures(), 'truth-kill.js'), '2', '100000', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  cli.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  // A terminal sends SIGINT to the foreground group, which is parprof's: send it to parprof alone.
  const watch = flushWatcher(2, 2, () => cli.kill('SIGINT'));
  cli.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    watch.onText(s);
  });
  const code = await new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
  assert.match(stderr, /interrupted/);
  assert.notEqual(code, 0);
  const report = parseReport(readFileSync(out));
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'));
  checkFlushedKept(report, watch.flushed);
  assert.ok(report.spans.count < 200_000, `${report.spans.count} spans: the script stopped early`);
  assert.match(stdout, /report: /);
  rmSync(dir, { recursive: true, force: true });
});
