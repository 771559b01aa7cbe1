// `parprof sweep`: the script at several thread counts, each repeated, into one sweep report;
// prints speedup, efficiency, the Amdahl serial fraction and Karp–Flatt. Also the recording loop
// `parprof ab` shares (recordVariants).
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { analyze } from '../model/analysis';
import { DEFAULT_SCHEDULE, ENV } from '../runtime/contract';
import type { Schedule } from '../model/report';
import { spreadOf } from '../model/scaling';
import { sweepScaling, type SubjectScaling } from '../model/sweep-analysis';
import {
  SWEEP_FORMAT, SWEEP_VERSION, serializeSweepReport, summarizeRun, variantLabel,
  type SweepKind, type SweepReport, type Variant, type WholeRunCovers,
} from '../model/sweep-report';
import { formatMs, sharedWidths, textTable } from '../model/units';
import { SCALING_HEADER, SWEEP_RIGHT_ALIGNED, busyContext, busyMachineNote, scalingCells, scalingNotes, subjectTitle } from '../model/sweep-tables';
import type { Scaling } from '../model/scaling';
import { terminalSafe, terminalSafeDeep } from '../model/terminal-text';
import { runProfiled, validateRunOptions } from '../runner/run';
import { checkOutputPath, writeOutputFile } from '../runner/output';
import { variantNotApplied } from '../model/variant-applied';
import type { AnswersCommand } from './answers-args';

/** One configuration to record. */
export interface VariantSpec { threads: number; schedule: Schedule; chunkSize: number | null }

export interface RecordOptions {
  kind: SweepKind;
  script: string;
  args: string[];
  variants: VariantSpec[];
  repeat: number;
  sampleIntervalUs?: number;
  out?: string;
  /**
   * The variants vary the thread count only (a sweep without --schedule): their schedule is the
   * pools' default, and an operation the script gives a schedule of its own keeps it, as asked.
   */
  threadsOnly?: boolean;
}

