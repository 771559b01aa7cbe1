// The sweep report (.parprof-sweep.json), version 1: one file for a set of recorded runs of the
// same script under several configurations — a scaling sweep over thread counts (`parprof
// sweep`) or a schedule A/B (`parprof ab`). docs/report-format.md ("Sweep reports") documents
// it field by field. It keeps, per run, the few numbers the answers need (whole-run and
// per-region wall time, utilization, imbalance, self time per function), so `parprof compare`
// reads one small file; the runs' full .parprof files are kept next to it.
//
// Times are MILLISECONDS (wall time of a run or region, self time of a function).
import type { RunMetrics } from './analysis';
import { functionTimes } from './flame';
import { cpuSampleWeights, cpuSeriesOf, nodeWeights } from './cpu-time';
import { indexProfile } from './profile-index';
import { cappedSelfWeights, sampleCapUs } from './unsampled';
import { phaseMetrics, regionEnd } from './phases';
import { worstCoreWait } from './summary-v2';
import { RUNTIME_ENTRY } from './hot-functions';
import { regionCriticalPaths, runCriticalMs } from './critical-path';
import { isRuntimeFile } from './transforms';
import { SCHEDULES, type Report, type Schedule } from './report';

export const SWEEP_FORMAT = 'parprof-sweep';
export const SWEEP_VERSION = 1;
export const SWEEP_KINDS = ['sweep', 'ab'] as const;
export type SweepKind = typeof SWEEP_KINDS[number];

/** What a run's whole-run wall time covers (see wholeRunWindow). */
export const WHOLE_RUN_COVERS = ['script', 'main-thread'] as const;
export type WholeRunCovers = typeof WHOLE_RUN_COVERS[number];

export interface SweepReport {
  /** Always 'parprof-sweep'. */
  format: typeof SWEEP_FORMAT;
  version: typeof SWEEP_VERSION;
  /** 'sweep': variants differ in thread count; 'ab': in schedule (and chunk size). */
  kind: SweepKind;
  /** Wall-clock time the sweep started, ms since the Unix epoch. */
  createdAt: number;
  /** Absolute path of the script, its arguments, and the working directory of the runs. */
  script: string;
  args: string[];
  cwd: string;
  /** Logical cores of the machine (os.availableParallelism()). */
  cores: number;
  /** Runs per variant asked for. */
  repeat: number;
  variants: Variant[];
}

/** One configuration of the script, run `repeat` times. */
export interface Variant {
  /** How the CLI names it: 'sequential', '2 threads', 'dynamic', 'static chunk 16'. */
  label: string;
  /** Default threads of the script's pools (PARPROF_THREADS); 0 is sequential mode. */
  threads: number;
  /** Default schedule of the script's pools (PARPROF_SCHEDULE). */
  schedule: Schedule;
  /** Default chunk size (PARPROF_CHUNK_SIZE), or null for automatic. */
  chunkSize: number | null;
  runs: RunSummary[];
}

/** The numbers of one recorded run. */
export interface RunSummary {
  /** Its .parprof file, relative to the sweep report's folder. */
  file: string;
  /** Exit code of the script, null when it ended by a signal. */
  exitCode: number | null;
  /** Whole-run wall time, ms: the script's first line to the end of its last operation, less the pool start-up in it (wholeRunWindow). */
  wholeMs: number;
  /** Where the window starts: 'script' (its first line) or 'main-thread' (preload; reports before format 2). */
  wholeCovers: WholeRunCovers;
  /** Time in the window the script waited for pool workers to start, ms (not in wholeMs). */
  poolStartupMs: number;
  /**
   * Largest share of the time a thread had code to run that it waited for a core: of its busy
   * time (threads busy ≥ 20 ms), or over its life, serial code included (worstCoreWait,
   * summary-v2.ts); null when the report has no CPU times (format 1).
   */
  descheduledShare: number | null;
  /**
   * CPU time of all the run's threads, ms (format 2: each thread's on-CPU time); absent when a
   * thread's is unknown. Unlike wall time, a loaded machine does not stretch it: compare judges by it.
   */
  cpuMs?: number;
  /**
   * Critical path of the whole run in work, ms (critical-path.ts runCriticalMs): the main thread's
   * time on a core outside operations in the whole-run window, plus the regions' critical paths. A loaded machine does not stretch it, and a balance fix shortens it:
   * compare and sweep judge by it. Absent without schedstat, and in reports written before it.
   */
  criticalMs?: number;
  /**
   * Utilization (0..1) and imbalance (max / mean busy time, 1 = perfect) of the whole run over its
   * operations window: the first pool operation's start to the last's end, what `parprof report`
   * prints as 'Whole run' (RunMetrics), not wholeMs's window. Absent when the run had no pool
   * operation, and in sweep reports written before it was recorded.
   */
  wholeBalance?: { utilization: number; imbalance: number };
  /** Pool operations, one entry per distinct name + call site (repeated calls summed). */
  regions: RegionSummary[];
  /** Self time per function over all threads (CPU samples), ms; functions with none left out. */
  functions: FunctionSelf[];
}

