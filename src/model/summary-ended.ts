// Sentences for tasks cut off by the run's end or a thread's death, for runs that recorded no task: what the report does know of why (worker threads that
// were still starting when the script ended, child processes that ran without a pool), and the
// Processes list with each process's arguments, lifetime and exit. Pure; used by summary.ts.
import { SPAN_CUT_OFF, type Report, type ProcessInfo, type ThreadInfo } from './report';
import { runCancelMarker } from './run-views';
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
  if (runCancelMarker(report.markers)) return 'was stopped';
  if (e.error) return 'threw an uncaught error';
  if (e.signal) return `was ended by ${e.signal}`;
  if (e.code !== null && e.code !== 0) return `exited with code ${e.code}`;
  return 'ended';
}

/** Moments (µs) closer than this read as one. */
const ONE_MOMENT_US = 10_000;

/** 'at 4520 ms' (the first, when all are within ONE_MOMENT_US), or 'between 4519 ms and 4630 ms'. */
function atWords(times: number[]): string {
  const lo = Math.min(...times), hi = Math.max(...times);
  return hi - lo < ONE_MOMENT_US ? `at ${formatMs(lo * MS)}` : `between ${formatMs(lo * MS)} and ${formatMs(hi * MS)}`;
}

/** 'pool 1', 'pool 1 and pool 2', 'pool 1, pool 2 and pool 3' (names() past four). */
function andNames(threads: ThreadInfo[]): string {
  if (threads.length < 2 || threads.length > 4) return names(threads);
  return `${threads.slice(0, -1).map((t) => t.name).join(', ')} and ${threads[threads.length - 1].name}`;
}

/** Rows of the cut-off spans (SPAN_CUT_OFF) by thread id. */
function cutOffByThread(report: Report): Map<number, number[]> {
  const s = report.spans;
  const flags = s.flags;
  const byThread = new Map<number, number[]>();
  if (!flags) return byThread;
  for (let k = 0; k < s.count; k++) {
    if ((flags[k] & SPAN_CUT_OFF) === 0) continue;
    const list = byThread.get(s.thread[k]) ?? [];
    list.push(k);
    byThread.set(s.thread[k], list);
  }
  return byThread;
}

/**
 * What a thread that died was doing, to follow '<thread> died: <reason>': ', inside a task started
 * at 693 ms, cut off at its death (27842 ms) and counted as a task and busy time up to then', or
 * '' when it ran no task then.
 */
export function diedInsideWords(report: Report, thread: ThreadInfo): string {
  const rows = cutOffByThread(report).get(thread.id);
  if (!rows || !thread.died) return '';
  const one = rows.length === 1;
  return `, inside ${one ? 'a task' : `${rows.length} tasks`} started ${atWords(rows.map((k) => report.spans.start[k]))}, ` +
    `cut off at its death (${formatMs(thread.died.at * MS)}) and counted as ${one ? 'a task' : 'tasks'} and busy time up to then`;
}

/**
 * The finding for the tasks the run's end cut off (SPAN_CUT_OFF spans of threads that did not
 * die: those are diedInsideWords'): which threads, when. Undefined when there are none.
 */
export function cutOffSentence(report: Report): string | undefined {
  const byThread = cutOffByThread(report);
  const stopped = report.threads.filter((t) => !t.died && byThread.has(t.id));
  if (stopped.length === 0) return undefined;
  const counts = stopped.map((t) => byThread.get(t.id)!.length);
  const rows = stopped.flatMap((t) => byThread.get(t.id)!);
  const n = rows.length;
  const where = counts.every((c) => c === 1)
    ? (stopped.length === 1 ? `1 task on ${stopped[0].name} was` : `1 task on each of ${andNames(stopped)} was`)
    : `${n} tasks (${stopped.map((t, i) => `${t.name}: ${counts[i]}`).join(', ')}) were`;
  return `${where} still running when the script ${endedWords(report)}: cut off ${atWords(rows.map((k) => report.spans.end[k]))}; ` +
    `counted as ${n === 1 ? 'a task' : 'tasks'} and busy time up to then`;
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
