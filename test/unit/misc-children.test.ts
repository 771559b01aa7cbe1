// A run whose script forks children (child-killed.js: the script runs no pool itself; one child
// is killed with SIGKILL, one crashes, each after a pool operation). The phases are the run's
// timeline, so a child's boot and its own code are no serial code of the script's main thread:
// they get a 'child processes' phase, 'serial' is the main process's main thread alone, and no
// finding says the main thread ran serial code while a child was the one running. A killed
// child's threads end with it, not with the run, and a sample gap names its thread's pid once.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { advise } from '../../src/model/advice';
import { mainThreadWork, SAMPLE_ENGINE, SAMPLE_USER } from '../../src/model/main-thread-work';
import { analyze } from '../../src/model/analysis';
import { parseReport, serializeReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { fixtures, record } from './record-helpers';

const overlaps = (a: [number, number], b: [number, number]) => Math.min(a[1], b[1]) - Math.max(a[0], b[0]) > 1e-6;

test('a script that forks children: a child-processes phase, serial is the main thread alone, no serial finding for a child\'s time', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-killed.js'));
  assert.equal(report.exit.code, 0, stdout);
  const children = (report.processes ?? []).filter((p) => p.startedBy !== 'main');
  assert.equal(children.length, 2);
  const metrics = analyze(report);
  const p = metrics.extra.phases!;
  assert.equal(p.childProcesses, 2);
  assert.ok(p.childProcessesMs! > 0, 'the children booted while nothing else ran');
  const sum = p.processStartMs + p.recorderStartMs + p.poolStartupMs + p.operationsMs + p.childProcessesMs! + p.serialMs;
  assert.ok(Math.abs(sum - p.totalMs) < 1e-6, `six phases add up: ${sum} against ${p.totalMs}`);

  // Every 'serial' stretch is the main process alone (no operation running) and, while a child
  // lived, a worker started or a call waited for it, only where the main thread ran its own code.
  const lives = children.map((c): [number, number] => [c.spawned ?? c.start, c.end ?? report.meta.durationUs]);
  const ops = report.regions.map((r): [number, number] => [r.start, r.end ?? report.meta.durationUs]);
  const calls = report.regions.filter((r) => r.called !== undefined && r.called < r.start).map((r): [number, number] => [r.called!, r.start]);
  const starting = report.startup!.workers.map((w): [number, number] => [w.created, w.ready ?? report.meta.durationUs]);
  const work = mainThreadWork(report)!;
  for (const x of p.intervals.filter((i) => i.kind === 'serial')) {
    for (const b of ops) assert.ok(!overlaps([x.start, x.end], b), `serial ${x.start}–${x.end} overlaps an operation ${b[0]}–${b[1]}`);
    for (const [a, b] of [...lives, ...starting, ...calls]) {
      const lo = Math.max(a, x.start), hi = Math.min(b, x.end);
      if (!(hi > lo)) continue;
      // The main thread's own code, and engine-only samples (a GC) inside its run, which count with
      // it (userStretches bridges them): what breaks a run is a sample of another kind (idle, the
      // runtime's, module loading). Not userStretches(lo, hi) itself: a window that starts inside a
      // run on an engine sample does not see the run it bridges (5.1 ms read 1.1 under load).
      let other = 0;
      for (let i = 0; i < work.starts.length && work.starts[i] < hi; i++) {
        if (work.kind[i] === SAMPLE_USER || work.kind[i] === SAMPLE_ENGINE || work.inUser[i]) continue;
        other += Math.max(0, Math.min(hi, work.ends[i]) - Math.max(lo, work.starts[i]));
      }
      const own = hi - lo - other;
      assert.ok(own >= 0.8 * (hi - lo), `serial ${x.start}–${x.end} over ${a}–${b}: the main thread's own code ${own} of ${hi - lo} µs`);
    }
  }
  // And every 'child-process' stretch lies in a child's life.
  for (const x of p.intervals.filter((i) => i.kind === 'child-process')) {
    assert.ok(lives.some(([a, b]) => x.start >= a - 1e-6 && x.end <= b + 1e-6), `child-process ${x.start}–${x.end} inside a child's life`);
  }
  // No serial finding over a child's time (the script itself has no pool: its main thread forks and waits).
  for (const a of advise(report, metrics).filter((x) => x.rule === 'serial')) {
    for (const life of lives) assert.ok(!overlaps([a.range!.from, a.range!.to], life), `serial advice ${a.range!.from}–${a.range!.to} over a child's life`);
  }

  const text = formatSummary(report, metrics);
  const row = (label: string) => text.split('\n').find((l) => l.startsWith(`  ${label.padEnd(15)} `));
  assert.match(row('child processes') ?? '', /  2 child processes running \(starting, their own code, exiting\) while no operation ran and no worker started$/);
  assert.match(row('serial') ?? '', /  the main process's main thread alone: [\d.]+ ms before, [\d.]+ ms between, [\d.]+ ms after \(exit included\); its own code on a CPU [\d.]+ ms \(the rest waiting, descheduled, loading modules or the profiler's\)$/);
  assert.match(row('operations') ?? '', /pool operations running in any process$/);
  assert.match(row('pool start-up') ?? '', /4 worker start-ups \(all processes\)/);
  assert.doesNotMatch(text, /\(pid \d+\) \(process \d+\)/, 'a child thread\'s pid named once');
});

test('a killed child\'s thread ends with its process: no "CPU readings stop" claim to the run\'s end', async () => {
  const { report } = await record(join(fixtures(), 'child-killed.js'));
  const killed = report.processes!.find((c) => c.died?.reason === 'killed by SIGKILL')!;
  assert.ok(killed && killed.end !== undefined, JSON.stringify(report.processes));
  const open = report.threads.filter((t) => t.process === killed.pid && t.end === undefined);
  assert.ok(open.length > 0, 'the killed child left a thread with no recorded end');
  // Planted: the script lives on 2 s after its child was killed (its own end, its main thread's).
  const late = JSON.parse(serializeReport(report)) as Report;
  const d = 2_000_000;
  late.meta.durationUs += d;
  late.processes![0].end! += d;
  late.threads.find((t) => t.id === 0)!.end! += d;
  const back = parseReport(serializeReport(late));
  const metrics = analyze(back);
  for (const t of open) {
    // A thread killed before its first CPU reading was written (a loaded machine) has none: no claim either.
    const series = back.cpu?.find((c) => c.thread === t.id);
    const lastReading = series ? series.t[series.t.length - 1] : undefined;
    const m = metrics.threads.find((x) => x.id === t.id)!;
    // Its readings stop where its process was killed; past that it had no life to read.
    const expectStop: boolean = lastReading !== undefined && killed.end! - lastReading > 500_000;
    assert.equal(m.cpuReadingsEndMs !== undefined, expectStop, `${t.name}: last reading ${lastReading}, process end ${killed.end}`);
    if (expectStop) assert.equal(m.lifeEndMs, killed.end! / 1000);
    assert.doesNotMatch(formatSummary(back, metrics), new RegExp(`${t.name.replace(/[()]/g, '\\$&')}: CPU readings stop at .* to ${(late.meta.durationUs / 1000).toFixed(0)}`));
  }
});
