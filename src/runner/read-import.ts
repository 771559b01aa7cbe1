// Reading any importable input from disk: a report or a trace file (src/model/import.ts picks the
// importer by content), or a folder of `node --cpu-prof` profiles read as one multi-thread report.
// Same guards as read-report.ts: size caps, no FIFOs or devices, one line per problem.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ReportError, decodeReportText, validateReport } from '../model/load';
import { MAX_REPORT_BYTES } from '../model/limits';
import { parseAnyReport, parseTraceJson } from '../model/import';
import { importCpuProfiles } from '../model/import-cpuprofile';
import type { Report } from '../model/report';
import { ReportFileError, gunzipCapped, readErrorWords, readFileCapped } from './read-report';

/** Most .cpuprofile files read from one folder (one per thread of one run). */
export const MAX_PROFILE_FILES = 10_000;

/**
 * A .parprof report, a Chrome trace, a speedscope file or a .cpuprofile, or a folder holding the
 * .cpuprofile files of one run. Every problem is a ReportError of one line.
 */
export function readAnyReportFile(path: string, maxBytes = MAX_REPORT_BYTES): Report {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    // readFileCapped names the problem (missing, no permission)
  }
  if (!folder) return parseAnyReport(readFileCapped(path, maxBytes), { gunzip: gunzipCapped, maxBytes, name: basename(path) });
  return readProfileFolder(path, maxBytes);
}

function readProfileFolder(dir: string, maxBytes: number): Report {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).sort();
  } catch (err) {
    throw new ReportFileError(`cannot read ${dir}: ${readErrorWords(err)}`);
  }
  if (names.length === 0) throw new ReportFileError(`${dir} is a folder with no .cpuprofile files (a folder is read as the profiles of node --cpu-prof)`);
  if (names.length > MAX_PROFILE_FILES) throw new ReportFileError(`${dir} holds ${names.length} .cpuprofile files, the limit is ${MAX_PROFILE_FILES}`);
  let total = 0;
  const files = names.map((name) => {
    const bytes = readFileCapped(join(dir, name), maxBytes - total);
    total += bytes.length;
    try {
      return { name, json: parseTraceJson(decodeReportText(bytes, { gunzip: gunzipCapped, maxBytes })) };
    } catch (err) {
      throw new ReportError(`${name}: ${(err as Error).message}`);
    }
  });
  return validateReport(importCpuProfiles(files, dir));
}
