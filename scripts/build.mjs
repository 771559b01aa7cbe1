// One esbuild script for every entry: extension, CLI, runtime (pool, worker, preload), webview, tests.
// usage: node scripts/build.mjs [--types]
//   --types  also the package's type declarations (dist/types, tsc -p tsconfig.types.json); npm pack does this
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/** Every file under dir whose name passes keep, as paths relative to the repo. */
function files(dir, keep) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, keep));
    else if (keep(name)) out.push(relative(root, p));
  }
  return out;
}

const node = { platform: 'node', target: 'node20', format: 'cjs', bundle: true, sourcemap: 'linked', logLevel: 'warning' };
// Runtime entries run inside the user's program: every file named here is loaded by path.
const runtimeEntries = files('src/runtime', (n) => /^(index|worker|preload|esm-hooks)\.ts$/.test(n));

// The views' report decoder runs in a Web Worker made from a blob (webview/report-decoder.ts): its
// bundle is built first and inlined into the views' bundle as a string.
const decodeWorker = existsSync('webview/decode-worker.ts') ? (await esbuild.build({ platform: 'browser', target: 'chrome120', format: 'iife',
  bundle: true, minify: true, write: false, logLevel: 'warning', entryPoints: ['webview/decode-worker.ts'] })).outputFiles[0].text : undefined;

const builds = [
  // report-parser: the child process in which the extension reads a report file (src/extension/reportParser.ts).
  { ...node, entryPoints: { extension: 'src/extension/extension.ts', 'report-parser': 'src/extension/reportParserProcess.ts' }, outdir: 'dist', external: ['vscode', 'esbuild'] },
  // dist/cli.js is a small launcher that runs dist/cli-main.js from a V8 code cache (src/cli/launch.ts).
  { ...node, entryPoints: { 'cli-main': 'src/cli/main.ts' }, outdir: 'dist', external: ['esbuild'] },
  { ...node, entryPoints: { cli: 'src/cli/launch.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: runtimeEntries, outdir: 'dist/runtime', outbase: 'src/runtime', external: ['esbuild'] },
  { platform: 'browser', target: 'chrome120', format: 'iife', bundle: true, minify: true, sourcemap: false, logLevel: 'warning',
    entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist', loader: { '.css': 'text' },
    define: decodeWorker ? { __DECODE_WORKER_SOURCE__: JSON.stringify(decodeWorker) } : {} },
  // Tests: each suite file is its own entry; they import the code under test from src directly.
  { ...node, entryPoints: files('test', (n) => /\.(test|harness)\.ts$/.test(n) || n === 'index.ts'), outdir: 'out/test', outbase: 'test',
    external: ['vscode', 'esbuild', 'parallel-profiler', 'playwright-core', 'mocha', 'piscina', 'tinypool', 'workerpool'] },
].filter((b) => Object.values(b.entryPoints).length > 0 && Object.values(b.entryPoints).every((e) => existsSync(e)));

// No clean step: esbuild overwrites its outputs in place, so a build never leaves a moment with
// no dist/runtime/preload.js for a test or a recording that is running at the same time.
const t0 = Date.now();
await Promise.all(builds.map((b) => esbuild.build(b)));
writeEsmEntry();
checkViewsAscii();
if (process.argv.includes('--types')) writeDeclarations();
console.log(`built ${builds.length} bundles in ${Date.now() - t0} ms`);

/**
 * The views' bundle must be ASCII: a standalone page embeds it before its report's 13 MB of base64
 * (at 1M spans), and one character outside Latin-1 there (a '−' in a String.raw, which esbuild
 * cannot escape) made Chromium parse the rest of the page as 16-bit text: 70 MB more memory written
 * and ~0.4 s more to parse the page on this machine. Write such characters as \u escapes.
 */
function checkViewsAscii() {
  const file = join(root, 'dist/webview.js');
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`dist/webview.js has a character outside ASCII ('${text[at]}' in ...${text.slice(Math.max(0, at - 40), at + 20)}...): write it as a \\u escape (scripts/build.mjs checkViewsAscii says why)`);
}

/**
 * dist/runtime/index.mjs, the package's `import` entry: it re-exports the CommonJS runtime, so a
 * program that both imports and requires the package (or whose workers do) has one ThreadPool,
 * not two copies. The names are read from the built module, so they are said once, in index.ts.
 */
function writeEsmEntry() {
  const file = join(root, 'dist/runtime/index.js');
  delete createRequire(import.meta.url).cache[file];
  const names = Object.keys(createRequire(import.meta.url)(file)).filter((n) => n !== 'default' && n !== '__esModule');
  writeFileSync(join(root, 'dist/runtime/index.mjs'), [
    '// The ES module entry of parallel-profiler: the CommonJS runtime (index.js) under its own names.',
    "import runtime from './index.js';",
    `export const { ${names.join(', ')} } = runtime;`,
    'export default runtime;',
    '',
  ].join('\n'));
}

/** dist/types: declarations of the runtime's public entry, and an .d.mts twin for the import condition. */
function writeDeclarations() {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc -p tsconfig.types.json failed');
  writeFileSync(join(root, 'dist/types/runtime/index.d.mts'),
    "import * as runtime from './index.js';\nexport * from './index.js';\nexport default runtime;\n");
}
