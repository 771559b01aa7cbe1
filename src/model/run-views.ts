// How the editor names and places runs: the words for how a run ended, the thread count, the Runs
// view's entries, and which editor group a report opens in. Pure, so unit-tested in plain Node;
// src/extension only passes VS Code's state in and shows what comes out.
import type { Marker, Report } from './report';
import { SPAN_DERIVED } from './report';
import { formatDurationMs, formatPercent, formatPlural as plural, formatRatio } from './units';

/** How a run ended, as the user should read it. */
export type RunEnd = 'clean' | 'cancelled' | 'killed' | 'crashed' | 'failed';

/**
 * What happened to the run. A cancelled run is cancelled, whatever exit code our SIGTERM gave it
 * (143); a signal the user did not send is a kill; an uncaught error is a crash.
 */
export function runEnd(report: Pick<Report, 'exit' | 'markers'>): RunEnd {
  if (runCancelMarker(report.markers)) return 'cancelled';
  if (report.exit.error) return 'crashed';
  if (report.exit.signal) return 'killed';
  if (report.exit.code !== 0) return 'failed';
  return 'clean';
}

/**
 * The marker of a run parprof stopped (cancelled, or a signal it passed on): the runner's, 'run
 * cancelled' or 'stopped by …'. Not an operation's: a pool writes a 'cancelled' marker when one
 * operation is aborted by its signal, and the script goes on (its region's outcome says so).
 */
export function runCancelMarker(markers: readonly Marker[]): Marker | undefined {
  return markers.find((m) => m.kind === 'cancelled' && (m.message === RUN_CANCELLED || m.message.startsWith('stopped by ')));
}

/** The run-cancel marker's words when parprof was asked to cancel (not a signal). */
export const RUN_CANCELLED = 'run cancelled';

/** The cancel marker's words when a signal made parprof stop the run: 'stopped by SIGINT (Ctrl-C)'. */
export function stoppedByWords(signal: string): string {
  const what: Record<string, string> = { SIGINT: ' (Ctrl-C)', SIGHUP: ' (the terminal went away)' };
  return `stopped by ${signal}${what[signal] ?? ''}`;
}

/** How a cancelled run was stopped, from its marker: 'stopped by SIGINT (Ctrl-C)', or 'cancelled'. */
export function cancelWords(report: Pick<Report, 'markers'>): string {
  const m = runCancelMarker(report.markers);
  return m && m.message.startsWith('stopped by ') ? m.message : 'cancelled';
}

/** One sentence on how the run ended: "cancelled after 2.31 s; the report holds what ran until then". */
export function runEndText(report: Pick<Report, 'exit' | 'markers' | 'meta'>): string {
  const after = formatDurationMs(report.meta.durationUs / 1000);
  switch (runEnd(report)) {
    case 'cancelled': return `${cancelWords(report)} after ${after}; the report holds what ran until then`;
    case 'crashed': return `crashed after ${after}: uncaught ${uncaughtText(report.exit.error!)}`;
    case 'killed': return `killed by ${report.exit.signal} after ${after}`;
    case 'failed': return report.exit.code === null ? `ended after ${after} with no exit code` : `exited with code ${report.exit.code} after ${after}`;
    default: return `finished in ${after}`;
  }
}

/**
 * An uncaught error in one line: its first line (a pool's error carries the worker's stack in its
 * message) and where the user's code threw, "SyntaxError: Unexpected token ';' (syntax.js:1)",
 * "map(boom) failed at item 2 … (crash.js:3:44)". The whole stack stays in the script's output.
 */
export function uncaughtText(error: { message: string; stack?: string }): string {
  const first = error.message.split('\n', 1)[0];
  const stack = error.stack ?? '';
  // A name other than plain Error says what kind of failure it was (SyntaxError, TypeError…).
  const named = stack.split('\n').map((l) => /^([A-Za-z]*Error): (.*)$/.exec(l)).find((m) => m && m[2] === first);
  const where = userFrame(`${error.message}\n${stack}`);
  return `${named && named[1] !== 'Error' ? `${named[1]}: ` : ''}${first}${where ? ` (${where})` : ''}`;
}

