// Wall self time is not invented in a real run (tryout finding: `begin` 170 ms self on 23 ms of
// CPU): a worker renices its own thread to 19 and spins while more CPU hogs than cores run, so its
// samples come tens of ms apart (test/fixtures/gaps-starved.js). Raw V8 weights then charge whole
// starved stretches to one frame; with the cap (unsampled.ts) no function's wall self time is more
// than its samples × the cap, the excess is '(not sampled)', and the thread's total is unchanged.
// The same worker unstarved: the cap touches exactly the samples that came late (none on a quiet
// machine; a loaded one delays a few) and every on-time sample keeps its whole weight.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { functionStats, toFlameTree, topDownTree } from '../../src/model/calltree';
import { buildFlameTree, topFunctions, type FlameNode } from '../../src/model/flame';
import { parseReport } from '../../src/model/load';
import { HIDDEN_FRAMES, indexProfile, selfWeights } from '../../src/model/profile-index';
import type { CpuProfile, Report } from '../../src/model/report';
import { baseSamples } from '../../src/model/transforms';
import { NOT_SAMPLED, sampleCapUs, unsampledTime } from '../../src/model/unsampled';
import { record } from './record-helpers';

const SPIN = 'plantedStarvedSpin';

/** The raw profile read without the model: each sample's frame name, whether trees show it, and its V8 wall weight. */
function rawSamples(p: CpuProfile): { name: string; shown: boolean; weight: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const hidden = (id: number): boolean => {
    for (let k: number | undefined = id; k !== undefined; k = parentOf.get(k)) if (HIDDEN_FRAMES.has(byId.get(k)!.callFrame.functionName)) return true;
    return false;
  };
  const times: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) times.push((t += d));
  return p.samples.map((id, i) => ({
    name: byId.get(id)!.callFrame.functionName || '(anonymous)',
    shown: !hidden(id),
    weight: Math.max(0, (i + 1 < times.length ? times[i + 1] : Math.max(p.endTime, times[i])) - times[i]),
  }));
}

async function run(mode: 'starved' | 'balanced'): Promise<{ report: Report; tid: number; profile: CpuProfile }> {
  const { file, stdout } = await record('gaps-starved.js', { args: [mode] });
  assert.match(stdout, new RegExp(`spun ${mode}`));
  const report = parseReport(readFileSync(file));
  const tp = report.profiles.find((x) => x.profile.nodes.some((n) => n.callFrame.functionName === SPIN));
  assert.ok(tp, `the worker's profile has ${SPIN}`);
  return { report, tid: tp.thread, profile: tp.profile };
}

function names(n: FlameNode, out: string[] = []): string[] {
  out.push(n.name);
  for (const c of n.children) names(c, out);
  return out;
}

test('a starved worker: no function gets more wall self time than its samples × the cap; the excess is (not sampled); totals kept', async () => {
  const { report, tid, profile } = await run('starved');
  const cap = sampleCapUs(report);
  const raw = rawSamples(profile);
  const late = raw.filter((s) => s.shown && s.weight > cap);
  assert.ok(late.length > 0, 'the starved worker has samples later than the cap (nice 19 beside more hogs than cores)');
  // The symptom, as raw V8 weights give it: some frame's wall self time is more than its samples could cover.
  const rawSelf = selfWeights(indexProfile(profile));
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  assert.ok(profile.nodes.some((n, k) => rawSelf[k] > (counts.get(n.id) ?? 0) * cap), 'raw weights invent wall self time here');

  const shownWall = raw.filter((s) => s.shown).reduce((a, s) => a + s.weight, 0);
  const excess = late.reduce((a, s) => a + (s.weight - cap), 0);
  const samplesOf = new Map<string, number>();
  const cappedOf = new Map<string, number>();
  for (const s of raw) if (s.shown) {
    samplesOf.set(s.name, (samplesOf.get(s.name) ?? 0) + 1);
    cappedOf.set(s.name, (cappedOf.get(s.name) ?? 0) + Math.min(s.weight, cap));
  }
  for (const fns of [topFunctions(report, { threads: [tid] }), functionStats(baseSamples(report), { threads: [tid] })]) {
    const ns = fns.find((f) => f.name === NOT_SAMPLED);
    assert.ok(ns && Math.abs(ns.self - excess) < 1e-3, `(not sampled) holds the excess: ${ns?.self} µs, expected ${excess}`);
    for (const f of fns) {
      if (f.name === NOT_SAMPLED) continue;
      assert.ok(f.self <= (samplesOf.get(f.name) ?? 0) * cap + 1e-3, `${f.name}: ${f.self} µs self on ${samplesOf.get(f.name)} samples`);
    }
    const spin = fns.find((f) => f.name === SPIN);
    if (spin) assert.ok(Math.abs(spin.self - (cappedOf.get(SPIN) ?? 0)) < 1e-3, `${SPIN}: self ${spin.self}, its samples capped give ${cappedOf.get(SPIN)}`);
  }
  for (const tree of [buildFlameTree(report, { threads: [tid] }), toFlameTree(topDownTree(baseSamples(report), { threads: [tid] }))]) {
    assert.ok(Math.abs(tree.total - shownWall) < 1e-3, `the thread's tree holds its wall time: ${tree.total} µs, its shown samples ${shownWall}`);
    assert.ok(names(tree).includes(NOT_SAMPLED));
  }
});

test('the same worker unstarved: the cap touches exactly the late samples and every on-time sample keeps its whole weight', async () => {
  const { report, tid, profile } = await run('balanced');
  const cap = sampleCapUs(report);
  const raw = rawSamples(profile);
  const lateIdx = raw.flatMap((s, i) => (s.shown && s.weight > cap ? [i] : []));
  assert.deepEqual([...unsampledTime(indexProfile(profile), cap).samples], lateIdx, 'capped samples = samples later than the cap');
  const spinOnTime = raw.filter((s) => s.shown && s.name === SPIN);
  const spin = topFunctions(report, { threads: [tid] }).find((f) => f.name === SPIN)!;
  assert.ok(Math.abs(spin.self - spinOnTime.reduce((a, s) => a + Math.min(s.weight, cap), 0)) < 1e-3);
  const tree = buildFlameTree(report, { threads: [tid] });
  if (lateIdx.length === 0) {
    // Samples all on time: the tree is the raw weights' tree, with no (not sampled) anywhere.
    assert.ok(!names(tree).includes(NOT_SAMPLED));
    assert.ok(Math.abs(spin.self - spinOnTime.reduce((a, s) => a + s.weight, 0)) < 1e-3);
  } else {
    // A loaded machine delayed some: only those lost weight, and (not sampled) holds exactly what they lost.
    const ns = topFunctions(report, { threads: [tid] }).find((f) => f.name === NOT_SAMPLED)!;
    assert.ok(Math.abs(ns.self - lateIdx.reduce((a, i) => a + raw[i].weight - cap, 0)) < 1e-3);
  }
});
