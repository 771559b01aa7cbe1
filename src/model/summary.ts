// The readable text of `parprof report` and the short plain-language findings shown by the CLI
// and the views. Plain text, no ANSI colours.
import { regionLabel } from './region-labels';
import type { RunMetrics } from './analysis';
import type { Report } from './report';
import { terminalSafe } from './terminal-text';
import { SPAN_DERIVED, SPAN_NO_ENQUEUE } from './report';
import { threadsByProcess } from './processes';
import { cutOffSentence, diedInsideWords, noTaskSentence, processLine } from './summary-ended';
import { CLUSTER_FN } from './interop-busy';
import { cancelWords, runCancelMarker } from './run-views';
import { BUSY_NOT_TASKS, busyCell, busyNotTasks, cpuLines, descheduledShare, DESCHEDULED_SHARE, phaseLines, regionCallLines, startupSplit } from './summary-v2';
import { advise, IMBALANCE_MIN, judgedImbalance } from './advice';
import { leadOrder } from './headline';
import { NOT_SAMPLED, NOT_SAMPLED_MEANING } from './unsampled';
import { formatCount, formatMs, formatPercent, formatPlural as plural, formatRatio, msDigits, textTable, usDigitsFromMs } from './units';

/**
 * What a run's busy spans are, in the words of the thread-time lines: its tasks, its busy
 * stretches read from CPU samples (workers that take no messages: a cluster, eslint's), or both.
 */
function busyWords(x: RunMetrics['extra']): { busy: string; gaps: string; last: string } {
  if (!x.derivedSpans) return { busy: 'in tasks', gaps: 'between tasks', last: 'after last task' };
  if (x.tasks === 0) return { busy: 'busy (read from CPU samples)', gaps: 'between busy stretches', last: 'after the last' };
  return { busy: 'in tasks or busy stretches read from CPU samples', gaps: 'between them', last: 'after the last' };
}

/** Where thread time went, as shares: task code (or busy stretches), start delay, between them, after the last. */
function threadTimeShares(t: RunMetrics['extra']['threadTime'], words: ReturnType<typeof busyWords>, withBusy = true): string {
  const all = t.taskMs + t.startDelayMs + t.gapMs + t.tailIdleMs;
  const share = (ms: number) => formatPercent(all > 0 ? ms / all : 0);
  const idle = `start delay ${share(t.startDelayMs)} · ${words.gaps} ${share(t.gapMs)} · ${words.last} ${share(t.tailIdleMs)}`;
  return withBusy ? `${words.busy} ${share(t.taskMs)} · ${idle}` : idle;
}

/** The first line of a message (an error's message can carry a whole stack); the rest is in the report. */
function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return nl < 0 ? message : `${message.slice(0, nl)} …`;
}

/** How the run ended, for the header; a run parprof stopped says so, not the 143 its SIGTERM caused. */
export function describeExit(exit: Report['exit'], markers: Report['markers'] = []): string {
  if (runCancelMarker(markers)) return `${cancelWords({ markers })} (the script got SIGTERM from parprof${exit.code !== null ? ` and exited ${exit.code}` : exit.signal ? ` and was ended by ${exit.signal}` : ''})`;
  if (exit.error) return `uncaught error: ${firstLine(exit.error.message)}`;
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'exit unknown';
  return `exit ${exit.code}`;
}

/**
 * The schedules the run's operations ran, not the default it was given: `--schedule static` does
 * not change a join (work stealing) or an operation with a schedule of its own, and a third-party
 * pool schedules by its own rules (named by its library).
 */
export function schedulesRan(report: Pick<Report, 'regions'>): string {
  const names = new Set<string>();
  for (const r of report.regions) names.add(r.kind === 'external' ? `${r.fn}'s own` : r.threads === 0 ? 'sequential' : r.kind === 'join' ? `${r.schedule} (join)` : r.schedule);
  if (names.size === 0) return 'no pool operations';
  return `schedule${names.size > 1 ? 's' : ''} ${[...names].join(', ')}`;
}

