// The declarations the extension offers to a TypeScript workspace are the runtime's public API:
// tsc checks that every export of src/runtime/index.ts has its twin with an identical type, both
// ways, and that a program typed by them compiles (and a misuse does not).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TYPES_FOLDER, poolDeclarations, typesPackageJson } from '../../src/model/pool-declarations';

const root = join(__dirname, '..', '..', '..');

function tsc(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function project(check: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-types-'));
  const types = join(dir, ...TYPES_FOLDER);
  mkdirSync(types, { recursive: true });
  writeFileSync(join(types, 'index.d.ts'), poolDeclarations('0.0.0-test'));
  writeFileSync(join(types, 'package.json'), typesPackageJson('0.0.0-test'));
  writeFileSync(join(dir, 'check.ts'), check);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'commonjs', moduleResolution: 'node', skipLibCheck: false,
      typeRoots: [join(root, 'node_modules', '@types')], types: ['node'] },
    files: ['check.ts'],
  }));
  return dir;
}

test('every runtime export has a twin of identical type in the declarations, and no more', () => {
  const real = join(root, 'src', 'runtime', 'index').replace(/\\/g, '/');
  const dir = project(`
import * as shim from 'parallel-profiler';
import * as real from '${real}';
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const values: Equals<keyof typeof real, keyof typeof shim> = true;
const range: Equals<typeof real.range, typeof shim.range> = true;
const rangeClass: Equals<real.Range, shim.Range> = true;
const workload: Equals<typeof real.workload, typeof shim.workload> = true;
const env: Equals<typeof real.WORKLOAD_ENV, typeof shim.WORKLOAD_ENV> = true;
const threads: Equals<typeof real.defaultThreads, typeof shim.defaultThreads> = true;
const schedule: Equals<typeof real.defaultSchedule, typeof shim.defaultSchedule> = true;
const chunk: Equals<typeof real.chunkSizeFor, typeof shim.chunkSizeFor> = true;
const types: [Equals<real.Schedule, shim.Schedule>, Equals<real.PoolOptions, shim.PoolOptions>, Equals<real.OperationOptions, shim.OperationOptions>,
  Equals<real.ReduceOptions<number>, shim.ReduceOptions<number>>, Equals<real.TaskContext, shim.TaskContext>, Equals<real.TypedArray, shim.TypedArray>,
  Equals<real.PoolInput<string>, shim.PoolInput<string>>] = [true, true, true, true, true, true, true];
// The pool has private members, so compare its public surface member by member.
type Pool = { [K in keyof real.ThreadPool]: real.ThreadPool[K] };
const pool: Equals<Pool, shim.ThreadPool> = true;
const poolCtor: Equals<ConstructorParameters<typeof real.ThreadPool>, ConstructorParameters<typeof shim.ThreadPool>> = true;
export { values, range, rangeClass, workload, env, threads, schedule, chunk, types, pool, poolCtor };
`);
  try {
    const r = tsc(dir);
    assert.equal(r.status, 0, r.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a program typed by the declarations compiles, and a misuse is an error', () => {
  const dir = project(`
import { ThreadPool, range, workload } from 'parallel-profiler';
async function main(): Promise<number> {
  const pool = new ThreadPool({ module: 'tasks.js', threads: 2, schedule: 'dynamic' });
  const squares: number[] = await pool.map<number, number>('square', range(0, 100));
  const total = await pool.reduce<number, number>('add', squares, { identity: 0 });
  await pool.close();
  return total;
}
workload('sum', main);
// @ts-expect-error: the task is named by a string
void new ThreadPool({ module: 'tasks.js' }).map(42, range(0, 1));
// @ts-expect-error: schedules are static, dynamic or steal
void new ThreadPool({ module: 'tasks.js', schedule: 'guided' });
`);
  try {
    const r = tsc(dir);
    assert.equal(r.status, 0, r.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
