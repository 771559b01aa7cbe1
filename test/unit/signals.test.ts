// SIGINT, SIGTERM and SIGHUP to `parprof record`: the script's whole process tree stops, the
// partial report is written, and nothing is left behind (no orphan, no spool folder).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';
import { fixtures } from './record-helpers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} to parprof record: partial report written, script tree gone, no temp folders left`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `parprof-${signal}-`));
    const temp = mkdtempSync(join(tmpdir(), 'parprof-signal-tmp-')); // the CLI's TMPDIR: its spool lives here
    const out = join(dir, 'run.parprof');
    // 2 workers x 100000 tasks of 1 ms: runs far longer than the test. truth-kill.js prints
    // "pid <pid>", then "flushed <thread> <spans>" each time a worker's spans are on disk: the
    // signal goes once both workers flushed twice (a fixed delay raced the workers' start-up).
    const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out,
      join(fixtures(), 'truth-kill.js'), '2', '100000', '1'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: temp } });
    let stdout = '';
    let stderr = '';
    let scriptPid = 0;
    const flushes = new Map<string, number>();
    /** Per worker thread: how many of its spans were on disk at its last flush line before the script ended. */
    const flushed = new Map<number, number>();
    let signalled = false;
    cli.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    cli.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      scriptPid ||= Number(/^pid (\d+)$/m.exec(stdout)?.[1] ?? 0);
      for (const m of s.matchAll(/^flushed (\d+) (\d+)$/gm)) {
        flushes.set(m[1], (flushes.get(m[1]) ?? 0) + 1);
        flushed.set(Number(m[1]), Math.max(flushed.get(Number(m[1])) ?? 0, Number(m[2])));
      }
      if (!signalled && scriptPid && flushes.size === 2 && [...flushes.values()].every((n) => n >= 2)) {
        signalled = true;
        cli.kill(signal);
      }
    });
    const code = await new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
    assert.ok(scriptPid > 0, `the script started: ${stdout}${stderr}`);
    assert.equal(code, 128 + constants.signals[signal], 'exits as a shell expects of a command this signal stopped');
    assert.equal(stderr.trim().split('\n').filter((l) => l.startsWith('parprof:')).length, 1, stderr);
    assert.match(stderr, /parprof: .*stopping the script and writing the partial report/);
    assert.ok(await gone(scriptPid, 5000), `script ${scriptPid} still running after parprof exited`);
    const report = parseReport(readFileSync(out));
    assert.ok(report.markers.some((m) => m.kind === 'cancelled'), 'marked cancelled');
    // Every span a worker had on disk is kept: its first n tasks, each once (truth-kill.js numbers them from w × tasks).
    assert.equal(flushed.size, 2, stdout);
    for (const [tid, n] of flushed) {
      const indices: number[] = [];
      for (let k = 0; k < report.spans.count; k++) if (report.spans.thread[k] === tid) indices.push(report.spans.index[k]);
      indices.sort((a, b) => a - b);
      assert.ok(n > 0 && indices.length >= n, `thread ${tid}: ${n} spans flushed before the signal, ${indices.length} in the report`);
      const first = indices[0];
      assert.ok(first % 100000 === 0 && indices.every((x, i) => x === first + i), `thread ${tid}: its spans are tasks ${first}.. in order, each once`);
    }
    assert.equal(report.threads.filter((t) => t.kind === 'worker').length, 2);
    assert.deepEqual(readdirSync(temp), [], 'no spool or module folders left in TMPDIR');
    assert.match(stdout, /report: /);
    // Words that are true: the run was stopped by the signal parprof got; the exit code is our SIGTERM's, not the script's.
    const words = signal === 'SIGINT' ? 'stopped by SIGINT \\(Ctrl-C\\)' : signal === 'SIGHUP' ? 'stopped by SIGHUP \\(the terminal went away\\)' : 'stopped by SIGTERM';
    assert.match(stdout, new RegExp(`the run was ${words} after \\d[\\d.,]* ms and the script stopped`));
    assert.match(stdout, new RegExp(`· ${words} \\(the script got SIGTERM from parprof`), 'the header says it too');
    assert.doesNotMatch(stdout, /· exit 143/);
    assert.doesNotMatch(stdout, /exited with code|did not finish normally \(unfinished\)/);
    rmSync(dir, { recursive: true, force: true });
    rmSync(temp, { recursive: true, force: true });
  });
}
