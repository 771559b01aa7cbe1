// Whether a sweep's or an A/B's run ran the variant it is labelled with. The variant reaches the
// script's pools as their defaults (PARPROF_THREADS, PARPROF_SCHEDULE): a pool given `threads`, or
// an operation given `schedule`, by the script itself keeps its own, and a table that labels that
// run "sequential" or "dynamic" would compare runs that were never made (a tryout's sweep of a
// `threads: 2` script read "sequential 39.8 ms … 2 threads 7.43 ms, 5.36×"). Pure; linear in the regions.
import type { Report, Schedule } from './report';

/** `schedule` undefined: the variant does not set one (a sweep of thread counts alone), so any schedule the script gives is its own. */
export interface VariantSettings { threads: number; schedule?: Schedule }

/** Why `report` did not run `v` (one line), or undefined when every operation of the script's ThreadPools did. */
export function variantNotApplied(report: Report, v: VariantSettings): string | undefined {
  const ours = report.regions.filter((g) => g.kind !== 'external');
  if (ours.length === 0) {
    return 'the script ran no ThreadPool operation, so the variant changed nothing in it (a sweep and an A/B set the defaults of the script\'s ThreadPools)';
  }
  const on = (threads: number): string => (threads === 0 ? 'in sequential mode' : `on ${threads} thread${threads === 1 ? '' : 's'}`);
  for (const g of ours) {
    if (g.threads !== v.threads) {
      return `operation '${g.name}' ran ${on(g.threads)}, not ${on(v.threads)}: the script gives its ThreadPool \`threads\` itself ` +
        '(leave it out, or pass defaultThreads(), and the pool takes the variant\'s)';
    }
    // A join is work stealing whatever the schedule; sequential mode runs every operation inline.
    if (v.schedule !== undefined && v.threads > 0 && g.kind !== 'join' && g.schedule !== v.schedule) {
      return `operation '${g.name}' ran under schedule '${g.schedule}', not '${v.schedule}': the script gives it (or its ThreadPool) \`schedule\` itself ` +
        '(leave it out, or pass defaultSchedule(), and the pool takes the variant\'s)';
    }
  }
  return undefined;
}

/**
 * The same check for one run the user asked for with `threads` and/or `schedule` (the editor's
 * "Profile with N Threads…" and options wizard): why the run did not run as asked, one line in the
 * user's words, or undefined. They reach the pools as defaults too, so `threads: 2` in the script
 * silently won over the 1 thread picked (the report said "2 workers" and nothing else).
 */
export function requestNotApplied(report: Report, asked: { threads?: number; schedule?: Schedule }): string | undefined {
  if (asked.threads === undefined && asked.schedule === undefined) return undefined;
  const ours = report.regions.filter((g) => g.kind !== 'external');
  const picked = [asked.threads !== undefined ? `${asked.threads} thread${asked.threads === 1 ? '' : 's'}` : '', asked.schedule ? `schedule '${asked.schedule}'` : '']
    .filter(Boolean).join(' and ');
  if (ours.length === 0) return `it ran no ThreadPool operation, so the ${picked} you picked changed nothing (they set the defaults of the script's ThreadPools)`;
  for (const g of ours) {
    if (asked.threads !== undefined && g.threads !== asked.threads) {
      return `operation '${g.name}' ran on ${g.threads === 0 ? 'no threads (sequential)' : `${g.threads} thread${g.threads === 1 ? '' : 's'}`}, not the ${asked.threads} you picked: ` +
        'the script gives its ThreadPool `threads` itself (leave it out, or pass defaultThreads(), and the pool takes the one you pick)';
    }
    if (asked.schedule !== undefined && g.threads > 0 && g.kind !== 'join' && g.schedule !== asked.schedule) {
      return `operation '${g.name}' ran under schedule '${g.schedule}', not the '${asked.schedule}' you picked: the script gives it (or its ThreadPool) \`schedule\` itself ` +
        '(leave it out, or pass defaultSchedule(), and the pool takes the one you pick)';
    }
  }
  return undefined;
}
