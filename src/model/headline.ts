// What the headline numbers may claim for a report. The CLI summary and the views' headline
// cards ask the same questions here, so an import without task spans shows "—" in both instead
// of a utilization of 0 % and an imbalance of 1.00 that nothing measured.
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
