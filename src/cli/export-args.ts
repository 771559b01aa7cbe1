// Command-line parsing of `parprof export`. Pure: argv in, a command or a UsageError out
// (args.ts dispatches here).
import { UsageError } from './args';
import { EXPORT_FORMATS, type ExportFormatName } from '../model/export-formats';

export type ExportCommand = { cmd: 'export'; file: string; format: ExportFormatName; out?: string };

export const EXPORT_USAGE = `  parprof export <file|folder> --format ${EXPORT_FORMATS.join('|')} [--out PATH]`;

export const EXPORT_HELP = `export   writes a report (or anything report reads) for another viewer: chrome (Trace Event
         Format: Perfetto, chrome://tracing, DevTools), firefox (a Chrome trace Firefox Profiler
         reads, with every thread's samples), speedscope (speedscope.app JSON), cpuprofile (one
         .cpuprofile per thread into a folder: VS Code, DevTools), markdown (for a pull request;
         printed unless --out). Default --out: next to the input. --out - prints JSON formats.
         report and export also read Chrome traces (tracing-chrome, browsers), speedscope files,
         one .cpuprofile, or a folder of node --cpu-prof profiles as one multi-thread run.`;

export function parseExport(argv: string[]): ExportCommand {
  let file: string | undefined;
  let format: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    if (flag === '--format' || flag === '--out') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      if (flag === '--format') format = v;
      else out = v;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${flag} for export (see parprof --help)`);
    else if (file === undefined) file = a;
    else throw new UsageError(`export takes one file, got a second: ${a}`);
  }
  if (file === undefined) throw new UsageError(`export needs a file: parprof export <file> --format ${EXPORT_FORMATS.join('|')}`);
  if (format === undefined) throw new UsageError(`export needs --format ${EXPORT_FORMATS.join('|')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got ${format}`);
  return { cmd: 'export', file, format: format as ExportFormatName, ...(out !== undefined ? { out } : {}) };
}
