// CPU activity under each lane: samples binned by category over a window. Planted profile with a
// known category per sample: the bins sum to each category's sample count, bins land where the
// samples are, and the on-CPU share follows a planted CPU-time series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexProfile } from '../../src/model/profile-index';
import { ACTIVITY_CATEGORIES, activityBins, activityBinsOf, activityPrefix, nodeCategories, onCpuShare } from '../../src/model/activity';
import { syntheticReport } from '../../src/model/synthetic';
import { buildProfile } from './model-build';

// (root) -> user task (in the app) -> Math.sqrt (native: counts as the caller, user);
// (root) -> pool runtime -> node:internal; (garbage collector); (idle); (program).
const profile = buildProfile([
  [1, '(root)', '', -1, [2, 4, 6, 7, 8]],
  [2, 'task', 'file:///app/task.js', 3, [3]],
  [3, 'sqrt', '', -1, []],
  [4, 'runTask', 'file:///opt/parprof/dist/runtime/worker.js', 10, [5]],
  [5, 'postMessage', 'node:internal/worker/io', 100, []],
  [6, '(garbage collector)', '', -1, []],
  [7, '(idle)', '', -1, []],
  [8, '(program)', '', -1, []],
], [
  // times 100, 200, ... 1200 (each delta 100 µs from startTime 0)
  [2, 100], [3, 100], [2, 100], [4, 100], [5, 100], [6, 100], [7, 100], [7, 100], [8, 100], [2, 100], [5, 100], [7, 100],
], 1300);

test('categories: user code (natives count as their caller), pool runtime, node:, GC, idle, program', () => {
  const index = indexProfile(profile);
  const cat = Array.from(nodeCategories(index), (c) => ACTIVITY_CATEGORIES[c]);
  assert.deepEqual(cat.slice(1), ['user', 'user', 'runtime', 'node', 'gc', 'idle', 'program']);
});

test('activity bins sum to the samples of each category, and sit where the samples are', () => {
  const index = indexProfile(profile);
  const whole = activityBins(index, 0, 1300, 13);
  const sums = Object.fromEntries(ACTIVITY_CATEGORIES.map((c, i) => [c, whole.counts[i].reduce((a, b) => a + b, 0)]));
  assert.deepEqual(sums, { user: 4, runtime: 1, node: 2, gc: 1, program: 1, idle: 3 });
  assert.equal(whole.samples, 12);
  // Sample k (1-based) at 100·k µs lands in bin k of 100 µs bins.
  const user = ACTIVITY_CATEGORIES.indexOf('user');
  assert.deepEqual(Array.from(whole.counts[user]), [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  // A window counts only its samples: [350, 750) holds samples at 400, 500, 600, 700.
  const part = activityBins(index, 350, 750, 2);
  assert.equal(part.samples, 4);
  assert.deepEqual(ACTIVITY_CATEGORIES.map((_, i) => Array.from(part.counts[i])), [[0, 0], [1, 0], [1, 0], [0, 1], [0, 0], [0, 1]]);
});

test('on a synthetic report, every thread: bins over the run add up to its sample count', () => {
  const r = syntheticReport({ threads: 3, spans: 300, profiles: 4, samplesPerProfile: 5000, seed: 3 });
  for (const tp of r.profiles) {
    const index = indexProfile(tp.profile);
    // Synthetic sample times drift a little past the run's end: bin up to the last one.
    const bins = activityBins(index, 0, index.times[index.times.length - 1] + 1, 777);
    let total = 0;
    for (const c of bins.counts) for (const v of c) total += v;
    assert.equal(total, tp.profile.samples.length, `thread ${tp.thread}`);
    const cat = nodeCategories(index);
    const idle = ACTIVITY_CATEGORIES.indexOf('idle');
    let idleSamples = 0;
    for (const k of index.sampleNode) if (cat[k] === idle) idleSamples++;
    assert.equal(bins.counts[idle].reduce((a, b) => a + b, 0), idleSamples);
  }
});

test('on-CPU share follows the planted CPU-time series; unknown outside the readings', () => {
  // On a CPU all of 0–100 ms, a quarter of 100–200 ms, readings every 50 ms.
  const series = { thread: 1, source: 'schedstat' as const, t: [0, 50_000, 100_000, 150_000, 200_000], onCpu: [0, 50_000, 100_000, 112_500, 125_000] };
  const share = Array.from(onCpuShare(series, 0, 250_000, 5));
  assert.deepEqual(share.slice(0, 4), [1, 1, 0.25, 0.25]);
  assert.ok(Number.isNaN(share[4]));
});

/** The reference: each sample of [from, to) counted into its bin one by one. */
function naiveBins(index: ReturnType<typeof indexProfile>, from: number, to: number, bins: number): { samples: number; counts: number[][] } {
  const n = Math.max(1, Math.floor(bins));
  const counts = ACTIVITY_CATEGORIES.map(() => new Array<number>(n).fill(0));
  let samples = 0;
  if (!(to > from)) return { samples, counts };
  const cat = nodeCategories(index);
  const scale = n / (to - from);
  index.times.forEach((t, i) => {
    if (t < from || t >= to) return;
    const k = index.sampleNode[i];
    counts[k >= 0 ? cat[k] : ACTIVITY_CATEGORIES.indexOf('program')][Math.min(n - 1, Math.floor((t - from) * scale))]++;
    samples++;
  });
  return { samples, counts };
}

test('activity bins (walked, or from running counts when dense) are the samples counted one by one, for any window and bin count', () => {
  const r = syntheticReport({ threads: 3, spans: 300, profiles: 2, samplesPerProfile: 20_000, seed: 11 });
  let rnd = 7;
  const next = () => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const tp of r.profiles) {
    const index = indexProfile(tp.profile);
    const prefix = activityPrefix(index);
    const last = index.times[index.times.length - 1];
    const windows: [number, number, number][] = [[0, last + 1, 777], [0, last + 1, 1], [index.times[10], index.times[10] + 1e-3, 5], [last + 10, last + 20, 3], [5, 5, 4]];
    // Windows whose edges are sample times themselves (the boundary cases), and random ones.
    windows.push([index.times[100], index.times[5000], 1200], [index.times[7], index.times[19_000], 333]);
    // Dense windows (more than 128 samples a bin): counted from the running counts, not walked.
    windows.push([0, last + 1, 50], [index.times[100], index.times[19_000], 60], [index.times[3], index.times[19_990], 149]);
    for (let k = 0; k < 40; k++) { const a = next() * last; windows.push([a, a + next() * (last - a) + 1e-6, 1 + Math.floor(next() * 1500)]); }
    for (const [from, to, bins] of windows) {
      const want = naiveBins(index, from, to, bins);
      const got = activityBinsOf(prefix, from, to, bins);
      assert.equal(got.samples, want.samples, `[${from}, ${to}) × ${bins}`);
      assert.deepEqual(got.counts.map((c) => Array.from(c)), want.counts, `[${from}, ${to}) × ${bins}`);
    }
  }
});
