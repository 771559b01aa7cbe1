// The serial finding measures serial code: the main thread's own code on a CPU (its schedstat
// readings), not its waits (a child booting, workers starting) nor wall time stretched by a loaded
// machine. Planted workloads spin on the thread's CPU clock (test/fixtures/f4-serial.js), so the
// answers hold at any load; the tests assert shares and bounds, never timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { advise, type Advice } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { fixtures, record, tempDir } from './record-helpers';

const SCRIPT = join(fixtures(), 'f4-serial.js');

async function run(mode: string, env?: Record<string, string>): Promise<{ report: Report; advice: Advice[]; serial: Advice[] }> {
  const { report, stderr } = await record(SCRIPT, { args: [mode], ...(env ? { env } : {}) });
  assert.ok(report, `${mode}: no report; stderr:\n${stderr}`);
  const advice = advise(report, analyze(report));
  return { report, advice, serial: advice.filter((a) => a.rule === 'serial') };
}

function detail(advice: Advice[], report?: Report): string {
  const p = report ? analyze(report).extra.phases : undefined;
  const phases = p ? `\nphases: serial ${p.serialMs} ms, its own code ${p.serialCodeMs} ms (${p.serialCodeSource}); ${p.intervals.map((x) => `${x.kind} ${x.start}-${x.end}`).join(', ')}` : '';
  return advice.map((a) => `${a.rule}: ${a.text}`).join('\n') + phases;
}

