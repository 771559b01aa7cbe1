// The tables of a sweep, A/B or comparison as cells of text: one source for the views (webview/
// sweep-app.ts), the Markdown export and the CLI (src/cli/sweep.ts, ab.ts, compare.ts), so every
// reader shows the same numbers in the same words.
import { mapStrings, safeMarkdown } from './terminal-text';
import { abRows, busyRuns, ranOnBusyMachine, sweepScaling, type AbRow, type SpeedupBeyond, type SubjectScaling } from './sweep-analysis';
import type { Scaling } from './scaling';
import type { RunSummary, SweepReport } from './sweep-report';
import type { CompareResult, FunctionDelta, PairResult, SubjectDelta, Verdict } from './compare';
import { formatChange, formatDeltaMs, formatDeltaRatio, formatMs, formatPercent, formatRangeMs, formatRatio, formatSpeedup, markdownCode, markdownTable, markdownText } from './units';

export const SCALING_HEADER = ['threads', 'wall (median)', 'range', 'speedup', 'efficiency', 'Karp-Flatt'];
export const AB_HEADER = ['variant', 'wall (median)', 'range', 'utilization', 'imbalance', 'vs best'];
/** Which columns of SCALING_HEADER and AB_HEADER are numbers (right-aligned). */
export const SWEEP_RIGHT_ALIGNED = [false, true, true, true, true, true];
const RIGHT = SWEEP_RIGHT_ALIGNED;

/** A thread count as the tables name it: 'sequential', '2', '8 (> cores)'. */
export function threadsCell(threads: number, cores: number): string {
  return threads === 0 ? 'sequential' : `${threads}${threads > cores ? ' (> cores)' : ''}`;
}

/** A Karp–Flatt value that reads as a serial fraction: measured, and within 0–1. */
function karpFlattFraction(k: number | null): k is number {
  return k !== null && Number.isFinite(k) && k >= 0 && k <= 1;
}

/**
 * The rows of a scaling table. The Karp–Flatt column is a serial fraction: it is '-' where it is
 * none (outside 0–1, or `busy`: wall times that carry the machine's load are not judged), and
 * scalingNotes says why, with the value.
 */
export function scalingCells(sc: Scaling, cores: number, busy?: { critical: Scaling | null }): string[][] {
  return sc.points.map((p) => [threadsCell(p.threads, cores), formatMs(p.wallMs.median), formatRangeMs(p.wallMs.min, p.wallMs.max),
    formatSpeedup(p.speedup), formatPercent(p.efficiency) + (superlinear(p.efficiency) ? ' (!)' : ''), !busy && karpFlattFraction(p.karpFlatt) ? formatRatio(p.karpFlatt) : '-']);
}

/** An efficiency above 100 % (as printed): more speedup than the threads added. */
function superlinear(e: number): boolean {
  return Number.isFinite(e) && e >= 1.005;
}

/** T(p) = a + b / p with the sign of b written as such ("− 281 ms / p", not "+ -281 ms / p"). */
function fitFormula(a: { serialMs: number; parallelMs: number }): string {
  return `T(p) = ${formatMs(a.serialMs)} ${a.parallelMs < 0 ? '−' : '+'} ${formatMs(Math.abs(a.parallelMs))} / p`;
}

/** Why the Karp–Flatt column shows '-' where a value was computed (see scalingCells). */
function karpFlattNote(sc: Scaling, cores: number, busy: boolean): string | undefined {
  const computed = sc.points.filter((p) => p.karpFlatt !== null && Number.isFinite(p.karpFlatt));
  if (busy) return computed.length ? 'Karp-Flatt: not judged either, for the same reason (it is read from the same wall times)' : undefined;
  const out = computed.filter((p) => !karpFlattFraction(p.karpFlatt));
  if (!out.length) return undefined;
  const each = out.map((p) => `${threadsWords(p.threads, cores)} ${p.karpFlatt! > 1 ? `above 1: slower than ${baselineWords(sc.baselineThreads)}` : 'below 0: sped up more than the threads added'} (${formatRatio(p.karpFlatt)})`);
  return `Karp-Flatt "-": outside 0–1, so no serial fraction — at ${each.join('; ')}`;
}

