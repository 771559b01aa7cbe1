// Two runs side by side: `parprof compare <base> <new>`. Each side is one recorded run or a
// sweep / A-B report; their configurations are paired, then per pair the whole run and every
// region (matched by name + call site) get the change in wall time, utilization, imbalance and,
// where both sides have a baseline to measure it against, efficiency; and a differential
// profile (self time per function, matched by name + file + line). A regression is a slowdown
// past the threshold that, when both sides carry repeats, also lies outside their spread, and,
// when threads of either side waited for a core, past what a busy machine does to unchanged code
// (busyMachineFloor): below that the verdict is 'busy-machine', "cannot judge", not a regression.
import { efficiency, rangesApart, spreadOf, speedup, type Spread } from './scaling';
import { regionOf, subjects, wallTimes, type Subject } from './sweep-analysis';
import { BUSY_MACHINE_SHARE, type FunctionSelf, type RegionSummary, type RunSummary, type SweepReport, type Variant } from './sweep-report';
import type { Report, Schedule } from './report';
import type { DiffNode } from './flame-diff';

/** One side of a comparison: the variants of a sweep, or the one variant of a single run. */
export interface CompareSide {
  /** The file it came from, as the user named it. */
  name: string;
  /** The script it recorded (absolute), when the file says. */
  script?: string;
  variants: Variant[];
}

/**
 * A single recorded run as a side with one variant of one run, labelled with what its ThreadPool
 * operations ran under (their regions), not with the pool defaults the run was started with: an
 * operation given its own schedule or threads by the script keeps them. A run whose operations
 * differ lists each schedule; a run with no ThreadPool operation says so.
 */
export function sideFromRun(name: string, report: Report, summary: RunSummary): CompareSide {
  const ours = report.regions.filter((g) => g.kind !== 'external');
  const threadCounts = [...new Set(ours.map((g) => g.threads))];
  // A join is work stealing whatever the schedule (variant-applied.ts).
  const schedules = [...new Set(ours.filter((g) => g.kind !== 'join').map((g) => g.schedule))].filter((x): x is Schedule => x !== 'external');
  const threads = threadCounts.length === 1 ? threadCounts[0] : report.meta.pool.threads;
  const schedule = schedules.length === 1 ? schedules[0] : report.meta.pool.schedule;
  const label = ours.length === 0 ? 'no ThreadPool operation'
    : threadCounts.length === 1 && threads === 0 ? 'sequential'
      : `${threadCounts.sort((a, b) => a - b).join(' and ')} thread${threadCounts.length === 1 && threads === 1 ? '' : 's'}` +
        (schedules.length ? `, ${schedules.join(' + ')}` : ', fork-join');
  return { name, script: report.meta.script, variants: [{ label, threads, schedule, chunkSize: null, runs: [summary] }] };
}

/** A sweep's or an A/B's variants as a side; an A/B's labels (schedules) get their thread count, as a run's have. */
export function sideFromSweep(name: string, sweep: SweepReport): CompareSide {
  const variants = sweep.kind !== 'ab' ? sweep.variants
    : sweep.variants.map((v) => (v.threads === 0 ? v : { ...v, label: `${v.threads} thread${v.threads === 1 ? '' : 's'}, ${v.label}` }));
  return { name, script: sweep.script, variants };
}

export interface CompareOptions {
  /** Slowdown that counts as a regression, as a fraction (0.05 = 5 %). */
  maxRegression: number;
  /** Smallest slowdown in ms that can count (a 5 % change of a 0.2 ms region is noise). */
  minDeltaMs: number;
  /** Functions listed in the differential profile. */
  topFunctions: number;
}

export type Verdict = 'regressed' | 'improved' | 'same' | 'within-noise' | 'busy-machine' | 'only-base' | 'only-new';

/**
 * How much time on a core identical work gained per unit of descheduled share (the worst thread's
 * share of its busy time spent waiting for a core): a busier machine stretches even time on a
 * core (shared caches, SMT siblings, clock). Measured: two sweeps of unchanged unevencpu.js 4
 * minutes apart at load 18 then 24 (2-core VM), threads waiting 50-86 % of their busy time,
 * read 1919-2132 ms of work for the same 1600 ms of spinning (up to 10 % apart) and critical
 * paths 901-950 against 977-1010 ms (+6.4 %, ranges apart). Then a new user's A/B runs of an
 * unchanged region (load 3-9 on 2 cores, threads waiting up to 56 % of their busy time): critical
 * path 191-194 against 218-225 ms (+15.1 %, ranges apart), 0.18 per unit of share: hence 0.2.
 */
export const STRETCH_PER_WAIT = 0.2;

