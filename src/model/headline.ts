// What the headline numbers may claim for a report. The CLI summary and the views' headline
// cards ask the same questions here, so an import without task spans shows "—" in both instead
// of a utilization of 0 % and an imbalance of 1.00 that nothing measured.
import type { Advice, AdviceRule } from './advice';
import type { RunMetrics } from './analysis';
import type { Report } from './report';
import { CLUSTER_FN } from './interop-busy';
import { formatCount, formatMs, formatPercent, formatRatio } from './units';

/** A balance number with no task spans to read it from. */
export const NO_SPANS = '— (no task spans)';

/** One of the headline numbers as the first screen lists it: `key` names it for tests and the header. */
export interface HeadlineItem { key: string; label: string; value: string }

/**
 * The headline numbers of a run, as text: the few that say whether the run used its threads, in
 * the order the first screen lists them. The first screen shows these; a large report's header
 * keeps them (report-answers.ts), so the two say the same.
 */
export function headlineItems(report: Report, m: RunMetrics): HeadlineItem[] {
  const measured = balanceMeasured(m);
  const item = (key: string, label: string, value: string): HeadlineItem => ({ key, label, value });
  return [
    item('wall', 'Wall time, first operation to last', measured ? formatMs(m.wallMs) : NO_SPANS),
    item('utilization', 'Utilization', measured ? formatPercent(m.utilization) : NO_SPANS),
    item('imbalance', 'Imbalance (max / mean busy, wall time)', measured ? formatRatio(m.imbalance) : NO_SPANS),
    // A thread waiting for a core looks busy in wall time: the work's own balance, when the report tells.
    ...(measured && m.extra.cpuImbalance !== undefined ? [item('cpuImbalance', 'Imbalance on CPU (time waiting for a core left out)', formatRatio(m.extra.cpuImbalance))] : []),
    // Not a saving: the findings say what a fix would save, this is the idle time it could at most recover.
    item('potentialGain', 'Potential gain (idle per thread: wall − mean busy)', measured ? formatMs(m.potentialGainMs) : NO_SPANS),
    item('tasks', 'Tasks', formatCount(m.extra.tasks)),
    item('threads', threadsWithTasksLabel(m), threadsWithTasksText(report, m)),
  ];
}

/** Reports converted from another tool's file name it `import:<kind>` in `meta.recorder`. */
export const IMPORTED_PREFIX = 'import:';

export function isImported(report: Report): boolean {
  return report.meta.recorder.startsWith(IMPORTED_PREFIX);
}

/**
 * Utilization, imbalance, potential gain, tail and waits are read from task spans (or busy spans
 * derived from samples, for workers that take no messages); with neither they would be inventions.
 */
export function balanceMeasured(metrics: RunMetrics): boolean {
  return metrics.extra.tasks > 0 || metrics.extra.derivedSpans > 0;
}

/**
 * What the "threads" card counts: threads with tasks, or (a cluster, workers that take no
 * messages) threads whose busy time was read from CPU samples, named as what they are.
 */
export function threadsWithTasksLabel(metrics: RunMetrics): string {
  if (metrics.extra.derivedSpans === 0) return 'Threads with tasks';
  return metrics.extra.tasks === 0 ? 'Busy threads (read from CPU samples)' : 'Threads with tasks or busy time read from CPU samples';
}

/** Main threads of cluster workers among the busy threads (their spans are in a cluster's region). */
function clusterThreads(report: Report): number {
  const regions = new Set(report.regions.filter((r) => r.kind === 'external' && r.fn === CLUSTER_FN).map((r) => r.id));
  if (regions.size === 0) return 0;
  const threads = new Set<number>();
  for (let k = 0; k < report.spans.count; k++) if (regions.has(report.spans.region[k])) threads.add(report.spans.thread[k]);
  return threads.size;
}

/**
 * "2 on 2 cores" for a recording ("2 cluster worker processes on 2 cores" when those are what ran); an import knows no core count (its `meta.cores` is a
 * placeholder), so it says how many of its threads ran tasks instead.
 */
export function threadsWithTasksText(report: Report, metrics: RunMetrics): string {
  if (isImported(report)) return `${metrics.extra.workerThreads} of ${report.threads.length} threads`;
  const cluster = clusterThreads(report);
  const processes = `${cluster} cluster worker ${cluster === 1 ? 'process' : 'processes'}`;
  if (cluster > 0 && cluster === metrics.extra.workerThreads) return `${processes} on ${report.meta.cores} cores`;
  const atOnce = metrics.extra.concurrentThreads !== undefined ? `, at most ${metrics.extra.concurrentThreads} at once,` : '';
  return `${metrics.extra.workerThreads}${atOnce} on ${report.meta.cores} cores${cluster > 0 ? ` (${processes} among them)` : ''}`;
}

/** Findings about the machine's load (other processes took the cores), not about the program. */
const LOAD_RULES: ReadonlySet<AdviceRule> = new Set<AdviceRule>(['descheduled']);

/**
 * The order the findings are told in (the Summary's list, the Timeline's headline shows the
 * first): the largest cause the program can fix leads, the machine's load follows it, then the
 * other causes by saving. The load's saving is often the larger (a loaded machine stretches
 * everything), but no change to the program gives it back. With no other cause, the load leads.
 */
export function leadOrder(advice: Advice[]): Advice[] {
  const fixable = advice.filter((a) => !LOAD_RULES.has(a.rule));
  if (fixable.length === 0 || fixable.length === advice.length) return advice;
  return [fixable[0], ...advice.filter((a) => LOAD_RULES.has(a.rule)), ...fixable.slice(1)];
}
