// Named workloads: each workload('name', body) is an entry point the VS Code extension lists
// in its Testing view. `node examples/workloads.js` runs all of them in order;
// PARPROF_WORKLOAD=squares runs only that one.
const { isMainThread } = require('node:worker_threads');
const { ThreadPool, range, workload } = require('parallel-profiler');

exports.square = (x) => x * x;
exports.harmonic = (sum, k) => sum + 1 / k;
exports.spinRow = (y) => { let s = 0; for (let k = 0; k < 2000 * (1 + (y % 10)); k++) s += Math.sqrt(k + y); return s; };

if (isMainThread) {
  const pool = new ThreadPool({ module: __filename });
  const results = [];

  workload('squares', async () => {
    const squares = await pool.map('square', range(0, 200_000));
    results.push(`squares: ${squares.length} squares, last ${squares[squares.length - 1]}`);
  });

  workload('harmonic', async () => {
    const h = await pool.reduce('harmonic', range(1, 10_000_001), { identity: 0 });
    results.push(`harmonic: H(1e7) = ${h.toFixed(6)}`);
  });

  workload('uneven rows', async () => {
    await pool.forEach('spinRow', range(0, 20_000));
    results.push('uneven rows: 20000 rows');
  });

  // One summary line once the selected workloads are done, whichever ran; then the pool closes.
  let reported = false;
  process.on('beforeExit', () => {
    if (reported) return;
    reported = true;
    console.log(`workloads: ${results.join('; ') || 'none ran'} (threads=${pool.threads}, schedule=${pool.schedule})`);
    void pool.close();
  });
}