/**
 * The change a busy machine can make of unchanged code, as a fraction: the threshold plus
 * STRETCH_PER_WAIT × the worst descheduled share over both sides' runs for work (critical path,
 * CPU time); for wall time, what that share of waiting adds (share / (1 − share)). 0 when no run
 * waited for a core BUSY_MACHINE_SHARE of a thread's busy time (the machine was not busy).
 */
export function busyMachineFloor(runs: readonly RunSummary[], by: 'critical' | 'cpu' | 'wall', maxRegression: number): number {
  const worst = runs.reduce((a, r) => Math.max(a, r.descheduledShare ?? 0), 0);
  if (worst < BUSY_MACHINE_SHARE) return 0;
  return maxRegression + (by === 'wall' ? worst / Math.max(0.05, 1 - worst) : STRETCH_PER_WAIT * worst);
}

export interface SubjectDelta extends Subject {
  base: Spread | null;
  next: Spread | null;
  /** (new − base) / base of the median wall times; null when a side lacks it. */
  change: number | null;
  deltaMs: number | null;
  utilization: { base: number | null; next: number | null };
  imbalance: { base: number | null; next: number | null };
  /** Efficiency at this pair's thread count on each side, when both sides have a baseline variant. */
  efficiency: { base: number | null; next: number | null };
  /**
   * CPU time of the subject on each side (the whole run: all threads' on-CPU time; a region: its
   * threads' busy time less their time waiting for a core), when every run of both sides has it.
   */
  cpu: { base: Spread; next: Spread; change: number } | null;
  /**
   * Critical path in work on each side (RegionSummary.criticalMs: a region's busiest thread's work;
   * RunSummary.criticalMs: the main thread's own work plus the regions'), when every run of both sides has it.
   */
  critical: { base: Spread; next: Spread; change: number } | null;
  /**
   * What the verdict judged: the critical path when both sides have it (a loaded machine does not
   * stretch it, and a balance fix shortens it); else the CPU time of all threads (older sweep
   * reports; blind to balance); else wall time.
   */
  verdictBy: 'critical' | 'cpu' | 'wall';
  verdict: Verdict;
  /**
   * Set when threads of either side waited for a core (the machine was busy): the change, as a
   * fraction, that a busy machine can make of unchanged code (busyMachineFloor). A change within
   * it is 'busy-machine' (cannot judge), never a regression. 'same': within the thresholds (--max-regression,
   * --min-delta-ms), not necessarily unchanged.
   */
  busyFloor?: number;
}

export interface FunctionDelta {
  name: string;
  file: string;
  line: number;
  /** Mean self time per run, ms. */
  baseMs: number;
  nextMs: number;
  deltaMs: number;
}

export interface PairResult {
  base: string;
  next: string;
  /** Set when the two sides' configurations differ (compared anyway: each side had only one). */
  mismatch?: string;
  subjects: SubjectDelta[];
  functions: FunctionDelta[];
  /** Set when a side's whole run has no utilization and imbalance ('-' in its row): why, per side. */
  wholeBalanceMissing?: string;
  /** Whether `functions` are on-CPU self times (every run of both sides had them) or wall-time self times. */
  functionsBy: 'cpu' | 'wall';
}

export interface CompareResult {
  pairs: PairResult[];
  /**
   * The two runs' differential flamegraph (flame-diff.ts runsFlameDiff): set where both sides are
   * recorded runs with CPU samples (the comparison page draws it); absent for sweeps and A/B sides.
   */
  flameDiff?: DiffNode;
  /** Any subject of any pair regressed: the exit status of a CI gate. */
  regressed: boolean;
  options: CompareOptions;
}

/** A CompareError says why two sides cannot be compared (no configuration in common). */
export class CompareError extends Error {
  override name = 'CompareError';
}

/** A variant's configuration as pairing sees it: 'sequential', '2 threads, steal', '2 threads, dynamic, chunk size 8'. */
function configWords(v: Variant): string {
  const threads = v.threads === 0 ? 'sequential' : `${v.threads} ${v.threads === 1 ? 'thread' : 'threads'}, ${v.schedule}`;
  return `'${threads}${v.chunkSize !== null ? `, chunk size ${v.chunkSize}` : ''}'`;
}

function configKey(v: Variant): string {
  return `${v.threads}/${v.schedule}/${v.chunkSize ?? 'auto'}`;
}

