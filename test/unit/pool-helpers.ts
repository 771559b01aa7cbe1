// Shared bits of the pool suites: where the fixtures are, and a child-process runner.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder up from here whose package.json is `parallel-profiler`, else the working directory. */
function findRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'parallel-profiler') return dir;
  }
  return process.cwd();
}

export const root = findRoot();
export const fixture = (name: string): string => join(root, 'test', 'fixtures', name);

/** Runs `node script` in a child with extra env; returns its exit code and output. */
export function runNode(script: string, env: Record<string, string | undefined> = {}, args: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const merged: Record<string, string | undefined> = { ...process.env, PARPROF_THREADS: undefined, PARPROF_SCHEDULE: undefined, PARPROF_WORKLOAD: undefined, NODE_OPTIONS: undefined, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const r = spawnSync(process.execPath, [...args, script], { cwd: root, env: merged as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
