// Command-line parsing for `parprof`. Pure: argv in, a command or a UsageError out.
import { SCHEDULES, type Schedule } from '../model/report';
import { ANSWERS_HELP, ANSWERS_USAGE, HelpRequested, parseAb, parseCompare, parseSweep, type AnswersCommand } from './answers-args';
import { EXPORT_HELP, EXPORT_USAGE, parseExport, type ExportCommand } from './export-args';
import { PROFILERS, type ProfilerName } from '../runtime/contract';

/** A mistake in the command line; main prints its message on one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  /** `command`: the help of one command (`parprof record --help`); without: the whole usage. */
  | { cmd: 'help'; command?: string }
  | { cmd: 'version' }
  | { cmd: 'record'; script: string; args: string[]; threads?: number; schedule?: Schedule; sampleIntervalUs?: number; out?: string; profiler?: ProfilerName }
  | { cmd: 'report'; file: string; json: boolean; spans?: boolean; html?: string }
  | AnswersCommand
  | ExportCommand;

export const USAGE = `usage:
  parprof record [--threads N] [--sequential] [--schedule ${SCHEDULES.join('|')}] [--sample-interval US] [--profiler inspector|0x] [--out FILE] <script> [script args...]
  parprof report <file> [--json [--spans]] [--html out.html]
${ANSWERS_USAGE}
${EXPORT_USAGE}
  parprof --version

record   runs a Node.js script (.js, .mjs, .cjs, .ts, .mts, .cts) under the profiler, writes the report
         (default ./.parprof/<script>-<date>.parprof; a name ending .gz is compressed), prints
         the summary and exits with the script's exit code (128 + the signal's number when
         Ctrl-C, SIGTERM or SIGHUP stopped it; 2 when the command line is refused before the
         script starts (a bad option, --profiler 0x without the 0x package) or when --out
         cannot be written: refused before the script starts, or, if the last write fails,
         the report is saved in the temp folder and its path printed).
  --threads N            default thread count of every pool created without one (0: sequential,
                         every pool runs its operations inline on the calling thread, no workers)
  --sequential           the same as --threads 0
  --schedule S           default schedule: ${SCHEDULES.join(', ')}
  --sample-interval US   CPU sampling interval in microseconds (default 1000, 0 = no CPU profile)
  --profiler P           inspector (default) or 0x: V8's tick profiler (node --prof) on every thread,
                         processed by the 0x package (npm i -D 0x); its profiles show native (C++),
                         GC and optimisation-tier frames
  --out FILE             where to write the report
report   prints the summary of a report; --json prints the metrics as JSON (--spans adds every
         task span, one per scheduled chunk, as extra.spans); --html writes a
         standalone HTML page with the views.
${ANSWERS_HELP}
${EXPORT_HELP}`;