/** The first place in the user's code a stack names: "crash.js:3:44"; not Node's, not the profiler's runtime. */
function userFrame(stack: string): string | undefined {
  for (const line of stack.split('\n')) {
    // "    at fn (/path/x.js:3:44)", "    at /path/x.js:3:44", or a SyntaxError's first line "/path/x.js:1".
    const m = /^\s+at (?:.*\()?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+)(?::(\d+))?\)?$/.exec(line) ?? /^((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+)$/.exec(line);
    if (!m || /[\\/]dist[\\/]runtime[\\/]/.test(m[1])) continue;
    return `${m[1].split(/[\\/]/).pop()}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
  }
  return undefined;
}

/** Task spans of a run: busy stretches derived from CPU samples (SPAN_DERIVED) are not tasks. */
export function taskCount(report: Pick<Report, 'spans'>): number {
  const { count, flags } = report.spans;
  if (!flags) return count;
  let n = 0;
  for (let i = 0; i < count; i++) if ((flags[i] & SPAN_DERIVED) === 0) n++;
  return n;
}

/** The threads of a run, counted one way everywhere: "2 workers + main"; "4 workers + 2 main threads in 2 processes". */
export function threadsText(report: Pick<Report, 'threads' | 'processes'>): string {
  const workers = report.threads.filter((t) => t.kind === 'worker').length;
  const mains = report.threads.filter((t) => t.kind === 'main').length;
  const processes = report.processes?.length ?? 0;
  if (processes > 1) return `${plural(workers, 'worker')} + ${plural(mains, 'main thread')} in ${processes} processes`;
  return mains > 0 ? `${plural(workers, 'worker')} + main` : plural(workers, 'worker');
}

/**
 * The schedule the run's regions used: one name, "mixed", a third-party pool's or raw
 * worker_threads' own ("worker_threads's own", as the summary says), or undefined when no
 * operation ran. Never the run's default alone: a raw worker_threads run was listed as "steal".
 */
export function scheduleText(report: Pick<Report, 'regions'>): string | undefined {
  const used = new Set(report.regions.map((r) => (r.schedule === 'external' ? `${r.fn}'s own` : r.schedule)));
  if (used.size === 1) return [...used][0];
  if (used.size > 1) return 'mixed';
  return undefined;
}

/** "just now", "4 min ago", "3 h ago", "2 days ago"; a time in the future counts as now. */
export function relativeTime(thenMs: number, nowMs: number): string {
  const s = Math.max(0, (nowMs - thenMs) / 1000);
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  return plural(Math.round(h / 24), 'day') + ' ago';
}

/** A run as the Runs view lists it. */
export interface RunEntry {
  /** The script's file name. */
  label: string;
  /** Numbers and age first, so they stay visible when the sidebar cuts the line: "1.23 s · util 93 % · 4 min ago · dynamic · 2 workers + main". */
  description: string;
  tooltip: string;
  end: RunEnd;
}

export function runEntry(report: Pick<Report, 'meta' | 'threads' | 'regions' | 'exit' | 'markers'>, metrics: { wallMs: number; utilization: number; imbalance: number }, file: string,
  nowMs: number): RunEntry {
  const script = report.meta.script;
  const name = script.split(/[\\/]/).pop() || script;
  const when = relativeTime(report.meta.startedAt, nowMs);
  const end = runEnd(report);
  const head = `${formatDurationMs(metrics.wallMs)} · util ${formatPercent(metrics.utilization)}`;
  const schedule = scheduleText(report);
  const description = `${end === 'clean' ? '' : `${end} · `}${head} · ${when}${schedule ? ` · ${schedule}` : ''} · ${threadsText(report)}`;
  const args = report.meta.args.length ? ` ${report.meta.args.join(' ')}` : '';
  const tooltip = [
    `${script}${args}`,
    `${runEndText(report)} · ${new Date(report.meta.startedAt).toLocaleString()}`,
    `${threadsText(report)} · ${schedule ? `schedule ${schedule}` : 'no pool operations'} · Node ${report.meta.nodeVersion}`,
    `wall ${formatDurationMs(metrics.wallMs)} · utilization ${formatPercent(metrics.utilization)} · imbalance ${formatRatio(metrics.imbalance)}`,
    file,
  ].join('\n');
  return { label: name, description, tooltip, end };
}

/** An editor group as far as placing a report is concerned. */
export interface GroupInfo {
  /** 1-based, VS Code's ViewColumn. */
  viewColumn: number;
  isActive: boolean;
  /** It has a report tab already. */
  hasReport: boolean;
  /** It has no tabs at all. */
  isEmpty?: boolean;
}

/**
 * Where a run's report opens: the group that already shows reports, else the group beside the
 * active one that exists (the next, else the previous), else a new group beside, except that a
 * lone empty group takes it. Never a third group when two exist.
 */
export function reportColumn(groups: readonly GroupInfo[]): number | 'beside' {
  const withReport = groups.find((g) => g.hasReport);
  if (withReport) return withReport.viewColumn;
  if (groups.length === 1 && groups[0].isEmpty) return groups[0].viewColumn;
  if (groups.length < 2) return 'beside';
  const sorted = [...groups].sort((a, b) => a.viewColumn - b.viewColumn);
  const active = sorted.findIndex((g) => g.isActive);
  if (active < 0) return sorted[sorted.length - 1].viewColumn;
  return (sorted[active + 1] ?? sorted[active - 1]).viewColumn;
}