/** Pairs the sides' variants: one each is one pair; else by equal threads, schedule and chunk size. */
export function pairVariants(base: CompareSide, next: CompareSide): [Variant, Variant, string | undefined][] {
  if (base.variants.length === 1 && next.variants.length === 1) {
    const [b, n] = [base.variants[0], next.variants[0]];
    // A run whose operations ran under several schedules, or none of the pool's, is told apart by its label.
    const byLabel = (v: Variant) => v.label.includes(' + ') || v.label === 'no ThreadPool operation';
    const same = configKey(b) === configKey(n) && (!(byLabel(b) || byLabel(n)) || b.label === n.label);
    return [[b, n, same ? undefined : `configurations differ: ${b.label} against ${n.label}`]];
  }
  const byKey = new Map(next.variants.map((v) => [configKey(v), v]));
  const pairs: [Variant, Variant, string | undefined][] = [];
  for (const b of base.variants) {
    const n = byKey.get(configKey(b));
    if (n) pairs.push([b, n, undefined]);
  }
  if (pairs.length === 0) {
    // Each configuration whole and quoted: labels hold commas ('2 threads, static'), and a sweep's
    // say no schedule ('2 threads'), which is half of why they do not pair.
    const configs = (side: CompareSide) => side.variants.map(configWords).join(', ');
    throw new CompareError(`no configuration in common (threads, schedule, chunk size): ${base.name} has ${configs(base)}; ${next.name} has ${configs(next)}`);
  }
  return pairs;
}

/**
 * Efficiency of `variant` on its side for one subject, against the side's variant with the fewest
 * threads (sequential when swept) of the same schedule and chunk size; null when the side has no
 * such variant with fewer threads (a single run, an A/B report).
 */
function efficiencyOn(side: CompareSide, variant: Variant, s: Subject): number | null {
  let base: Variant | undefined;
  for (const v of side.variants) {
    if (v.schedule !== variant.schedule || v.chunkSize !== variant.chunkSize || v.threads >= variant.threads) continue;
    if (!base || v.threads < base.threads) base = v;
  }
  if (!base) return null;
  const t0 = spreadOf(wallTimes(base, s)).median;
  const t = spreadOf(wallTimes(variant, s)).median;
  const e = efficiency(speedup(t0, t), variant.threads, base.threads);
  return Number.isFinite(e) ? e : null;
}

function medianOf(v: Variant, key: string, field: 'utilization' | 'imbalance'): number | null {
  const values: number[] = [];
  // The whole run ('' key): over its operations' window (RunSummary.wholeBalance), when every run has it.
  if (key === '') {
    if (v.runs.length === 0 || v.runs.some((r) => r.wholeBalance === undefined)) return null;
    for (const r of v.runs) values.push(r.wholeBalance![field]);
  } else for (const g of regionOf(v, key)) if (g) values.push(g[field]);
  return values.length ? spreadOf(values).median : null;
}

/** Why a side has no whole-run utilization and imbalance (the wording of abNotes), or undefined. */
function wholeBalanceGap(v: Variant): string | undefined {
  const lacking = v.runs.filter((r) => r.wholeBalance === undefined);
  if (lacking.length === 0) return undefined;
  return lacking.some((r) => r.regions.length === 0) ? `${v.label}: a run had no pool operation to measure them over`
    : `${v.label}: its report was written by an earlier parprof, which kept them per region only`;
}

function verdictOf(base: Spread | null, next: Spread | null, o: CompareOptions, busyFloor = 0): Verdict {
  if (!base || base.n === 0) return 'only-new';
  if (!next || next.n === 0) return 'only-base';
  const delta = next.median - base.median;
  const change = base.median > 0 ? delta / base.median : 0;
  const repeats = base.n >= 2 && next.n >= 2;
  if (Math.abs(change) <= o.maxRegression || Math.abs(delta) < o.minDeltaMs) return 'same';
  // Repeats taken at one load level do not measure another's: their spread cannot absorb it.
  if (Math.abs(change) <= busyFloor) return 'busy-machine';
  if (repeats && !rangesApart(base, next)) return 'within-noise';
  return delta > 0 ? 'regressed' : 'improved';
}

/** CPU times (ms) of a subject over a variant's runs, or null when a run that has the subject lacks them. */
function cpuTimes(v: Variant, s: Subject, measure: 'cpu' | 'critical'): number[] | null {
  const values = s.key === '' ? v.runs.map((r) => (measure === 'cpu' ? r.cpuMs : r.criticalMs))
    : regionOf(v, s.key).filter((g): g is RegionSummary => g !== undefined).map((g) => (measure === 'cpu' ? g.workMs : g.criticalMs));
  return values.length > 0 && values.every((x): x is number => x !== undefined) ? values : null;
}