export interface RegionSummary {
  /** Identity across runs: name and call site ('map square @ src/a.js:12:7'); see regionKey. */
  key: string;
  name: string;
  /** Calls of this operation in the run. */
  calls: number;
  /** Sum of the calls' wall times, ms. */
  wallMs: number;
  /** Wall-time-weighted means over the calls (0..1, and ≥ 1 with 1 = perfect). */
  utilization: number;
  imbalance: number;
  tasks: number;
  /**
   * The calls' threads' busy time less their time waiting for a core, summed, ms
   * (RegionThreadMetrics.busyScheduledMs: schedstat only; absent when a call lacks it).
   */
  workMs?: number;
  /** The calls' critical paths summed, ms (critical-path.ts regionCriticalMs: the busiest thread's time on a core); absent when a call lacks it. */
  criticalMs?: number;
}

export interface FunctionSelf {
  name: string;
  /** Path relative to the run's working directory when inside it, else as recorded. */
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  selfMs: number;
  /** The same samples weighed by CPU time (cpu-time.ts), ms; absent when a profiled thread has no CPU series. */
  selfCpuMs?: number;
}

/** A sweep report that cannot be read; the message names the problem and where it is. */
export class SweepReportError extends Error {
  override name = 'SweepReportError';
}

/** A path inside `cwd` relative to it (so runs from two checkouts match), else unchanged. */
export function relativeTo(cwd: string, file: string): string {
  const dir = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return file.startsWith(dir) ? file.slice(dir.length) : file;
}

/** Name and call site: what matches one operation across runs. */
export function regionKey(name: string, callSite: { file: string; line: number; column: number } | undefined, cwd: string): string {
  return callSite ? `${name} @ ${relativeTo(cwd, callSite.file)}:${callSite.line}:${callSite.column}` : name;
}

/**
 * The whole-run window, µs from origin: from the moment the script's own code starts
 * (report.startup.script, format 2; in reports without it, the main thread's start of recording,
 * its preload) to the end of its last pool operation (no operation: to the main thread's end, else
 * the process exit). What follows the last operation — closing the pool, exit — is left out:
 * under the profiler most of it is the workers writing their CPU profiles, a cost that grows with
 * the thread count and would read as serial work. `startupUs` is the time in the window during
 * which the script waited for pool workers to start (no operation running; phases.ts): reported
 * apart, and not counted in the whole-run time, so the scaling describes the work.
 */
export function wholeRunWindow(report: Report): { start: number; end: number; startupUs: number; startups: [number, number][]; covers: WholeRunCovers } {
  const main = report.threads.find((t) => t.id === 0);
  const start = report.startup ? report.startup.script : main?.start ?? 0;
  let end = -Infinity;
  for (const r of report.regions) end = Math.max(end, regionEnd(report, r));
  if (end === -Infinity) end = main?.end ?? report.meta.durationUs;
  end = Math.max(start, end);
  let startupUs = 0;
  const startups: [number, number][] = [];
  for (const x of phaseMetrics(report)?.intervals ?? []) {
    if (x.kind !== 'pool-startup') continue;
    startupUs += Math.max(0, Math.min(x.end, end) - Math.max(x.start, start));
    startups.push([x.start, x.end]);
  }
  return { start, end, startupUs, startups, covers: report.startup ? 'script' : 'main-thread' };
}

