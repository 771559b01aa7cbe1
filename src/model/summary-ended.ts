// Sentences for runs that recorded no task: what the report does know of why (worker threads that
// were still starting when the script ended, child processes that ran without a pool), and the
// Processes list with each process's arguments, lifetime and exit. Pure; used by summary.ts.
import type { Report, ProcessInfo, ThreadInfo } from './report';
import { describeProcess } from './processes';
import { formatMs } from './units';

const MS = 1 / 1000;

function names(threads: ThreadInfo[]): string {
  const shown = threads.slice(0, 4).map((t) => t.name);
  return threads.length > 4 ? `${shown.join(', ')} and ${threads.length - 4} more` : shown.join(', ');
}

/** How the script ended, as a verb phrase: 'threw an uncaught error', 'exited with code 3'. */
function endedWords(report: Pick<Report, 'exit' | 'markers'>): string {
  const e = report.exit;
  if (report.markers.some((m) => m.kind === 'cancelled')) return 'was stopped';
  if (e.error) return 'threw an uncaught error';
  if (e.signal) return `was ended by ${e.signal}`;
  if (e.code !== null && e.code !== 0) return `exited with code ${e.code}`;
  return 'ended';
}

/**
 * The finding for a recorded run (not an import) with no task and no busy time read from samples:
 * undefined when the script started no worker thread and no child process (the caller's plain
 * sentence applies). Worker threads it started: whether any was ready when the script ended,
 * and whether an operation had been called; child processes: that they ran no pool either.
 */
export function noTaskSentence(report: Report): string | undefined {
  const end = report.meta.durationUs;
  const workers = report.threads.filter((t) => t.kind === 'worker');
  if (workers.length > 0) {
    const ids = new Set(workers.map((t) => t.id));
    const ready = (report.startup?.workers ?? []).filter((w) => ids.has(w.thread) && w.ready !== undefined);
    const n = workers.length;
    const they = n === 1 ? `its worker thread (${names(workers)})` : `its ${n} worker threads (${names(workers)})`;
    const ops = report.regions.length;
    const called = ops === 0 ? 'no pool operation had started' : `${ops === 1 ? `operation '${report.regions[0].name}' had` : `${ops} operations had`} started`;
    if (ready.length === 0) {
      const firstStart = Math.min(...workers.map((t) => t.start));
      return `no pool task ran: the script ${endedWords(report)} while ${they} ${n === 1 ? 'was' : 'were'} still starting ` +
        `(${n === 1 ? 'not' : 'none'} ready to take a task; the process ended ${formatMs(Math.max(0, end - firstStart) * MS)} after ${n === 1 ? 'it' : 'the first of them'} began recording)`;
    }
    const firstReady = Math.min(...ready.map((w) => w.ready!));
    const readyCount = new Set(ready.map((w) => w.thread)).size;
    const readyWords = readyCount === n ? (n === 1 ? 'it was ready' : 'all were ready') : `${readyCount} of them ${readyCount === 1 ? 'was' : 'were'} ready`;
    return `no pool task ran on ${they}: ${readyWords} (the first ${formatMs(Math.max(0, end - firstReady) * MS)} before the process ended), ` +
      `${called}, and none ran before the script ${endedWords(report)}`;
  }
  const children = (report.processes ?? []).filter((p) => p.startedBy !== 'main');
  if (children.length === 0) return undefined;
  const kinds = [...new Set(children.map((p) => p.startedBy))].join(' / ');
  return `no pool task was recorded: the script's ${children.length === 1 ? `child process (${kinds}) ran` : `${children.length} child processes (${kinds}) ran`} ` +
    'no parallel-profiler pool or instrumented worker; Processes above gives each one\'s lifetime and exit, CPU time its main thread\'s time on a core';
}

/**
 * One line of the Processes list: pid, title, arguments, threads, lifetime (spawn or start → end),
 * how it ended and its main thread's time on a core (`mainOnCpu`, when measured; `atLeast` when its
 * readings stopped early): a fan-out of children that run no pool shows its balance there, since
 * their wall times carry the machine's load.
 */
export function processLine(p: ProcessInfo, threads: ThreadInfo[], mainOnCpu?: { ms: number; atLeast: boolean }): string {
  const args = p.args.length ? ` · args ${p.args.join(' ')}` : '';
  const from = p.spawned ?? p.start;
  const life = p.end !== undefined
    ? ` · ${p.spawned !== undefined ? 'spawned' : 'started'} at ${formatMs(from * MS)}, ended at ${formatMs(p.end * MS)} (${formatMs(Math.max(0, p.end - from) * MS)})`
    : ` · ${p.spawned !== undefined ? 'spawned' : 'started'} at ${formatMs(from * MS)}, end not recorded`;
  // describeProcess names a death, a signal and a non-zero code; a clean exit is said too.
  const clean = !p.died && p.exit && !p.exit.signal && p.exit.code === 0 ? '; exit 0' : !p.died && !p.exit ? '; exit not recorded' : '';
  const cpu = mainOnCpu ? ` · main thread on CPU ${mainOnCpu.atLeast ? '≥ ' : ''}${formatMs(mainOnCpu.ms)}` : '';
  return `${describeProcess(p, threads)}${clean}${args}${life}${cpu}`;
}