/** How the scaling tables name a baseline thread count. */
function baselineWords(threads: number): string {
  return threads === 0 ? 'sequential' : `${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * A thread count in a sentence: '2 threads', never a bare '2' before a time ('· 1 1613 ms' read
 * as a thousands separator, 11 613 ms).
 */
function threadsWords(threads: number, cores: number): string {
  return `${baselineWords(threads)}${threads > cores ? ' (> cores)' : ''}`;
}

/**
 * The critical path's scaling in one sentence (SubjectScaling.criticalScaling): what a busy
 * machine's wall times cannot tell, from the work alone.
 */
export function criticalScalingNote(sc: Scaling, cores: number, beyond: readonly SpeedupBeyond[] = []): string {
  // A speedup above what the threads (or Amdahl, with the baseline's serial work) allow is flagged, and no serial fraction is fitted through it.
  const flag = (threads: number): string => {
    const b = beyond.find((x) => x.threads === threads);
    if (!b) return '';
    return ` — not a real speedup: above the ${formatSpeedup(b.bound)} ${b.by === 'amdahl' ? `Amdahl's law allows with ${baselineWords(sc.baselineThreads)}'s ${formatMs(b.serialMs)} of serial work` : `${threadsWords(threads, cores)} allow${threads === 1 ? 's' : ''}`}`;
  };
  const points = sc.points.map((p) => `${threadsWords(p.threads, cores)}: ${formatMs(p.wallMs.median)}${p.threads === sc.baselineThreads ? '' : ` (${formatSpeedup(p.speedup)}${flag(p.threads)})`}`);
  const a = sc.amdahl;
  const fit = beyond.length ? '; no serial fraction: the same work took less time on a core in some runs than in others (a busy machine moves it), so these times do not tell how the program scales'
    : a && a.serialFraction >= 0 && a.serialFraction <= 1 ? `; serial fraction ${formatPercent(a.serialFraction)}` : '';
  return `on the critical path (each run's time on a core along its longest thread, tasks a free thread takes spread as on free cores; medians), against ${baselineWords(sc.baselineThreads)}: ${points.join(' · ')}${fit}`;
}

/**
 * The sentences under a scaling table: baseline, serial fraction, thread counts above the cores.
 * `busy`: some run waited for a core (busyRuns), so its wall times carry the machine's load: no
 * conclusion is drawn from the wall-time fit, and the critical path's scaling is given instead when known.
 */
export function scalingNotes(sc: Scaling, cores: number, busy?: { critical: Scaling | null; beyond?: readonly SpeedupBeyond[] }): string[] {
  const base = baselineWords(sc.baselineThreads);
  const notes = [`speedup and efficiency against ${base}`];
  const a = sc.amdahl;
  if (busy) {
    notes.push('serial fraction: not judged from these wall times — threads waited for a core (the machine was busy), so they tell of its load as well as of the program');
    notes.push(busy.critical ? criticalScalingNote(busy.critical, cores, busy.beyond) : 'the critical path in work is not known for these runs (no per-thread run-queue times, or a sweep report written by an earlier parprof), so nothing is concluded');
  } else if (a && (a.serialFraction < 0 || a.serialFraction > 1)) {
    notes.push(`serial fraction: none — the times do not fall like a + b/p (the fit gives ${fitFormula(a)}, ` +
      `s = ${formatPercent(a.serialFraction)}); ` +
      (a.parallelMs < 0 ? 'more threads made it slower' : 'it sped up more than the threads added'));
  } else if (a) {
    const fitted = sc.points.filter((p) => !p.overCores).map((p) => threadsWords(p.threads, cores));
    notes.push(`serial fraction (Amdahl fit over ${fitted.join(', ')}): ${formatPercent(a.serialFraction)} — ${fitFormula(a)}`);
  } else {
    notes.push('serial fraction: needs two thread counts of at most the cores (0 and 1 count as one)');
  }
  const karp = karpFlattNote(sc, cores, busy !== undefined);
  if (karp) notes.push(karp);
  const over = sc.points.filter((p) => superlinear(p.efficiency));
  if (over.length) {
    notes.push(`(!) efficiency above 100 % at ${over.map((p) => threadsWords(p.threads, cores)).join(', ')}: more speedup than the threads added — ` +
      `the same work took less time there than in ${base} (caches that fit once the work is split, or times moved by the machine's load: --repeat tells which)`);
  }
  if (sc.points.some((p) => p.overCores)) notes.push(`(> cores): more threads than the machine's ${cores} cores, left out of the fit`);
  return notes;
}

export function abCells(row: AbRow): string[][] {
  return row.cells.map((c) => [c.label, formatMs(c.wallMs.median), formatRangeMs(c.wallMs.min, c.wallMs.max),
    formatPercent(c.utilization), formatRatio(c.imbalance), c.behindBest === 0 ? 'best' : formatChange(c.behindBest)]);
}

/** The winner of an A/B row in one sentence, with the spread that decides it. */
export function abVerdict(row: AbRow): string {
  if (!row.winner) return `no clear winner: ${row.noWinnerReason ?? ''}`;
  const runnerUp = [...row.cells].sort((a, b) => a.judged.median - b.judged.median)[1];
  const basis = row.basis === 'critical path' ? 'critical path (the machine was busy: wall times are not compared)' : 'wall';
  return `winner: ${row.winner} — ${formatChange(runnerUp.behindBest)} ${basis} for the runner-up (${runnerUp.label}), outside the spread of ${runnerUp.judged.n} runs each`;
}

/** The slowest variant of an A/B row against the fastest, with both medians; none when it is the winner. */
export function abSlowest(row: AbRow): string | undefined {
  if (!row.slowest || row.slowest === row.winner) return undefined;
  const slow = row.cells.find((c) => c.label === row.slowest)!;
  const best = [...row.cells].sort((a, b) => a.judged.median - b.judged.median)[0];
  return `slowest: ${row.slowest}, ${formatChange(slow.behindBest)} ${row.basis} against ${best.label} (${formatMs(slow.judged.median)} against ${formatMs(best.judged.median)})`;
}

/**
 * The sentence under an A/B row's table: for the whole run, the window its utilization and
 * imbalance cover (not the wall column's), or why they are missing; nothing for a region.
 */
export function abNotes(row: AbRow, report: SweepReport): string[] {
  const basis = row.basis === 'critical path'
    ? ['vs best and the winner: by the critical path in work (the busiest thread\'s time on a core in each operation, plus the main thread\'s own code), since threads waited for a core; the wall columns carry the machine\'s load'] : [];
  if (row.key !== '') return basis;
  if (row.cells.every((c) => c.utilization !== null && c.imbalance !== null)) {
    return [...basis, 'utilization and imbalance of the whole run: from the first pool operation\'s start to the last one\'s end, as parprof report\'s "Whole run" (the wall time starts at the script\'s first line)'];
  }
  const lacking = report.variants.flatMap((v) => v.runs).filter((r) => r.wholeBalance === undefined);
  const reason = lacking.some((r) => r.regions.length === 0) ? 'a run had no pool operation to measure them over'
    : 'this report was written by an earlier parprof, which kept them per region only (run parprof ab again to have them)';
  return [...basis, `utilization and imbalance of the whole run: "-" — ${reason}`];
}

/**
 * A note when threads of some runs waited for a core: their wall times carry the machine's load.
 * Two lines, the second indented, as the CLI prints them; the Markdown and the pages join them.
 */
export function busyMachineNote(runs: readonly RunSummary[]): string[] {
  const busy = runs.filter(ranOnBusyMachine);
  if (busy.length === 0) return [];
  const worst = busy.reduce((a, r) => Math.max(a, r.descheduledShare!), 0);
  return [`note: the machine was busy — in ${busy.length} of ${runs.length} run${runs.length === 1 ? '' : 's'} a thread waited for a core up to ${formatPercent(worst)} of the time it had code to run;`,
    '      wall times include that wait, so they tell of the machine\'s load as well as of the program'];
}

/** busyMachineNote as one paragraph (Markdown, pages). */
export function busyMachineSentence(runs: readonly RunSummary[]): string | undefined {
  const lines = busyMachineNote(runs);
  return lines.length ? lines.map((l) => l.trim()).join(' ') : undefined;
}

/** 'Whole run' or 'Region map square @ a.js:3:7'. */
export function subjectTitle(s: { key: string }): string {
  return s.key === '' ? 'Whole run' : `Region ${s.key}`;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** The report's tables as GitHub Markdown (Export Report… on a sweep). */
export function sweepMarkdown(given: SweepReport): string {
  // Names and labels from the file are Markdown text: escaped once, before any cell or sentence holds them.
  const report = mapStrings(given, markdownText);
  const what = report.kind === 'sweep' ? 'Sweep' : 'A/B';
  const per = report.kind === 'sweep' ? 'thread count' : 'variant';
  const out = [`### Parallel Profiler: ${what} of ${markdownCode(fileName(given.script))}`, '',
    `${report.cores} cores · ${report.repeat} run${report.repeat === 1 ? '' : 's'} per ${per} · ${report.variants.map((v) => v.label).join(', ')}`];
  if (report.kind === 'sweep') {
    for (const s of sweepScaling(report) as SubjectScaling[]) {
      out.push('', `**${subjectTitle(s)}**`, '');
      if (!s.scaling) { out.push('(no run recorded it)'); continue; }
      out.push(...markdownTable(SCALING_HEADER, scalingCells(s.scaling, report.cores, busyContext(report, s)), RIGHT), '', ...scalingNotes(s.scaling, report.cores, busyContext(report, s)).map((n) => `- ${n}`));
    }
  } else {
    for (const row of abRows(report)) {
      const slowest = abSlowest(row);
      out.push('', `**${subjectTitle(row)}**`, '', ...markdownTable(AB_HEADER, abCells(row), RIGHT), '', `- ${abVerdict(row)}`, ...(slowest ? [`- ${slowest}`] : []),
        ...abNotes(row, report).map((n) => `- ${n}`));
    }
  }
  const busy = busyMachineSentence(report.variants.flatMap((v) => v.runs));
  if (busy) out.push('', busy);
  return `${safeMarkdown(out)}\n`;
}

/** scalingNotes' `busy` argument for a subject of a sweep: set when some run waited for a core. */
export function busyContext(report: SweepReport, s: SubjectScaling): { critical: Scaling | null; beyond: readonly SpeedupBeyond[] } | undefined {
  return busyRuns(report).length > 0 ? { critical: s.criticalScaling, beyond: s.criticalBeyond } : undefined;
}

/** Header of a comparison's table of subjects (the same columns as `parprof compare`). */
export const COMPARE_HEADER = ['region', 'base wall', 'new wall', 'change', 'delta', 'utilization', 'imbalance', 'efficiency', 'verdict'];

const VERDICT_WORDS: Record<Verdict, string> = {
  regressed: 'REGRESSED', improved: 'improved', same: 'within the threshold', 'within-noise': 'within noise', 'busy-machine': 'cannot judge: the machine was busy', 'only-base': 'only in base', 'only-new': 'only in new',
};

function spreadCell(s: SubjectDelta['base']): string {
  if (!s) return '-';
  return s.n >= 2 ? `${formatMs(s.median)} (${formatRangeMs(s.min, s.max)})` : formatMs(s.median);
}

function pairCell(base: number | null, next: number | null, format: (x: number | null) => string, delta: (x: number | null) => string): string {
  if (base === null && next === null) return '-';
  return `${format(base)} → ${format(next)}${base !== null && next !== null ? ` (${delta(next - base)})` : ''}`;
}

/** A difference of two shares in percentage points ("+7.5 pp"), not a relative change (the change column's "%"). */
const signedPoints = (d: number | null): string => `${d !== null && d > 0 ? '+' : ''}${formatPercent(d).replace(/ %$/, ' pp')}`;

/** The cells of a comparison's subjects, as `parprof compare` prints them. */
export function compareCells(subjects: SubjectDelta[]): string[][] {
  return subjects.map((s) => [
    s.name + (s.key && s.key !== s.name ? ` (${s.key.slice(s.name.length + 3)})` : ''),
    spreadCell(s.base), spreadCell(s.next), formatChange(s.change), formatDeltaMs(s.deltaMs),
    pairCell(s.utilization.base, s.utilization.next, formatPercent, signedPoints),
    pairCell(s.imbalance.base, s.imbalance.next, formatRatio, formatDeltaRatio),
    pairCell(s.efficiency.base, s.efficiency.next, formatPercent, signedPoints),
    // The verdict judges the critical path, else CPU time, when both sides have it: the cell says which, with its change.
    VERDICT_WORDS[s.verdict] + (s.verdictBy === 'critical' && s.critical ? ` (critical path ${formatChange(s.critical.change)})`
      : s.verdictBy === 'cpu' && s.cpu ? ` (on CPU ${formatChange(s.cpu.change)})` : s.base && s.next ? ' (wall)' : '')
      + (s.verdict === 'busy-machine' && s.busyFloor !== undefined ? `, within its ±${formatPercent(s.busyFloor)}` : ''),
  ]);
}

/** What 'critical path' in a verdict means, when a verdict judged one (CLI, Markdown and the comparison page). */
export function compareLegend(r: CompareResult): string[] {
  const missing = r.pairs.flatMap((p) => (p.wholeBalanceMissing ? [`utilization and imbalance of the whole run: "-" — ${p.wholeBalanceMissing}`] : []));
  if (!r.pairs.some((p) => p.subjects.some((s) => s.verdictBy === 'critical'))) return missing;
  return [...missing, 'verdicts judge the critical path in work, which a busy machine stretches far less than wall time and a better balance shortens: for a region, its busiest thread\'s time on a core inside its tasks ' +
    '(under a schedule that hands out work as threads ask, the tasks\' work replayed on threads that each take the next task when free: a thread that waited for a core and took less counts as on free cores, a chunk that cannot be split counts in full); for the whole run, the main thread\'s time on a core outside pool operations and pool start-up plus the operations\' critical paths'];
}

/** Title of a pair's function table: whether the self times are on-CPU or wall time. */
export function functionDeltaTitle(p: Pick<PairResult, 'functionsBy'>): string {
  return `Functions whose self time changed most (${p.functionsBy === 'cpu' ? 'on CPU' : 'wall time'}, mean per run, all threads)`;
}

export const FUNCTION_DELTA_HEADER = ['delta', 'base', 'new', 'function'];

export function functionDeltaCells(functions: FunctionDelta[]): string[][] {
  return functions.map((f) => [formatDeltaMs(f.deltaMs), formatMs(f.baseMs), formatMs(f.nextMs), `${f.name || '(anonymous)'}${f.file ? ` ${f.file}:${f.line}` : ''}`]);
}

/** The conclusion of a comparison in one sentence. */
export function compareConclusion(r: CompareResult): string {
  // Several pairs: each subject named with its pair's configuration ('whole run' twice said nothing).
  const named = (p: PairResult, s: SubjectDelta) => (r.pairs.length > 1 ? `${s.name} (${p.next})` : s.name);
  const bad = r.pairs.flatMap((p) => p.subjects.filter((s) => s.verdict === 'regressed').map((s) => named(p, s)));
  const busy = r.pairs.flatMap((p) => p.subjects.filter((s) => s.verdict === 'busy-machine'));
  const limit = `more than ${formatPercent(r.options.maxRegression)} and ${formatMs(r.options.minDeltaMs)}`;
  const floor = Math.max(0, ...busy.map((s) => s.busyFloor ?? 0));
  const unjudged = busy.length ? `; ${busy.length} change${busy.length === 1 ? '' : 's'} not judged: the machine was busy (threads waited for a core, which stretches even their time on a core), ` +
    `and a change within ±${formatPercent(floor)} can be its doing — compare runs from a quiet machine` : '';
  return (bad.length ? `regression (slower by ${limit}): ${bad.join(', ')}` : `no regression (nothing slower by ${limit} outside the spread of repeats)`) + unjudged;
}

/** A comparison as GitHub Markdown: the same tables as the comparison page and `parprof compare`. */
export function compareMarkdown(given: CompareResult, base: string, next: string): string {
  const r = mapStrings(given, markdownText);
  const out = [`### Parallel Profiler: ${markdownCode(fileName(base))} → ${markdownCode(fileName(next))}`];
  for (const p of r.pairs) {
    out.push('', `**${p.base}** against **${p.next}**${p.mismatch ? ' (note: the configurations differ)' : ''}`, '');
    out.push(...markdownTable(COMPARE_HEADER, compareCells(p.subjects), [false, true, true, true, true, true, true, true, false]));
    if (p.functions.length) {
      out.push('', `${functionDeltaTitle(p)}:`, '');
      out.push(...markdownTable(FUNCTION_DELTA_HEADER, functionDeltaCells(p.functions), [true, true, true, false]));
    }
  }
  for (const l of compareLegend(r)) out.push('', l);
  out.push('', `**${compareConclusion(r)}**`);
  return `${safeMarkdown(out)}\n`;
}
