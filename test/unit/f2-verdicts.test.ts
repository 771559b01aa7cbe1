// Tryout findings 1 and 9: compare and sweep judge the critical path in work. Planted truth:
// f2-split.js spins 8 items on each thread's CPU clock, a 3:1 split (static on 2 threads: 300 ms
// on one thread, 100 ms on the other; dynamic: about 200 ms each). Before, compare judged the sum of
// all threads' CPU time, which a balance fix leaves unchanged: static → dynamic read 'REGRESSED (on
// CPU +12.1 %)'. Real runs beside CPU hogs (the machine is loaded, as the tryout's was).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RegionMetrics } from '../../src/model/analysis';
import { regionCriticalMs } from '../../src/model/critical-path';
import { parseSweepReport } from '../../src/model/sweep-report';
import { busyMachineNote, sweepMarkdown } from '../../src/model/sweep-tables';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'parprof-f2-'));
const hogs: ChildProcess[] = [];

before(() => {
  // Two CPU hogs on a 2-core machine: the runs' threads wait for a core.
  for (let i = 0; i < 2; i++) hogs.push(spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' }));
});
after(() => { for (const h of hogs) h.kill('SIGKILL'); });

function parprof(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function record(name: string, schedule: string, env: Record<string, string> = {}): string {
  const file = join(out, `${name}.parprof`);
  const r = parprof(['record', '--threads', '2', '--schedule', schedule, '--out', file, 'f2-split.js'], env);
  assert.equal(r.code, 0, r.stderr);
  return file;
}

/** The verdict cell of a row ('whole run' or the region) of `parprof compare`'s table. */
function verdict(stdout: string, row: 'whole run' | 'map heavyItem'): string {
  const line = stdout.split('\n').find((l) => l.trimStart().startsWith(row));
  assert.ok(line, stdout);
  return / {2}((?:REGRESSED|improved|within the threshold|within noise|cannot judge: the machine was busy)\b.*)$/.exec(line!)![1];
}
const changeOf = (cell: string): number => Number(/critical path ([+-]\d+\.\d) %/.exec(cell)![1]);

test('region critical path: the busiest thread\'s work under static; under dynamic the tasks\' work replayed on free threads', () => {
  const region = (schedule: RegionMetrics['schedule'], work: number[], imbalance: number): RegionMetrics => {
    const mean = work.reduce((a, b) => a + b, 0) / work.length;
    return { schedule, tasks: 8, imbalance, cpuImbalance: Math.max(...work) / mean, threadTime: { threads: work.length },
      threads: work.map((w, id) => ({ id, busyMs: w * 1.5, busyOnCpuMs: w })) } as unknown as RegionMetrics;
  };
  const tasks = (...ms: number[]) => ms.map((workMs) => ({ workMs, parent: -1 }));
  // Static 3:1 on a loaded machine: the wall imbalance reads 1.33, the work 300 against 100 ms.
  assert.equal(regionCriticalMs(region('static', [300, 100], 1.33), undefined), 300);
  // Dynamic on a loaded machine: one thread waited for a core and took fewer items (175 against
  // 225 ms of work), yet both were busy to the end: with free cores, 8 × 50 ms split 200/200.
  assert.equal(regionCriticalMs(region('dynamic', [250, 150], 1), tasks(50, 50, 50, 50, 50, 50, 50, 50)), 200);
  // Dynamic with a split it cannot even out (3 items of 100 ms on 2 threads): 200 ms.
  assert.equal(regionCriticalMs(region('dynamic', [200, 100], 1.5), tasks(100, 100, 100)), 200);
  // Tryout F17: chunk 4 of 300,300,300,300,100,100,100,100 ms is one 1200 ms and one 400 ms chunk;
  // the load hid it in the wall imbalance (1.06), the work counts in full.
  assert.equal(regionCriticalMs(region('dynamic', [1200, 400], 1.06), tasks(1200, 400)), 1200);
  // Tryout F2: chunk 1 of the same items, one thread descheduled (900/700 of work, wall imbalance
  // 1.09): the schedule spreads them 800/800 on free cores, as in a run at no load.
  assert.equal(regionCriticalMs(region('dynamic', [900, 700], 1.09), tasks(300, 300, 300, 300, 100, 100, 100, 100)), 800);
  assert.equal(regionCriticalMs(region('dynamic', [800, 800], 1), tasks(300, 300, 300, 300, 100, 100, 100, 100)), 800);
});

test('compare at load: static → dynamic of a 3:1 split is improved; unchanged code is within the threshold; +50 % of work is REGRESSED', () => {
  const static1 = record('static-1', 'static'), static2 = record('static-2', 'static');
  const dynamic = record('dynamic', 'dynamic'), heavier = record('static-x1.5', 'static', { SCALE: '1.5' });

  const fix = parprof(['compare', static1, dynamic]);
  assert.equal(fix.code, 0, fix.stdout);
  // Planted: 300 → 200 ms on the busiest thread, −33 %. At load a dynamic run's chunks can split
  // unevenly in wall time as well (a thread that waited for a core took fewer): −16 % was seen.
  for (const row of ['whole run', 'map heavyItem'] as const) {
    const cell = verdict(fix.stdout, row);
    assert.match(cell, /^improved \(critical path -\d+\.\d %\)$/, fix.stdout);
    assert.ok(changeOf(cell) <= -10 && changeOf(cell) >= -40, `${row}: ${cell} for a planted −33 %\n${fix.stdout}`);
  }
  assert.match(fix.stdout, /^verdicts judge the critical path in work/m);
  assert.match(fix.stdout, /^no regression/m);

  const back = parprof(['compare', dynamic, static1]);
  assert.equal(back.code, 1, back.stdout);
  assert.match(verdict(back.stdout, 'map heavyItem'), /^REGRESSED \(critical path \+\d+\.\d %\)$/, back.stdout);

  const same = parprof(['compare', static1, static2]);
  assert.equal(same.code, 0, same.stdout);
  // Unchanged code: the same, or (past 5 %, within what the machine's load does to work) not judged; never REGRESSED.
  for (const row of ['whole run', 'map heavyItem'] as const) assert.match(verdict(same.stdout, row), /^(within the threshold|cannot judge: the machine was busy) \(critical path [+-]\d+\.\d %\)/, same.stdout);

  const worse = parprof(['compare', static1, heavier]);
  assert.equal(worse.code, 1, worse.stdout);
  for (const row of ['whole run', 'map heavyItem'] as const) {
    const cell = verdict(worse.stdout, row);
    assert.match(cell, /^REGRESSED \(critical path \+\d+\.\d %\)$/, worse.stdout);
    assert.ok(changeOf(cell) >= 30 && changeOf(cell) <= 70, `${row}: ${cell} for a planted +50 %\n${worse.stdout}`);
  }
});

test('sweep at load: no wall-time conclusion, the critical path\'s speedup (planted 1.67×), and the busy note in the Markdown as in the CLI', () => {
  const file = join(out, 'even.parprof-sweep.json');
  // SERIAL=100 EVEN=1: 100 ms on the main thread, then 8 × 50 ms: 500 ms sequential, 300 ms on 2 threads.
  const r = parprof(['sweep', '--threads', '0,2', '--repeat', '1', '--out', file, 'f2-split.js'], { SERIAL: '100', EVEN: '1' });
  assert.equal(r.code, 0, r.stderr);
  const sweep = parseSweepReport(readFileSync(file, 'utf8'));
  const note = busyMachineNote(sweep.variants.flatMap((v) => v.runs));
  const md = sweepMarkdown(sweep);
  if (note.length === 0) {
    // The hogs did not make a thread wait (a quiet moment): the wall-time fit stands, no note anywhere.
    assert.doesNotMatch(r.stdout + md, /machine was busy|not judged/);
    return;
  }
  assert.ok(r.stdout.includes(note.join('\n')), r.stdout);
  assert.ok(md.includes(`\n${note.map((l) => l.trim()).join(' ')}\n`), md);
  assert.doesNotMatch(r.stdout + md, /more threads made it slower|sped up more than the threads added/);
  const whole = r.stdout.slice(r.stdout.indexOf('Whole run'), r.stdout.indexOf('Region'));
  assert.match(whole, /serial fraction: not judged from these wall times — threads waited for a core/);
  const m = /on the critical path \(each run's time on a core along its longest thread, tasks a free thread takes spread as on free cores; medians\), against sequential: sequential: (\S+) ms · 2 threads: (\S+) ms \((\d+\.\d+)×(?: — not a real speedup[^)]*)?\)/.exec(whole);
  assert.ok(m, whole);
  assert.ok(Number(m![3]) >= 1.4 && Number(m![3]) <= 1.95, `critical-path speedup ${m![3]}× for a planted 1.67×\n${whole}`);
  assert.ok(md.includes('serial fraction: not judged from these wall times'), md);
});
