// One benchmark case in its own process: build a pool, warm it up, time `reps` runs of the job,
// print one JSON line { walls: [ms...], checksum } on stdout. The parent (run.mjs) owns the
// timeout; a failure prints { error } and exits 1.
//
// usage: node bench/pool-case.mjs '{"pool":"piscina","job":"spin","variant":"task","threads":2,"tasks":1000,"reps":3}'
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const tasksFile = fileURLToPath(new URL('./fixtures/tasks.cjs', import.meta.url));
const tasks = require(tasksFile);
const spec = JSON.parse(process.argv[2]);
/** Batches per run for the peers' batched variant: a few per thread, so skewed jobs still balance somewhat. */
const BATCHES_PER_THREAD = 8;
/** Stop repeating once one run is this slow (ms): a median of one is still a number, and the bench must stay short. */
const SLOW_RUN_MS = 5000;

const fnName = spec.job === 'spin' ? 'spinTask' : 'mandelTask';
const batchName = spec.job === 'spin' ? 'spinBatch' : 'mandelBatch';

function batches(n, count) {
  const out = [];
  for (let k = 0; k < count; k++) {
    const a = Math.floor((k * n) / count), b = Math.floor(((k + 1) * n) / count);
    if (b > a) out.push([a, b]);
  }
  return out;
}

const sum = (xs) => xs.reduce((a, b) => a + Number(b), 0);

/** A hand-written worker_threads pool: one message per task, one task in flight per worker. */
class PlainPool {
  constructor(threads) {
    this.workers = [];
    this.queue = [];
    this.pending = new Map();
    this.nextId = 0;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(fileURLToPath(new URL('./fixtures/plain-worker.cjs', import.meta.url)));
      w.on('message', (m) => { this.pending.get(m.id)(m.result); this.pending.delete(m.id); this.dispatch(w); });
      w.on('error', (e) => { console.log(JSON.stringify({ error: 'plain worker: ' + e.message })); process.exit(1); });
      w.busy = false;
      this.workers.push(w);
    }
  }
  run(fn, arg) {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, fn, arg, resolve });
      const idle = this.workers.find((w) => !w.busy);
      if (idle) this.dispatch(idle);
    });
  }
  dispatch(w) {
    const t = this.queue.shift();
    if (!t) { w.busy = false; return; }
    w.busy = true;
    this.pending.set(t.id, t.resolve);
    w.postMessage({ id: t.id, fn: t.fn, arg: t.arg });
  }
  close() { return Promise.all(this.workers.map((w) => w.terminate())); }
}

/** Returns { run(n) -> checksum, close() } for the pool named in the spec. */
async function makeRunner() {
  const { pool, variant, threads } = spec;
  const perItem = (call) => (n) => Promise.all(Array.from({ length: n }, (_, i) => call(i))).then(sum);
  const perBatch = (call) => (n) => Promise.all(batches(n, threads * BATCHES_PER_THREAD).map(call)).then(sum);
  if (pool === 'sequential') {
    const fn = tasks[fnName];
    return { run: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += fn(i); return s; }, close: async () => {} };
  }
  if (pool === 'ours') {
    const mod = require('parallel-profiler');
    const p = new mod.ThreadPool({ module: tasksFile, threads, schedule: variant });
    const range = mod.range ?? ((a, b) => p.range(a, b));
    return { run: async (n) => sum(await p.map(fnName, range(0, n), { schedule: variant })), close: () => p.close() };
  }
  if (pool === 'piscina') {
    const { Piscina } = await import('piscina');
    const p = new Piscina({ filename: tasksFile, minThreads: threads, maxThreads: threads });
    const run = variant === 'batch' ? perBatch((r) => p.run(r, { name: batchName })) : perItem((i) => p.run(i, { name: fnName }));
    return { run, close: () => p.destroy() };
  }
  if (pool === 'tinypool') {
    const { Tinypool } = await import('tinypool');
    const p = new Tinypool({ filename: tasksFile, minThreads: threads, maxThreads: threads });
    const run = variant === 'batch' ? perBatch((r) => p.run(r, { name: batchName })) : perItem((i) => p.run(i, { name: fnName }));
    return { run, close: () => p.destroy() };
  }
  if (pool === 'workerpool') {
    const workerpool = require('workerpool');
    const p = workerpool.pool(fileURLToPath(new URL('./fixtures/workerpool-worker.cjs', import.meta.url)),
      { minWorkers: threads, maxWorkers: threads, workerType: 'thread' });
    const run = variant === 'batch' ? perBatch((r) => p.exec(batchName, [r])) : perItem((i) => p.exec(fnName, [i]));
    return { run, close: () => p.terminate() };
  }
  if (pool === 'plain') {
    const p = new PlainPool(threads);
    const run = variant === 'batch' ? perBatch((r) => p.run(batchName, r)) : perItem((i) => p.run(fnName, i));
    return { run, close: () => p.close() };
  }
  throw new Error(`unknown pool '${pool}'`);
}

try {
  const runner = await makeRunner();
  // Warm-up: start every worker and let V8 optimize the task function before timing.
  await runner.run(Math.max(spec.threads * 4, Math.ceil(spec.tasks / 10)));
  const walls = [];
  let checksum;
  for (let r = 0; r < spec.reps; r++) {
    const t0 = process.hrtime.bigint();
    checksum = await runner.run(spec.tasks);
    walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (walls[r] > SLOW_RUN_MS) break;
  }
  await runner.close();
  console.log(JSON.stringify({ walls, checksum }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e).split('\n')[0] }));
  process.exit(1);
}