/** Self time per function summed over every thread's CPU profile, ms. Linear in profile nodes. */
export function functionSelfTimes(report: Report): FunctionSelf[] {
  const byKey = new Map<string, FunctionSelf>();
  // CPU time per function only when every profiled thread has a CPU series (else it would be partial).
  const withCpu = report.profiles.length > 0 && report.profiles.every((tp) => cpuSeriesOf(report, tp.thread));
  // Late samples capped as in the summary (unsampled.ts): their excess is no function's time and
  // is not listed, so a starved run does not show a user's function as slower.
  const capUs = sampleCapUs(report);
  for (const tp of report.profiles) {
    const index = indexProfile(tp.profile);
    const times = functionTimes(index, cappedSelfWeights(index, capUs).self);
    const series = withCpu ? cpuSeriesOf(report, tp.thread) : undefined;
    const cpu = series ? functionTimes(index, nodeWeights(index, cpuSampleWeights(index, series))) : undefined;
    for (let f = 0; f < index.functions.length; f++) {
      if (!(times.self[f] > 0)) continue;
      const id = index.functions[f];
      // The profiler's own frames (pool, recorder, preload) are one 'parprof runtime' entry, as in
      // the summary's hottest functions: a comparison must not list them as the user's code.
      const runtime = isRuntimeFile(id.file);
      const name = runtime ? RUNTIME_ENTRY : id.name;
      const file = runtime ? '' : relativeTo(report.meta.cwd, id.file);
      const line = runtime ? 0 : id.line;
      const key = `${name}\u0001${file}\u0001${line}`;
      const entry = byKey.get(key) ?? { name, file, line, selfMs: 0, ...(withCpu ? { selfCpuMs: 0 } : {}) };
      entry.selfMs += times.self[f] / 1000;
      if (cpu) entry.selfCpuMs = (entry.selfCpuMs ?? 0) + cpu.self[f] / 1000;
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].sort((a, b) => b.selfMs - a.selfMs);
}

/** The numbers of one run; `file` is where its .parprof lives, relative to the sweep report. */
export function summarizeRun(report: Report, metrics: RunMetrics, file: string): RunSummary {
  const window = wholeRunWindow(report);
  const regionCritical = regionCriticalPaths(report, metrics);
  const critical = runCriticalMs(report, metrics, window.start, window.end, window.startups, regionCritical);
  const byKey = new Map<string, RegionSummary>();
  report.regions.forEach((reg, i) => {
    const m = metrics.regions[i];
    const key = regionKey(reg.name, reg.callSite, report.meta.cwd);
    const s: RegionSummary = byKey.get(key) ?? { key, name: reg.name, calls: 0, wallMs: 0, utilization: 0, imbalance: 0, tasks: 0, workMs: 0, criticalMs: 0 };
    // Work is known only when every call has it (schedstat): else the region carries none.
    const work = m.cpuImbalance !== undefined ? m.threads.reduce((a, t) => a + (t.busyScheduledMs ?? 0), 0) : undefined;
    s.workMs = s.workMs !== undefined && work !== undefined ? s.workMs + work : undefined;
    const critical = regionCritical[i];
    s.criticalMs = s.criticalMs !== undefined && critical !== undefined ? s.criticalMs + critical : undefined;
    // Weighted sums for now; divided by the total wall below.
    s.utilization += m.utilization * m.wallMs;
    s.imbalance += m.imbalance * m.wallMs;
    s.calls++;
    s.wallMs += m.wallMs;
    s.tasks += m.tasks;
    byKey.set(key, s);
  });
  const regions = [...byKey.values()].map(({ workMs, criticalMs, ...s }) => ({
    ...s,
    ...(workMs !== undefined ? { workMs } : {}),
    ...(criticalMs !== undefined ? { criticalMs } : {}),
    utilization: s.wallMs > 0 ? s.utilization / s.wallMs : 0,
    imbalance: s.wallMs > 0 ? s.imbalance / s.wallMs : 1,
  }));
  return {
    file, exitCode: report.exit.code, wholeMs: (window.end - window.start - window.startupUs) / 1000, wholeCovers: window.covers,
    poolStartupMs: window.startupUs / 1000,
    ...(metrics.threads.length > 0 && metrics.threads.every((t) => t.onCpuMs !== undefined) ? { cpuMs: metrics.threads.reduce((a, t) => a + t.onCpuMs!, 0) } : {}),
    descheduledShare: worstDescheduled(metrics),
    ...(critical !== undefined ? { criticalMs: critical } : {}),
    ...(report.regions.length > 0 ? { wholeBalance: { utilization: metrics.utilization, imbalance: metrics.imbalance } } : {}),
    regions, functions: functionSelfTimes(report),
  };
}

/** A run whose threads waited this share of their busy time for a core ran on a busy machine (the CLI says so). */
export const BUSY_MACHINE_SHARE = 0.1;

function worstDescheduled(metrics: RunMetrics): number | null {
  return worstCoreWait(metrics) ?? null;
}

/** How the CLI names a variant. */
export function variantLabel(kind: SweepKind, threads: number, schedule: Schedule, chunkSize: number | null): string {
  if (kind === 'sweep') return threads === 0 ? 'sequential' : `${threads} thread${threads === 1 ? '' : 's'}`;
  if (threads === 0) return 'sequential';
  return chunkSize === null ? schedule : `${schedule} chunk ${chunkSize}`;
}

// ---- reading -------------------------------------------------------------------------------

function fail(path: string, problem: string): never {
  throw new SweepReportError(`${path}: ${problem}`);
}
function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  return typeof x === 'number' ? `number ${x}` : typeof x;
}
function obj(x: unknown, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(path, `expected an object, found ${describe(x)}`);
  return x as Record<string, unknown>;
}
function arr(x: unknown, path: string): unknown[] {
  if (!Array.isArray(x)) fail(path, `expected an array, found ${describe(x)}`);
  return x;
}
function num(x: unknown, path: string, min = -Infinity): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min) fail(path, `expected a finite number${min > -Infinity ? ` ≥ ${min}` : ''}, found ${describe(x)}`);
  return x;
}
function int(x: unknown, path: string, min = 0): number {
  if (!Number.isSafeInteger(x) || (x as number) < min) fail(path, `expected an integer ≥ ${min}, found ${describe(x)}`);
  return x as number;
}
function str(x: unknown, path: string): string {
  if (typeof x !== 'string') fail(path, `expected a string, found ${describe(x)}`);
  return x;
}
function oneOf<T extends string>(x: unknown, values: readonly T[], path: string): T {
  if (!values.includes(x as T)) fail(path, `expected one of ${values.map((v) => `'${v}'`).join(', ')}, found ${describe(x)}`);
  return x as T;
}

