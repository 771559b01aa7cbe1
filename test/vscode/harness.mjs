// The VS Code stage of `npm test`: runs the extension's mocha suites inside a real VS Code
// extension host (code-server from npm, driven by Debian's chromium through playwright-core), plus
// one UI test through the workbench with the packaged .vsix installed. Prints
// `vscode: N passed, N failed`. See test/vscode/README.md.
// usage: node test/vscode/harness.mjs   (after `node scripts/build.mjs`)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { format } from 'node:util';
import { ensureInstalled } from './install.mjs';
import { runUiTest } from './ui.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const { chromium } = require('playwright-core');
const CHROMIUM = process.env.PARPROF_CHROMIUM || '/usr/bin/chromium';
const t0 = Date.now();
const log = (...a) => console.log(`[vscode +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

/** Counts summed over every part of the stage. */
const total = { passed: 0, failed: 0 };

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fresh chromium profile, removed on close. */
export async function launchBrowser(scratch) {
  const dir = mkdtempSync(join(scratch, 'chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1500, height: 950 }, args: BROWSER_ARGS,
  });
  return context;
}

/** Starts code-server in its own process group; resolves once /healthz answers. */
async function startServer({ node24, codeServer, port, userData, extensionsDir, env, trust, logFile }) {
  const args = [codeServer, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened', '--reconnection-grace-time', '5',
    '--vscode-option', 'enable-smoke-test-driver', '--user-data-dir', userData, '--extensions-dir', extensionsDir];
  if (!trust) args.push('--disable-workspace-trust');
  // The workbench's connection deflates every frame by default (the browser offers it); a desktop
  // VS Code has no such connection for a local file. PARPROF_VSCODE_WS_COMPRESSION=off measures without.
  if (process.env.PARPROF_VSCODE_WS_COMPRESSION === 'off') args.push('--vscode-option', 'disable-websocket-compression');
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  const child = spawn(node24, args, { env, detached: true, stdio: ['ignore', out, out] });
  const stop = () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    return new Promise((resolve) => setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } resolve(); }, 500));
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; log: ${logFile}`);
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server did not answer on port ${port} within 60 s; log: ${logFile}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, stop };
}

/**
 * Opens the workbench with the extension under development and a mocha entry, relays the
 * extension host's console, and resolves with the suite's counts (from the line the entry prints).
 */
async function runSuite({ scratch, port, folder, extensionPath, testsEntry, name, limitMs = 8 * 60_000 }) {
  const browser = await launchBrowser(scratch);
  let counts;
  let exitCode = 'timeout';
  try {
    const page = browser.pages()[0] ?? await browser.newPage();
    const exited = new Promise((resolve) => { void page.exposeFunction('codeAutomationExit', (code) => resolve(code)); });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      // The workbench forwards console calls with their format string (mocha's spec reporter uses %s).
      const text = format(...(args ?? []));
      for (const line of text.split('\n')) {
        if (/^\s+at .*(http|node:)/.test(line)) continue; // workbench stack frames: noise here
        console.log(`  [${name}] ${line}`);
        const m = /^mocha: (\d+) passed, (\d+) failed/.exec(line.trim());
        if (m) counts = { passed: Number(m[1]), failed: Number(m[2]) };
      }
    });
    const remote = `vscode-remote://127.0.0.1:${port}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote + extensionPath], ['extensionTestsPath', remote + testsEntry]]);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`, { timeout: 180_000 }); // the workbench's first load: 30 s (the default) timed out at a load average of 15
    log(`${name}: workbench opened, waiting for the suite`);
    exitCode = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), limitMs))]);
    if (exitCode !== 0) await page.screenshot({ path: join(root, 'test-artifacts', `vscode-${name}-end.png`) }).catch(() => undefined);
  } finally {
    await browser.close().catch(() => undefined);
  }
  log(`${name}: extension host exited with ${exitCode}`);
  if (!counts) return { passed: 0, failed: 1, note: `${name}: no mocha result (exit ${exitCode})` };
  if (exitCode !== 0 && counts.failed === 0) return { ...counts, failed: 1, note: `${name}: exit ${exitCode}` };
  return counts;
}