/**
 * The threads and schedules the run's pools ran with, '2 threads, schedule static': not
 * meta.pool, the defaults that a pool's own settings override. Threads of third-party pools and
 * of sequential ones (threads 0, named by schedulesRan) are not counted.
 */
export function poolsRan(report: Pick<Report, 'regions'>): string {
  const sizes = new Set<number>();
  for (const r of report.regions) if (r.kind !== 'external' && r.threads > 0) sizes.add(r.threads);
  const sorted = [...sizes].sort((a, b) => a - b);
  const threads = sorted.length ? `${sorted.join(' / ')} thread${sorted.length === 1 && sorted[0] === 1 ? '' : 's'}, ` : '';
  return threads + schedulesRan(report);
}

/** `meta.recorder` of a report made by an importer: 'import:chrome', 'import:cpuprofile', ... */
const IMPORTED_PREFIX = 'import:';

/** The summary `parprof report` prints: run header, threads, whole-run metrics, regions, hot functions, findings. */
/** Regions the summary's tables show at most (the rest are said in one line; `--json` has them all). */
export const SUMMARY_REGIONS = 20;

/** The `n` regions with the longest wall time (all when there are no more), in their own order. */
export function longestRegions<R extends { wallMs: number }>(regions: R[], n: number): R[] {
  if (regions.length <= n) return regions;
  const order = regions.map((_, i) => i).sort((a, b) => regions[b].wallMs - regions[a].wallMs || a - b).slice(0, n).sort((a, b) => a - b);
  return order.map((i) => regions[i]);
}

