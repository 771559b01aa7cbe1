// Picks the importer for a file by its content: a .parprof report, a Chrome trace (ours,
// tracing-chrome's, a browser's), a speedscope file or a V8 .cpuprofile. Each importer answers
// undefined for "not my format" and throws a ReportError for "mine, but malformed". Pure.
import type { Report } from './report';
import { ReportError, decodeReport, parseJson, validateReport } from './load';
import type { ParseOptions } from './load';
import { importChromeTrace } from './import-chrome';
import { importSpeedscope } from './import-speedscope';
import { importCpuProfile } from './import-cpuprofile';

/** The importers in the order they are tried; a .parprof report (it has `format`) comes first. */
const IMPORTERS: readonly ((json: unknown, name?: string) => Report | undefined)[] = [importChromeTrace, importSpeedscope, importCpuProfile];

export const IMPORTABLE = "a Parallel Profiler report (format 'parprof'), a Chrome trace (traceEvents), a speedscope file or a V8 .cpuprofile";

/** Any supported file's parsed JSON as a report; a ReportError when it is none of them. */
export function importReport(json: unknown, name?: string): Report {
  if (typeof json === 'object' && json !== null && 'format' in json) return validateReport(json);
  for (const importer of IMPORTERS) {
    const report = importer(json, name);
    if (report) return validateReport(report);
  }
  throw new ReportError(`not ${IMPORTABLE}`);
}

/**
 * JSON of a trace file. A Trace Event Format array may lack its closing bracket (tracing-chrome
 * and Chrome write it that way when the program stops before the end): it is closed here.
 */
export function parseTraceJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const body = text.trimEnd().replace(/,$/, '');
    if (body.trimStart().startsWith('[') && !body.endsWith(']')) {
      try {
        return JSON.parse(`${body}]`);
      } catch {
        // not an unterminated array either: report the original error
      }
    }
    return parseJson(text);
  }
}

/** Reads any supported file (bytes, gzip with options.gunzip, or text) as a report. */
export function parseAnyReport(data: Uint8Array | string, options?: ParseOptions & { name?: string }): Report {
  // A packed report (runs of millions of spans) arrives decoded; anything else as JSON text.
  const decoded = decodeReport(data, options);
  return importReport('value' in decoded ? decoded.value : parseTraceJson(decoded.text), options?.name);
}
