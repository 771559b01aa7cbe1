// The answers end to end, with real threads and the built CLI (dist/cli.js): sequential mode
// gives the parallel results; a sweep finds a planted 20 % serial fraction; compare trips on a
// planted 30 % slowdown and passes an improvement and a run against itself; ab shows static
// losing on a planted skew. Planted work spins on the clock; tolerances are the planted ones.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArgs } from '../../src/cli/args';
import { parseReport } from '../../src/model/load';
import { abRows, sweepScaling } from '../../src/model/sweep-analysis';
import { BUSY_MACHINE_SHARE, parseSweepReport } from '../../src/model/sweep-report';
import { packageRoot } from '../../src/runner/paths';
import { readAnyReportFile } from '../../src/runner/read-import';
import { fixture, runNode } from './pool-helpers';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'parprof-answers-'));

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
}

function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('sequential mode (PARPROF_THREADS=0) returns what 2 workers return, on the main thread, for map, forEach, reduce and join', () => {
  const seq = runNode(fixture('answers-sequential.js'), { PARPROF_THREADS: '0' });
  const par = runNode(fixture('answers-sequential.js'), { PARPROF_THREADS: '2' });
  assert.equal(seq.code, 0, seq.stderr);
  assert.equal(par.code, 0, par.stderr);
  const s = JSON.parse(seq.stdout), p = JSON.parse(par.stdout);
  assert.equal(s.threads, 0);
  assert.deepEqual(s.ranOn, [0], 'every task ran on the main thread');
  assert.equal(p.ranOn.includes(0), false, 'the parallel run used workers');
  for (const key of ['mapArray', 'mapTyped', 'mapRange', 'forEach', 'reduce', 'sum', 'join']) assert.deepEqual(s[key], p[key], key);
  // Known answers, not only equality of two runs.
  assert.equal(s.mapArray[0], 22500);
  assert.deepEqual(s.mapTyped[3], [1.5, 3, 'number']);
  assert.equal(s.forEach[499], 499 * 3 + 7);
  assert.deepEqual(s.reduce, Array.from({ length: 257 }, (_, i) => i));
  assert.equal(s.join, (1005 * 1004) / 2 - (5 * 4) / 2);
});

test('record --sequential: regions with threads 0, one span per dynamic chunk, all on the main thread', () => {
  const file = join(out, 'seq.parprof');
  const r = parprof('record', '--sequential', '--sample-interval', '0', '--out', file, 'answers-sequential.js');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^run .* \(process start to exit\) · 0 worker threads on \d+ cores? · schedule sequential · exit 0$/m);
  assert.doesNotMatch(r.stdout, /well balanced|balanced schedule would save/, "balance is no finding for a sequential run");
  assert.match(r.stdout, /^\s+forEach write\s+sequential\s/m, 'the region table says sequential where it shows schedules');
  const report = parseReport(readFileSync(file));
  assert.equal(report.meta.pool.threads, 0);
  assert.equal(report.threads.filter((t) => t.kind === 'worker').length, 0);
  const forEach = report.regions.find((g) => g.kind === 'forEach')!;
  assert.equal(forEach.threads, 0);
  assert.equal(forEach.chunkSize, Math.ceil(500 / 64), 'the dynamic schedule\'s automatic chunk on one thread');
  const spans = report.spans.region.map((g, k) => [g, k] as const).filter(([g]) => g === forEach.id).map(([, k]) => k);
  assert.equal(spans.length, Math.ceil(500 / Math.ceil(500 / 64)));
  assert.ok(spans.every((k) => report.spans.thread[k] === 0));
  assert.equal(spans.reduce((a, k) => a + report.spans.items[k], 0), 500);
});

