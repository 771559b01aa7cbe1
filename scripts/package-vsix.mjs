// `npm run package`: one .vsix per platform VS Code publishes for, each carrying esbuild's JS API
// and the one @esbuild/<platform> binary package that platform runs (the installed extension
// transpiles .ts scripts with it inside the profiled program).
// usage: node scripts/package-vsix.mjs [--target <t>]... [--out <dir>] [--source <dir>] [--no-build]
//   --target   one of TARGETS, or `host` (default: all of them)
//   --out      folder for the .vsix files (default: releases/)
//   --source   folder holding the built extension (package.json, dist/, media/, README...;
//              default: the repo). The VS Code test harness packages its own snapshot this way.
//   --no-build package what is in dist/ as it is (default: run scripts/build.mjs first)
// The binary packages come from the npm registry (`npm pack @esbuild/<p>@<esbuild's version>`),
// cached in ${PARPROF_CACHE:-~/.cache/parallel-profiler}/esbuild.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** VS Code's platform targets and the esbuild binary package each one runs (esbuild's Linux binaries are static: Alpine uses them too). */
export const TARGETS = {
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-armhf': 'linux-arm',
  'alpine-x64': 'linux-x64',
  'alpine-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
};

/** The VS Code target of this machine, e.g. linux-x64 (alpine-x64 on musl). */
export function hostTarget() {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  let os = process.platform;
  if (os === 'linux' && !process.report?.getReport().header.glibcVersionRuntime) os = 'alpine';
  const target = `${os}-${arch}`;
  if (!(target in TARGETS)) throw new Error(`no VS Code target for this machine (${target}); known: ${Object.keys(TARGETS).join(', ')}`);
  return target;
}

/** Files of the extension besides node_modules; .vscodeignore then picks what ships. */
const EXTENSION_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'dist', 'media'];

function cacheDir() {
  return join(process.env.PARPROF_CACHE || join(homedir(), '.cache', 'parallel-profiler'), 'esbuild');
}

/** npm with none of the npm_* variables of an `npm run` around us (they would redirect its config). */
function npm(args, cwd) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr.trim()}`);
  return r.stdout;
}

/** Unpacked @esbuild/<name>@<version> (a folder with its package.json), fetched once. */
function esbuildBinaryPackage(name, version) {
  const dir = join(cacheDir(), `${name}-${version}`);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(cacheDir(), { recursive: true });
  const work = mkdtempSync(join(cacheDir(), 'fetch-'));
  try {
    const [{ filename }] = JSON.parse(npm(['pack', '--prefer-offline', `@esbuild/${name}@${version}`, '--json', '--pack-destination', work], work));
    const r = spawnSync('tar', ['xzf', join(work, filename), '-C', work], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot unpack ${filename}: ${r.stderr.trim()}`);
    // Another packaging run may have put it there meanwhile: theirs is the same package.
    try {
      renameSync(join(work, 'package'), dir);
    } catch (err) {
      if (!existsSync(join(dir, 'package.json'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

/** The manifest as the extension needs it: no npm-package or development fields (vsce refuses `files` beside .vscodeignore). */
function extensionManifest(source) {
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  for (const key of ['files', 'scripts', 'devDependencies', 'overrides', 'allowScripts']) delete manifest[key];
  return manifest;
}

/** Builds the .vsix of one target into outDir; returns its path. */
export function packageTarget(target, { source = root, outDir = join(root, 'releases') } = {}) {
  const binary = TARGETS[target];
  if (!binary) throw new Error(`unknown target '${target}' (known: ${Object.keys(TARGETS).join(', ')})`);
  const esbuildDir = join(source, 'node_modules', 'esbuild');
  const esbuildVersion = JSON.parse(readFileSync(join(esbuildDir, 'package.json'), 'utf8')).version;
  const binaryDir = esbuildBinaryPackage(binary, esbuildVersion);

  const stage = mkdtempSync(join(tmpdir(), `parprof-vsix-${target}-`));
  try {
    for (const f of EXTENSION_FILES) {
      if (f === 'package.json' || !existsSync(join(source, f))) continue;
      cpSync(join(source, f), join(stage, f), { recursive: true });
    }
    // The README's own images (media/screenshot.png) are for readers of the repository: vsce
    // would need a published base URL to rewrite them, and the .vsix does not carry them.
    const readme = readFileSync(join(source, 'README.md'), 'utf8');
    writeFileSync(join(stage, 'README.md'), readme.replace(/^!\[[^\]]*\]\((?![a-z]+:)[^)]*\)\n\n?/gm, ''));
    const manifest = extensionManifest(source);
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // esbuild's JS API (lib/main.js finds the binary as require.resolve('@esbuild/<platform>')).
    for (const f of ['package.json', 'lib', 'LICENSE.md']) {
      if (existsSync(join(esbuildDir, f))) cpSync(join(esbuildDir, f), join(stage, 'node_modules', 'esbuild', f), { recursive: true });
    }
    cpSync(binaryDir, join(stage, 'node_modules', '@esbuild', binary), { recursive: true });

    mkdirSync(outDir, { recursive: true });
    const vsix = join(outDir, `${manifest.name}-${target}-${manifest.version}.vsix`);
    // With dependencies: vsce asks `npm ls` for the production tree (esbuild and the binary
    // package present beside it) and .vscodeignore keeps only their runtime files.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', target, '-o', vsix],
      { cwd: stage, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vsce package --target ${target} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`.trim());
    return vsix;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const options = { targets: [], outDir: join(root, 'releases'), source: root, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--target') options.targets.push(value());
    else if (a === '--out') options.outDir = resolve(value());
    else if (a === '--source') options.source = resolve(value());
    else if (a === '--no-build') options.build = false;
    else throw new Error(`unknown argument '${a}' (usage: package-vsix.mjs [--target <t>]... [--out <dir>] [--source <dir>] [--no-build])`);
  }
  options.targets = options.targets.map((t) => (t === 'host' ? hostTarget() : t));
  for (const t of options.targets) if (!(t in TARGETS)) throw new Error(`unknown target '${t}' (known: host, ${Object.keys(TARGETS).join(', ')})`);
  if (options.targets.length === 0) options.targets = Object.keys(TARGETS);
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) {
    const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  for (const target of options.targets) {
    const vsix = packageTarget(target, options);
    console.log(`${target}: ${vsix} (${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (e) {
    console.error(`package-vsix: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
