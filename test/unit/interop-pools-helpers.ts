// Shared by the interop-pools tests. Installs (once) the pool users the interop tests drive that are not devDependencies: eslint 9
// (--concurrency), vitest 4 and poolifier 5, into a cache folder outside the repository, with an
// npm started in an environment cleaned of the outer npm's variables (test/vscode/install.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import type { Report } from '../../src/model/report';
import { percentiles } from '../../src/model/stats';
import { record, sampledFunctions } from './record-helpers';

export const INTEROP_PACKAGES = { eslint: '9.39.5', poolifier: '5.3.2', vitest: '4.1.12' } as const;

/** ${PARPROF_CACHE:-~/.cache/parallel-profiler}/interop-pools */
export function interopCacheDir(): string {
  return join(process.env.PARPROF_CACHE || join(homedir(), '.cache', 'parallel-profiler'), 'interop-pools');
}

/** The caller's environment without what an outer npm put there (as cleanEnv in test/vscode/install.mjs). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

/** Returns the node_modules folder holding INTEROP_PACKAGES, installing them on first use. */
export function ensureInteropModules(): string {
  const dir = interopCacheDir();
  const manifest = JSON.stringify({ name: 'parprof-interop-pools', private: true, dependencies: INTEROP_PACKAGES });
  const marker = join(dir, 'installed.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === manifest) return join(dir, 'node_modules');
  mkdirSync(dir, { recursive: true });
  rmSync(marker, { force: true });
  writeFileSync(join(dir, 'package.json'), manifest);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (exit ${r.status}): ${String(r.stderr).split('\n').slice(-20).join('\n')}`);
  // Written only after the install succeeded: an interrupted one is redone, not trusted.
  writeFileSync(marker, manifest);
  return join(dir, 'node_modules');
}

/** What a fixture printed after RESULT. */
export function result<T>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

export function regionSpans(report: Report, regionId: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < report.spans.count; k++) if (report.spans.region[k] === regionId) out.push(k);
  return out;
}

/** Every worker of `pool` kept a profile with samples of `fn`, and no profile was lost. */
export function assertProfilesKept(report: Report, pool: number, fn: string): void {
  assert.equal(report.dropped.profiles, 0, 'no thread profile lost');
  const workers = report.threads.filter((t) => t.kind === 'worker' && t.pool === pool);
  assert.equal(workers.length, 2, 'two workers');
  for (const w of workers) {
    const p = report.profiles.find((x) => x.thread === w.id);
    assert.ok(p, `${w.name} kept its profile`);
    assert.ok(sampledFunctions(p.profile).has(fn), `${w.name}: samples of ${fn}`);
  }
}

/** Recorded queue wait p50 and p95 within 10 % (1 ms floor) of the fixture's own measurement. */
export function assertQueueWaits(report: Report, regionId: number, measured: number[]): void {
  const region = analyze(report).regions.find((r) => r.id === regionId)!;
  assert.equal(region.queuedTasks, measured.length, 'every task\'s submit is known');
  const mine = region.queueWaitMs;
  const theirs = percentiles(Float64Array.from(measured));
  for (const p of ['p50', 'p95'] as const) {
    const tolerance = Math.max(1, 0.1 * theirs[p]);
    assert.ok(Math.abs(mine[p] - theirs[p]) <= tolerance, `queue wait ${p}: recorded ${mine[p].toFixed(2)} ms, fixture measured ${theirs[p].toFixed(2)} ms`);
  }
  assert.ok(theirs.p95 > 5, `the planted queue is real (fixture p95 ${theirs.p95.toFixed(1)} ms)`);
}

/** Records interop-pools-libs.js for `lib`; `keep` leaves the pool open, so the process ends with its workers alive. */
export async function recordPool(lib: string, env?: Record<string, string>, keep = false): Promise<{ report: Report; waits: number[]; region: Report['regions'][number] }> {
  const { report, stdout } = await record('interop-pools-libs.js', { args: [lib, '200', '2', ...(keep ? ['keep'] : [])], ...(env ? { env } : {}) });
  assert.equal(report.exit.code, 0, stdout);
  const region = report.regions.find((r) => r.name === lib);
  assert.ok(region, `region ${lib}; got ${report.regions.map((r) => r.name).join(', ')}`);
  assert.equal(region.kind, 'external');
  return { report, waits: result<{ waits: number[] }>(stdout).waits, region };
}

