// Throws after starting a pool's work: a crashed run, which the extension must call a crash (not
// "exit code 1") and for which it opens the script's output.
const path = require('node:path');
const { ThreadPool, range } = require('parallel-profiler');

async function main() {
  const pool = new ThreadPool({ module: path.join(__dirname, 'tasks.js'), threads: 2 });
  await pool.map('spin', range(0, 50));
  await pool.close();
  throw new Error('planted crash');
}

main();
