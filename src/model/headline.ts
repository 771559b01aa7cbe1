// What the headline numbers may claim for a report. The CLI summary and the views' headline
// cards ask the same questions here, so an import without task spans shows "—" in both instead
// of a utilization of 0 % and an imbalance of 1.00 that nothing measured.
import type { Advice, AdviceRule } from './advice';
import type { RunMetrics } from './analysis';
import type { Report } from './report';

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
 * "2 on 2 cores" for a recording; an import knows no core count (its `meta.cores` is a
 * placeholder), so it says how many of its threads ran tasks instead.
 */
export function threadsWithTasksText(report: Report, metrics: RunMetrics): string {
  return isImported(report)
    ? `${metrics.extra.workerThreads} of ${report.threads.length} threads`
    : `${metrics.extra.workerThreads} on ${report.meta.cores} cores`;
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
