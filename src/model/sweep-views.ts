// How the editor lists a sweep or A/B report in the Runs view ("sweep 0,1,2 threads · speedup
// 1.80× at 2"; "A/B static/dynamic · winner dynamic"). Pure, like run-views.ts.
import { abRows, sweepScaling, WHOLE_RUN } from './sweep-analysis';
import { chartedScaling } from './sweep-layout';
import type { SweepReport } from './sweep-report';
import { relativeTime } from './run-views';
import { formatMs, formatSpeedup } from './units';

/** A sweep report as the Runs view lists it. */
export interface SweepEntry {
  /** The script's file name. */
  label: string;
  description: string;
  tooltip: string;
}

/** What the report found for the whole run, in a few words. */
export function sweepHeadline(report: SweepReport): string {
  if (report.kind === 'sweep') {
    const threads = `sweep ${report.variants.map((v) => v.threads).join(',')} threads`;
    // What the sweep page charts and its notes judge: on a busy machine the critical path in work,
    // not the wall times (the entry read "speedup 1.94× at 2" where the page plotted 0.68×).
    const subject = sweepScaling(report).find((s) => s.key === WHOLE_RUN.key);
    const charted = subject ? chartedScaling(report, subject) : null;
    const sc = charted?.scaling;
    const busy = charted?.basis === 'critical path' ? ' (critical path: the machine was busy)' : '';
    const best = sc?.points.reduce<typeof sc.points[number] | undefined>((b, q) => (Number.isFinite(q.speedup) && (!b || q.speedup > b.speedup) ? q : b), undefined);
    if (!sc || !best || best.threads === sc.baselineThreads) return `${threads} · no speedup${busy}`;
    return `${threads} · speedup ${formatSpeedup(best.speedup)} at ${best.threads}${busy}`;
  }
  const variants = `A/B ${report.variants.map((v) => v.label).join('/')}`;
  const whole = abRows(report).find((r) => r.key === WHOLE_RUN.key);
  return `${variants} · ${whole?.winner ? `winner ${whole.winner}` : 'no clear winner'}`;
}

export function sweepEntry(report: SweepReport, file: string, nowMs: number): SweepEntry {
  const name = report.script.split(/[\\/]/).pop() || report.script;
  const runs = report.variants.reduce((n, v) => n + v.runs.length, 0);
  const wall = report.variants.map((v) => `${v.label}: ${formatMs(median(v.runs.map((r) => r.wholeMs)))}`).join(' · ');
  return {
    label: name,
    description: `${sweepHeadline(report)} · ${relativeTime(report.createdAt, nowMs)}`,
    tooltip: [
      `${report.script}${report.args.length ? ` ${report.args.join(' ')}` : ''}`,
      `${report.kind === 'sweep' ? 'scaling sweep' : 'schedule A/B'} · ${runs} runs (${report.repeat} per variant) on ${report.cores} cores · ${new Date(report.createdAt).toLocaleString()}`,
      `whole run (median): ${wall}`,
      file,
    ].join('\n'),
  };
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}