export function formatSummary(report: Report, metrics: RunMetrics): string {
  const m = report.meta;
  const workers = report.threads.filter((t) => t.kind === 'worker').length;
  const imported = m.recorder.startsWith(IMPORTED_PREFIX);
  const out: string[] = [];
  out.push(`${m.script}${m.args.length ? ' ' + m.args.join(' ') : ''}`);
  if (imported) {
    // An imported trace or profile says nothing of cores, schedules or how the process ended.
    out.push(`imported (${m.recorder.slice(IMPORTED_PREFIX.length)}) · ${formatMs(m.durationUs / 1000)} from the first recorded event to the last · ${plural(report.threads.length, 'thread')}`);
  } else {
    out.push(`run ${formatMs(m.durationUs / 1000)} (process start to exit) · ${plural(workers, 'worker thread')} on ${plural(m.cores, 'core')} · ` +
      `${schedulesRan(report)} · ${describeExit(report.exit, report.markers)}`);
  }

  out.push(...phaseLines(metrics));
  // Several processes: which threads are whose (thread ids are renumbered to stay unique).
  if ((report.processes?.length ?? 0) > 1) {
    out.push('', `Processes (${report.processes!.length}, on one clock; cores are shared by all of them)`);
    const threadMetrics = new Map(metrics.threads.map((t) => [t.id, t]));
    for (const g of threadsByProcess(report)) {
      const main = threadMetrics.get(g.threads.find((t) => t.kind === 'main')?.id ?? -1);
      const onCpu = main?.onCpuMs !== undefined ? { ms: main.onCpuMs, atLeast: main.cpuReadingsEndMs !== undefined } : undefined;
      if (g.process) out.push(`  ${processLine(g.process, g.threads, onCpu)}`);
    }
  }
  out.push('', 'Threads');
  const names = new Map(report.threads.map((t) => [t.id, t.name]));
  const threadById = new Map(report.threads.map((t) => [t.id, t]));
  out.push(...textTable(['thread', 'kind', 'busy ms', 'idle ms', 'tasks', 'samples busy/idle'], metrics.threads.map((t) => {
    const info = threadById.get(t.id);
    const life = info ? ((info.end ?? m.durationUs) - info.start) / 1000 : 0;
    // Idle = life − time in spans, for recorded workers; an import without spans for a thread knows nothing of its idle time.
    const idle = t.kind === 'worker' && (!imported || t.tasks > 0) ? msDigits(Math.max(0, life - t.busyMs)) : '-';
    return [terminalSafe(t.name) + (info?.died ? ' (died)' : info?.terminated ? ' (terminated)' : ''), t.kind, busyCell(t), idle, String(t.tasks),
      t.busySamples !== undefined ? `${t.busySamples}/${t.idleSamples}` : String(t.samples)];
  }), [false, false, true, true, true, true]));
  // A thread with no tasks but busy stretches read from its samples shows them as its busy ms.
  const fromSamples = metrics.extra.derivedSpans ? metrics.threads.some((t) => t.tasks === 0 && t.busyMs > 0) : false;
  const busyMeaning = `busy ms: time in tasks${fromSamples ? ', or, for a thread with no tasks, in busy stretches read from its CPU samples' : ''}`;
  if (metrics.threads.some(busyNotTasks)) out.push(`  (${busyMeaning}; ${BUSY_NOT_TASKS})`);
  else if (fromSamples) out.push(`  (${busyMeaning})`);

  const q = metrics.queueWaitMs, x = metrics.extra;
  if (x.tasks === 0 && !x.derivedSpans) {
    // Balance needs task spans: with none, utilization 0 % and imbalance 1.00 would be inventions.
    out.push('', 'Whole run', `  no task spans${imported ? ' in this import' : ''}: utilization, balance and waits need them${hasSamples(report) ? '; the CPU samples per thread are above' : ''}`);
  } else {
  // Threads that lived one after another: the numbers count the most that were alive at once.
  const turns = x.concurrentThreads !== undefined ? `, at most ${x.concurrentThreads} alive at once: utilization, imbalance and gain count ${x.concurrentThreads} threads, each taking over from the one that ended before it` : '';
  out.push('', `Whole run (${formatMs(metrics.wallMs)} from the first operation to the last, ${plural(x.workerThreads, 'thread')} ${x.derivedSpans ? (x.workerThreads === 1 ? 'was busy' : 'were busy') : 'ran tasks'}${turns}${x.derivedSpans && x.tasks > 0 ? '; busy time outside tasks, read from CPU samples, counted in these numbers' : ''})`);
  out.push(`  utilization     ${formatPercent(metrics.utilization)}`);
  // Wall-time imbalance counts a descheduled thread's wait for a core as work; the second number leaves it out (schedstat).
  out.push(`  imbalance       ${formatRatio(metrics.imbalance)} in wall time (1.00 = perfect)` +
    (x.cpuImbalance !== undefined ? `; ${formatRatio(x.cpuImbalance)} with time waiting for a core left out` : ''));
  // Not a saving: the idle time per thread a perfect balance could at most recover (a finding, when
  // there is one, says what its fix would save: there may be none).
  out.push(`  potential gain  ${formatMs(metrics.potentialGainMs)} (idle per thread: wall − mean busy: the most a perfect balance could give back, not what a fix saves)`);
  out.push(`  tail            ${formatMs(metrics.tailMs)}`);
  // Busy spans read from samples are no tasks: no task durations to give for them.
  if (x.tasks > 0) out.push(`  tasks           ${formatCount(x.tasks)} (p50 ${formatMs(x.taskMs.p50)}, p95 ${formatMs(x.taskMs.p95)}) · ${plural(x.steals, 'steal')} · ${formatCount(x.failedTasks)} failed`);
  else out.push(`  tasks           none: the busy time above is read from CPU samples (${plural(x.derivedSpans ?? 0, 'busy stretch', 'busy stretches')})`);
  out.push(`  thread time     ${threadTimeShares(x.threadTime, busyWords(x))}`);
  // Chunks of map/forEach/reduce are pulled from the operation's index: no queue to wait in.
  // A raw worker's messages did wait, but when each was posted is not recorded.
  const flags = report.spans.flags ?? [];
  let unpaired = 0;
  for (let k = 0; k < flags.length; k++) if ((flags[k] & (SPAN_NO_ENQUEUE | SPAN_DERIVED)) === SPAN_NO_ENQUEUE) unpaired++;
  const unknown = `not known for ${plural(unpaired, 'raw worker message')} (their posts are not paired with their receipts)`;
  out.push(x.queuedTasks > 0
    ? `  queue wait      p50 ${formatMs(q.p50)} · p95 ${formatMs(q.p95)} · max ${formatMs(q.max)} over ${plural(x.queuedTasks, 'queued task')}${unpaired > 0 ? `; ${unknown}` : ''}`
    : unpaired > 0 ? `  queue wait      ${unknown}`
      : x.tasks === 0 ? '  queue wait      none: no tasks, only busy time read from CPU samples'
        : '  queue wait      none: no task waited in a queue (chunks are pulled by the threads; see start delay)');
  }

  if (metrics.regions.length) {
    out.push('', 'Regions');
    // A loop of thousands of small operations printed a row each (64,000 lines for 32,000 maps):
    // the tables show the regions that took the longest, in run order, and say what they left out.
    const shown = longestRegions(metrics.regions, SUMMARY_REGIONS);
    const reportRegion = new Map(report.regions.map((g) => [g.id, g]));
    const left = metrics.regions.length - shown.length;
    const leftOut = left > 0 ? [`  (the ${shown.length} regions with the longest wall time of ${metrics.regions.length}, in run order; the other ${left}: ` +
      `${formatMs(metrics.regions.reduce((a, r) => a + r.wallMs, 0) - shown.reduce((a, r) => a + r.wallMs, 0))} of wall time together; \`--json\` lists every region)`] : [];
    const cpuImbal = metrics.regions.some((r) => r.cpuImbalance !== undefined);
    out.push(...textTable(['region', 'schedule', 'wall ms', 'util', 'imbal', ...(cpuImbal ? ['imbal on CPU'] : []), 'gain ms', 'tail ms', 'tasks', 'steals', 'task p50/p95 ms'],
      // A region of a sequential-mode pool (threads 0) ran inline on its caller's thread.
      shown.map((r) => [terminalSafe(regionLabel(report.regions, r.id)), reportRegion.get(r.id)?.threads === 0 ? 'sequential' : r.schedule, msDigits(r.wallMs), formatPercent(r.utilization), formatRatio(r.imbalance),
        ...(cpuImbal ? [r.cpuImbalance !== undefined ? formatRatio(r.cpuImbalance) : '-'] : []), msDigits(r.potentialGainMs), msDigits(r.tailMs), String(r.tasks), String(r.steals), r.tasks > 0 ? `${msDigits(r.taskMs.p50)}/${msDigits(r.taskMs.p95)}` : '-']),
      [false, false, true, true, true, ...(cpuImbal ? [true] : []), true, true, true, true, true]));
    out.push(...leftOut);
    if (cpuImbal) out.push('  (imbal: max / mean busy time in wall time; imbal on CPU: the same with each thread\'s time waiting for a core left out)');
    // Threads that took turns (thread-slots.ts) count as the most alive at once: the cell says both.
    const ranIn = (r: RunMetrics['regions'][number]) => r.threads.filter((t) => t.busyMs > 0).length;
    const turns = metrics.regions.some((r) => ranIn(r) > r.threadTime.threads);
    out.push('', `Where thread time went (region wall × threads${turns ? '; threads that took turns count as the most alive at once' : ''})`);
    // Busy stretches read from samples are no tasks: the column says what it counts.
    const x = metrics.extra;
    out.push(...textTable(['region', 'threads', x.derivedSpans ? 'busy' : 'in tasks', 'start delay ms', x.derivedSpans ? 'between ms' : 'between tasks ms', 'gap p50/p95 µs', 'after last ms', 'queue p95 ms'],
      shown.map((r) => {
        const t = r.threadTime;
        const all = t.taskMs + t.startDelayMs + t.gapMs + t.tailIdleMs;
        const cell = ranIn(r) > t.threads ? `${t.threads} of ${ranIn(r)} at once` : String(t.threads);
        return [terminalSafe(regionLabel(report.regions, r.id)), cell, formatPercent(all > 0 ? t.taskMs / all : 0), msDigits(t.startDelayMs), msDigits(t.gapMs),
          // No tasks (a cluster's busy stretches): no task times and no gaps between tasks to tell.
          r.tasks > 0 ? `${usDigitsFromMs(r.chunkGapMs.p50)}/${usDigitsFromMs(r.chunkGapMs.p95)}` : '-', msDigits(t.tailIdleMs), r.queuedTasks > 0 ? msDigits(r.queueWaitMs.p95) : '-'];
      }), [false, true, true, true, true, true, true, true]), ...leftOut);
  }

  out.push(...cpuLines(metrics, names), ...regionCallLines(metrics, (id) => regionLabel(report.regions, id)));
  const hot = metrics.threads.filter((t) => t.topFunctions.length);
  if (hot.length) {
    out.push('', 'Hottest functions (self time)');
    for (const t of hot) {
      out.push(`  ${names.get(t.id) ?? t.id}`);
      for (const f of t.topFunctions) {
        const where = f.file ? `  ${f.file}${f.line ? `:${f.line}` : ''}` : '';
        const cpu = f.selfCpuMs !== undefined ? ` (on CPU ${formatMs(f.selfCpuMs)} / ${formatMs(f.totalCpuMs ?? 0)})` : '';
        out.push(`    ${formatMs(f.selfMs).padStart(11)} self ${formatMs(f.totalMs).padStart(11)} total${cpu}  ${f.name}${where}`);
      }
    }
    // The pseudo-frame reads like a remark on the row above; one legend line says what it is.
    if (hot.some((t) => t.topFunctions.some((f) => f.name === NOT_SAMPLED))) out.push(`  ${NOT_SAMPLED}: ${NOT_SAMPLED_MEANING}`);
  }

  const found = verdicts(metrics, report);
  if (found.length) out.push('', 'Findings', ...found.map((v) => `  - ${v}`));
  // Each entry is one line: names from the report may hold newlines or escape sequences, which
  // would forge lines or drive the terminal; they are printed as visible escapes instead.
  return out.map(terminalSafe).join('\n') + '\n';
}