/** Both sides' spreads of a measure and the change of their medians, or null when a side lacks it. */
function measured(b: Variant, n: Variant, s: Subject, measure: 'cpu' | 'critical'): { base: Spread; next: Spread; change: number } | null {
  const bc = cpuTimes(b, s, measure), nc = cpuTimes(n, s, measure);
  if (!bc || !nc) return null;
  const base = spreadOf(bc), next = spreadOf(nc);
  return { base, next, change: base.median > 0 ? (next.median - base.median) / base.median : 0 };
}

const hasCpuSelf = (v: Variant): boolean => v.runs.every((r) => r.functions.every((f) => f.selfCpuMs !== undefined));

/** Mean self time per run of each function over a variant's runs (on-CPU when `cpu`). */
function meanSelf(v: Variant, cpu: boolean): Map<string, FunctionSelf> {
  const out = new Map<string, FunctionSelf>();
  for (const run of v.runs) {
    for (const f of run.functions) {
      const key = `${f.name}\u0001${f.file}\u0001${f.line}`;
      const e = out.get(key) ?? { name: f.name, file: f.file, line: f.line, selfMs: 0 };
      e.selfMs += (cpu ? f.selfCpuMs ?? 0 : f.selfMs) / v.runs.length;
      out.set(key, e);
    }
  }
  return out;
}

/** Functions whose mean self time changed most, largest |change| first (on-CPU self time when `cpu`). */
export function functionDeltas(base: Variant, next: Variant, top: number, cpu = false): FunctionDelta[] {
  const b = meanSelf(base, cpu), n = meanSelf(next, cpu);
  const keys = new Set([...b.keys(), ...n.keys()]);
  const out: FunctionDelta[] = [];
  for (const k of keys) {
    const x = b.get(k), y = n.get(k);
    const id = (x ?? y)!;
    const baseMs = x?.selfMs ?? 0, nextMs = y?.selfMs ?? 0;
    out.push({ name: id.name, file: id.file, line: id.line, baseMs, nextMs, deltaMs: nextMs - baseMs });
  }
  out.sort((p, q) => Math.abs(q.deltaMs) - Math.abs(p.deltaMs));
  return out.slice(0, top).filter((f) => f.deltaMs !== 0);
}

export function compareSides(base: CompareSide, next: CompareSide, options: CompareOptions): CompareResult {
  const pairs = pairVariants(base, next).map(([b, n, mismatch]): PairResult => {
    const union = new Map<string, Subject>();
    for (const s of [...subjects({ variants: [b] } as SweepReport), ...subjects({ variants: [n] } as SweepReport)]) if (!union.has(s.key)) union.set(s.key, s);
    const rows = [...union.values()].map((s): SubjectDelta => {
      const bw = wallTimes(b, s), nw = wallTimes(n, s);
      const bs = bw.length ? spreadOf(bw) : null, ns = nw.length ? spreadOf(nw) : null;
      const deltaMs = bs && ns ? ns.median - bs.median : null;
      const cpu = measured(b, n, s, 'cpu'), critical = measured(b, n, s, 'critical');
      const judged = critical ?? cpu;
      const verdictBy = critical ? 'critical' : cpu ? 'cpu' : 'wall';
      const floor = busyMachineFloor([...b.runs, ...n.runs], verdictBy, options.maxRegression);
      return {
        ...s, base: bs, next: ns, deltaMs,
        change: bs && ns && bs.median > 0 ? (ns.median - bs.median) / bs.median : null,
        utilization: { base: medianOf(b, s.key, 'utilization'), next: medianOf(n, s.key, 'utilization') },
        imbalance: { base: medianOf(b, s.key, 'imbalance'), next: medianOf(n, s.key, 'imbalance') },
        efficiency: (() => {
          const eb = efficiencyOn(base, b, s), en = efficiencyOn(next, n, s);
          return eb !== null && en !== null ? { base: eb, next: en } : { base: null, next: null };
        })(),
        cpu, critical,
        verdictBy, ...(floor > 0 ? { busyFloor: floor } : {}),
        verdict: judged ? verdictOf(judged.base, judged.next, options, floor) : verdictOf(bs, ns, options, floor),
      };
    });
    const cpuSelf = hasCpuSelf(b) && hasCpuSelf(n);
    const gaps = [wholeBalanceGap(b), wholeBalanceGap(n)].filter((x): x is string => x !== undefined);
    return { base: b.label, next: n.label, ...(mismatch ? { mismatch } : {}), ...(gaps.length ? { wholeBalanceMissing: gaps.join('; ') } : {}), subjects: rows,
      functions: functionDeltas(b, n, options.topFunctions, cpuSelf), functionsBy: cpuSelf ? 'cpu' : 'wall' };
  });
  return { pairs, regressed: pairs.some((p) => p.subjects.some((s) => s.verdict === 'regressed')), options };
}
