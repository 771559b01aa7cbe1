// Two declared workloads; the Testing API lists them and runs one at a time (PARPROF_WORKLOAD).
const path = require('node:path');
const { ThreadPool, range, workload } = require('parallel-profiler');

const tasks = path.join(__dirname, 'tasks.js');

workload('spin-map', async () => {
  const pool = new ThreadPool({ module: tasks, threads: 2 });
  await pool.map('spin', range(0, 300));
  await pool.close();
});

workload('square-reduce', async () => {
  const pool = new ThreadPool({ module: tasks, threads: 2 });
  await pool.reduce('addSquare', range(0, 2000), { identity: 0 });
  await pool.close();
});
