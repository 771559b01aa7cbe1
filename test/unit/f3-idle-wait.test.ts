// A worker of our pool waiting for work in the pool's own Atomics.wait loop (steal's backoff,
// join's sleepUntilPushed) is idle, as a worker back in its event loop ('(idle)') is: the samples
// busy/idle split, the activity graph and the hot functions count it so (a tryout read a steal
// worker with 242 ms busy and 869 ms idle as 770 busy samples of 862, and 'parprof runtime' as
// 695 ms of self time with 18 ms of it on a CPU). Planted (test/fixtures/f3-idle-wait.js): one
// thread spins 300 ms of CPU while the other has nothing to run; real threads, recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { activityBins, ACTIVITY_CATEGORIES } from '../../src/model/activity';
import { indexProfile } from '../../src/model/profile-index';
import { RUNTIME_ENTRY } from '../../src/model/hot-functions';
import type { CpuProfile, Report } from '../../src/model/report';
import { record } from './record-helpers';

/** The pool's waits as the runtime names them (src/runtime/pool-run.ts), read here from the raw profile. */
const WAITS = new Set(['backoff', 'sleepUntilPushed']);

interface Leaves { idle: number; wait: number; waitUs: number; total: number }

/** Samples by their leaf frame, from the raw profile: '(idle)', one of the pool's waits, others. */
function leaves(profile: CpuProfile, from = -Infinity, to = Infinity): Leaves {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const out: Leaves = { idle: 0, wait: 0, waitUs: 0, total: 0 };
  let t = profile.startTime;
  for (let k = 0; k < profile.samples.length; k++) {
    t += profile.timeDeltas[k];
    if (t < from || t >= to) continue;
    const next = k + 1 < profile.samples.length ? t + profile.timeDeltas[k + 1] : profile.endTime;
    const cf = byId.get(profile.samples[k])!;
    out.total++;
    if (cf.functionName === '(idle)') out.idle++;
    else if (WAITS.has(cf.functionName) && /\/runtime\//.test(cf.url)) { out.wait++; out.waitUs += next - t; }
  }
  return out;
}

async function waitingThread(mode: string): Promise<{ report: Report; id: number; profile: CpuProfile; from: number; to: number }> {
  const { report, stderr } = await record('f3-idle-wait.js', { args: [mode] });
  assert.equal(report.exit.code, 0, stderr);
  const region = report.regions.findIndex((r) => r.name === 'wait');
  assert.ok(region >= 0, 'region wait');
  const reg = report.regions[region];
  // The waiting thread is the worker with the least task time in the region.
  const busy = new Map<number, number>();
  const s = report.spans;
  for (let k = 0; k < s.count; k++) if (s.region[k] === region) busy.set(s.thread[k], (busy.get(s.thread[k]) ?? 0) + s.end[k] - s.start[k]);
  const workers = report.threads.filter((t) => t.kind === 'worker').map((t) => t.id);
  assert.equal(workers.length, 2);
  const id = workers.reduce((a, b) => ((busy.get(b) ?? 0) < (busy.get(a) ?? 0) ? b : a));
  const profile = report.profiles.find((p) => p.thread === id)?.profile;
  assert.ok(profile, `thread ${id} profiled`);
  return { report, id, profile, from: reg.start, to: reg.end ?? report.meta.durationUs };
}

function checkIdle(mode: string, expectWait: boolean): Promise<void> {
  return (async () => {
    const { report, id, profile, from, to } = await waitingThread(mode);
    const all = leaves(profile);
    const inRegion = leaves(profile, from, to);
    if (expectWait) {
      // The other thread's 300 ms of CPU is at least 300 ms of wall: dozens of samples at any load.
      assert.ok(inRegion.wait >= 10, `${mode}: samples in the pool's wait during the region: ${JSON.stringify(inRegion)}`);
    } else {
      assert.equal(all.wait, 0, `${mode}: no sample in the pool's waits`);
      assert.ok(inRegion.idle >= 10, `${mode}: '(idle)' samples during the region: ${JSON.stringify(inRegion)}`);
    }
    const metrics = analyze(report);
    const t = metrics.threads.find((x) => x.id === id)!;
    assert.equal(t.idleSamples, all.idle + all.wait, `${mode}: idle samples = '(idle)' ${all.idle} + the pool's waits ${all.wait}`);
    assert.equal(t.busySamples, all.total - all.idle - all.wait);
    // The activity graph draws them as idle.
    const bins = activityBins(indexProfile(profile), from, to, 1);
    const idle = bins.counts[ACTIVITY_CATEGORIES.indexOf('idle')][0];
    assert.equal(idle, inRegion.idle + inRegion.wait, `${mode}: idle in the activity graph`);
    // No self time of the runtime is made of waiting: it is left out of the trees as '(idle)' is.
    // (The runtime's other self time, start-up and recording, is a few ms; the waits are 300 ms or more.)
    const runtime = t.topFunctions.find((f) => f.name === RUNTIME_ENTRY && f.file === '');
    const waitMs = all.waitUs / 1000;
    if (expectWait) assert.ok(!runtime || runtime.selfMs < 0.5 * waitMs,
      `${mode}: 'parprof runtime' self ${runtime?.selfMs.toFixed(1)} ms, the pool's waits ${waitMs.toFixed(1)} ms`);
    for (const f of t.topFunctions) assert.ok(!WAITS.has(f.name), `${mode}: ${f.name} among the hottest functions`);
  })();
}

test('steal: a worker backing off with nothing to steal counts as idle', () => checkIdle('steal', true));
test('join: a worker sleeping until a task is pushed counts as idle', () => checkIdle('join', true));
test('dynamic: a worker back in its event loop is idle, with no pool wait in its samples', () => checkIdle('dynamic', false));
