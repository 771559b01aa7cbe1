// The npm package as a user gets it: `npm pack` (which builds first), `npm install <tgz>` in a
// fresh project, then CommonJS, ES module and TypeScript users of the pool and `npx parprof`.
// Needs the npm registry for the package's own dependency (esbuild).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';

/** The environment without npm_* variables: under `npm test` they would point npm at this repo's config and package. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  delete env.NODE_OPTIONS;
  return env;
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The squares of 0..99, the answer every script below must print. */
const SQUARES = Array.from({ length: 100 }, (_, i) => i * i);

const CJS_SCRIPT = `const { isMainThread } = require('node:worker_threads');
const { ThreadPool, range } = require('parallel-profiler');
exports.square = (i) => i * i;
if (isMainThread) {
  (async () => {
    const pool = new ThreadPool({ module: __filename, threads: 2 });
    const squares = await pool.map('square', range(0, 100));
    await pool.close();
    console.log(JSON.stringify({ threads: pool.threads, squares }));
  })();
}
`;

const ESM_SCRIPT = `import { isMainThread } from 'node:worker_threads';
import { ThreadPool, range } from 'parallel-profiler';
export const square = (i) => i * i;
if (isMainThread) {
  const pool = new ThreadPool({ module: new URL(import.meta.url), threads: 2 });
  const squares = await pool.map('square', range(0, 100));
  await pool.close();
  console.log(JSON.stringify({ threads: pool.threads, squares }));
}
`;

// Strict TypeScript with no @types/node (tsc --init's "types": []): the package's declarations must stand alone.
const TS_TASKS = 'export function square(i: number): number {\n  return i * i;\n}\n';
const TS_MAIN = `import { ThreadPool, range, type PoolOptions } from 'parallel-profiler';
const options: PoolOptions = { module: new URL('./tasks.js', import.meta.url), threads: 2, schedule: 'dynamic' };
const pool = new ThreadPool(options);
const squares: number[] = await pool.map<number, number>('square', range(0, 100));
await pool.close();
console.log(JSON.stringify({ threads: pool.threads, squares }));
`;

test('npm pack ships the runtime, CLI, types and docs; installed, it works from CJS, ESM, TypeScript and npx parprof', { timeout: 170_000 }, () => {
  const root = packageRoot();
  const scratch = mkdtempSync(join(tmpdir(), 'parprof-package-'));
  try {
    // 1. Pack (prepack builds, declarations included).
    // The prepack build prints to the same stdout before npm's JSON.
    const packOutput = run('npm', ['pack', '--json', '--pack-destination', scratch], root).stdout;
    const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path).sort();
    const forbidden = files.filter((f) => /^(test|bench|src|out|examples|scripts|webview|media|\.ci)\/|\.map$|^\.|\.vsix$/.test(f));
    assert.deepEqual(forbidden, [], 'files that are no part of the npm package');
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/cli.js', 'dist/webview.js',
      'dist/runtime/index.js', 'dist/runtime/index.mjs', 'dist/runtime/worker.js', 'dist/runtime/preload.js', 'dist/runtime/esm-hooks.js',
      'dist/types/runtime/index.d.ts', 'dist/types/runtime/index.d.mts', 'docs/pool.md', 'docs/report-format.md']) {
      assert.ok(files.includes(needed), `${needed} missing from the tarball (${files.length} files: ${files.join(', ')})`);
    }
    assert.ok(!files.includes('dist/extension.js'), 'the VS Code extension bundle belongs in the .vsix, not the npm package');

    // 2. A fresh project installs the tarball.
    const project = join(scratch, 'project');
    run(process.execPath, ['-e', `require('fs').mkdirSync(${JSON.stringify(project)})`], scratch);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, packed[0]!.filename)], project);

    // 3. CommonJS and ES module users.
    writeFileSync(join(project, 'squares.cjs'), CJS_SCRIPT);
    writeFileSync(join(project, 'squares.mjs'), ESM_SCRIPT);
    for (const script of ['squares.cjs', 'squares.mjs']) {
      const out = JSON.parse(run(process.execPath, [script], project).stdout) as { threads: number; squares: number[] };
      assert.deepEqual(out, { threads: 2, squares: SQUARES }, script);
    }

    // 4. TypeScript with `tsc --init` defaults (strict, nodenext): zero errors, and the output runs.
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '--init'], project);
    writeFileSync(join(project, 'tasks.ts'), TS_TASKS);
    writeFileSync(join(project, 'main.ts'), TS_MAIN);
    const compiled = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: project, env: cleanEnv(), encoding: 'utf8' });
    assert.equal(`${compiled.stdout}${compiled.stderr}`.trim(), '', 'tsc reported errors');
    assert.equal(compiled.status, 0);
    assert.deepEqual(JSON.parse(run(process.execPath, ['main.js'], project).stdout), { threads: 2, squares: SQUARES }, 'main.ts compiled');

    // 5. The CLI through npx: record, then a summary and a standalone HTML report (embeds dist/webview.js).
    const recorded = run('npx', ['--no-install', 'parprof', 'record', '--threads', '2', '--out', 'run.parprof', 'squares.cjs'], project);
    assert.match(recorded.stdout, /report: .*run\.parprof/);
    const report = parseReport(readFileSync(join(project, 'run.parprof')), { gunzip: (b) => gunzipSync(b) });
    const region = report.regions.find((r) => r.name === 'map square');
    assert.ok(region, `no 'map square' region in ${report.regions.map((r) => r.name).join(', ')}`);
    assert.equal(region.threads, 2);
    let items = 0;
    for (let k = 0; k < report.spans.count; k++) if (report.spans.region[k] === region.id) items += report.spans.items[k]!;
    assert.equal(items, 100, 'the spans of map square cover its 100 items');
    run('npx', ['--no-install', 'parprof', 'report', 'run.parprof', '--html', 'run.html'], project);
    const html = readFileSync(join(project, 'run.html'), 'utf8');
    assert.ok(html.length > 100_000 && html.includes('<script'), 'run.html embeds the views bundle');
    assert.ok(existsSync(join(project, 'node_modules', '.bin', 'parprof')));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