function positiveInt(flag: string, v: string, allowZero = false): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n) || (!allowZero && n === 0)) {
    throw new UsageError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`);
  }
  return n;
}

/** Splits `--flag=value` / `--flag value`; returns the value or throws when missing. */
function takeValue(argv: string[], i: number, flag: string, inline: string | undefined): [string, number] {
  if (inline !== undefined) return [inline, i];
  const v = argv[i + 1];
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  return [v, i + 1];
}

export function parseArgs(argv: string[]): Command {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') return { cmd: 'help' };
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') return { cmd: 'version' };
  // Commands that run a script pass everything after the script to it: only a --help before the
  // script is ours (each of them parses it); elsewhere --help anywhere asks for the usage.
  if (cmd === 'record') return parseRecord(rest);
  if (cmd === 'sweep' || cmd === 'ab') {
    try {
      return cmd === 'sweep' ? parseSweep(rest) : parseAb(rest);
    } catch (e) {
      if (e instanceof HelpRequested) return { cmd: 'help', command: cmd };
      throw e;
    }
  }
  if (rest.includes('--help') || rest.includes('-h')) return ['report', 'compare', 'export'].includes(cmd) ? { cmd: 'help', command: cmd } : { cmd: 'help' };
  if (cmd === 'report') return parseReportCmd(rest);
  if (cmd === 'compare') return parseCompare(rest);
  if (cmd === 'export') return parseExport(rest);
  throw new UsageError(`unknown command '${cmd}' (expected record, report, sweep, ab, compare or export; see parprof --help)`);
}

/** record's own options, as they are spelled. */
const RECORD_OPTIONS = ['--threads', '--sequential', '--schedule', '--sample-interval', '--out', '--profiler'];

/**
 * record's own options among the script's arguments (`parprof record app.js --threads 1`): the
 * script gets them, not parprof, which a user may not expect. Stops at a `--`.
 */
export function recordOptionsAfterScript(args: readonly string[]): string[] {
  const found: string[] = [];
  for (const a of args) {
    if (a === '--') break;
    const flag = a.split('=')[0];
    if (RECORD_OPTIONS.includes(flag) && !found.includes(flag)) found.push(flag);
  }
  return found;
}

function parseRecord(argv: string[]): Command {
  const c: Extract<Command, { cmd: 'record' }> = { cmd: 'record', script: '', args: [] };
  let threadsGiven = false, sequential = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // Options stop at the script: what follows belongs to the script.
    if (a === '--') {
      if (argv[i + 1] === undefined) break;
      c.script = argv[i + 1];
      c.args = argv.slice(i + 2);
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      c.script = a;
      c.args = argv.slice(i + 1);
      break;
    }
    if (a === '--help' || a === '-h') return { cmd: 'help', command: 'record' };
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    let v: string;
    switch (flag) {
      case '--threads':
        [v, i] = takeValue(argv, i, flag, inline);
        c.threads = positiveInt(flag, v, true);
        if (sequential && c.threads !== 0) throw new UsageError('--threads and --sequential say different things: --sequential is --threads 0; give one');
        threadsGiven = true;
        break;
      case '--sequential':
        if (threadsGiven && c.threads !== 0) throw new UsageError('--threads and --sequential say different things: --sequential is --threads 0; give one');
        c.threads = 0;
        sequential = true;
        break;
      case '--schedule':
        [v, i] = takeValue(argv, i, flag, inline);
        if (!(SCHEDULES as readonly string[]).includes(v)) throw new UsageError(`--schedule must be ${SCHEDULES.slice(0, -1).join(', ')} or ${SCHEDULES[SCHEDULES.length - 1]}, got ${v}`);
        c.schedule = v as Schedule;
        break;
      case '--sample-interval': [v, i] = takeValue(argv, i, flag, inline); c.sampleIntervalUs = positiveInt(flag, v, true); break;
      case '--out': [v, i] = takeValue(argv, i, flag, inline); c.out = v; break;
      case '--profiler':
        [v, i] = takeValue(argv, i, flag, inline);
        if (!(PROFILERS as readonly string[]).includes(v)) throw new UsageError(`--profiler must be ${PROFILERS.join(' or ')}, got ${v}`);
        c.profiler = v as ProfilerName;
        break;
      default: throw new UsageError(`unknown option ${flag} for record (see parprof --help)`);
    }
  }
  if (!c.script) throw new UsageError('record needs a script: parprof record [options] <script> [args...]');
  return c;
}

function parseReportCmd(argv: string[]): Command {
  let file: string | undefined;
  let json = false;
  let spans = false;
  let html: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    if (flag === '--json') json = true;
    else if (flag === '--spans') spans = true;
    else if (flag === '--html') [html, i] = takeValue(argv, i, flag, inline);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${flag} for report (see parprof --help)`);
    else if (file === undefined) file = a;
    else throw new UsageError(`report takes one file, got a second: ${a}`);
  }
  if (file === undefined) throw new UsageError('report needs a file: parprof report <file> [--json] [--html out.html]');
  if (spans && !json) throw new UsageError('--spans adds the spans to the JSON output: use it with --json');
  return { cmd: 'report', file, json, ...(spans ? { spans } : {}), ...(html !== undefined ? { html } : {}) };
}

/**
 * The help of one command, cut from `usage` (the whole help): its usage lines, then its paragraph
 * (the line that starts with its name and the indented lines under it). The whole usage when
 * `command` has none there.
 */
export function commandHelp(usage: string, command: string): string {
  const lines = usage.split('\n');
  const own = lines.filter((l) => l.startsWith(`  parprof ${command} `));
  const at = lines.findIndex((l) => l.startsWith(`${command} `));
  if (own.length === 0 || at < 0) return usage;
  let end = at + 1;
  while (end < lines.length && lines[end].startsWith(' ')) end++;
  return ['usage:', ...own, '', ...lines.slice(at, end), '', 'all commands: parprof --help'].join('\n');
}
