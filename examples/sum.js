// A parallel map-and-sum over a million numbers, the first workload of the Rayon chapter
// (`input.par_iter().map(f).sum()`): each number maps to the length of its Collatz sequence,
// and reduce sums those, chunk by chunk, then chunk sums in order.
const { isMainThread } = require('node:worker_threads');
const { ThreadPool } = require('parallel-profiler');

const N = 1_000_000;

/** Steps for n to reach 1 under the Collatz map: cheap per number, uneven from one to the next. */
function collatzSteps(n) {
  let steps = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

/** reduce task: folds one number into the chunk's running sum. */
exports.addSteps = (sum, n) => sum + collatzSteps(n);

async function main() {
  const numbers = Array.from({ length: N }, (_, i) => i + 1);
  const pool = new ThreadPool({ module: __filename });
  const t0 = performance.now();
  const total = await pool.reduce('addSteps', numbers, { identity: 0 }); // combine defaults to +
  const ms = performance.now() - t0;
  await pool.close();
  console.log(`sum: Collatz steps of 1..${N} add up to ${total} in ${ms.toFixed(0)} ms (threads=${pool.threads}, schedule=${pool.schedule})`);
}

if (isMainThread) main().catch((e) => { console.error(e); process.exitCode = 1; });
