// How the editor lists a sweep or A/B report in the Runs view ("sweep 0,1,2 threads · speedup
// 1.80× at 2"; "A/B static/dynamic · winner dynamic"). Pure, like run-views.ts.
import { abRows, sweepScaling, WHOLE_RUN } from './sweep-analysis';
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
    const sc = sweepScaling(report).find((s) => s.key === WHOLE_RUN.key)?.scaling;
    const best = sc?.points.reduce<typeof sc.points[number] | undefined>((b, q) => (Number.isFinite(q.speedup) && (!b || q.speedup > b.speedup) ? q : b), undefined);
    if (!sc || !best || best.threads === sc.baselineThreads) return `${threads} · no speedup`;
    return `${threads} · speedup ${formatSpeedup(best.speedup)} at ${best.threads}`;
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
