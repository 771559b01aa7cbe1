// A small ThreadPool program: a map and a reduce on 2 worker threads.
const path = require('node:path');
const { ThreadPool, range } = require('parallel-profiler');

async function main() {
  const pool = new ThreadPool({ module: path.join(__dirname, 'tasks.js'), threads: 2 });
  try {
    const values = await pool.map('spin', range(0, 600));
    const total = await pool.reduce('addSquare', range(0, 3000), { identity: 0 });
    console.log(`map: ${values.length} values; reduce: ${total}`);
  } finally {
    await pool.close();
  }
}

main();
