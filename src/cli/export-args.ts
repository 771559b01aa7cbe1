// Command-line parsing of `parprof export`. Pure: argv in, a command or a UsageError out
// (args.ts dispatches here).
import { UsageError } from './args';
import { EXPORT_FORMATS, type ExportFormatName } from '../model/export-formats';

export type FormatExportCommand = { cmd: 'export'; file: string; format: ExportFormatName; out?: string };
/** One thread's flamegraph drawn by 0x itself (src/cli/export-0x.ts). */
export type ZeroXExportCommand = { cmd: 'export'; file: string; format: '0x'; thread: number; out?: string };
export type ExportCommand = FormatExportCommand | ZeroXExportCommand;

export const EXPORT_USAGE = `  parprof export <file|folder> --format ${EXPORT_FORMATS.join('|')} [--out PATH]
  parprof export <file> --format 0x --thread N [--out FOLDER]`;

export const EXPORT_HELP = `export   writes a report (or anything report reads) for another viewer: chrome (Trace Event
         Format: Perfetto, chrome://tracing, DevTools), firefox (a Chrome trace Firefox Profiler
         reads, with every thread's samples), speedscope (speedscope.app JSON), cpuprofile (one
         .cpuprofile per thread into a folder: VS Code, DevTools; named thread-<id>-<name>.cpuprofile,
         the thread's name percent-encoded but for letters, digits, . _ -: 'poolifier 2' ->
         thread-2-poolifier%202.cpuprofile), markdown (for a pull request;
         printed unless --out), 0x (0x's own flamegraph page of thread N, written as
         FOLDER/flamegraph.html; needs the 0x package: npm i -D 0x). Default --out: next to the
         input. --out - prints JSON formats.
         report and export also read Chrome traces (tracing-chrome, browsers), speedscope files,
         one .cpuprofile, or a folder of node --cpu-prof profiles as one multi-thread run.`;

export function parseExport(argv: string[]): ExportCommand {
  let file: string | undefined;
  let format: string | undefined;
  let out: string | undefined;
  let thread: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    if (flag === '--format' || flag === '--out' || flag === '--thread') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      if (flag === '--format') format = v;
      else if (flag === '--thread') thread = v;
      else out = v;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${flag} for export (see parprof --help)`);
    else if (file === undefined) file = a;
    else throw new UsageError(`export takes one file, got a second: ${a}`);
  }
  if (file === undefined) throw new UsageError(`export needs a file: parprof export <file> --format ${EXPORT_FORMATS.join('|')}`);
  if (format === undefined) throw new UsageError(`export needs --format ${EXPORT_FORMATS.join('|')}`);
  if (format === '0x') {
    if (thread === undefined) throw new UsageError('--format 0x draws one thread: give --thread N, the id of a thread (parprof report --json lists them: threads[].id and .name)');
    if (!/^\d+$/.test(thread)) throw new UsageError(`--thread must be a thread id (a non-negative integer), got ${thread}`);
    if (out === '-') throw new UsageError('--format 0x writes a folder: give --out a folder, not -');
    return { cmd: 'export', file, format, thread: Number(thread), ...(out !== undefined ? { out } : {}) };
  }
  if (thread !== undefined) throw new UsageError('--thread is for --format 0x');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, 0x, got ${format}`);
  return { cmd: 'export', file, format: format as ExportFormatName, ...(out !== undefined ? { out } : {}) };
}
