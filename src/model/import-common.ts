// What the importers share: an empty report to fill, the sampling interval of a profile, and
// profiles put in time order. Pure.
import type { CpuProfile, Report } from './report';
import { REPORT_FORMAT, REPORT_VERSION, SCHEDULES, emptySpans } from './report';
import { validateCpuProfile } from './load';
import { inTimeOrder } from './profile-order';

/** Median of the positive deltas after the first (the sampling interval), rounded; 0 with none. */
export function medianDelta(deltas: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i < deltas.length; i++) if (deltas[i] > 0) d.push(deltas[i]);
  d.sort((a, b) => a - b);
  return d.length ? Math.round(d[d.length >> 1]) : 0;
}

/**
 * A validated profile whose samples are in time order: V8 can write a few negative deltas
 * (samples taken out of order), which a report may not have; such samples are sorted by time
 * (stable, so equal times keep their order). `path` names the input in errors.
 */
export function profileInOrder(x: unknown, path: string): CpuProfile {
  return inTimeOrder(validateCpuProfile(x, path, { negativeDeltas: true }));
}

/** A report with no threads or spans yet; `meta` restored from our own export's otherData. */
export function emptyReport(name: string, other: Record<string, unknown> | undefined, originUs: number, durationUs: number): Report {
  const o = other ?? {};
  const s = (k: string, d: string) => (typeof o[k] === 'string' ? o[k] as string : d);
  const n = (k: string, d: number) => (typeof o[k] === 'number' ? o[k] as number : d);
  let args: string[] = [];
  try { const a = JSON.parse(s('args', '[]')); if (Array.isArray(a) && a.every((x) => typeof x === 'string')) args = a; } catch { /* not ours: no args */ }
  const schedule = (SCHEDULES as readonly string[]).includes(s('poolSchedule', '')) ? s('poolSchedule', '') as Report['meta']['pool']['schedule'] : 'static';
  return {
    format: REPORT_FORMAT, version: REPORT_VERSION,
    meta: {
      script: s('script', name), args, cwd: s('cwd', ''), nodeVersion: s('nodeVersion', ''), nodePath: s('nodePath', ''), cores: Math.max(1, n('cores', 1)),
      platform: s('platform', ''), startedAt: n('startedAt', 0), originUs: n('originUs', originUs), durationUs: Math.max(0, n('durationUs', durationUs)),
      pool: { threads: n('poolThreads', 0), schedule }, sampleIntervalUs: n('sampleIntervalUs', 0), recorder: s('recorder', 'import:chrome'),
    },
    threads: [], regions: [], spans: emptySpans(), profiles: [], elu: [], markers: [],
    dropped: { spans: 0, samples: 0, profiles: 0 }, exit: exitFrom(s('exit', '')),
  };
}

/**
 * Fills what the report format requires but an import's file does not say: the machine's cores
 * (the format wants at least 1) and the pool's default threads. Placeholders, not facts: an
 * import's texts (summary, headline cards, markdown) never show them, and with cores = threads
 * no finding can say that more threads ran at once than there were cores.
 */
export function placeholderMachine(report: Report): void {
  report.meta.cores = Math.max(1, report.threads.length);
  report.meta.pool.threads = report.threads.filter((t) => t.kind === 'worker').length;
}

/** How the process ended, as our Chrome export keeps it in otherData; unknown for anything else. */
function exitFrom(json: string): Report['exit'] {
  const unknown: Report['exit'] = { code: null, signal: null, error: null };
  if (!json) return unknown;
  let x: unknown;
  try { x = JSON.parse(json); } catch { return unknown; }
  if (typeof x !== 'object' || x === null) return unknown;
  const e = x as Record<string, unknown>;
  const code = Number.isInteger(e.code) && Math.abs(e.code as number) < 2 ** 31 ? e.code as number : null;
  const signal = typeof e.signal === 'string' && /^SIG[A-Z0-9]{1,10}$/.test(e.signal) ? e.signal : null;
  const err = typeof e.error === 'object' && e.error !== null ? e.error as Record<string, unknown> : undefined;
  const error = err && typeof err.message === 'string' ? { message: err.message, ...(typeof err.stack === 'string' ? { stack: err.stack } : {}) } : null;
  return { code, signal, error };
}
