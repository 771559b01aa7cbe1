// `parprof compare <base> <new>`: the changes between two runs (or sweeps / A-B reports), a
// differential profile, and an exit status for CI: 1 when something regressed past the threshold.
import { analyze } from '../model/analysis';
import { compareSides, sideFromRun, sideFromSweep, type CompareResult, type CompareSide, type SubjectDelta, type Verdict } from '../model/compare';
import { decodeReport, parseJson, validateReport } from '../model/load';
import { isSweepReportJson, summarizeRun, validateSweepReport } from '../model/sweep-report';
import {
  formatChange, formatDeltaMs, formatDeltaRatio, formatMs, formatPercent, formatRangeMs, formatRatio, markdownTable, textTable,
} from '../model/units';
import { terminalSafe } from '../model/terminal-text';
import { gunzipCapped, readFileCapped } from '../runner/read-report';
import type { AnswersCommand } from './answers-args';
import { busyMachineNote } from './sweep';

/** A side that cannot be read; main prints the message on one line and exits 2. */
export class CompareInputError extends Error {}

/** Reads a .parprof (plain or gzip) or a sweep / A-B report. */
export function loadSide(file: string): CompareSide {
  let bytes: Uint8Array;
  try {
    bytes = readFileCapped(file);
  } catch (err) {
    throw new CompareInputError((err as Error).message);
  }
  try {
    const decoded = decodeReport(bytes, { gunzip: gunzipCapped });
    const json: unknown = 'value' in decoded ? decoded.value : parseJson(decoded.text);
    if (isSweepReportJson(json)) return sideFromSweep(file, validateSweepReport(json));
    const report = validateReport(json);
    return sideFromRun(file, report, summarizeRun(report, analyze(report), file));
  } catch (err) {
    throw new CompareInputError(`${file}: ${(err as Error).message}`);
  }
}

const VERDICT_WORDS: Record<Verdict, string> = {
  regressed: 'REGRESSED', improved: 'improved', same: 'same', 'within-noise': 'within noise', 'only-base': 'only in base', 'only-new': 'only in new',
};

function spreadCell(s: SubjectDelta['base']): string {
  if (!s) return '-';
  return s.n >= 2 ? `${formatMs(s.median)} (${formatRangeMs(s.min, s.max)})` : formatMs(s.median);
}

function pairCell(base: number | null, next: number | null, format: (x: number | null) => string, delta: (x: number | null) => string): string {
  if (base === null && next === null) return '-';
  return `${format(base)} → ${format(next)}${base !== null && next !== null ? ` (${delta(next - base)})` : ''}`;
}

function rows(subjects: SubjectDelta[]): string[][] {
  return subjects.map((s) => [
    s.name + (s.key && s.key !== s.name ? ` (${s.key.slice(s.name.length + 3)})` : ''),
    spreadCell(s.base), spreadCell(s.next), formatChange(s.change), formatDeltaMs(s.deltaMs),
    pairCell(s.utilization.base, s.utilization.next, formatPercent, (d) => `${d !== null && d > 0 ? '+' : ''}${formatPercent(d)}`),
    pairCell(s.imbalance.base, s.imbalance.next, formatRatio, formatDeltaRatio),
    pairCell(s.efficiency.base, s.efficiency.next, formatPercent, (d) => `${d !== null && d > 0 ? '+' : ''}${formatPercent(d)}`),
    VERDICT_WORDS[s.verdict],
  ]);
}

const HEADER = ['', 'base wall', 'new wall', 'change', 'delta', 'utilization', 'imbalance', 'efficiency', 'verdict'];
const RIGHT = [false, true, true, true, true, true, true, true, false];

function conclusion(r: CompareResult): string {
  const bad = r.pairs.flatMap((p) => p.subjects.filter((s) => s.verdict === 'regressed').map((s) => s.name));
  const limit = `more than ${formatPercent(r.options.maxRegression)} and ${formatMs(r.options.minDeltaMs)}`;
  return bad.length ? `regression (slower by ${limit}): ${bad.join(', ')}` : `no regression (nothing slower by ${limit} outside the spread of repeats)`;
}

export function formatCompareText(r: CompareResult, base: string, next: string, note: string[] = []): string {
  const out: string[] = [`base ${base}`, `new  ${next}`];
  for (const p of r.pairs) {
    out.push('', `${p.base} against ${p.next}${p.mismatch ? ` — note: ${p.mismatch}` : ''}`);
    out.push(...textTable(HEADER, rows(p.subjects), RIGHT));
    if (p.functions.length) {
      out.push('', '  Functions whose self time changed most (mean per run, all threads)');
      out.push(...textTable(['delta', 'base', 'new', 'function'], p.functions.map((f) => [formatDeltaMs(f.deltaMs), formatMs(f.baseMs), formatMs(f.nextMs),
        `${f.name || '(anonymous)'}${f.file ? ` ${f.file}:${f.line}` : ''}`]), [true, true, true, false]).map((l) => `  ${l}`));
    }
  }
  if (note.length) out.push('', ...note);
  out.push('', conclusion(r));
  return out.join('\n');
}

export function formatCompareMarkdown(r: CompareResult, base: string, next: string, note: string[] = []): string {
  const out: string[] = [`### Parallel Profiler: \`${base}\` → \`${next}\``];
  for (const p of r.pairs) {
    out.push('', `**${p.base}** against **${p.next}**${p.mismatch ? ` (note: ${p.mismatch})` : ''}`, '');
    out.push(...markdownTable(HEADER.map((h, i) => (i === 0 ? 'region' : h)), rows(p.subjects), RIGHT));
    if (p.functions.length) {
      out.push('', 'Functions whose self time changed most (mean per run, all threads):', '');
      out.push(...markdownTable(['delta', 'base', 'new', 'function'], p.functions.map((f) => [formatDeltaMs(f.deltaMs), formatMs(f.baseMs), formatMs(f.nextMs),
        `\`${f.name || '(anonymous)'}\`${f.file ? ` ${f.file}:${f.line}` : ''}`]), [true, true, true, false]));
    }
  }
  if (note.length) out.push('', note.join(' ').replace(/\s+/g, ' '));
  out.push('', `**${r.regressed ? '❌' : '✅'} ${conclusion(r)}**`);
  return out.join('\n');
}

export function compare(c: Extract<AnswersCommand, { cmd: 'compare' }>): number {
  const base = loadSide(c.base);
  const next = loadSide(c.next);
  const result = compareSides(base, next, { maxRegression: c.maxRegression, minDeltaMs: c.minDeltaMs, topFunctions: 10 });
  const note = busyMachineNote([...base.variants, ...next.variants].flatMap((v) => v.runs));
  const text = c.markdown ? formatCompareMarkdown(result, c.base, c.next, note) : formatCompareText(result, c.base, c.next, note);
  process.stdout.write(`${text.split('\n').map(terminalSafe).join('\n')}\n`);
  return result.regressed ? 1 : 0;
}
