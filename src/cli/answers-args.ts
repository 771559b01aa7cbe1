// Command-line parsing of `parprof sweep`, `parprof ab` and `parprof compare`. Pure: argv in, a
// command or a UsageError out (args.ts dispatches here).
import { SCHEDULES, type Schedule } from '../model/report';
import { UsageError } from './args';

export type AnswersCommand =
  | { cmd: 'sweep'; script: string; args: string[]; threads: number[]; repeat: number; schedule?: Schedule; sampleIntervalUs?: number; out?: string }
  | { cmd: 'ab'; script: string; args: string[]; schedules: Schedule[]; chunkSizes: number[]; threads?: number; repeat: number; sampleIntervalUs?: number; out?: string }
  | { cmd: 'compare'; base: string; next: string; maxRegression: number; minDeltaMs: number; markdown: boolean };

export const ANSWERS_USAGE = `  parprof sweep [--threads 0,1,2,4] [--repeat N] [--schedule ${SCHEDULES.join('|')}] [--sample-interval US] [--out FILE] <script> [script args...]
  parprof ab [--schedule ${SCHEDULES.join(',')}] [--chunk-size N,...] [--threads N] [--repeat N] [--sample-interval US] [--out FILE] <script> [args...]
  parprof compare <base> <new> [--max-regression 5%] [--min-delta-ms 1] [--markdown]`;

export const ANSWERS_HELP = `sweep    runs the script at each thread count (0 = sequential: every pool runs inline, no
         workers), --repeat times each (default 1), and prints wall time, speedup, efficiency,
         the Amdahl serial fraction and the Karp-Flatt metric, for the whole run and per
         region. Writes a sweep report (default ./.parprof/<script>-sweep-<date>.parprof-sweep.json)
         and keeps each run's .parprof next to it. Default --threads: 0, powers of 2, the cores.
         --schedule: one, for every run (parprof ab compares schedules); --sample-interval: as
         for record.
ab       runs the script under each schedule (and chunk size), --repeat times each (default
         3), prints wall time, utilization and imbalance side by side and names the winner
         only when its lead exceeds the spread of the repeats. Writes an A/B report (same format).
         --sample-interval: as for record.
compare  compares two reports (.parprof, sweep or A/B): per region and for the whole run the
         change of wall time, utilization, imbalance (and efficiency), and the functions whose
         self time changed most. Exits 1 when something slowed down by more than
         --max-regression (default 5 %) and at least --min-delta-ms (default 1) and, when both
         sides have repeats, outside their spread; --markdown prints a table for a pull request.`;

const SCHEDULE_WORDS = `${SCHEDULES.slice(0, -1).join(', ')} or ${SCHEDULES[SCHEDULES.length - 1]}`;

function intList(flag: string, v: string, min: number): number[] {
  const parts = v.split(',').map((x) => x.trim());
  if (parts.some((x) => !/^\d+$/.test(x) || Number(x) < min || !Number.isSafeInteger(Number(x)))) {
    throw new UsageError(`${flag} must be a comma-separated list of integers ≥ ${min}, got ${v}`);
  }
  const out = parts.map(Number);
  if (new Set(out).size !== out.length) throw new UsageError(`${flag} lists a value twice: ${v}`);
  return out;
}

function scheduleList(flag: string, v: string): Schedule[] {
  const parts = v.split(',').map((x) => x.trim());
  for (const x of parts) if (!(SCHEDULES as readonly string[]).includes(x)) throw new UsageError(`${flag} must list schedules among ${SCHEDULE_WORDS}, got ${x}`);
  if (new Set(parts).size !== parts.length) throw new UsageError(`${flag} lists a schedule twice: ${v}`);
  return parts as Schedule[];
}

/** A threshold as '5%', '5' (both 5 %) or '2.5%'. */
function percentArg(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(v.trim());
  if (!m) throw new UsageError(`${flag} must be a percentage such as 5% or 2.5, got ${v}`);
  return Number(m[1]) / 100;
}

function nonNegative(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number, got ${v}`);
  return n;
}

function oneInt(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag} must be an integer ≥ ${min}, got ${v}`);
  return Number(v);
}