/** Whether any thread's CPU profile holds a sample (an import can have profiles of none, or no profiles). */
function hasSamples(report: Report): boolean {
  return report.profiles.some((p) => p.profile.samples.length > 0);
}

/** Advice items the findings list in full; the rest are counted. */
const ADVICE_SHOWN = 8;

/** Short plain-language findings, most important first. */
export function verdicts(metrics: RunMetrics, report: Report): string[] {
  const out: string[] = [];
  const name = (id: number) => report.threads.find((t) => t.id === id)?.name ?? `thread ${id}`;
  const exit = report.exit;
  const cancelled = runCancelMarker(report.markers);
  // A cancelled run's exit code (143 after our SIGTERM) is our doing, not the script's.
  if (cancelled) out.push(`the run was ${cancelWords(report)} after ${formatMs(cancelled.t / 1000)} and the script stopped; the report holds what was recorded until then`);
  else if (exit.error) out.push(`the script threw an uncaught error: ${firstLine(exit.error.message)}`);
  else if (exit.signal) out.push(`the process was killed by ${exit.signal}; the report holds what was recorded until then`);
  else if (exit.code !== null && exit.code !== 0) out.push(`the script exited with code ${exit.code}`);
  for (const t of report.threads) if (t.died) out.push(`${t.name} died: ${t.died.reason}${diedInsideWords(report, t)}`);
  for (const p of report.processes ?? []) {
    if (p.died && p.startedBy !== 'main') out.push(`process ${p.pid} (${p.title}) died: ${p.died.reason}; its threads keep what they recorded until then`);
  }
  for (const r of report.regions) {
    if (r.outcome === 'ok') continue;
    out.push(cancelled && r.outcome === 'unfinished' ? `region '${regionLabel(report.regions, r.id)}' was still running when the run was cancelled` : `region '${regionLabel(report.regions, r.id)}' did not finish normally (${r.outcome})`);
  }
  const cutOff = cutOffSentence(report);
  if (cutOff) out.push(cutOff);
  if (metrics.extra.failedTasks) out.push(`${plural(metrics.extra.failedTasks, 'task')} failed`);

  const d = report.dropped;
  if (d.spans) out.push(`${plural(d.spans, 'span')} could not be kept (buffers full or lost at exit)`);
  if (d.samples) out.push(`${plural(d.samples, 'CPU sample')} could not be kept`);
  if (d.profiles) out.push(`${plural(d.profiles, 'thread profile')} could not be collected`);
  const threadById = new Map(report.threads.map((t) => [t.id, t]));
  const severalProcesses = (report.processes?.length ?? 0) > 1;
  for (const g of d.sampleGaps ?? []) {
    const t = threadById.get(g.thread);
    // A child's threads are named with their pid already ('main (pid 123)'): it is not said twice.
    const name = t ? (severalProcesses && t.process !== undefined && !t.name.includes(`pid ${t.process}`) ? `${t.name} (process ${t.process})` : t.name) : `thread ${g.thread}`;
    out.push(`${name}: CPU samples from ${formatMs(g.from / 1000)} to ${formatMs(g.to / 1000)} lost (the thread was stopped before it wrote them)`);
  }

  const derived = metrics.extra.derivedSpans ?? 0;
  if (metrics.extra.tasks === 0 && derived === 0) {
    out.push(report.meta.recorder.startsWith(IMPORTED_PREFIX)
      ? `the imported file has ${hasSamples(report) ? 'CPU samples but no task spans' : 'neither task spans nor CPU samples'}, so nothing here says how the work was divided`
      : noTaskSentence(report) ?? 'no pool tasks were recorded: the script used no parallel-profiler pool or instrumented worker');
    return out;
  }
  const flags = report.spans.flags ?? [];
  // A cluster's workers are processes whose main threads answer connections, not messages (interop-busy.ts clusterBusy).
  const clusterRegions = new Set(report.regions.filter((r) => r.kind === 'external' && r.fn === CLUSTER_FN).map((r) => r.id));
  const derivedThreads = new Set<number>(), clusterThreads = new Set<number>();
  if (derived > 0) {
    for (let k = 0; k < report.spans.count; k++) {
      if ((flags[k] & SPAN_DERIVED) === 0) continue;
      (clusterRegions.has(report.spans.region[k]) ? clusterThreads : derivedThreads).add(report.spans.thread[k]);
    }
  }
  // Threads that never ran at the same time did not compete, however many there were. It leads:
  // a worker spinning beside the pool (hog.js) takes cores from the tasks, which is the news.
  const peak = metrics.extra.peakThreads ?? metrics.extra.workerThreads;
  if (peak > report.meta.cores) {
    const n = derivedThreads.size;
    const outside = metrics.extra.tasks > 0 && n > 0 ? ` (in tasks, or as ${n === 1 ? 'the worker' : `the ${n} workers`} that handled no messages)` : '';
    const demand = coreDemand(metrics);
    const atOnce = `${peak} threads ${outside ? 'were busy' : 'ran tasks'} at the same time on ${plural(report.meta.cores, 'core')}${outside}`;
    // Tasks that wait (a timer, I/O) are in a task without wanting a core: peak × the share of their
    // time they wanted one is how many cores they asked for at once (16 setTimeout tasks on 4 piscina
    // workers: on a core 2.6 % of it, and they were said to compete).
    if (demand === undefined || peak * demand > report.meta.cores) out.push(`${atOnce}: they competed for cores`);
    else out.push(`${atOnce}, but wanted a core only ${formatPercent(demand)} of that time (on one, or waiting for one); the rest they waited inside it (timers, I/O, locks): they did not compete for cores`);
  }
  if (derived > 0) {
    const threads = derivedThreads.size, processes = clusterThreads.size;
    if (processes > 0) out.push(`${plural(processes, 'cluster worker process', 'cluster worker processes')}: ${processes === 1 ? 'its main thread\'s' : 'their main threads\''} busy time is read from CPU samples (start-up included) and counted as no task`);
    if (threads > 0) out.push(`${plural(threads, 'worker')} handled no messages (work taken through shared memory, or one long job): ${threads === 1 ? 'its' : 'their'} busy time is read from CPU samples and counted as no task`);
  }
  // The causes with numbers, savings, ranges and call sites (src/model/advice.ts), largest saving
  // first, but the machine's load after the largest cause the program can fix (leadOrder).
  const advice = leadOrder(advise(report, metrics));
  out.push(...advice.slice(0, ADVICE_SHOWN).map((x) => x.text));
  if (advice.length > ADVICE_SHOWN) out.push(`${plural(advice.length - ADVICE_SHOWN, 'more advice item')} (all of them under extra.advice in --json)`);
  const regionById = new Map(report.regions.map((g) => [g.id, g]));
  // A sequential-mode region (threads 0) ran inline on one thread: balance says nothing of it.
  const sequential = (r: RunMetrics['regions'][number]) => regionById.get(r.id)?.threads === 0;
  // Worker start-up inside a region (an external pool's workers start in it) is not waiting for work.
  const readyUtil = (r: RunMetrics['regions'][number]) => ((r.startupMs ?? 0) > 0 && r.utilizationAfterStartup !== undefined ? r.utilizationAfterStartup : r.utilization);
  const starved = metrics.regions.filter((r) => r.tasks > 0 && readyUtil(r) < 0.6 && r.wallMs >= 1).sort((a, b) => readyUtil(a) - readyUtil(b));
  // Start-up is counted over the call (RegionMetrics.startupMs: the user's call to the last result),
  // which can begin long before the region's own window (its tasks available → last result). Only
  // the part before the window was waiting; an instrumented library's later workers may still be
  // starting inside it while the first ones run tasks (startupSplit).
  const startupOf = (r: RunMetrics['regions'][number]) => {
    const { before, inWall } = startupSplit(r);
    const still = inWall > 0 ? `; workers were still starting during ${formatMs(inWall)} of it` : '';
    return r.callMs !== undefined
      ? `${r.kind === 'external' ? `${formatMs(r.callMs)} from its first worker's creation` : `its call took ${formatMs(r.callMs)}`}, ${formatMs(before)} of it waiting for ${r.kind === 'external' ? 'the first worker' : 'workers'} to start, the region itself ${formatMs(r.wallMs)}${still}`
      // No call time (it failed or was stopped): the wait before its tasks is not part of its wall.
      : [before > 0 ? `${formatMs(before)} of workers starting before its tasks could start` : '', inWall > 0 ? `${formatMs(inWall)} of workers starting during it` : ''].filter(Boolean).join(', ');
  };
  for (const r of starved.slice(0, 3)) {
    const startup = (r.startupMs ?? 0) > 0 ? ` once their workers were ready (${startupOf(r)})` : '';
    const words = busyWords({ ...metrics.extra, tasks: r.tasks });
    // Once ready, the busy share is of the time after start-up; when workers were still starting
    // inside the region, its thread-time shares count that start-up (in its start delay), so they
    // are given whole, not as 'the rest'. A start-up all before the region is not in them.
    const startupInside = startupSplit(r).inWall > 0;
    out.push(`threads were busy only ${formatPercent(readyUtil(r))} of region '${regionLabel(report.regions, r.id)}'${startup}; ` +
      (startup && startupInside ? `over the whole region, start-up included, their time went: ${threadTimeShares(r.threadTime, words)}` : `the rest of their time: ${threadTimeShares(r.threadTime, words, false)}`));
  }
  for (const r of metrics.regions) {
    const span = r.callMs ?? r.wallMs;
    // 'Waited' is the start-up before its tasks could start (a region's own window does not wait).
    const waited = r.callMs !== undefined ? startupSplit(r).before : r.startupMs ?? 0;
    if (r.tasks > 0 && waited >= Math.max(1, 0.2 * span) && r.utilization < 0.6 && readyUtil(r) >= 0.6) {
      out.push(`region '${regionLabel(report.regions, r.id)}' waited for workers to start (${startupOf(r)}); once ready they were busy ${formatPercent(readyUtil(r))}`);
    }
  }
  // Small regions with a negligible saving are neither flagged nor praised.
  // Balance is judged as the advice judges it: with each thread's wait for a core left out when
  // the report has it (a descheduled thread looks busy in wall time), else in wall time.
  const threadMetrics = new Map(metrics.threads.map((x) => [x.id, x]));
  const worstDescheduled = (r: RunMetrics['regions'][number]) => r.threads.map((t) => threadMetrics.get(t.id))
    .map((t) => (t ? descheduledShare(t) : undefined)).reduce<number>((a, b) => Math.max(a, b ?? 0), 0);
  const balanced = metrics.regions.filter((r) => r.tasks > 0 && !sequential(r) && r.utilization >= 0.9
    && judgedImbalance(r) < IMBALANCE_MIN);
  if (balanced.length === 1) {
    const r = balanced[0];
    const worst = worstDescheduled(r);
    out.push(r.cpuImbalance !== undefined && judgedImbalance(r) === r.cpuImbalance
      ? `region '${regionLabel(report.regions, r.id)}' is well balanced: imbalance ${formatRatio(r.cpuImbalance)} with time waiting for a core left out (in wall time ${formatRatio(r.imbalance)}, utilization ${formatPercent(r.utilization)})`
      : `region '${regionLabel(report.regions, r.id)}' is well balanced: utilization ${formatPercent(r.utilization)}, imbalance ${formatRatio(r.imbalance)}` +
        (worst >= DESCHEDULED_SHARE ? ` (in wall time: a thread was descheduled ${formatPercent(worst)} of its busy time, see above)` : ''));
  } else if (balanced.length > 1) out.push(`${balanced.length} regions are well balanced`);
  // Unbalanced in wall time only: the work was even, the cores were not (another process took them
  // from some threads). Neither the balance advice (it judges the work) nor 'well balanced' (the
  // utilization is low) speaks of it, so the gain it leaves is said to be the load's.
  for (const r of metrics.regions) {
    if (r.tasks === 0 || sequential(r) || r.cpuImbalance === undefined || balanced.includes(r)) continue;
    if (r.imbalance < IMBALANCE_MIN || r.cpuImbalance >= IMBALANCE_MIN) continue;
    const worst = worstDescheduled(r);
    out.push(`region '${regionLabel(report.regions, r.id)}' is unbalanced in wall time only: imbalance ${formatRatio(r.imbalance)} in wall time, ${formatRatio(r.cpuImbalance)} with time waiting for a core left out; ` +
      `its work was spread evenly, and the gain of ${formatMs(r.potentialGainMs)} is the machine's load (${worst > 0 ? `a thread waited for a core ${formatPercent(worst)} of its busy time` : 'its threads waited for cores'}), not the program's`);
  }

  if (metrics.extra.steals) out.push(`idle threads took work from busy ones ${plural(metrics.extra.steals, 'time')} (steals)`);
  return out;
}

/**
 * Of the busy time of the threads that were busy, the share they wanted a core (on one, or
 * runnable and waiting for one); undefined when a thread's readings do not tell.
 */
function coreDemand(metrics: RunMetrics): number | undefined {
  const busy = metrics.threads.filter((t) => t.busyMs > 0);
  if (busy.length === 0 || !busy.every((t) => t.busyOnCpuMs !== undefined && t.busyRunnableMs !== undefined)) return undefined;
  const sum = busy.reduce((a, t) => a + t.busyMs, 0);
  const wanted = busy.reduce((a, t) => a + t.busyOnCpuMs! + t.busyRunnableMs!, 0);
  return Math.min(1, wanted / sum);
}
