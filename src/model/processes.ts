// The process dimension of a report: which process each thread belongs to, how a process is
// named in views and summaries, and the validation of `processes` (load.ts asks for it). A report
// without `processes` (every report before child processes were recorded, and runs that started
// none) has one implicit process, the script's.
import { PROCESS_STARTS, type ProcessInfo, type Report, type ThreadInfo } from './report';
import type { Problem } from './validate-values';

/** Last part of a path, / or \\ separated (the model runs in the browser too: no node:path). */
export function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** The processes of a report; [] when it has no `processes` (one implicit process). */
export function processList(report: Pick<Report, 'processes'>): ProcessInfo[] {
  return report.processes ?? [];
}

/** Threads grouped by process, in the order of `processes` (the script's first); one group with pid undefined when the report has none. */
export function threadsByProcess(report: Pick<Report, 'processes' | 'threads'>): { process?: ProcessInfo; threads: ThreadInfo[] }[] {
  const list = processList(report);
  if (list.length === 0) return [{ threads: report.threads }];
  const groups = new Map<number, { process?: ProcessInfo; threads: ThreadInfo[] }>(list.map((p) => [p.pid, { process: p, threads: [] }]));
  const orphans: ThreadInfo[] = [];
  for (const t of report.threads) (t.process !== undefined ? groups.get(t.process)?.threads : undefined)?.push(t) ?? orphans.push(t);
  const out = [...groups.values()];
  if (orphans.length) out.push({ threads: orphans });
  return out;
}

/**
 * When a thread's life ended, µs from origin: its own end, else its process's (a child killed or
 * crashed takes its threads with it, long before the run ends), else the run's end.
 */
export function threadLifeEnd(report: Pick<Report, 'processes' | 'meta'>, t: Pick<ThreadInfo, 'end' | 'process'>): number {
  if (t.end !== undefined) return t.end;
  const process = t.process !== undefined ? report.processes?.find((p) => p.pid === t.process) : undefined;
  return process?.end ?? report.meta.durationUs;
}

/** The title of a process: 'main process x.js', 'fork of x.js', 'spawn of x.js', 'cluster worker 2 of x.js'. */
export function processTitle(startedBy: ProcessInfo['startedBy'], script: string, clusterId?: number): string {
  const file = script ? basename(script) : 'an unknown script';
  if (startedBy === 'main') return `main process ${file}`;
  if (startedBy === 'cluster') return `cluster worker${clusterId !== undefined ? ` ${clusterId}` : ''} of ${file}`;
  return `${startedBy} of ${file}`;
}

/** 'process 1234 (fork of x.js): main + 2 workers' — one line of the summary's process list. */
export function describeProcess(p: ProcessInfo, threads: ThreadInfo[]): string {
  const workers = threads.filter((t) => t.kind === 'worker').length;
  const mains = threads.length - workers;
  const parts = [...(mains ? ['main'] : []), ...(workers ? [`${workers} ${workers === 1 ? 'worker' : 'workers'}`] : [])];
  const ended = p.died ? `; died: ${p.died.reason}` : p.terminated && p.exit?.signal ? `; stopped by its parent (kill(), ${p.exit.signal})`
    : p.exit ? (p.exit.signal ? `; ended by ${p.exit.signal}` : p.exit.code ? `; exit code ${p.exit.code}` : '') : '';
  return `process ${p.pid} (${p.title}): ${parts.length ? parts.join(' + ') : 'no threads recorded'}${ended}`;
}

/** Name of a thread with its process, for exports whose viewers show threads of one list: 'main (fork of x.js, pid 1234)'. */
export function threadNameWithProcess(report: Pick<Report, 'processes'>, t: ThreadInfo): string {
  const p = t.process !== undefined ? processList(report).find((x) => x.pid === t.process) : undefined;
  if (!p || p.startedBy === 'main') return t.name;
  // A child's main thread is named 'main (pid 1234)' already: the pid is said once.
  const own = ` (pid ${p.pid})`;
  return `${t.name.endsWith(own) ? t.name.slice(0, -own.length) : t.name} (${p.title}, pid ${p.pid})`;
}

/**
 * Thread names for an export, told apart: a pool that replaced a dead worker has two threads of one
 * name ('pool 1'), which a viewer (Firefox Profiler, Perfetto) would show as two equal tracks. A
 * name shared by several threads gets ' (died)' on the one that died, ' (terminated)' on one its
 * owner stopped, and then, while still shared, ' (thread N)'. Other names are kept as they are.
 */
export function distinctThreadNames(report: Pick<Report, 'threads'>, base: (t: ThreadInfo) => string = (t) => t.name): Map<number, string> {
  // Threads of different processes are apart already (each process is its own group in a viewer).
  const key = (t: ThreadInfo, n: string) => `${t.process ?? ''}\u0000${n}`;
  const count = new Map<string, number>();
  const named = report.threads.map((t) => [t, base(t)] as const);
  for (const [t, n] of named) count.set(key(t, n), (count.get(key(t, n)) ?? 0) + 1);
  const first = named.map(([t, n]) => [t, (count.get(key(t, n)) ?? 0) > 1 ? `${n}${t.died ? ' (died)' : t.terminated ? ' (terminated)' : ''}` : n] as const);
  const again = new Map<string, number>();
  for (const [t, n] of first) again.set(key(t, n), (again.get(key(t, n)) ?? 0) + 1);
  return new Map(first.map(([t, n]) => [t.id, (again.get(key(t, n)) ?? 0) > 1 ? `${n} (thread ${t.id})` : n]));
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);
function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'number') return `number ${x}`;
  return typeof x;
}

