// `parprof record` / `parprof report`: the command-line twin of the extension.
import { writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { constants } from 'node:os';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { advise } from '../model/advice';
import { analyze } from '../model/analysis';
import { standaloneHtml } from '../model/html-report';
import { formatSummary } from '../model/summary';
import { spanRowsJson } from '../model/span-rows';
import type { Report } from '../model/report';
import { packageVersion } from '../runner/paths';
import { finishRun } from '../runner/run';
import { writeOutputFile } from '../runner/output';
import { startRecord, type RecordCommand, type RecordStart } from './record-start';
import { USAGE, UsageError, commandHelp, parseArgs, recordOptionsAfterScript, type Command } from './args';
import { nextSteps } from './next-steps';
import { viewsBundle } from './views-bundle';
import { ab } from './ab';
import { compare } from './compare';
import { sweep } from './sweep';
import { terminalSafe, terminalSafeJson } from '../model/terminal-text';
import { ReportFileError, readFileCapped } from '../runner/read-report';
import { parseSweepReport } from '../model/sweep-report';
import { sweepMarkdown } from '../model/sweep-tables';
import { readAnyReportFile } from '../runner/read-import';
import { writeExport } from './export';
import { writeZeroXFlamegraph } from './export-0x';
import { isSweepFile, sweepReportCommand } from './sweep-report-cmd';

/** Our own failures: one line, exit 2 (the script's own exit codes pass through unchanged). */
function fail(message: string): never {
  // Messages quote report contents (names, paths): escaped, so a report cannot drive the terminal.
  process.stderr.write(`parprof: ${terminalSafe(message)}\n`);
  process.exit(2);
}

/** The exit code a shell reports for a process: its code, or 128 + signal number. */
export function exitCodeOf(exit: Report['exit']): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? (constants.signals as Record<string, number>)[exit.signal] : undefined;
  return 128 + (n ?? 0);
}

/**
 * `parprof record`: the script is started (by the launcher already, when it gives `started`),
 * its report built and written, and its summary printed.
 */
async function record(c: RecordCommand, started?: RecordStart): Promise<number> {
  const passed = recordOptionsAfterScript(c.args);
  if (passed.length) {
    process.stderr.write(`parprof: note: ${terminalSafe(passed.join(', '))} ${passed.length === 1 ? 'comes' : 'come'} after the script, so the script gets ${passed.length === 1 ? 'it' : 'them'}, not parprof; ` +
      `parprof's own options go before the script (parprof record ${terminalSafe(passed[0])} … script.js)\n`);
  }
  let recording: RecordStart;
  try {
    recording = started ?? startRecord(c);
  } catch (err) {
    fail((err as Error).message);
  }
  const { report, file, unwritten, metrics } = await finishRun(recording.run);
  process.stdout.write(`\n${formatSummary(report, metrics ?? analyze(report))}\n\n${nextSteps(file)}\n`);
  if (unwritten) {
    // The recording is kept, but not where it was asked for: say where, and fail the command.
    process.stderr.write(`parprof: ${terminalSafe(`cannot write ${unwritten.path} (${unwritten.error}); the report was saved to ${file} instead`)}\n`);
    return 2;
  }
  // Stopped by a signal: exit as a shell expects of a command that signal ended (130 for Ctrl-C),
  // not with the script's 143 from the SIGTERM we sent it.
  const stoppedBy = recording.stoppedBy();
  if (stoppedBy) return 128 + (constants.signals as Record<string, number>)[stoppedBy];
  return exitCodeOf(report.exit);
}

function loadReport(file: string): Report {
  try {
    return readAnyReportFile(file);
  } catch (err) {
    fail(err instanceof ReportFileError ? err.message : `${file}: ${(err as Error).message}`);
  }
}

/**
 * Writes JSON text piece by piece, each made terminal-safe, waiting for stdout to drain when it
 * is a pipe (a pipe's writes are queued in memory: gigabytes of rows would pile up).
 */
async function writePieces(pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (!process.stdout.write(terminalSafeJson(piece))) await once(process.stdout, 'drain');
  }
}

/** The JSON's text around the rows, and the rows' pieces as they are made (never all at once). */
function* jsonWithRows(head: string, rows: Iterable<string>, tail: string): Generator<string> {
  yield head;
  yield* rows;
  yield `${tail}\n`;
}

