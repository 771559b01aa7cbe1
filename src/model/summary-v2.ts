// Summary text for the metrics of report format 2: the run's phases, each thread's on-CPU time,
// blocking waits and operation call times, and the share of busy time a thread was descheduled
// (the descheduled advice, src/model/advice.ts, reads it). Used by
// summary.ts (the CLI) and the views' summary (webview/summary-view.ts).
import type { RegionMetrics, RunMetrics, ThreadMetrics } from './analysis';
import type { PhaseMetrics } from './phases';
import { formatMs, formatPercent, msDigits } from './units';

/** A thread counts as descheduled when at least this share of its busy time it was runnable but not running. */
export const DESCHEDULED_SHARE = 0.5;
/** ...and that busy time is at least this long, ms (a short blip is not worth a finding). */
export const DESCHEDULED_MIN_BUSY_MS = 20;

/** The phases as rows: label, ms, share of the run, what it covers. */
export function phaseRows(p: PhaseMetrics): { label: string; ms: number; share: number; note: string }[] {
  const share = (x: number) => (p.totalMs > 0 ? x / p.totalMs : 0);
  const children = p.childProcessesMs !== undefined;
  const rows = [
    { label: 'process start', ms: p.processStartMs, note: 'spawn → Node booted, preload runs' },
    { label: 'recorder start', ms: p.recorderStartMs, note: 'preload installing the recorder' },
    { label: 'pool start-up', ms: p.poolStartupMs, note: p.workerStartups
      ? `${p.workerStartups} worker start-up${p.workerStartups === 1 ? '' : 's'}${children ? ' (all processes)' : ''} (thread creation → ready${firstMessageNote(p)}), the time no operation overlapped; the longest start-up ${formatMs(p.longestWorkerStartupMs)}`
      : 'no worker start-up recorded' },
    { label: 'operations', ms: p.operationsMs, note: children ? 'pool operations running in any process' : 'pool operations running' },
    // With child processes, 'serial' is what is left when no process ran an operation, started a worker or was a running child.
    ...(children ? [{ label: 'child processes', ms: p.childProcessesMs!, note: `${p.childProcesses === 1 ? '1 child process' : `${p.childProcesses} child processes`} running (starting, ${p.childProcesses === 1 ? 'its' : 'their'} own code, exiting) while no operation ran and no worker started` }] : []),
    { label: 'serial', ms: p.serialMs, note: `${children ? 'the main process\'s main thread alone' : 'main thread outside operations'}: ${formatMs(p.serialBeforeMs)} before, ${formatMs(p.serialBetweenMs)} between, ${formatMs(p.serialAfterMs)} after (exit included)${serialCodeNote(p)}` },
  ];
  return rows.map((r) => ({ ...r, share: share(r.ms) }));
}

/** Workers of other pools or raw workers are ready at their first message: their start-up holds the program's wait for it. */
function firstMessageNote(p: PhaseMetrics): string {
  const n = p.workerStartupsToFirstMessage ?? 0;
  if (n === 0) return '';
  const which = n === p.workerStartups ? (n === 1 ? 'the worker is not a ThreadPool\'s' : 'the workers are not a ThreadPool\'s')
    : `${n} of them are not a ThreadPool's`;
  return `; ${which}: ready is ${n === 1 ? 'its' : 'their'} first message, so any wait for the program's first task counts here`;
}

/** The part of the serial phase the main thread spent in its own code, and how it was measured. */
function serialCodeNote(p: PhaseMetrics): string {
  if (p.serialCodeMs === undefined) return '';
  return p.serialCodeSource === 'cpu' ? `; its own code on a CPU ${formatMs(p.serialCodeMs)} (the rest waiting, descheduled, loading modules or the profiler's)`
    : `; its own code ${formatMs(p.serialCodeMs)} in wall time (no CPU readings; waits, module loading and the profiler's samples left out)`;
}

/** The "Phases" block of the summary; empty for version-1 reports. */
export function phaseLines(metrics: RunMetrics): string[] {
  const p = metrics.extra.phases;
  if (!p) return [];
  const rows = phaseRows(p);
  const w = Math.max(...rows.map((r) => formatMs(r.ms).length));
  return ['', `Phases (${formatMs(p.totalMs)} from spawn to exit; they add up to it)`,
    ...rows.map((r) => `  ${r.label.padEnd(15)} ${formatMs(r.ms).padStart(w)}  ${formatPercent(r.share).padStart(6)}  ${r.note}`)];
}

