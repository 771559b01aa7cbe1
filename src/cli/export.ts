// `parprof export`: a report (or any file `parprof report` reads) written for another viewer.
// The formats are the model's (src/model/export-*.ts); this file only reads and writes.
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkOutputFolder, writeOutputFile } from '../runner/output';
import { EXPORT_SUFFIX, exportText, type ExportFormatName } from '../model/export-formats';
import { toCpuProfiles } from '../model/export-cpuprofile';
import type { Report } from '../model/report';
import type { FormatExportCommand } from './export-args';

/** Where an export goes by default: next to the input, its report ending replaced. */
export function defaultExportPath(input: string, format: ExportFormatName): string {
  const base = basename(input).replace(/\.(parprof(\.gz)?|json|cpuprofile)$/, '').replace(/\.(trace|speedscope|firefox)$/, '') || 'report';
  return join(dirname(input), base + EXPORT_SUFFIX[format]);
}

/** Writes the export; returns what it wrote (a file, a folder, or '-' for stdout). */
export function writeExport(report: Report, c: FormatExportCommand, stdout: (text: string) => void): { wrote: string; files: number } {
  if (c.format === 'cpuprofile') {
    if (c.out === '-') throw new Error('--format cpuprofile writes a folder (one file per thread): give --out a folder, not -');
    const dir = c.out ?? defaultExportPath(c.file, 'cpuprofile');
    const files = toCpuProfiles(report);
    if (files.length === 0) throw new Error('the report has no CPU profiles (recorded with --sample-interval 0?): nothing to export');
    checkOutputFolder(resolve(dir), 'the .cpuprofile files');
    for (const f of files) {
      try {
        writeFileSync(join(dir, f.name), JSON.stringify(f.profile));
      } catch (err) {
        throw new Error(`cannot write ${join(dir, f.name)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    return { wrote: dir, files: files.length };
  }
  const text = exportText(report, c.format);
  const target = c.out ?? (c.format === 'markdown' ? '-' : defaultExportPath(c.file, c.format));
  if (target === '-') stdout(text);
  else {
    // Missing folders are created, as for the cpuprofile folder and `record --out`.
    writeOutputFile(resolve(target), `the ${c.format} export`, text);
  }
  return { wrote: target, files: 1 };
}