/** Thrown for a run that failed; main prints it as one line. */
export class SweepError extends Error {}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function slug(label: string): string {
  return label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** What the whole-run wall time covers, in words. */
export function wholeRunWords(covers: WholeRunCovers | undefined, startupShown = true): string {
  const from = covers === 'script' ? "the script's first line" : "the main thread's preload (the report has no start of the script)";
  return `from ${from} to the end of its last pool operation, less the wait for pool start-up${startupShown ? ' (shown apart)' : ''}`;
}

/**
 * Runs every variant `repeat` times, interleaved (variant 1, 2, 3, then again) so a change in
 * the machine's load spreads over all variants instead of biasing one; writes each run's
 * .parprof next to the sweep report and the report itself. Returns it and its path.
 */
export async function recordVariants(o: RecordOptions): Promise<{ report: SweepReport; file: string }> {
  const { script, cwd } = validateRunOptions({ script: o.script, threads: 0 });
  const startedAt = Date.now();
  const out = resolve(cwd, o.out ?? join('.parprof', `${basename(script)}-${o.kind}-${stamp(new Date(startedAt))}.parprof-sweep.json`));
  const dir = dirname(out);
  const stem = basename(out).replace(/(\.parprof-sweep)?\.json$/, '');
  // Checked (its folders made) before the runs: a path that cannot take it must not cost the sweep.
  checkOutputPath(out, `the ${o.kind === 'ab' ? 'A/B' : 'sweep'} report`);
  const variants: Variant[] = o.variants.map((v) => ({ label: variantLabel(o.kind, v.threads, v.schedule, v.chunkSize), ...v, runs: [] }));
  const total = variants.length * o.repeat;
  let done = 0;
  for (let k = 1; k <= o.repeat; k++) {
    for (const v of variants) {
      const file = join(dir, `${stem}-${slug(v.label)}-r${k}.parprof`);
      const env: Record<string, string> = {};
      if (v.chunkSize !== null) env[ENV.chunkSize] = String(v.chunkSize);
      const { report } = await runProfiled({
        script, args: o.args, threads: v.threads, schedule: v.schedule, sampleIntervalUs: o.sampleIntervalUs, out: file, env,
        // The script's stdout would bury the table; its stderr still shows.
        onOutput: (text, stream) => { if (stream === 'stderr') process.stderr.write(text); },
      });
      const summary = summarizeRun(report, analyze(report), relative(dir, file));
      v.runs.push(summary);
      done++;
      process.stderr.write(`parprof: ${v.label}, run ${k} of ${o.repeat} (${done}/${total}): ${formatMs(summary.wholeMs)}\n`);
      if (report.exit.code !== 0) {
        // The sequential run is the default sweep's first: a script that only works on worker threads fails there.
        const fromOne = o.kind === 'sweep' && v.threads === 0 && variants.length > 1
          ? ` (if the script cannot run sequentially, sweep from one thread: --threads ${variants.filter((x) => x.threads !== 0).map((x) => x.threads).join(',')})` : '';
        throw new SweepError(`${v.label}, run ${k}: the script ${report.exit.code === null ? `was killed by ${report.exit.signal}` : `exited with code ${report.exit.code}`}; its report is ${file}${fromOne}`);
      }
      // A run labelled with settings it did not run under would make the table false: stop there.
      const notApplied = variantNotApplied(report, o.threadsOnly ? { threads: v.threads } : v);
      if (notApplied) throw new SweepError(`${v.label}, run ${k}: ${notApplied}; its report is ${file}`);
    }
  }
  const report: SweepReport = {
    format: SWEEP_FORMAT, version: SWEEP_VERSION, kind: o.kind, createdAt: startedAt, script, args: o.args, cwd,
    cores: availableParallelism(), repeat: o.repeat, variants,
  };
  writeOutputFile(out, `the ${o.kind === 'ab' ? 'A/B' : 'sweep'} report`, serializeSweepReport(report));
  return { report, file: out };
}

/** 0, 1, 2, 4, … up to the cores, and the cores. */
export function defaultThreadCounts(cores: number): number[] {
  const out = [0];
  for (let p = 1; p < cores; p *= 2) out.push(p);
  out.push(cores);
  return out;
}

/** The scaling table of one subject (whole run or region): the model's cells and notes (src/model/sweep-tables.ts). */
export function formatScaling(s: SubjectScaling, cores: number, busy?: { critical: Scaling | null }, widths: number[] = []): string[] {
  if (!s.scaling) return ['  (no run recorded it)'];
  return [...textTable(SCALING_HEADER, scalingCells(s.scaling, cores, busy), SWEEP_RIGHT_ALIGNED, widths), ...scalingNotes(s.scaling, cores, busy).map((n) => `  ${n}`)];
}

// One source for the note: the pages and the Markdown show the model's words too.
export { busyMachineNote };

/** Median pool start-up per variant: the time left out of the whole-run wall. */
export function startupLine(report: SweepReport): string {
  const parts = report.variants.map((v) => `${v.label}: ${formatMs(spreadOf(v.runs.map((r) => r.poolStartupMs)).median)}`);
  return `  pool start-up, not in the wall times above (median): ${parts.join(' · ')}`;
}

export function formatSweep(report: SweepReport, file: string): string {
  const runs = report.variants.flatMap((v) => v.runs);
  const out = [`Sweep of ${report.script}${report.args.length ? ' ' + report.args.join(' ') : ''}`,
    `${report.cores} cores · ${report.repeat} run${report.repeat === 1 ? '' : 's'} per thread count · whole run = ${wholeRunWords(runs[0]?.wholeCovers)}`];
  const subjects = sweepScaling(report);
  // One set of column widths for every subject's table: they line up one under another.
  const widths = sharedWidths(SCALING_HEADER, subjects.flatMap((s) => (s.scaling ? [scalingCells(s.scaling, report.cores, busyContext(report, s))] : [])));
  for (const s of subjects) {
    out.push('', subjectTitle(s), ...formatScaling(s, report.cores, busyContext(report, s), widths));
    if (s.key === '') out.push(startupLine(report));
  }
  out.push(...busyMachineNote(runs).map((l, i) => (i === 0 ? `\n${l}` : l)));
  out.push('', `wrote ${file} (each run's .parprof next to it)`);
  return out.join('\n');
}

export async function sweep(c: Extract<AnswersCommand, { cmd: 'sweep' }>): Promise<number> {
  const threads = c.threads.length ? c.threads : defaultThreadCounts(availableParallelism());
  const { report, file } = await recordVariants({
    kind: 'sweep', script: c.script, args: c.args, repeat: c.repeat, sampleIntervalUs: c.sampleIntervalUs, out: c.out,
    variants: threads.map((p) => ({ threads: p, schedule: c.schedule ?? DEFAULT_SCHEDULE, chunkSize: null })),
    threadsOnly: c.schedule === undefined,
  });
  process.stdout.write(`\n${formatSweep(terminalSafeDeep(report), terminalSafe(file)).split('\n').map(terminalSafe).join('\n')}\n`);
  return 0;
}