/** Whether parsed JSON claims to be a sweep report (so a caller can try the .parprof reader otherwise). */
export function isSweepReportJson(x: unknown): boolean {
  return typeof x === 'object' && x !== null && (x as { format?: unknown }).format === SWEEP_FORMAT;
}

/** Checks every field of a version-1 sweep report; throws SweepReportError naming the first problem. */
export function validateSweepReport(x: unknown): SweepReport {
  const r = obj(x, 'sweep');
  if (r.format !== SWEEP_FORMAT) fail('format', `not a Parallel Profiler sweep report: expected '${SWEEP_FORMAT}', found ${describe(r.format)}`);
  if (r.version !== SWEEP_VERSION) throw new SweepReportError(`unsupported sweep report version ${JSON.stringify(r.version)} (this reader knows ${SWEEP_VERSION})`);
  const kind = oneOf(r.kind, SWEEP_KINDS, 'kind');
  num(r.createdAt, 'createdAt', 0);
  str(r.script, 'script');
  arr(r.args, 'args').forEach((a, i) => str(a, `args[${i}]`));
  str(r.cwd, 'cwd');
  int(r.cores, 'cores', 1);
  int(r.repeat, 'repeat', 1);
  arr(r.variants, 'variants').forEach((v, i) => {
    const p = `variants[${i}]`;
    const variant = obj(v, p);
    str(variant.label, `${p}.label`);
    int(variant.threads, `${p}.threads`);
    oneOf(variant.schedule, SCHEDULES, `${p}.schedule`);
    if (variant.chunkSize !== null) int(variant.chunkSize, `${p}.chunkSize`, 1);
    arr(variant.runs, `${p}.runs`).forEach((run, k) => validateRun(run, `${p}.runs[${k}]`, kind));
  });
  return x as SweepReport;
}

