// A TypeScript script that imports the pool by name, as a user would: without the package in the
// workspace, TypeScript reports "Cannot find module 'parallel-profiler'" (the profiler provides
// it at run time). With the extension's types, the file has no errors, and the misuse below is
// one that the types catch (an unused @ts-expect-error would be an error of its own).
import { ThreadPool, range } from 'parallel-profiler';

async function main(): Promise<number> {
  const pool = new ThreadPool({ module: 'tasks.js', threads: 2 });
  const values: number[] = await pool.map<number, number>('spin', range(0, 10));
  await pool.close();
  return values.length;
}

// @ts-expect-error: a task is named by its export's name, not a number
void new ThreadPool({ module: 'tasks.js' }).map(42, range(0, 1));

void main();
