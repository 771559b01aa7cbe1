// Row-parallel matrix multiplication, the second workload of the Rayon chapter: C = A x B for
// N x N float matrices in SharedArrayBuffer-backed Float64Arrays. Each task computes one row of
// C straight into shared memory; no matrix is ever copied to a worker. Checked against a
// sequential multiplication.
const { isMainThread } = require('node:worker_threads');
const { ThreadPool, range } = require('parallel-profiler');

const N = 700;

/** forEach task: row i of C. ctx.data holds the shared matrices. */
exports.multiplyRow = (i, _index, ctx) => {
  const { a, b, c, n } = ctx.data;
  const out = i * n;
  for (let j = 0; j < n; j++) c[out + j] = 0;
  for (let k = 0; k < n; k++) {
    const aik = a[i * n + k];
    const bk = k * n;
    for (let j = 0; j < n; j++) c[out + j] += aik * b[bk + j];
  }
};

function sharedMatrix(n, fill) {
  const m = new Float64Array(new SharedArrayBuffer(n * n * 8));
  for (let i = 0; i < m.length; i++) m[i] = fill(i);
  return m;
}

async function main() {
  const a = sharedMatrix(N, (i) => ((i * 7919) % 1000) / 1000);
  const b = sharedMatrix(N, (i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = sharedMatrix(N, () => 0);
  const pool = new ThreadPool({ module: __filename });
  const t0 = performance.now();
  await pool.forEach('multiplyRow', range(0, N), { data: { a, b, c, n: N } });
  const ms = performance.now() - t0;
  await pool.close();

  const expected = new Float64Array(N * N);
  for (let i = 0; i < N; i++) exports.multiplyRow(i, i, { data: { a, b, c: expected, n: N } });
  let maxError = 0;
  for (let i = 0; i < expected.length; i++) maxError = Math.max(maxError, Math.abs(expected[i] - c[i]));
  if (maxError > 1e-9) throw new Error(`parallel result differs from sequential by ${maxError}`);
  let trace = 0;
  for (let i = 0; i < N; i++) trace += c[i * N + i];
  console.log(`matmul ${N}x${N}: trace ${trace.toFixed(6)}, matches sequential, in ${ms.toFixed(0)} ms (threads=${pool.threads}, schedule=${pool.schedule})`);
}

if (isMainThread) main().catch((e) => { console.error(e); process.exitCode = 1; });