/**
 * Fields a run of a version-1 sweep report has had to carry since they were added (the version
 * stayed 1): a file without one was written by an earlier parprof, and reading it would show
 * wrong or missing numbers (its wall times covered another window). Refused in one line that says so.
 */
const LATER_RUN_FIELDS: readonly [string, string][] = [
  ['wholeCovers', 'what its whole-run wall time covers'], ['poolStartupMs', 'the pool start-up left out of it'],
  ['descheduledShare', 'whether the machine was busy'],
];

function validateRun(x: unknown, p: string, kind: SweepKind): void {
  const run = obj(x, p);
  for (const [field, what] of LATER_RUN_FIELDS) {
    if (!(field in run)) {
      throw new SweepReportError(`written by an earlier parprof: a sweep report of version ${SWEEP_VERSION} from before its runs kept '${field}' (${what}), found missing at ${p}; ` +
        `run parprof ${kind === 'ab' ? 'ab' : 'sweep'} again to have a report this parprof reads`);
    }
  }
  str(run.file, `${p}.file`);
  if (run.exitCode !== null) int(run.exitCode, `${p}.exitCode`, -Infinity);
  num(run.wholeMs, `${p}.wholeMs`, 0);
  num(run.poolStartupMs, `${p}.poolStartupMs`, 0);
  if (run.descheduledShare !== null) num(run.descheduledShare, `${p}.descheduledShare`, 0);
  oneOf(run.wholeCovers, WHOLE_RUN_COVERS, `${p}.wholeCovers`);
  if (run.wholeBalance !== undefined) {
    const b = obj(run.wholeBalance, `${p}.wholeBalance`);
    num(b.utilization, `${p}.wholeBalance.utilization`, 0);
    num(b.imbalance, `${p}.wholeBalance.imbalance`, 0);
  }
  arr(run.regions, `${p}.regions`).forEach((g, i) => {
    const q = `${p}.regions[${i}]`;
    const reg = obj(g, q);
    str(reg.key, `${q}.key`);
    str(reg.name, `${q}.name`);
    int(reg.calls, `${q}.calls`, 1);
    num(reg.wallMs, `${q}.wallMs`, 0);
    num(reg.utilization, `${q}.utilization`, 0);
    num(reg.imbalance, `${q}.imbalance`, 0);
    int(reg.tasks, `${q}.tasks`);
    if (reg.workMs !== undefined) num(reg.workMs, `${q}.workMs`, 0);
    if (reg.criticalMs !== undefined) num(reg.criticalMs, `${q}.criticalMs`, 0);
  });
  if (run.cpuMs !== undefined) num(run.cpuMs, `${p}.cpuMs`, 0);
  if (run.criticalMs !== undefined) num(run.criticalMs, `${p}.criticalMs`, 0);
  arr(run.functions, `${p}.functions`).forEach((f, i) => {
    const q = `${p}.functions[${i}]`;
    const fn = obj(f, q);
    str(fn.name, `${q}.name`);
    str(fn.file, `${q}.file`);
    int(fn.line, `${q}.line`);
    num(fn.selfMs, `${q}.selfMs`, 0);
    if (fn.selfCpuMs !== undefined) num(fn.selfCpuMs, `${q}.selfCpuMs`, 0);
  });
}

/** Parses and validates a sweep report from its JSON text. */
export function parseSweepReport(text: string): SweepReport {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    throw new SweepReportError(`not valid JSON: ${(e as Error).message}`);
  }
  return validateSweepReport(x);
}

/** The report as JSON text (indented: it is small and read by people and CI scripts). */
export function serializeSweepReport(report: SweepReport): string {
  return `${JSON.stringify(report, null, 1)}\n`;
}