async function main() {
  mkdirSync(join(root, 'test-artifacts'), { recursive: true });
  const installed = ensureInstalled((m) => log(m));
  if (!existsSync(join(root, 'out/test/vscode/index.js')) || !existsSync(join(root, 'dist/extension.js'))) {
    log('building (dist/ or out/test/vscode missing)');
    if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  }
  const scratch = mkdtempSync(join(tmpdir(), 'parprof-vscode-'));
  const home = join(scratch, 'home');
  mkdirSync(home, { recursive: true });
  // Server, extension host and browser write into HOME and XDG_*: keep all of it in the scratch dir.
  // PATH keeps the machine's own `node` first: profiled scripts run on it, not on the server's Node 24.
  const env = {
    ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'), PARPROF_TEST_ARTIFACTS: join(root, 'test-artifacts'),
  };
  delete env.NODE_OPTIONS;
  delete env.ELECTRON_RUN_AS_NODE;

  const userData = join(scratch, 'user-data');
  const extensionsDir = join(scratch, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'workbench.enableExperiments': false,
    'chat.disableAIFeatures': true, 'workbench.tips.enabled': false, 'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never', 'security.workspace.trust.untrustedFiles': 'open',
  }, null, 2));

  // A snapshot of the built extension: a build started meanwhile (scripts/build.mjs empties dist/
  // and out/) cannot pull files from under the running extension host. node_modules is linked
  // (mocha for the suite entry, esbuild for .ts scripts).
  const ext = join(scratch, 'extension');
  mkdirSync(ext);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'dist', 'media', 'out']) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(ext, f), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(ext, 'node_modules'));

  // The packaged extension, installed the way a user installs it; the UI test runs against it.
  // Packaged from the snapshot by `npm run package`'s script for this machine's target (esbuild's
  // JS API and this platform's @esbuild binary package, so the installed extension runs .ts scripts).
  const packaged = spawnSync(process.execPath, [join(root, 'scripts/package-vsix.mjs'), '--target', 'host', '--source', ext, '--out', scratch, '--no-build'],
    { encoding: 'utf8', env: { ...process.env } });
  if (packaged.status !== 0) throw new Error(`packaging the vsix failed:\n${packaged.stdout}\n${packaged.stderr}`);
  const vsix = join(scratch, readdirSync(scratch).find((f) => f.endsWith('.vsix')));
  log(`vsix: ${(statSync(vsix).size / 1024).toFixed(0)} KiB (${vsix})`);
  const install = spawnSync(installed.node24, [installed.codeServer, '--user-data-dir', userData, '--extensions-dir', extensionsDir,
    '--install-extension', vsix, '--force'], { encoding: 'utf8', env });
  if (install.status !== 0) throw new Error(`installing the vsix failed:\n${install.stdout}\n${install.stderr}`);
  log(`vsix installed: ${install.stdout.trim().split('\n').pop()}`);

  const workspace = join(scratch, 'ws');
  cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
  if (existsSync(join(root, 'examples'))) cpSync(join(root, 'examples'), join(workspace, 'examples'), { recursive: true });

  // PARPROF_VSCODE_PARTS=ui (or suite,untrusted...) runs only those parts, for debugging one.
  const only = process.env.PARPROF_VSCODE_PARTS ? process.env.PARPROF_VSCODE_PARTS.split(',') : ['suite', 'ui', 'untrusted'];
  const parts = [];
  // 1. The main suite and the UI test, on one server with workspace trust off.
  {
    const port = await freePort();
    const server = await startServer({ ...installed, port, userData, extensionsDir, env, trust: false, logFile: join(scratch, 'server.log') });
    log(`code-server up on ${port}`);
    try {
      if (only.includes('suite')) parts.push(['suite', await runSuite({ scratch, port, folder: workspace, extensionPath: ext, testsEntry: join(ext, 'out/test/vscode/index.js'), name: 'suite' })]);
      if (only.includes('ui')) parts.push(['ui', await runUiTest({ scratch, port, folder: workspace, root, launchBrowser, log })]);
    } finally {
      await server.stop();
    }
  }
  // 2. Workspace trust on, and a folder nobody trusted: running must be refused, viewing allowed.
  if (only.includes('untrusted')) {
    const untrusted = join(scratch, 'untrusted-ws');
    cpSync(join(root, 'test/vscode/workspace'), untrusted, { recursive: true });
    // A report recorded by the main suite, to check that viewing works without trust.
    mkdirSync(join(untrusted, 'reports'), { recursive: true });
    const recorded = existsSync(join(workspace, '.parprof')) ? readdirSync(join(workspace, '.parprof')).filter((f) => f.endsWith('.parprof')) : [];
    if (recorded[0]) cpSync(join(workspace, '.parprof', recorded[0]), join(untrusted, 'reports', recorded[0]));
    const port = await freePort();
    const server = await startServer({ ...installed, port, userData, extensionsDir, env, trust: true, logFile: join(scratch, 'server-trust.log') });
    try {
      parts.push(['untrusted', await runSuite({ scratch, port, folder: untrusted, extensionPath: ext, testsEntry: join(ext, 'out/test/vscode/untrusted/index.js'), name: 'untrusted' })]);
    } finally {
      await server.stop();
    }
  }
  for (const [name, r] of parts) {
    log(`${name}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
    total.passed += r.passed;
    total.failed += r.failed;
  }
  if (!process.env.PARPROF_KEEP_SCRATCH) rmSync(scratch, { recursive: true, force: true });
  else log(`scratch kept: ${scratch}`);
}

try {
  await main();
} catch (e) {
  console.error(`vscode harness failed: ${e instanceof Error ? e.stack : e}`);
  total.failed += 1;
}
console.log(`vscode: ${total.passed} passed, ${total.failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
process.exit(total.failed > 0 ? 1 : 0);