function report(c: Extract<Command, { cmd: 'report' }>): number | Promise<number> {
  // A sweep / A-B report prints its table, or writes its page (src/cli/sweep-report-cmd.ts).
  if (isSweepFile(c.file)) {
    try {
      return sweepReportCommand(c);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  const r = loadReport(c.file);
  const metrics = analyze(r);
  if (c.html !== undefined) {
    let bundle: string;
    try {
      bundle = viewsBundle();
    } catch (err) {
      fail((err as Error).message);
    }
    try {
      // Embedded gzip+base64: about 3.5x smaller, and the page opens faster than with raw JSON.
      writeOutputFile(resolve(c.html), 'the HTML page', standaloneHtml(r, bundle, { gzip: (b) => gzipSync(b) }));
    } catch (err) {
      fail((err as Error).message);
    }
  }
  // The advice the findings print, with its evidence, range and call site (src/model/advice.ts).
  // --spans: the rows are written in pieces where a placeholder stands (10M rows are ~3 GB of
  // text, past V8's longest string); the output is JSON.stringify's, byte for byte.
  const placeholder = `parprof-spans-${process.pid}-${Date.now()}`;
  if (c.json) {
    // Only here: the summary finds its own advice (a second advise took ~1 s at 10M spans).
    const extra = { ...metrics.extra, advice: advise(r, metrics), ...(c.spans ? { spans: placeholder } : {}) };
    const json = { ...metrics, extra };
    const [head, tail] = JSON.stringify(json, null, 2).split(JSON.stringify(placeholder));
    if (tail === undefined) process.stdout.write(`${terminalSafeJson(head)}\n`);
    else return writePieces(jsonWithRows(head, spanRowsJson(r, 2), tail)).then(() => 0);
  }
  else if (c.html === undefined) process.stdout.write(`${formatSummary(r, metrics)}\n`);
  else process.stdout.write(`wrote ${terminalSafe(c.html)}\n`);
  return 0;
}

async function main(argv: string[], started?: RecordStart): Promise<number> {
  // No command is a usage error (exit 2, usage on stderr, as for an unknown command); asking for
  // help (--help, -h, help) is not: usage on stdout, exit 0.
  if (argv.length === 0) {
    process.stderr.write(`parprof: no command given\n${USAGE}\n`);
    return 2;
  }
  let c: Command;
  try {
    c = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  switch (c.cmd) {
    case 'help': process.stdout.write(`${c.command ? commandHelp(USAGE, c.command) : USAGE}\n`); return 0;
    case 'version': process.stdout.write(`parprof ${packageVersion()}\n`); return 0;
    case 'record': return record(c, started);
    case 'report': return report(c);
    case 'sweep': case 'ab': case 'compare': return answers(c);
    case 'export': return exportCommand(c);
  }
}

/** `parprof export`: the report (or trace, or profiles) written for another viewer (src/cli/export.ts). */
function exportCommand(c: Extract<Command, { cmd: 'export' }>): number | Promise<number> {
  if (isSweepFile(c.file)) return exportSweep(c);
  const r = loadReport(c.file);
  if (c.format === '0x') {
    const dir = c.out ?? join(dirname(c.file), `${basename(c.file).replace(/\.parprof(\.gz)?$/, '')}-thread-${c.thread}-0x`);
    return writeZeroXFlamegraph(r, c.thread, dir, process.cwd()).then(
      (file) => { process.stdout.write(`wrote ${terminalSafe(file)}\n`); return 0; },
      (err: Error) => fail(err.message));
  }
  let result: { wrote: string; files: number };
  try {
    // What goes to a terminal is escaped like every other line we print: Markdown line by line
    // (a task name's ESC or newline cannot reach the terminal raw), JSON formats as JSON escapes.
    const toTerminal = (text: string): string => c.format === 'markdown'
      ? text.split('\n').map(terminalSafe).join('\n')
      : terminalSafeJson(text);
    result = writeExport(r, c, (text) => process.stdout.write(toTerminal(text)));
  } catch (err) {
    fail((err as Error).message);
  }
  if (result.wrote !== '-') process.stdout.write(`wrote ${result.wrote}${c.format === 'cpuprofile' ? ` (${result.files} .cpuprofile file${result.files === 1 ? '' : 's'})` : ''}\n`);
  return 0;
}

/**
 * A sweep or A/B report holds several runs: Markdown exports its table (what the extension's
 * sweep page exports); the per-run formats take one of its runs, named in the message.
 */
function exportSweep(c: Extract<Command, { cmd: 'export' }>): number {
  if (c.format !== 'markdown') {
    fail(`${c.file} is a sweep / A-B report of several runs: --format ${c.format} exports one run, so give one of its runs' .parprof files (saved next to it), or use --format markdown for its table`);
  }
  let text: string;
  try {
    text = sweepMarkdown(parseSweepReport(new TextDecoder().decode(readFileCapped(c.file))));
  } catch (err) {
    fail(err instanceof ReportFileError ? err.message : `${c.file}: ${(err as Error).message}`);
  }
  if (c.out === undefined || c.out === '-') process.stdout.write(text.split('\n').map(terminalSafe).join('\n'));
  else {
    try {
      writeOutputFile(resolve(c.out), 'the Markdown', text);
    } catch (err) {
      fail((err as Error).message);
    }
    process.stdout.write(`wrote ${terminalSafe(c.out)}\n`);
  }
  return 0;
}

/** sweep, ab, compare (src/cli/sweep.ts, ab.ts, compare.ts); what they throw (a failed run, an unreadable input) ends as one line, exit 2. */
function answers(c: Extract<Command, { cmd: 'sweep' | 'ab' | 'compare' }>): Promise<number> | number {
  if (c.cmd === 'compare') return compare(c);
  return c.cmd === 'sweep' ? sweep(c) : ab(c);
}

/**
 * Runs the command of `argv` (process.argv without node and the script) and exits with its code.
 * `started`: the launcher (src/cli/launch.ts) already started this `record`'s script.
 */
export function runCli(argv: string[], started?: RecordStart): void {
  // `parprof record x.js | head`: a reader that goes away is not an error of the run; the script
  // keeps running and the report is still written, we just stop printing.
  // Any other failure to print (a full disk behind `> file`, /dev/full): one line, exit 2, no stack.
  for (const [stream, name] of [[process.stdout, 'standard output'], [process.stderr, 'standard error']] as const) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return;
      try {
        writeSync(2, `parprof: cannot write to ${name}: ${terminalSafe(err.code ?? err.message)}\n`);
      } catch {
        // Standard error is what failed: the exit status says it.
      }
      process.exit(2);
    });
  }
  main(argv, started).then(exitWhenWritten, (err: Error) => fail(err.message));
}

/**
 * Exits with `code` once what we printed has been handed to the OS. Not by letting the event
 * loop run dry: Node then frees the whole heap first, ~30-40 ms after a record's summary (the
 * report and its analysis are still in memory) that nobody waits for.
 */
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const written = (): void => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', written);
  process.stderr.write('', written);
}
