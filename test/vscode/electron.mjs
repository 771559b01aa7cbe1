// `npm run test:electron`: the main VS Code suite (out/test/vscode/index.js) in a desktop VS Code
// that @vscode/test-electron downloads (into .vscode-test/) and starts, the way extension
// authors run it on a machine that can reach update.code.visualstudio.com. Offline (like the
// machine of `npm test`, which uses harness.mjs and code-server instead) it fails with one line.
// usage: node test/vscode/electron.mjs [--version <x.y.z|stable|insiders>]   (after `node scripts/build.mjs`)
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, 'package.json'));

function fail(message) {
  console.error(`test:electron: ${message}`);
  process.exit(1);
}

const argv = process.argv.slice(2);
let version = 'stable';
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--version' && argv[i + 1]) version = argv[++i];
  else fail(`unknown argument '${argv[i]}' (usage: electron.mjs [--version <x.y.z|stable|insiders>])`);
}
const entry = join(root, 'out/test/vscode/index.js');
if (!existsSync(entry) || !existsSync(join(root, 'dist/extension.js'))) fail('run the build first (node scripts/build.mjs): out/test/vscode/index.js or dist/extension.js is missing');

const { runTests } = require('@vscode/test-electron');
// The suite's workspace, as harness.mjs lays it out: test/vscode/workspace with examples/ beside it.
const scratch = mkdtempSync(join(tmpdir(), 'parprof-electron-'));
const workspace = join(scratch, 'ws');
cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
cpSync(join(root, 'examples'), join(workspace, 'examples'), { recursive: true });
mkdirSync(join(root, 'test-artifacts'), { recursive: true });

/** One line per step of getting VS Code; errors are reported once, below. */
const reporter = {
  downloading: false,
  report(r) {
    if (r.stage === 'resolvedVersion') console.log(`test:electron: VS Code ${r.version}`);
    else if (r.stage === 'foundMatchingInstall') console.log(`test:electron: using ${r.downloadedPath}`);
    else if (r.stage === 'downloading' && !this.downloading) { this.downloading = true; console.log(`test:electron: downloading ${r.url}`); }
    else if (r.stage === 'newInstallComplete') console.log(`test:electron: installed in ${r.downloadedPath}`);
  },
  error() { /* the rejection of runTests says it */ },
};

let code = 0;
try {
  await runTests({
    version,
    reporter,
    extensionDevelopmentPath: root,
    extensionTestsPath: entry,
    extensionTestsEnv: { PARPROF_TEST_ARTIFACTS: join(root, 'test-artifacts') },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  // A failed suite rejects with "Test run failed with code N"; anything else is VS Code not starting (mostly: no download).
  code = 1;
  if (/Test run failed/.test(message)) console.error(`test:electron: the suite failed (${message})`);
  else console.error(`test:electron: cannot download or start VS Code ${version} (${message.split('\n')[0]}); this needs access to update.code.visualstudio.com — offline, use node test/vscode/harness.mjs`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