/** --help before the script: the caller prints the usage (after the script it is the script's). */
export class HelpRequested extends Error {}

/** Walks options up to the script; `onFlag` handles one flag and returns the next index. */
function parseScriptCommand(cmd: string, argv: string[], onFlag: (flag: string, value: () => string) => void): { script: string; args: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      if (argv[i + 1] === undefined) break;
      return { script: argv[i + 1], args: argv.slice(i + 2) };
    }
    if (!a.startsWith('-') || a === '-') return { script: a, args: argv.slice(i + 1) };
    if (a === '--help' || a === '-h') throw new HelpRequested();
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    onFlag(flag, () => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      i++;
      return v;
    });
  }
  throw new UsageError(`${cmd} needs a script: parprof ${cmd} [options] <script> [args...]`);
}

export function parseSweep(argv: string[]): AnswersCommand {
  let threads: number[] | undefined, repeat = 1, schedule: Schedule | undefined, sampleIntervalUs: number | undefined, out: string | undefined;
  const { script, args } = parseScriptCommand('sweep', argv, (flag, value) => {
    switch (flag) {
      case '--threads': threads = intList(flag, value(), 0); break;
      case '--repeat': repeat = oneInt(flag, value(), 1); break;
      case '--schedule': {
        // One schedule for every run: a list would silently sweep under its first (ab compares schedules).
        const list = scheduleList(flag, value());
        if (list.length > 1) throw new UsageError(`sweep runs under one schedule, got ${list.join(',')}: give one, or compare schedules with parprof ab --schedule ${list.join(',')}`);
        schedule = list[0];
        break;
      }
      case '--sample-interval': sampleIntervalUs = oneInt(flag, value(), 0); break;
      case '--out': out = value(); break;
      default: throw new UsageError(`unknown option ${flag} for sweep (see parprof --help)`);
    }
  });
  return { cmd: 'sweep', script, args, threads: threads ?? [], repeat, ...(schedule ? { schedule } : {}), ...(sampleIntervalUs !== undefined ? { sampleIntervalUs } : {}), ...(out !== undefined ? { out } : {}) };
}

export function parseAb(argv: string[]): AnswersCommand {
  let schedules: Schedule[] = [...SCHEDULES], chunkSizes: number[] = [], threads: number | undefined, repeat = 3;
  let sampleIntervalUs: number | undefined, out: string | undefined;
  const { script, args } = parseScriptCommand('ab', argv, (flag, value) => {
    switch (flag) {
      case '--schedule': case '--schedules': schedules = scheduleList(flag, value()); break;
      case '--chunk-size': chunkSizes = intList(flag, value(), 1); break;
      case '--threads': threads = oneInt(flag, value(), 1); break;
      case '--repeat': repeat = oneInt(flag, value(), 1); break;
      case '--sample-interval': sampleIntervalUs = oneInt(flag, value(), 0); break;
      case '--out': out = value(); break;
      default: throw new UsageError(`unknown option ${flag} for ab (see parprof --help)`);
    }
  });
  if (schedules.length * Math.max(1, chunkSizes.length) < 2) throw new UsageError('ab needs at least two variants: two schedules, or two chunk sizes');
  return { cmd: 'ab', script, args, schedules, chunkSizes, ...(threads !== undefined ? { threads } : {}), repeat, ...(sampleIntervalUs !== undefined ? { sampleIntervalUs } : {}), ...(out !== undefined ? { out } : {}) };
}

export function parseCompare(argv: string[]): AnswersCommand {
  const files: string[] = [];
  let maxRegression = 0.05, minDeltaMs = 1, markdown = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--markdown') markdown = true;
    else if (flag === '--max-regression') maxRegression = percentArg(flag, value());
    else if (flag === '--min-delta-ms') minDeltaMs = nonNegative(flag, value());
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${flag} for compare (see parprof --help)`);
    else files.push(a);
  }
  if (files.length !== 2) throw new UsageError(`compare takes two reports, base then new; got ${files.length}`);
  return { cmd: 'compare', base: files[0], next: files[1], maxRegression, minDeltaMs, markdown };
}
