// The TypeScript script of the UI test: run directly (the runtime transpiles it with esbuild, which
// the installed .vsix has to carry), a map on 2 worker threads over the tasks of tasks.js.
import * as path from 'node:path';

// The workspace is copied away from the repository, so the pool is typed here, not imported as a type.
interface Pool { map(task: string, items: unknown): Promise<number[]>; close(): Promise<void> }
const { ThreadPool, range } = require('parallel-profiler') as {
  ThreadPool: new (options: { module: string; threads: number }) => Pool;
  range: (start: number, end: number) => unknown;
};

interface Summary { values: number; total: number }

async function main(): Promise<Summary> {
  const pool = new ThreadPool({ module: path.join(__dirname, 'tasks.js'), threads: 2 });
  try {
    const values: number[] = await pool.map('spin', range(0, 600));
    const total: number = values.reduce((a: number, b: number) => a + b, 0);
    return { values: values.length, total };
  } finally {
    await pool.close();
  }
}

main().then((s: Summary) => console.log(`ts map: ${s.values} values, total ${s.total.toFixed(1)}`));
