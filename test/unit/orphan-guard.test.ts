// kill -9 of `parprof record` must not leave the script running: it runs in its own process group,
// out of reach of what killed the CLI. Real CLI, real script with a forked child; /proc is polled
// for the script, its child, any other member of its group, and the guard that ends them (Linux).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { statFields } from '../../src/runner/process-group';
import { packageRoot } from '../../src/runner/paths';
import { fixtures } from './record-helpers';

/** Whether `pid` runs (a zombie does not: it waits for whoever reaps orphans). */
function running(pid: number): boolean {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return f !== undefined && f.state !== 'Z' && f.state !== 'X';
  } catch {
    return false;
  }
}

/** Running processes of group `pgid`, and the guard shells given that group (their argv ends with it). */
function leftOf(pgid: number): { members: number[]; guards: number[] } {
  const members: number[] = [], guards: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || !running(Number(name))) continue;
    try {
      if (statFields(readFileSync(`/proc/${name}/stat`, 'latin1'))?.pgrp === pgid) members.push(Number(name));
      const argv = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').filter(Boolean);
      if (argv.includes('parprof-orphan-guard') && argv.at(-1) === String(pgid)) guards.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return { members, guards };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const how of ['spin', 'idle'] as const) {
  test(`kill -9 of parprof record while the script ${how === 'spin' ? 'spins in a loop that never yields' : 'idles'}: the script and its forked child end within seconds, nothing is left`, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'parprof-orphan-')), 'run.parprof');
    const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out, join(fixtures(), 'orphan-long.js'), how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    cli.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const pids = await new Promise<[number, number]>((resolve, reject) => {
      cli.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        const m = /script (\d+) child (\d+)/.exec(stdout);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      });
      cli.on('exit', () => reject(new Error(`the CLI ended first: ${stdout}\n${stderr}`)));
    });
    const [script, child] = pids;
    try {
      assert.ok(running(script) && running(child));
      cli.kill('SIGKILL');
      // SIGTERM, then SIGKILL 2 s later for a main thread that never runs its listener; 20 s for a loaded machine.
      for (let waited = 0; waited < 20_000 && (running(script) || running(child)); waited += 100) await pause(100);
      assert.deepEqual([running(script), running(child)], [false, false], `script ${script}, child ${child} still running 20 s after the CLI was killed`);
      let left = leftOf(script);
      for (let waited = 0; waited < 5000 && left.members.length + left.guards.length > 0; waited += 100) { await pause(100); left = leftOf(script); }
      assert.deepEqual(left, { members: [], guards: [] }, 'nothing of the run is left');
    } finally {
      try { process.kill(-script, 'SIGKILL'); } catch { /* ended, as it should */ }
    }
  });
}
