// Part 1: our ThreadPool against piscina, tinypool, workerpool and a hand-written worker_threads
// pool on the same jobs, each case in its own process (pool-case.mjs) with a timeout.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runJson, median } from '../lib/child.mjs';

const require = createRequire(import.meta.url);
const { spin } = require('../fixtures/work.cjs');
const caseScript = fileURLToPath(new URL('../pool-case.mjs', import.meta.url));

/** Sequential CPU work per job, µs: about one second, as issue 2 asks. */
const JOB_US = 1_000_000;
/** Mandelbrot image that takes about one second sequentially here (see fixtures/work.cjs). */
export const MANDEL = { BENCH_MANDEL_W: '1000', BENCH_MANDEL_H: '750', BENCH_MANDEL_MAX: '2000' };
const PEERS = ['piscina', 'tinypool', 'workerpool', 'plain'];

/**
 * Busy-loop iterations per µs on this thread: the fastest of 5 timed runs after a warm-up.
 * Other processes can only slow a run down, so the fastest one is the best estimate of the
 * machine's speed (the median would shrink every job when the machine is shared).
 */
export function calibrate() {
  const iters = 20_000_000;
  spin(iters);
  const rates = [];
  for (let k = 0; k < 5; k++) {
    const t0 = process.hrtime.bigint();
    spin(iters);
    rates.push(iters / (Number(process.hrtime.bigint() - t0) / 1e3));
  }
  return Math.max(...rates);
}

/**
 * Efficiency target of issue 2 for a row, or undefined when none applies: uniform jobs hold
 * every pool to it, but ours only with its default schedule (the one a user gets); Mandelbrot
 * only ours with dynamic and steal (static is unbalanced on purpose).
 */
function targetFor(job, pool, variant, defaultSchedule) {
  if (job.name === 'mandelbrot') return pool === 'ours' && variant !== 'static' ? 0.95 : undefined;
  if (pool === 'ours' && variant !== defaultSchedule) return undefined;
  return job.taskUs >= 100 ? 0.95 : 0.90;
}

/** The default schedule of our pool, read from the built package (undefined when not built). */
function oursDefaultSchedule() {
  try { return require('parallel-profiler').defaultSchedule(); } catch { return undefined; }
}

/**
 * Runs every pool on every job. ipu = busy-loop iterations per µs; ours = whether
 * dist/runtime/index.js exists (otherwise our rows say why they are missing).
 * Returns rows for the results table.
 */
export async function benchPools({ threads, reps, ipu, oursMissing, log }) {
  const jobs = [
    ...[1000, 100, 10].map((taskUs) => ({
      name: `spin ${taskUs >= 1000 ? taskUs / 1000 + ' ms' : taskUs + ' µs'}`, job: 'spin', taskUs,
      tasks: Math.round(JOB_US / taskUs), env: { BENCH_SPIN_ITERS: String(Math.round(ipu * taskUs)) },
    })),
    { name: 'mandelbrot', job: 'mandel', tasks: Number(MANDEL.BENCH_MANDEL_H), env: MANDEL },
  ];
  const rows = [];
  const defaultSchedule = oursDefaultSchedule();
  for (const job of jobs) {
    // The sequential baseline runs first and last, and its median covers both: when other
    // processes load the machine part of the time, the baseline sees the same mix as the pools.
    const cases = [['sequential', 'main thread']];
    for (const v of ['static', 'dynamic', 'steal']) cases.push(['ours', v]);
    for (const p of PEERS) cases.push([p, 'task'], [p, 'batch']);
    cases.push(['sequential', 'main thread']);
    const results = [];
    for (const [pool, variant] of cases) {
      let r;
      if (pool === 'ours' && oursMissing) r = { ok: false, reason: oursMissing };
      else {
        const spec = { pool, job: job.job, variant, threads, tasks: job.tasks, reps };
        r = await runJson(process.execPath, [caseScript, JSON.stringify(spec)], { env: job.env, timeoutMs: 90_000 });
      }
      const res = { job, pool, variant, ...r, wallMs: r.ok ? median(r.value.walls) : undefined, runs: r.ok ? r.value.walls.length : 0 };
      results.push(res);
      log(`  ${job.name.padEnd(12)} ${pool.padEnd(10)} ${variant.padEnd(11)} ${r.ok ? res.wallMs.toFixed(1) + ' ms' : 'unavailable: ' + r.reason}`);
    }
    const seqRuns = [results.shift(), results.pop()].filter((x) => x.ok);
    const seq = seqRuns.length === 0
      ? { job, pool: 'sequential', variant: 'main thread', ok: false, reason: 'sequential baseline failed both times' }
      : { ...seqRuns[0], runs: seqRuns.reduce((n, x) => n + x.runs, 0), wallMs: median(seqRuns.flatMap((x) => x.value.walls)) };
    results.unshift(seq);
    const piscina = results.find((x) => x.pool === 'piscina' && x.variant === 'task');
    for (const x of results) {
      const label = x.pool === 'ours' && x.variant === defaultSchedule ? `${x.variant} (default)` : x.variant;
      const row = { section: 'pools', job: job.name, pool: x.pool, variant: label, runs: x.runs };
      if (!x.ok) { rows.push({ ...row, unavailable: x.reason }); continue; }
      row.wallMs = x.wallMs;
      if (seq.ok && x.value.checksum !== seq.value.checksum) row.note = `wrong result: checksum ${x.value.checksum}, expected ${seq.value.checksum}`;
      if (seq.ok && x.pool !== 'sequential') {
        row.speedup = seq.wallMs / x.wallMs;
        row.efficiency = row.speedup / threads;
        if (piscina?.ok) row.vsPiscina = piscina.wallMs / x.wallMs;
        row.target = targetFor(job, x.pool, x.variant, defaultSchedule);
        if (row.target !== undefined) row.pass = row.efficiency >= row.target;
      }
      if (x.variant === 'batch') row.note = [row.note, `${threads * 8} batched messages per run`].filter(Boolean).join('; ');
      if (x.pool === 'sequential') row.note = `median of ${x.runs} runs: before and after the pools`;
      else if (x.runs === 1 && reps > 1) row.note = [row.note, 'one run (slow)'].filter(Boolean).join('; ');
      rows.push(row);
    }
  }
  return rows;
}
