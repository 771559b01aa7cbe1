// `parprof compare <base> <new>`: the changes between two runs (or sweeps / A-B reports), a
// differential profile, and an exit status for CI: 1 when something regressed past the threshold.
import { analyze } from '../model/analysis';
import { compareSides, sideFromRun, sideFromSweep, type CompareResult, type CompareSide } from '../model/compare';
import { decodeReport, validateReport } from '../model/load';
import type { Report } from '../model/report';
import { importReport, parseTraceJson } from '../model/import';
import { isSweepReportJson, summarizeRun, validateSweepReport } from '../model/sweep-report';
import { markdownCode, markdownTable, markdownText, sharedWidths, textTable } from '../model/units';
import { COMPARE_HEADER, FUNCTION_DELTA_HEADER, compareCells, compareConclusion, compareLegend, functionDeltaCells, functionDeltaTitle } from '../model/sweep-tables';
import { mapStrings, terminalSafe, terminalSafeDeep, safeMarkdown } from '../model/terminal-text';
import { createHash } from 'node:crypto';
import { gunzipCapped, readFileCapped } from '../runner/read-report';
import type { AnswersCommand } from './answers-args';
import { busyMachineNote, wholeRunWords } from './sweep';

/** A side that cannot be read; main prints the message on one line and exits 2. */
export class CompareInputError extends Error {}

/** Reads a .parprof (plain or gzip) or a sweep / A-B report. */
export function loadSide(file: string): CompareSide {
  return loadSideWithDigest(file).side;
}

/** A side and the SHA-256 of its file's bytes: equal digests are one recording (a file against itself, or a copy). */
function loadSideWithDigest(file: string): { side: CompareSide; digest: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileCapped(file);
  } catch (err) {
    throw new CompareInputError((err as Error).message);
  }
  try {
    const decoded = decodeReport(bytes, { gunzip: gunzipCapped });
    const json: unknown = 'value' in decoded ? decoded.value : parseTraceJson(decoded.text);
    const digest = createHash('sha256').update(bytes).digest('hex');
    // Names from the files are printed in cells, titles and sentences: escaped once, here.
    if (isSweepReportJson(json)) return { side: terminalSafeDeep(sideFromSweep(file, validateSweepReport(json))), digest };
    const report = validateImportedNot(json);
    return { side: terminalSafeDeep(sideFromRun(file, report, summarizeRun(report, analyze(report), file))), digest };
  } catch (err) {
    throw new CompareInputError(`${file}: ${(err as Error).message}`);
  }
}

/**
 * A .parprof report's JSON validated. A file `parprof report` imports (a Chrome trace, a speedscope
 * file, a .cpuprofile) is refused in words that say so: its run window and regions are not a
 * recording's, so a comparison with one reads changes that are not there (our own Chrome export of
 * a run against that run: +43 % and no region paired).
 */
function validateImportedNot(json: unknown): Report {
  if (typeof json === 'object' && json !== null && 'format' in json) return validateReport(json);
  let imported = false;
  try {
    importReport(json);
    imported = true;
  } catch {
    // none of the formats: validateReport says what is missing
  }
  if (imported) throw new Error('compare reads Parallel Profiler reports (.parprof) and sweep or A/B reports; this file is a Chrome trace, a speedscope file or a .cpuprofile, which `parprof report` reads but compare cannot pair with a recording (record the script with parprof)');
  return validateReport(json);
}

// Cells, headers and the conclusion are the model's (src/model/sweep-tables.ts), shared with the
// comparison page and its Markdown export: one source for what a comparison shows.
const HEADER = ['', ...COMPARE_HEADER.slice(1)];
const RIGHT = [false, true, true, true, true, true, true, true, false];

