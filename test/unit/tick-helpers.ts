// Shared by the '0x' mode tests: installs (once per machine) the 0x package into a cache folder
// outside the repository, as the interop tests install the pool users: 0x stays the user's
// package (npm i -D 0x), never a dependency of this one. `npm test` runs this in its prepare step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const ZEROX_VERSION = '6.0.0';

/** ${PARPROF_CACHE:-~/.cache/parallel-profiler}/zerox */
export function zeroxCacheDir(): string {
  return join(process.env.PARPROF_CACHE || join(homedir(), '.cache', 'parallel-profiler'), 'zerox');
}

/** Returns the node_modules folder holding 0x, installing it on first use. */
export function ensureZeroX(): string {
  const dir = zeroxCacheDir();
  const manifest = JSON.stringify({ name: 'parprof-zerox', private: true, dependencies: { '0x': ZEROX_VERSION } });
  const marker = join(dir, 'installed.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === manifest) return join(dir, 'node_modules');
  mkdirSync(dir, { recursive: true });
  rmSync(marker, { force: true });
  writeFileSync(join(dir, 'package.json'), manifest);
  // Without the outer npm's variables (npm test sets npm_* that would point this npm elsewhere).
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_OPTIONS') env[k] = v;
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (exit ${r.status}): ${String(r.stderr).split('\n').slice(-20).join('\n')}`);
  writeFileSync(marker, manifest);
  return join(dir, 'node_modules');
}
