// A pool run that waits, between its two operations, until gated-pool.go exists (at most two
// minutes): a test can look at the run while it is going on, however slow the machine, then let it end.
const fs = require('node:fs');
const path = require('node:path');
const { ThreadPool, range } = require('parallel-profiler');

const gate = path.join(__dirname, 'gated-pool.go');

async function main() {
  const pool = new ThreadPool({ module: path.join(__dirname, 'tasks.js'), threads: 2 });
  try {
    await pool.map('spin', range(0, 100));
    const until = Date.now() + 120_000;
    while (!fs.existsSync(gate) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const total = await pool.reduce('addSquare', range(0, 1000), { identity: 0 });
    console.log(`gate ${fs.existsSync(gate) ? 'opened' : 'timed out'}; reduce: ${total}`);
  } finally {
    await pool.close();
  }
}

main();