export function formatCompareText(r: CompareResult, base: string, next: string, note: string[] = []): string {
  const out: string[] = [`base ${base}`, `new  ${next}`];
  // One set of column widths per kind of table, over every pair: they line up one under another.
  const widths = sharedWidths(HEADER, r.pairs.map((p) => compareCells(p.subjects)));
  const fnWidths = sharedWidths(FUNCTION_DELTA_HEADER, r.pairs.map((p) => functionDeltaCells(p.functions)));
  for (const p of r.pairs) {
    out.push('', `${p.base} against ${p.next}${p.mismatch ? ' — note: the configurations differ' : ''}`);
    out.push(...textTable(HEADER, compareCells(p.subjects), RIGHT, widths));
    if (p.functions.length) {
      out.push('', `  ${functionDeltaTitle(p)}`);
      out.push(...textTable(FUNCTION_DELTA_HEADER, functionDeltaCells(p.functions), [true, true, true, false], fnWidths).map((l) => `  ${l}`));
    }
  }
  if (note.length) out.push('', ...note);
  for (const l of compareLegend(r)) out.push('', l);
  out.push('', compareConclusion(r));
  return out.join('\n');
}

export function formatCompareMarkdown(given: CompareResult, base: string, next: string, note: string[] = []): string {
  // Names from the files are Markdown text: escaped once, before any cell or sentence holds them.
  const r = mapStrings(given, markdownText);
  const out: string[] = [`### Parallel Profiler: ${markdownCode(base)} → ${markdownCode(next)}`];
  for (const p of r.pairs) {
    out.push('', `**${markdownText(p.base)}** against **${markdownText(p.next)}**${p.mismatch ? ' (note: the configurations differ)' : ''}`, '');
    out.push(...markdownTable(COMPARE_HEADER, compareCells(p.subjects), RIGHT));
    if (p.functions.length) {
      out.push('', `${functionDeltaTitle(p)}:`, '');
      out.push(...markdownTable(FUNCTION_DELTA_HEADER, functionDeltaCells(p.functions), [true, true, true, false]));
    }
  }
  // One paragraph per note: a line that starts with 'note:' opens one, indented lines continue it.
  for (const para of note.join('\n').split(/\n(?=note:)/)) out.push('', para.replace(/\s+/g, ' '));
  for (const l of compareLegend(r)) out.push('', l);
  out.push('', `**${r.regressed ? '❌' : '✅'} ${compareConclusion(r)}**`);
  return safeMarkdown(out);
}

/**
 * The notes under a comparison. When both sides are one recording (the same bytes), its runs are
 * counted once, and a line says that every change is zero by construction.
 */
export function compareNotes(base: CompareSide, next: CompareSide, sameRecording: boolean): string[] {
  const runs = (sameRecording ? [base] : [base, next]).flatMap((s) => s.variants.flatMap((v) => v.runs));
  const scripts = base.script !== undefined && next.script !== undefined && base.script !== next.script
    ? [`note: the two sides ran different scripts (${scriptNames(base.script, next.script)}): regions pair only where their names and places match`] : [];
  const covers = runs.find((r) => r.wholeCovers !== undefined)?.wholeCovers;
  // The "whole run" rows: not `parprof report`'s run time (the whole process), so say which it is.
  const whole = runs.length ? [`note: whole run = ${wholeRunWords(covers, false)}, as sweep and ab measure it (parprof report's "run" is the whole process)`] : [];
  return [
    ...whole,
    ...scripts,
    ...(sameRecording ? [`note: ${base.name} and ${next.name} are one recording (the same bytes): its ${runs.length === 1 ? 'run is' : `${runs.length} runs are`} compared with ${runs.length === 1 ? 'itself' : 'themselves'}, so every change is zero`] : []),
    ...busyMachineNote(runs),
  ];
}

/** Two script paths as short as still tells them apart: their file names, else the whole paths. */
function scriptNames(a: string, b: string): string {
  const name = (p: string) => p.split(/[\\/]/).pop() ?? p;
  return name(a) !== name(b) ? `${name(a)} against ${name(b)}` : `${a} against ${b}`;
}

export function compare(c: Extract<AnswersCommand, { cmd: 'compare' }>): number {
  const { side: base, digest: baseDigest } = loadSideWithDigest(c.base);
  const { side: next, digest: nextDigest } = loadSideWithDigest(c.next);
  const result = compareSides(base, next, { maxRegression: c.maxRegression, minDeltaMs: c.minDeltaMs, topFunctions: 10 });
  const note = compareNotes(base, next, baseDigest === nextDigest);
  const text = c.markdown ? formatCompareMarkdown(result, c.base, c.next, note) : formatCompareText(result, c.base, c.next, note);
  process.stdout.write(`${text.split('\n').map(terminalSafe).join('\n')}\n`);
  return result.regressed ? 1 : 0;
}
