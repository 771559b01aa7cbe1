// Mandelbrot rows in parallel. Rows near the set cost far more than rows outside it, and this
// view puts most of the set in the top half: with `static` (one contiguous block of rows per
// thread) one thread does most of the work while the other idles; `dynamic` and `steal` even
// it out. Try: PARPROF_SCHEDULE=static node examples/mandelbrot.js, or under the profiler:
//   parprof record --threads 2 --schedule static examples/mandelbrot.js
const { isMainThread } = require('node:worker_threads');
const { ThreadPool, range } = require('parallel-profiler');

const WIDTH = 1600;
const HEIGHT = 1200;
const MAX_ITER = 500;

/** Sum of escape iterations over one row: the row's checksum, and its cost. */
function row(y) {
  const ci = -0.25 + (y / HEIGHT) * 1.5; // imaginary axis from -0.25 up to 1.25: most of the set is in the top rows
  let sum = 0;
  for (let x = 0; x < WIDTH; x++) {
    const cr = -2.1 + (x / WIDTH) * 2.7;
    let zr = 0, zi = 0, it = 0;
    while (it < MAX_ITER && zr * zr + zi * zi <= 4) {
      const t = zr * zr - zi * zi + cr;
      zi = 2 * zr * zi + ci;
      zr = t;
      it++;
    }
    sum += it;
  }
  return sum;
}
exports.row = row;

async function main() {
  const pool = new ThreadPool({ module: __filename });
  const t0 = performance.now();
  const sums = await pool.map('row', range(0, HEIGHT));
  const ms = performance.now() - t0;
  await pool.close();
  const checksum = sums.reduce((a, b) => a + b, 0);
  console.log(`mandelbrot ${WIDTH}x${HEIGHT}: checksum ${checksum} in ${ms.toFixed(0)} ms (threads=${pool.threads}, schedule=${pool.schedule})`);
}

if (isMainThread) main().catch((e) => { console.error(e); process.exitCode = 1; });