/**
 * A thread's busy ms as the tables print it: its time in tasks, or '-' for a main thread that ran
 * none (every process's main, a fork child's included): its own code is not a task, so 0 would
 * call a thread idle that ran all along. BUSY_NOT_TASKS says so under the table.
 */
export function busyCell(t: ThreadMetrics): string {
  return busyNotTasks(t) ? '-' : msDigits(t.busyMs);
}

/** A thread with no time in tasks that ran code all the same: a main thread, or a thread with busy samples (an import of CPU profiles has no spans). */
export function busyNotTasks(t: ThreadMetrics): boolean {
  return t.tasks === 0 && t.busyMs === 0 && (t.kind === 'main' || (t.busySamples ?? 0) > 0);
}

/** The legend of a '-' from busyCell. */
export const BUSY_NOT_TASKS = 'busy \'-\': a main thread that ran no tasks, or a thread with busy samples and no task spans; it was not idle, its own code is not a task: its busy samples and its time on a CPU say how much it ran';

/** Share of a thread's busy time it spent on a core; undefined when unknown. */
export function busyOnCpuShare(t: ThreadMetrics): number | undefined {
  if (t.busyOnCpuMs === undefined || t.busyMs <= 0) return undefined;
  return Math.min(1, t.busyOnCpuMs / t.busyMs);
}

/**
 * Share of a thread's busy time it was descheduled: runnable but waiting for a core (schedstat).
 * Without run-queue times: busy time neither on a core nor blocked in the user's Atomics.wait.
 * Blocked time (a lock, I/O) is not descheduling: the thread had nothing to run.
 */
export function descheduledShare(t: ThreadMetrics): number | undefined {
  if (t.busyMs <= 0) return undefined;
  if (t.busyRunnableMs !== undefined) return Math.min(1, t.busyRunnableMs / t.busyMs);
  if (t.busyOnCpuMs === undefined) return undefined;
  const running = Math.max(0, t.busyMs - (t.waitMs ?? 0));
  return running > 0 ? Math.max(0, 1 - t.busyOnCpuMs / running) : 0;
}

/**
 * Share of the time a thread had code to run (on a core, or runnable) over its whole life that it
 * waited for a core (schedstat), when it had at least DESCHEDULED_MIN_BUSY_MS of it: the main
 * thread's serial code counts, which descheduledShare (busy time in tasks) does not see.
 */
export function coreWaitShare(t: ThreadMetrics): number | undefined {
  if (t.onCpuMs === undefined || t.runnableMs === undefined) return undefined;
  const wanted = t.onCpuMs + t.runnableMs;
  return wanted >= DESCHEDULED_MIN_BUSY_MS ? t.runnableMs / wanted : undefined;
}

/**
 * The largest share of the time it had code to run any thread waited for a core: of its busy time
 * (threads busy ≥ DESCHEDULED_MIN_BUSY_MS), or over its life (coreWaitShare). Undefined when the
 * report cannot tell.
 */
export function worstCoreWait(metrics: RunMetrics): number | undefined {
  let worst: number | undefined;
  for (const t of metrics.threads) {
    const busy = t.busyMs >= DESCHEDULED_MIN_BUSY_MS ? descheduledShare(t) : undefined;
    for (const share of [busy, coreWaitShare(t)]) if (share !== undefined) worst = Math.max(worst ?? 0, share);
  }
  return worst;
}