test('sweep --threads 0,1,2 finds the planted 20 % serial fraction (± 5 points) and writes a sweep report', () => {
  const file = join(out, 'serial.parprof-sweep.json');
  // Three runs each: the median shrugs off one run slowed by a busy machine.
  const r = parprof('sweep', '--threads', '0,1,2', '--repeat', '3', '--out', file, 'answers-serial.js');
  assert.equal(r.code, 0, r.stderr);
  const sweep = parseSweepReport(readFileSync(file, 'utf8'));
  assert.deepEqual(sweep.variants.map((v) => [v.label, v.runs.length]), [['sequential', 3], ['1 thread', 3], ['2 threads', 3]]);
  const whole = sweepScaling(sweep)[0];
  const s = whole.scaling!.amdahl!.serialFraction;
  // The truth including the run's own serial overhead (loading the runtime, posting operations):
  // the share of the sequential runs outside the parallel part, measured. The planted 3 s keep
  // that overhead to a few points (this share measured 0.198 for a 2 s run, 0.23 for a 3 s run at a
  // load average of 20 on the 2 cores),
  // so the planted 20 % is the answer within the issue's ± 5.
  const seq = sweep.variants[0].runs;
  const outside = median(seq.map((run) => (run.wholeMs - run.regions.find((g) => g.name === 'parallel part')!.wallMs) / run.wholeMs));
  const detail = `serial fraction ${s.toFixed(3)}, measured serial share of the sequential runs ${outside.toFixed(3)}\n${r.stdout}`;
  assert.ok(Math.abs(outside - 0.2) <= 0.05, detail);
  // The fit reads wall times. When the threads of the runs waited for a core (a busy machine:
  // measured per run from the threads' run-queue time), a 2-thread run is stretched by the load,
  // not by the program, and the fit says so much about the machine as about the script; then the
  // sweep must say that it was busy (its load note), and the fit must not read less serial work
  // than the sequential runs show. On a quiet machine the fit is the planted 0.20.
  const busiest = Math.max(...sweep.variants.flatMap((v) => v.runs.map((run) => run.descheduledShare ?? 0)));
  if (busiest >= BUSY_MACHINE_SHARE) assert.match(r.stdout, /^note: the machine was busy — in \d+ of 9 runs a thread waited for a core/m, detail);
  else assert.doesNotMatch(r.stdout, /^note: the machine was busy/m, detail);
  // Quiet: no thread of any run waited for a core more than 3 % of its busy time.
  if (busiest >= 0.03) {
    assert.ok(s >= outside - 0.04, detail);
  } else {
    assert.ok(Math.abs(s - outside) <= 0.04, detail);
    assert.ok(Math.abs(s - 0.2) <= 0.05, detail);
  }
  // The printed number is the file's number; on a busy machine no conclusion is drawn from the wall
  // times, and the critical path's speedups (waits for a core left out) are given instead.
  if (busiest >= BUSY_MACHINE_SHARE) {
    assert.match(r.stdout, /Whole run\n[^]*?serial fraction: not judged from these wall times — threads waited for a core/, detail);
    assert.match(r.stdout, /Whole run\n[^]*?on the critical path \(each run's time on a core along its longest thread, tasks a free thread takes spread as on free cores; medians\), against sequential: sequential: \S+ ms · 1 thread: \S+ ms \(\S+×[^)]*\) · 2 threads: \S+ ms \(\S+×[^)]*\)/, detail);
  } else {
    assert.match(r.stdout, new RegExp(`Whole run\\n[^]*?serial fraction \\(Amdahl fit over sequential, 1 thread, 2 threads\\): ${Math.round(s * 100)} %`));
  }
  assert.match(r.stdout, /Region parallel part @ answers-serial\.js:\d+:\d+/);
  // Each run's .parprof is next to the sweep report and loads.
  parseReport(readFileSync(join(out, sweep.variants[2].runs[0].file)));
});

test('compare: a planted 30 % slowdown exits 1; an improvement and the same run exit 0; --markdown is a table', () => {
  const rec = (factor: string): string => {
    const file = join(out, `slow-${factor}.parprof`);
    const r = parprof('record', '--out', file, 'answers-slow.js', factor);
    assert.equal(r.code, 0, r.stderr);
    return file;
  };
  const base = rec('1'), slow = rec('1.3'), fast = rec('0.7');
  const worse = parprof('compare', base, slow);
  assert.equal(worse.code, 1, worse.stdout + worse.stderr);
  assert.match(worse.stdout, /^\s+whole run\s+\S+ ms\s+\S+ ms\s+[+-]\d+\.\d %/m, 'the wall change is shown');
  // Planted +30 % of CPU work: the verdict judges the critical path in work, which a busy machine
  // does not stretch (its wall change was anywhere from +5 to +130 % here). Linux has the run-queue times it needs.
  const row = /^\s+whole run\s.*REGRESSED \(critical path \+(\d+\.\d) %\)$/m.exec(worse.stdout);
  assert.ok(row, worse.stdout);
  assert.ok(Number(row![1]) >= 20 && Number(row![1]) <= 40, `whole run critical path +${row![1]} % for a planted +30 %`);
  assert.match(worse.stdout, /^regression \(slower by more than 5\.0 % and 1\.00 ms\): whole run, equal tasks$/m);
  assert.match(worse.stdout, /Functions whose self time changed most[^]*\+\S+ ms\s+\S+ ms\s+\S+ ms\s+spinUs answers-slow\.js:\d+/);
  const better = parprof('compare', base, fast);
  assert.equal(better.code, 0, better.stdout);
  assert.match(better.stdout, /improved/);
  const same = parprof('compare', base, base);
  assert.equal(same.code, 0, same.stdout);
  assert.match(same.stdout, /^no regression/m);
  const md = parprof('compare', '--markdown', base, slow);
  assert.equal(md.code, 1);
  assert.match(md.stdout, /^\| region \| base wall \| new wall \| change \|/m);
  // The wall column is whatever the machine made of it (a loaded base run was slower than the
  // planted +30 % once); the verdict is the critical path's, as in the text table.
  assert.match(md.stdout, /^\| whole run \| [^|]+ ms \| [^|]+ ms \| [+-]\d+\.\d % \| .* \| REGRESSED \(critical path \+\d+\.\d %\) \|$/m);
  // A 50 % threshold lets the 30 % slowdown pass.
  assert.equal(parprof('compare', '--max-regression', '50%', base, slow).code, 0);
});

test('ab on a planted skew: static is slowest, by a planted margin, with numbers', () => {
  const file = join(out, 'skew.parprof-sweep.json');
  const r = parprof('ab', '--schedule', 'static,dynamic,steal', '--threads', '2', '--repeat', '3', '--out', file, 'answers-skew.js');
  assert.equal(r.code, 0, r.stderr);
  const report = parseSweepReport(readFileSync(file, 'utf8'));
  assert.equal(report.kind, 'ab');
  const region = abRows(report).find((x) => x.name === 'skewed items')!;
  const wall = Object.fromEntries(region.cells.map((c) => [c.label, c.wallMs.median]));
  const imbalance = Object.fromEntries(region.cells.map((c) => [c.label, c.imbalance!]));
  const detail = JSON.stringify({ wall, imbalance });
  // Planted: under static one thread gets every expensive item, the other none: imbalance 2 (busy
  // time is span time, which a busy machine stretches on both sides alike); dynamic and steal
  // hand out one item at a time: about 1.
  assert.ok(imbalance.static >= 1.8 && imbalance.static <= 2.01, detail);
  assert.ok(imbalance.dynamic <= 1.3 && imbalance.steal <= 1.3, detail);
  // Wall: static ≈ 800 ms, dynamic and steal ≈ 400 ms; a machine at a load average of 20-30
  // stalls threads for 100-200 ms, so the margin asked is less than the planted 2×.
  assert.ok(wall.static > 1.25 * wall.dynamic && wall.static > 1.25 * wall.steal, detail);
  assert.equal(region.slowest, 'static');
  assert.match(r.stdout, /Region skewed items @ answers-skew\.js:\d+:\d+\n\s+variant[^\n]*\n\s+static\s+\d+(\.\d+)? ms/);
  // Ranked by wall time on a quiet machine, by the critical path in work when a run waited for a
  // core (sweep-analysis.ts abRows): the sentence says which.
  const basis = region.basis === 'critical path' ? 'critical path' : 'wall';
  assert.match(r.stdout, new RegExp(`slowest: static, \\+\\d+\\.\\d % ${basis} against (dynamic|steal) \\(\\d+(\\.\\d+)? ms against \\d+(\\.\\d+)? ms\\)`));
});

test('bad input: one line on stderr, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['sweep', '--threads', '0,x', 'answers-serial.js'], /^parprof: --threads must be a comma-separated list of integers ≥ 0, got 0,x\n$/],
    [['sweep', 'no-such.js'], /^parprof: script not found: no-such\.js\n$/],
    [['ab', '--schedule', 'static', 'answers-skew.js'], /^parprof: ab needs at least two variants/],
    [['ab', '--schedule', 'static,fast', 'answers-skew.js'], /^parprof: --schedule must list schedules among static, dynamic or steal, got fast\n$/],
    [['compare', 'a.parprof'], /^parprof: compare takes two reports, base then new; got 1\n$/],
    [['compare', 'missing.parprof', 'missing2.parprof'], /^parprof: cannot read missing\.parprof: no such file \(ENOENT\)\n$/],
    [['compare', 'answers-skew.js', 'answers-skew.js'], /^parprof: answers-skew\.js: not valid JSON/],
    [['compare', '--max-regression', 'lots', 'a', 'b'], /^parprof: --max-regression must be a percentage such as 5% or 2\.5, got lots\n$/],
  ];
  for (const [args, expected] of cases) {
    const r = parprof(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stdout}`);
    assert.match(r.stderr, expected, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
  }
});

test('a sweep of thread counts alone keeps the schedule the script gives its operations; with --schedule it stops on it', () => {
  // sweep-own-schedule.js maps under schedule: 'dynamic' (the README's example), threads left to the pool.
  const file = join(out, 'own-schedule.parprof-sweep.json');
  const r = parprof('sweep', '--threads', '0,1,2', '--out', file, 'sweep-own-schedule.js');
  assert.equal(r.code, 0, r.stderr);
  const report = parseSweepReport(readFileSync(file, 'utf8'));
  assert.deepEqual(report.variants.map((v) => v.label), ['sequential', '1 thread', '2 threads']);
  // Each run ran on the thread count its label says, under the script's dynamic schedule.
  for (const v of report.variants) {
    for (const run of v.runs) {
      const recorded = readAnyReportFile(join(out, run.file));
      assert.deepEqual(recorded.regions.map((g) => [g.threads, g.schedule]), [[v.threads, 'dynamic']], v.label);
    }
  }
  // Asked for a schedule the script overrides: the sweep would label runs it never made.
  const asked = parprof('sweep', '--threads', '1,2', '--schedule', 'static', '--out', join(out, 'own-schedule-static.parprof-sweep.json'), 'sweep-own-schedule.js');
  assert.equal(asked.code, 2, asked.stderr);
  assert.match(asked.stderr, /^parprof: 1 thread, run 1: operation 'map square' ran under schedule 'dynamic', not 'static'/m);
});

test('argument parsing of sweep, ab, compare and record --sequential', () => {
  assert.deepEqual(parseArgs(['sweep', '--threads', '0,1,2', '--repeat=3', 'x.js', '--threads', '9']),
    { cmd: 'sweep', script: 'x.js', args: ['--threads', '9'], threads: [0, 1, 2], repeat: 3 });
  assert.deepEqual(parseArgs(['ab', '--schedule', 'static,dynamic', '--chunk-size', '4,16', '--threads', '2', 'x.js']),
    { cmd: 'ab', script: 'x.js', args: [], schedules: ['static', 'dynamic'], chunkSizes: [4, 16], threads: 2, repeat: 3 });
  assert.deepEqual(parseArgs(['compare', 'a.parprof', 'b.json', '--max-regression', '2.5%', '--markdown']),
    { cmd: 'compare', base: 'a.parprof', next: 'b.json', maxRegression: 0.025, minDeltaMs: 1, markdown: true });
  assert.deepEqual(parseArgs(['record', '--sequential', 'x.js']), { cmd: 'record', script: 'x.js', args: [], threads: 0 });
  assert.deepEqual(parseArgs(['record', '--threads', '0', 'x.js']), { cmd: 'record', script: 'x.js', args: [], threads: 0 });
  assert.throws(() => parseArgs(['sweep', '--threads', '1,1', 'x.js']), /--threads lists a value twice: 1,1/);
});

test('a sweep or an A/B whose script sets its own threads or schedule stops with one line instead of labelling runs it never made; the run is kept', () => {
  // answers-slow.js gives its ThreadPool threads: 2: its 'sequential' run ran on 2 threads.
  const sweep = parprof('sweep', '--threads', '0,2', '--out', join(out, 'fixed-threads.parprof-sweep.json'), 'answers-slow.js', '1');
  assert.equal(sweep.code, 2, sweep.stderr);
  const line = sweep.stderr.split('\n').filter((l) => !/^parprof: .*, run \d+ of \d+ \(/.test(l) && l !== '');
  assert.equal(line.length, 1, sweep.stderr);
  const m = /^parprof: sequential, run 1: operation '[^']+' ran on 2 threads, not in sequential mode: the script gives its ThreadPool `threads` itself .*; its report is (\S+)$/.exec(line[0]);
  assert.ok(m, line[0]);
  assert.ok(existsSync(m[1]), 'the run\'s report is kept');
  assert.ok(!existsSync(join(out, 'fixed-threads.parprof-sweep.json')), 'no sweep report with a false label');
  assert.equal(sweep.stdout, '');
  // advice-workloads.js creates its pool with schedule: 'dynamic': its 'static' run was dynamic.
  const ab = parprof('ab', '--schedule', 'static,dynamic', '--threads', '2', '--repeat', '1', '--out', join(out, 'fixed-schedule.parprof-sweep.json'), 'advice-workloads.js', 'skew');
  assert.equal(ab.code, 2, ab.stderr);
  assert.match(ab.stderr, /^parprof: static, run 1: operation 'warm-up' ran under schedule 'dynamic', not 'static': the script gives it \(or its ThreadPool\) `schedule` itself /m);
});

test('a sweep whose script cannot run sequentially stops on the sequential run and names the thread counts to sweep instead; those run', () => {
  const stopped = parprof('sweep', '--threads', '0,1,2', '--out', join(out, 'esm-self.parprof-sweep.json'), 'sweep-esm-self.mjs');
  assert.equal(stopped.code, 2, stopped.stderr);
  assert.match(stopped.stderr, /^parprof: sequential, run 1: the script exited with code 1; its report is .*\.parprof \(if the script cannot run sequentially, sweep from one thread: --threads 1,2\)$/m, stopped.stderr);
  const fromOne = parprof('sweep', '--threads', '1,2', '--out', join(out, 'esm-self-1.parprof-sweep.json'), 'sweep-esm-self.mjs');
  assert.equal(fromOne.code, 0, fromOne.stderr);
});
