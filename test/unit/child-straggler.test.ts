// Processes the script started and left running end with the recording: they are in the
// script's own process group, which the terminal's Ctrl-C does not reach. A child in an endless
// loop used to keep `parprof record` waiting on its pipes forever (after Ctrl-C, or after the
// script exited), orphaned at full CPU. Real processes; a watchdog fails the test instead of hanging.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';

const WATCHDOG_MS = 90_000;

/** Whether `pid` still runs: a killed process its new parent (init) has not reaped yet is a zombie, not running. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Runs `parprof record` on the fixture; calls `onChild` with the looping child's pid; resolves with parprof's exit. */
function recordStraggler(mode: 'exit' | 'wait', onChild: (pid: number, parprof: ReturnType<typeof spawn>) => void) {
  const out = join(mkdtempSync(join(tmpdir(), 'parprof-straggler-')), 'run.parprof');
  const parprof = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out, join(packageRoot(), 'test', 'fixtures', 'child-straggler.js'), mode],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '', childPid = 0;
  parprof.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    const m = /^child (\d+)$/m.exec(stdout);
    if (m && !childPid) { childPid = Number(m[1]); onChild(childPid, parprof); }
  });
  parprof.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  return new Promise<{ code: number | null; childPid: number; out: string; stdout: string; stderr: string }>((resolve, reject) => {
    const watchdog = setTimeout(() => {
      parprof.kill('SIGKILL');
      if (childPid) try { process.kill(childPid, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`parprof record did not end within ${WATCHDOG_MS} ms (the looping child ${childPid} kept it waiting)\n${stdout}\n${stderr}`));
    }, WATCHDOG_MS);
    parprof.on('close', (code) => { clearTimeout(watchdog); resolve({ code, childPid, out, stdout, stderr }); });
  });
}

test('Ctrl-C: the looping child is stopped with the script, parprof ends and writes the report', async () => {
  const r = await recordStraggler('wait', (_pid, parprof) => parprof.kill('SIGINT'));
  assert.equal(r.code, 130, r.stderr);
  assert.ok(r.childPid > 0, r.stdout);
  assert.equal(alive(r.childPid), false, `child ${r.childPid} still running after parprof ended`);
  const report = parseReport(readFileSync(r.out));
  assert.equal(report.processes?.length, 2, 'the child is in the report');
});

test('the script exits, its child loops on: parprof stops the child, ends, and the report says it was cut off', async () => {
  const r = await recordStraggler('exit', () => {});
  assert.equal(r.code, 0, r.stderr);
  assert.equal(alive(r.childPid), false, `child ${r.childPid} still running after parprof ended`);
  const report = parseReport(readFileSync(r.out));
  const child = report.processes?.find((p) => p.pid === r.childPid);
  assert.ok(child, `process ${r.childPid} in the report`);
  assert.ok(child!.died, 'the child is marked as cut off by the end of the run');
});
