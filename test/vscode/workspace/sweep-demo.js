// pool-demo.js with the pool's threads and schedule left to the profiler: a sweep and an A/B set
// them (PARPROF_THREADS, PARPROF_SCHEDULE), and stop when a script fixes them itself.
const path = require('node:path');
const { ThreadPool, range } = require('parallel-profiler');

async function main() {
  const pool = new ThreadPool({ module: path.join(__dirname, 'tasks.js') });
  try {
    const values = await pool.map('spin', range(0, 600));
    const total = await pool.reduce('addSquare', range(0, 3000), { identity: 0 });
    console.log(`map: ${values.length} values; reduce: ${total}`);
  } finally {
    await pool.close();
  }
}

main();
