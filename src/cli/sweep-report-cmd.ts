// `parprof report <x.parprof-sweep.json>`: the sweep / A-B table as `parprof sweep` / `ab` printed
// it, `--json` the analysed numbers, `--html out.html` the standalone sweep page (for an A/B
// report with each variant's median run as lanes, read from the .parprof files next to it).
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { standalonePageHtml } from '../model/html-report';
import { abRows, sweepScaling } from '../model/sweep-analysis';
import { sweepPage } from '../model/sweep-lanes';
import { SWEEP_FORMAT, parseSweepReport, type SweepReport } from '../model/sweep-report';
import { terminalSafe, terminalSafeDeep, terminalSafeJson } from '../model/terminal-text';
import { viewsBundle } from './views-bundle';
import { readAnyReportFile } from '../runner/read-import';
import { readFileCapped } from '../runner/read-report';
import { writeOutputFile } from '../runner/output';
import { formatAb } from './ab';
import type { Command } from './args';
import { formatSweep } from './sweep';

const SWEEP_SUFFIX = '.parprof-sweep.json';

/** A sweep report by its name, or a .json file whose opening names the sweep format. */
export function isSweepFile(file: string): boolean {
  if (file.endsWith(SWEEP_SUFFIX)) return true;
  if (!file.endsWith('.json')) return false;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8').includes(`"${SWEEP_FORMAT}"`);
  } catch {
    return false; // unreadable: the report reader says why
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The table `parprof sweep` / `ab` printed, without its "wrote <file>" line (nothing is written here). */
export function sweepTable(report: SweepReport): string {
  const text = report.kind === 'sweep' ? formatSweep(report, '') : formatAb(report, '');
  const lines = text.split('\n');
  // formatSweep/formatAb end with '', 'wrote <file> …': what the recording wrote, not true of a reading.
  if (lines.length >= 2 && lines[lines.length - 1].startsWith('wrote ')) lines.splice(-2, 2);
  return lines.join('\n');
}

export function sweepReportCommand(c: Extract<Command, { cmd: 'report' }>): number {
  let report: SweepReport;
  // readFileCapped's message names the file already.
  const bytes = readFileCapped(c.file);
  try {
    report = parseSweepReport(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`${c.file}: ${(err as Error).message}`);
  }
  // A sweep holds each run's numbers, not its spans: they are in the .parprof files next to it.
  if (c.spans) throw new Error(`${c.file} is a sweep / A-B report: it holds no spans; --spans is for one run's .parprof (saved next to it)`);
  if (c.html !== undefined) {
    const bundle = viewsBundle();
    const dir = dirname(resolve(c.file));
    const page = sweepPage(report, (run) => readAnyReportFile(resolve(dir, run)));
    const name = report.script.split(/[\\/]/).pop() || report.script;
    writeOutputFile(resolve(c.html), 'the HTML page', standalonePageHtml('sweep', page, bundle, `Parallel Profiler: ${report.kind === 'sweep' ? 'sweep' : 'A/B'} of ${name}`));
    if (page.lanesNote) process.stderr.write(`parprof: ${terminalSafe(page.lanesNote)}\n`);
    // With --json too, stdout is the JSON alone (as for a .parprof): the page is written all the same.
    if (!c.json) {
      process.stdout.write(`wrote ${terminalSafe(c.html)}\n`);
      return 0;
    }
  }
  if (c.json) {
    const numbers = report.kind === 'sweep' ? { kind: report.kind, scaling: sweepScaling(report) } : { kind: report.kind, rows: abRows(report) };
    process.stdout.write(`${terminalSafeJson(JSON.stringify(numbers, null, 2))}\n`);
    return 0;
  }
  // Names, labels and paths from the file escaped before any line holds them (a newline in one cannot start a line).
  process.stdout.write(`${sweepTable(terminalSafeDeep(report)).split('\n').map(terminalSafe).join('\n')}\n`);
  return 0;
}
