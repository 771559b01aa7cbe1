// `parprof ab`: the same workload under each schedule (and chunk size), repeated, into one A/B
// report; prints the variants side by side and names a winner only when the repeats can tell.
import { availableParallelism } from 'node:os';
import { abRows, type AbRow } from '../model/sweep-analysis';
import type { SweepReport } from '../model/sweep-report';
import { formatChange, formatMs, formatPercent, formatRangeMs, formatRatio, textTable } from '../model/units';
import { terminalSafe } from '../model/terminal-text';
import type { AnswersCommand } from './answers-args';
import { busyMachineNote, recordVariants, startupLine, wholeRunWords } from './sweep';

function verdict(row: AbRow): string[] {
  const lines: string[] = [];
  if (row.winner) {
    const runnerUp = [...row.cells].sort((a, b) => a.wallMs.median - b.wallMs.median)[1];
    lines.push(`  winner: ${row.winner} — ${formatChange(runnerUp.behindBest)} wall for the runner-up (${runnerUp.label}), outside the spread of ${runnerUp.wallMs.n} runs each`);
  } else {
    lines.push(`  no clear winner: ${row.noWinnerReason}`);
  }
  if (row.slowest && row.slowest !== row.winner) {
    const slow = row.cells.find((c) => c.label === row.slowest)!;
    const best = [...row.cells].sort((a, b) => a.wallMs.median - b.wallMs.median)[0];
    lines.push(`  slowest: ${row.slowest}, ${formatChange(slow.behindBest)} wall against ${best.label} (${formatMs(slow.wallMs.median)} against ${formatMs(best.wallMs.median)})`);
  }
  return lines;
}

export function formatAb(report: SweepReport, file: string): string {
  const runs = report.variants.flatMap((v) => v.runs);
  const threads = report.variants[0]?.threads;
  const out = [`A/B of ${report.script}${report.args.length ? ' ' + report.args.join(' ') : ''}`,
    `${threads === 0 ? 'sequential' : `${threads} threads`} on ${report.cores} cores · ${report.repeat} run${report.repeat === 1 ? '' : 's'} per variant · whole run = ${wholeRunWords(runs[0]?.wholeCovers)}`];
  for (const row of abRows(report)) {
    out.push('', row.key === '' ? 'Whole run' : `Region ${row.key}`);
    out.push(...textTable(['variant', 'wall (median)', 'range', 'utilization', 'imbalance', 'vs best'],
      row.cells.map((c) => [c.label, formatMs(c.wallMs.median), formatRangeMs(c.wallMs.min, c.wallMs.max),
        formatPercent(c.utilization), formatRatio(c.imbalance), c.behindBest === 0 ? 'best' : formatChange(c.behindBest)]),
      [false, true, true, true, true, true]));
    out.push(...verdict(row));
    if (row.key === '') out.push(startupLine(report));
  }
  out.push(...busyMachineNote(runs).map((l, i) => (i === 0 ? `\n${l}` : l)));
  out.push('', `wrote ${file} (each run's .parprof next to it)`);
  return out.join('\n');
}

export async function ab(c: Extract<AnswersCommand, { cmd: 'ab' }>): Promise<number> {
  const threads = c.threads ?? availableParallelism();
  const chunks: (number | null)[] = c.chunkSizes.length ? c.chunkSizes : [null];
  const { report, file } = await recordVariants({
    kind: 'ab', script: c.script, args: c.args, repeat: c.repeat, sampleIntervalUs: c.sampleIntervalUs, out: c.out,
    variants: c.schedules.flatMap((schedule) => chunks.map((chunkSize) => ({ threads, schedule, chunkSize }))),
  });
  process.stdout.write(`\n${formatAb(report, file).split('\n').map(terminalSafe).join('\n')}\n`);
  return 0;
}