/**
 * The first problem of `processes` and the threads' `process`/`threadId` in a report whose other
 * fields are valid: pids unique integers, each thread's process listed, times finite and ordered.
 */
export function processesProblem(r: Obj): Problem | undefined {
  const threads = r.threads as Obj[];
  if (r.processes === undefined) {
    for (let i = 0; i < threads.length; i++) {
      if (threads[i].process !== undefined) return { path: `threads[${i}].process`, problem: 'the report lists no processes' };
    }
    const regions = r.regions as Obj[];
    for (let i = 0; i < regions.length; i++) {
      if (regions[i].process !== undefined) return { path: `regions[${i}].process`, problem: 'the report lists no processes' };
    }
    return threadIdProblem(threads);
  }
  if (!Array.isArray(r.processes)) return { path: 'processes', problem: `expected an array, found ${kind(r.processes)}` };
  // Every listed process has a thread of its own: more processes than threads is not a recording.
  if (r.processes.length > Math.max(1, threads.length)) return { path: 'processes', problem: `${r.processes.length} processes for ${threads.length} threads` };
  const pids = new Set<number>();
  for (let i = 0; i < r.processes.length; i++) {
    const p = r.processes[i] as unknown, at = `processes[${i}]`;
    if (!isObj(p)) return { path: at, problem: `expected an object, found ${kind(p)}` };
    if (!isInt(p.pid)) return { path: `${at}.pid`, problem: `expected an integer, found ${kind(p.pid)}` };
    if (pids.has(p.pid)) return { path: `${at}.pid`, problem: `process ${p.pid} appears twice` };
    pids.add(p.pid);
    if (p.ppid !== undefined && !isInt(p.ppid)) return { path: `${at}.ppid`, problem: `expected an integer, found ${kind(p.ppid)}` };
    if (!(PROCESS_STARTS as readonly unknown[]).includes(p.startedBy)) return { path: `${at}.startedBy`, problem: `expected one of ${PROCESS_STARTS.join(', ')}, found ${JSON.stringify(p.startedBy)}` };
    for (const k of ['script', 'title'] as const) if (typeof p[k] !== 'string') return { path: `${at}.${k}`, problem: `expected a string, found ${kind(p[k])}` };
    if (!Array.isArray(p.args) || !p.args.every((a) => typeof a === 'string')) return { path: `${at}.args`, problem: 'expected an array of strings' };
    for (const k of ['spawned', 'start', 'end'] as const) {
      if ((k === 'start' || p[k] !== undefined) && !isNum(p[k])) return { path: `${at}.${k}`, problem: `expected a number, found ${kind(p[k])}` };
    }
    if (p.end !== undefined && (p.end as number) < (p.start as number)) return { path: `${at}.end`, problem: `${p.end} is before start ${p.start}` };
    if (p.exit !== undefined) {
      const e = p.exit;
      if (!isObj(e)) return { path: `${at}.exit`, problem: `expected an object, found ${kind(e)}` };
      if (e.code !== null && !isInt(e.code)) return { path: `${at}.exit.code`, problem: `expected an integer or null, found ${kind(e.code)}` };
      if (e.signal !== null && typeof e.signal !== 'string') return { path: `${at}.exit.signal`, problem: `expected a string or null, found ${kind(e.signal)}` };
    }
    if (p.died !== undefined) {
      const d = p.died;
      if (!isObj(d) || !isNum(d.at) || typeof d.reason !== 'string') return { path: `${at}.died`, problem: 'expected { at: number, reason: string }' };
    }
    if (p.terminated !== undefined && !(isObj(p.terminated) && isNum(p.terminated.at))) return { path: `${at}.terminated`, problem: 'expected { at: number }' };
  }
  const regions = r.regions as Obj[];
  for (let i = 0; i < regions.length; i++) {
    const pid = regions[i].process;
    if (pid !== undefined && !(isInt(pid) && pids.has(pid))) return { path: `regions[${i}].process`, problem: `process ${JSON.stringify(pid)} is not in processes` };
  }
  for (let i = 0; i < threads.length; i++) {
    const pid = threads[i].process;
    if (pid === undefined) return { path: `threads[${i}].process`, problem: 'missing: the report lists processes, so every thread names its own' };
    if (!isInt(pid) || !pids.has(pid)) return { path: `threads[${i}].process`, problem: `process ${JSON.stringify(pid)} is not in processes` };
  }
  return threadIdProblem(threads);
}

function threadIdProblem(threads: Obj[]): Problem | undefined {
  for (let i = 0; i < threads.length; i++) {
    const id = threads[i].threadId;
    if (id !== undefined && !(isInt(id) && id >= 0)) return { path: `threads[${i}].threadId`, problem: `expected an integer ≥ 0, found ${kind(id)}` };
  }
  return undefined;
}
