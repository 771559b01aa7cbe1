// `npm test`: builds, makes sure what the suites need is installed, runs every suite and ends
// with one line `N passed, N failed` summing all of them.
// usage: node scripts/test-all.mjs [unit|browser|vscode ...]   (default: all suites)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const CHROMIUM = process.env.PARPROF_CHROMIUM || '/usr/bin/chromium';
const all = ['unit', 'browser', 'vscode'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const w of wanted) if (!all.includes(w)) fail(`unknown suite '${w}' (known: ${all.join(', ')})`);

function fail(message) {
  console.error(`test-all: ${message}`);
  process.exit(2);
}

function testFiles(dir, pattern = /\.test\.js$/) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p, pattern));
    else if (pattern.test(name)) out.push(relative(root, p));
  }
  return out;
}

/**
 * Runs a command, passing its output through (and keeping a copy when `capture`); resolves with
 * its exit code and output. A time limit kills its whole process group.
 */
function run(cmd, args, { env = {}, limitMs = 30 * 60_000, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], env: { ...process.env, ...env }, detached: true });
    let output = '';
    if (capture) child.stdout.on('data', (b) => { process.stdout.write(b); output += b; });
    const timer = setTimeout(() => {
      console.error(`test-all: ${cmd} ${args.join(' ')} exceeded ${limitMs / 60_000} min; killing it`);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, limitMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? (signal ? 128 : 1), output }); });
  });
}

/**
 * Debian's chromium drives the browser suite and the VS Code workbench; libkrb5-dev (gssapi.h) is
 * what code-server's kerberos module builds against on its first install. Installed here when
 * missing (as root): a machine with chromium but no libkrb5-dev failed the VS Code stage's install.
 */
function ensureSystemPackages(vscode) {
  const cache = process.env.PARPROF_CACHE || join(homedir(), '.cache', 'parallel-profiler');
  // Needed until code-server's install has finished once (install.mjs leaves a .ok-<version> marker then).
  const installed = existsSync(join(cache, 'vscode', 'cs')) && readdirSync(join(cache, 'vscode', 'cs')).some((f) => f.startsWith('.ok-'));
  const needKrb = vscode && !existsSync('/usr/include/gssapi/gssapi.h') && !installed;
  if (existsSync(CHROMIUM) && !needKrb) return;
  const what = [!existsSync(CHROMIUM) ? 'chromium' : '', needKrb ? 'libkrb5-dev' : ''].filter(Boolean).join(' and ');
  if (process.getuid?.() !== 0) fail(`${what} missing; install Debian's packages (apt-get install chromium libkrb5-dev pkg-config)`);
  console.log(`test-all: installing ${what} from Debian packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'libkrb5-dev', 'pkg-config'], { stdio: 'inherit', env });
  if (r.status !== 0 || !existsSync(CHROMIUM)) fail(`could not install ${what} with apt-get`);
}

/** Runs node's test runner over files; counts come from its TAP summary. */
async function nodeTests(suite, files) {
  if (files.length === 0) return { suite, passed: 0, failed: 1, note: 'no test files found' };
  const dir = mkdtempSync(join(tmpdir(), `parprof-${suite}-`));
  const tap = join(dir, 'tap.txt');
  // The suite's temp folders (reports, spools, projects; some tests leave theirs) go with it:
  // its TMPDIR is a folder of this run's, removed below (a unit run left ~35 folders, ~11 MB).
  const scratch = join(dir, 'tmp');
  mkdirSync(scratch);
  const { code } = await run(process.execPath, [
    '--test', '--test-timeout=180000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], { env: { PARPROF_CHROMIUM: CHROMIUM, TMPDIR: scratch } });
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  rmSync(dir, { recursive: true, force: true });
  const count = (key) => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) || [])[1] || 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled') + count('skipped') + count('todo');
  const failures = tapFailures(text);
  // A crash of the runner itself (no summary) must not read as success.
  if (code !== 0 && failed === 0) return { suite, passed, failed: 1, note: `exit code ${code} with no failing test reported`, failures };
  return { suite, passed, failed, failures };
}

/**
 * The failed tests of a TAP report, a few lines each (name, file:line, the error's first lines):
 * printed again next to the summary, since a CI log may keep only its tail.
 */
function tapFailures(text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    const block = [];
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.\s*$/.test(lines[j]); j++) block.push(lines[j].trim());
    if (block.some((l) => l === "failureType: 'subtestsFailed'")) continue;
    const location = block.find((l) => l.startsWith('location:'))?.replace(/^location:\s*'?|'$/g, '') ?? '';
    const e = block.findIndex((l) => l.startsWith('error:'));
    const error = e < 0 ? [] : [block[e].replace(/^error:\s*(\|-?)?\s*/, ''), ...block.slice(e + 1, e + 4)]
      .filter((l) => l && !/^(code|name|expected|actual|operator|stack):/.test(l));
    out.push([`✖ ${m[2]}${location ? ` (${location.replace(`${root}/`, '')})` : ''}`, ...error.slice(0, 3).map((l) => `    ${l.slice(0, 300)}`)].join('\n'));
  }
  return out;
}

/** The VS Code harness relays the suite's result from inside the real extension host as `vscode: N passed, N failed`. */
async function vscodeTests() {
  const harness = ['out/test/vscode/harness.js', 'test/vscode/harness.mjs'].find((p) => existsSync(p));
  if (!harness) return { suite: 'vscode', passed: 0, failed: 1, note: 'no VS Code harness found' };
  const { code, output } = await run(process.execPath, [harness], { env: { PARPROF_CHROMIUM: CHROMIUM }, limitMs: 40 * 60_000, capture: true });
  const lines = [...output.matchAll(/^vscode: (\d+) passed, (\d+) failed/gm)];
  const last = lines[lines.length - 1];
  const passed = last ? Number(last[1]) : 0;
  const failed = last ? Number(last[2]) : 0;
  if (code !== 0 && failed === 0) return { suite: 'vscode', passed, failed: 1, note: `harness exit code ${code}` };
  if (!last) return { suite: 'vscode', passed: 0, failed: 1, note: 'harness reported no result' };
  return { suite: 'vscode', passed, failed };
}

const t0 = Date.now();
if (wanted.includes('browser') || wanted.includes('vscode')) ensureSystemPackages(wanted.includes('vscode'));
if ((await run(process.execPath, ['scripts/build.mjs'])).code !== 0) fail('build failed');

// Programs the unit and browser suites drive (installed once per machine into ~/.cache): their
// cold install is set-up and gets its own time limit, not a test file's 3 minutes.
if ((wanted.includes('unit') || wanted.includes('browser')) && existsSync('out/test/unit/prepare.harness.js')) {
  const { code } = await run(process.execPath, ['out/test/unit/prepare.harness.js'], { limitMs: 20 * 60_000 });
  if (code !== 0) console.error('test-all: the interop consumers are not installed; the tests that use them will say why');
}

const results = [];
for (const suite of wanted) {
  console.log(`\n=== suite: ${suite}`);
  if (suite === 'unit') results.push(await nodeTests('unit', testFiles('out/test/unit')));
  if (suite === 'browser') results.push(await nodeTests('browser', testFiles('out/test/browser')));
  if (suite === 'vscode') results.push(await vscodeTests());
}

console.log('');
for (const r of results) for (const f of r.failures ?? []) console.log(`${r.suite} ${f}`);
for (const r of results) console.log(`${r.suite}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0);
console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
