// `parprof ab`: the same workload under each schedule (and chunk size), repeated, into one A/B
// report; prints the variants side by side and names a winner only when the repeats can tell.
import { availableParallelism } from 'node:os';
import { abRows } from '../model/sweep-analysis';
import type { SweepReport } from '../model/sweep-report';
import { sharedWidths, textTable } from '../model/units';
import { AB_HEADER, SWEEP_RIGHT_ALIGNED, abCells, abNotes, abSlowest, abVerdict, subjectTitle } from '../model/sweep-tables';
import { terminalSafe, terminalSafeDeep } from '../model/terminal-text';
import type { AnswersCommand } from './answers-args';
import { busyMachineNote, recordVariants, startupLine, wholeRunWords } from './sweep';

export function formatAb(report: SweepReport, file: string): string {
  const runs = report.variants.flatMap((v) => v.runs);
  const threads = report.variants[0]?.threads;
  const out = [`A/B of ${report.script}${report.args.length ? ' ' + report.args.join(' ') : ''}`,
    `${threads === 0 ? 'sequential' : `${threads} threads`} on ${report.cores} cores · ${report.repeat} run${report.repeat === 1 ? '' : 's'} per variant · whole run = ${wholeRunWords(runs[0]?.wholeCovers)}`];
  const rows = abRows(report);
  // One set of column widths for every row's table: they line up one under another.
  const widths = sharedWidths(AB_HEADER, rows.map(abCells));
  for (const row of rows) {
    // The model's cells and sentences (src/model/sweep-tables.ts), as the A/B page and its Markdown show them.
    const slowest = abSlowest(row);
    out.push('', subjectTitle(row), ...textTable(AB_HEADER, abCells(row), SWEEP_RIGHT_ALIGNED, widths), `  ${abVerdict(row)}`);
    if (slowest) out.push(`  ${slowest}`);
    out.push(...abNotes(row, report).map((n) => `  ${n}`));
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
  process.stdout.write(`\n${formatAb(terminalSafeDeep(report), terminalSafe(file)).split('\n').map(terminalSafe).join('\n')}\n`);
  return 0;
}