test('planted 20 % serial code (100 ms of CPU between two maps of 200 ms each): ~20 % of the work, Amdahl ~5x, measured on a CPU', async () => {
  const { report, advice, serial } = await run('between');
  assert.equal(serial.length, 1, detail(advice, report));
  const [a] = serial;
  assert.equal(a.evidence.onCpu, 1, a.text);
  assert.ok(a.evidence.serialMs >= 80 && a.evidence.serialMs <= 130, `serial ${a.evidence.serialMs} ms of CPU, planted 100\n${a.text}`);
  const share = a.evidence.serialMs / a.evidence.workMs;
  assert.ok(Math.abs(share - 0.2) <= 0.05, `share ${share}, planted 0.20\n${a.text}`);
  assert.equal(a.evidence.maxSpeedup, a.evidence.workMs / a.evidence.serialMs);
  assert.ok(a.evidence.maxSpeedup >= 4 && a.evidence.maxSpeedup <= 6.7, `Amdahl bound ${a.evidence.maxSpeedup}, planted 5\n${a.text}`);
  assert.match(a.text, /^the main thread ran [\d.]+ ms of serial code on a CPU while the workers idled \(before region 'second'\): \d+ % of the run's [\d.]+ ms of work/);
  // Between the maps: the finding's range ends before the second map starts, after the first ends.
  const [first, second] = ['first', 'second'].map((n) => report.regions.find((r) => r.name === n)!);
  assert.ok(a.range!.from >= first.end! && a.range!.to <= second.start, 'the stretch is between the maps');
  const p = analyze(report).extra.phases!;
  assert.equal(p.serialCodeSource, 'cpu');
  assert.ok(p.serialCodeMs! >= a.evidence.serialMs && p.serialCodeMs! <= p.serialMs, `serial code ${p.serialCodeMs} of the serial phase's ${p.serialMs} ms`);

  // Without CPU readings the phases fall back to wall time, which holds the CPU time and more.
  const wall: Report = { ...report, cpu: undefined };
  const pw = analyze(wall).extra.phases!;
  assert.equal(pw.serialCodeSource, 'wall');
  assert.ok(pw.serialCodeMs! >= p.serialCodeMs! && pw.serialCodeMs! <= pw.serialMs, `wall ${pw.serialCodeMs} ms, CPU ${p.serialCodeMs} ms, phase ${pw.serialMs} ms`);
});

test('serial code between new ThreadPool and its first map is serial code, not pool start-up', async () => {
  const { report, advice, serial } = await run('startup');
  assert.equal(serial.length, 1, detail(advice, report));
  const [a] = serial;
  assert.ok(a.evidence.serialMs >= 80 && a.evidence.serialMs <= 130, `serial ${a.evidence.serialMs} ms of CPU, planted 100\n${a.text}`);
  // The stretch lies inside the workers' start-up window...
  const created = Math.min(...report.startup!.workers.map((w) => w.created));
  const region = report.regions.find((r) => r.name === 'after start-up')!;
  assert.ok(a.range!.from >= created && a.range!.to <= region.start, `range ${a.range!.from}-${a.range!.to}, start-up from ${created}, map at ${region.start}`);
  // ...and the phases count it as serial: no start-up interval overlaps it.
  const p = analyze(report).extra.phases!;
  const overlap = p.intervals.filter((x) => x.kind === 'pool-startup' && x.start < a.range!.to && x.end > a.range!.from);
  assert.deepEqual(overlap, [], 'start-up intervals overlapping the serial code');
  assert.ok(p.serialCodeMs! >= 80, `serial code ${p.serialCodeMs} ms`);
  // One operation: serial code before it, none "between" (the cut-out read as 'between' once).
  assert.equal(report.regions.length, 1);
  assert.equal(p.serialBetweenMs, 0, `before ${p.serialBeforeMs} ms, between ${p.serialBetweenMs} ms`);
  assert.ok(p.serialBeforeMs >= (a.range!.to - a.range!.from) / 1000, `before ${p.serialBeforeMs} ms holds the ${(a.range!.to - a.range!.from) / 1000} ms stretch`);
});

test('a worker is ready when it says so, not when a busy main thread reads its message: the serial code after that is a saving', async () => {
  // The main thread spins until both workers have loaded the task module (they say so by a file),
  // then 300 ms more: their 'ready' messages wait in its queue all that time (150 ms of it after ready, whatever the load).
  const { report, advice, serial } = await run('late', { F4_READY_DIR: tempDir('f4-ready-') });
  assert.equal(serial.length, 1, detail(advice, report));
  const [a] = serial;
  const region = report.regions.find((r) => r.name === 'after late start-up')!;
  const workers = report.startup!.workers;
  assert.equal(workers.length, 2);
  // Ready by the workers' clock: well before the main thread's last 200 ms of CPU began.
  for (const w of workers) assert.ok(w.ready !== undefined && w.ready <= region.start - 150_000, `ready ${w.ready}, map at ${region.start}\n${a.text}`);
  assert.ok(a.evidence.serialMs >= 180, `serial ${a.evidence.serialMs} ms\n${a.text}`);
  assert.ok(a.evidence.serialMs - a.evidence.duringStartupMs >= 150, `after the workers were ready: ${a.evidence.serialMs - a.evidence.duringStartupMs} ms\n${a.text}`);
  assert.doesNotMatch(a.text, /would save nothing/);
  assert.match(a.text, /would save ~/);
});

test('silent: two maps with nothing between them give no serial finding', async () => {
  const { advice, serial } = await run('none');
  assert.deepEqual(serial, [], detail(advice));
});

test('silent: a parent that only waits for a child booting for 1 s of CPU has no serial code', async () => {
  const { report, advice, serial } = await run('fork');
  assert.ok((report.processes ?? []).length >= 2, 'the child was recorded');
  assert.deepEqual(serial, [], detail(advice));
  const p = analyze(report).extra.phases!;
  assert.equal(p.serialCodeSource, 'cpu');
  assert.ok(p.serialCodeMs! < 50, `the parent's own code on a CPU: ${p.serialCodeMs} ms`);
});

test('a parent that runs 200 ms of its own code while its child boots: that is serial code, not the child\'s', async () => {
  const { report, advice, serial } = await run('forkwork');
  assert.equal(serial.length, 1, detail(advice, report));
  const [a] = serial;
  assert.ok(a.evidence.serialMs >= 160 && a.evidence.serialMs <= 250, `serial ${a.evidence.serialMs} ms of CPU, planted 200\n${a.text}`);
  const child = (report.processes ?? []).find((x) => x.startedBy !== 'main')!;
  assert.ok(a.range!.to > (child.spawned ?? child.start), 'the stretch runs on while the child lives');
  const p = analyze(report).extra.phases!;
  const overlap = p.intervals.filter((x) => x.kind === 'child-process' && x.start < a.range!.to && x.end > a.range!.from);
  assert.deepEqual(overlap, [], 'child-process intervals overlapping the parent\'s code');
  // The CPU readings that keep each stretch's CPU time its own (the model spreads CPU time evenly
  // between two readings): one where the script starts, one at the spawn, before the parent's loop...
  const readings = (thread: number): number[] => Array.from(report.cpu!.find((c) => c.thread === thread)!.t);
  const spinTimes = (thread: number): number[] => {
    const prof = report.profiles.find((x) => x.thread === thread)!.profile;
    // Samples with spinCpu on their stack (their leaf is mostly the schedstat read it calls).
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const spin = new Set<number>();
    const under = (id: number): void => { if (spin.has(id)) return; spin.add(id); for (const c of byId.get(id)?.children ?? []) under(c); };
    for (const n of prof.nodes) if (n.callFrame.functionName === 'spinCpu') under(n.id);
    const out: number[] = [];
    let t = prof.startTime;
    prof.samples.forEach((id, k) => { t += prof.timeDeltas[k]; if (spin.has(id)) out.push(t); });
    return out;
  };
  const st = report.startup!;
  assert.ok(readings(0).some((t) => t > st.preload && t <= st.script), `a reading where the script starts (${st.preload}-${st.script}): ${readings(0).join(', ')}`);
  const parentSpin = spinTimes(0);
  assert.ok(readings(0).some((t) => t >= child.spawned! && t <= parentSpin[0]), `a reading between the spawn (${child.spawned}) and the loop (${parentSpin[0]}): ${readings(0).join(', ')}`);
  // ...and one at each chunk cut: the child's 1 s loop at load, which never yields, has one inside.
  const childMain = report.threads.find((t) => t.process === child.pid && t.kind === 'main')!.id;
  const childSpin = spinTimes(childMain);
  assert.ok(readings(childMain).some((t) => t > childSpin[0] && t < childSpin[childSpin.length - 1]), `a reading inside the child's loop (${childSpin[0]}-${childSpin[childSpin.length - 1]}): ${readings(childMain).join(', ')}`);
});