/** The "CPU time" block: on-CPU against off-CPU per thread, samples busy/idle, blocking waits. */
export function cpuLines(metrics: RunMetrics, names: Map<number, string>): string[] {
  const known = metrics.threads.some((t) => t.onCpuMs !== undefined);
  const waits = metrics.extra.waitMs !== undefined;
  if (!known && !waits) return [];
  const source = metrics.threads.find((t) => t.cpuSource)?.cpuSource;
  const header = ['thread', 'on CPU ms', 'waiting for a core ms', 'busy ms', 'busy on a core', 'busy descheduled', 'blocked in Atomics.wait ms'];
  const rows = metrics.threads.map((t) => {
    const share = busyOnCpuShare(t);
    const off = descheduledShare(t);
    const onCpu = t.onCpuMs === undefined ? '-' : t.cpuReadingsEndMs !== undefined ? `≥ ${msDigits(t.onCpuMs)}` : msDigits(t.onCpuMs);
    return [names.get(t.id) ?? String(t.id), onCpu, t.runnableMs !== undefined ? msDigits(t.runnableMs) : '-',
      busyCell(t), share !== undefined ? formatPercent(share) : '-', off !== undefined ? formatPercent(off) + (off >= DESCHEDULED_SHARE ? ' (!)' : '') : '-',
      t.waitMs !== undefined ? msDigits(t.waitMs) : '-'];
  });
  const widths = header.map((h, c) => rows.reduce((a, r) => Math.max(a, r[c].length), h.length));
  const line = (cells: string[]) => '  ' + cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  const what = source === 'schedstat' ? 'the kernel\'s per-thread schedstat' : source === 'threadCpuUsage' ? 'process.threadCpuUsage()' : 'not available on this platform';
  const stopped = metrics.threads.filter((t) => t.cpuReadingsEndMs !== undefined).map((t) =>
    `  ${names.get(t.id) ?? String(t.id)}: CPU readings stop at ${formatMs(t.cpuReadingsEndMs!)} of its life to ${formatMs(t.lifeEndMs!)} (code that never yields takes none): its on-CPU time is at least the number above, its functions' is not known`);
  const legend = metrics.threads.some(busyNotTasks) ? [`  (${BUSY_NOT_TASKS})`] : [];
  return ['', `CPU time (${what}; busy on a core = the part of busy time the thread was running)`, line(header), ...rows.map(line), ...legend, ...stopped];
}

/** One line per region with its call time and waits: what its wall time covers. */
/** A region's start-up (RegionMetrics.startupMs) before its tasks became available, and inside its wall; ms. */
export function startupSplit(r: Pick<RegionMetrics, 'startupMs' | 'startupInWallMs'>): { before: number; inWall: number } {
  const inWall = r.startupInWallMs ?? 0;
  return { before: Math.max(0, (r.startupMs ?? 0) - inWall), inWall };
}

/** `name`: how the texts name a region by id (region-labels.ts regionLabel: same-named regions told apart). */
export function regionCallLines(metrics: RunMetrics, name: (id: number) => string): string[] {
  const rows = metrics.regions.filter((r) => r.callMs !== undefined || (r.startupMs ?? 0) > 0 || (r.waitMs ?? 0) > 0);
  if (!rows.length) return [];
  return ['', 'Operation calls (wall: its tasks available → last result; call: the user\'s call → last result, waiting included; a library\'s pool: from its first worker\'s creation)',
    ...rows.slice(0, 20).map((r) => {
      const parts = [`wall ${formatMs(r.wallMs)}`];
      // The call's start-up is split where the tasks became available: before it the call waited
      // (call = that wait + the wall); after it, workers still starting while others ran its tasks.
      const { before, inWall } = startupSplit(r);
      const external = r.kind === 'external';
      if (r.callMs !== undefined) parts.push(external ? `${formatMs(r.callMs)} from its first worker's creation` : `call ${formatMs(r.callMs)}`);
      // Without a call time (the operation failed or was stopped and its end was not recorded) 'of it' would
      // refer to the wall, which the wait preceded: it is said to come before.
      if (before > 0) {
        if (r.callMs !== undefined) parts.push(`${formatMs(before)} of it ${external ? 'before its first worker was ready' : 'waiting for pool start-up'}`);
        else if (external) parts.push(`${formatMs(before)} before it, from its first worker's creation until that worker was ready (the pool's end was not recorded)`);
        else parts.push(`${formatMs(before)} before it waiting for pool start-up (the call's end was not recorded)`);
      }
      if (inWall > 0) parts.push(`workers still starting during ${formatMs(inWall)} of the wall`);
      if (r.waitMs !== undefined && r.waitMs > 0) parts.push(`threads blocked in Atomics.wait ${formatMs(r.waitMs)}`);
      return `  ${name(r.id)}: ${parts.join(' · ')}`;
    }),
    ...(rows.length > 20 ? [`  ${rows.length - 20} more`] : [])];
}
