// The answers a sweep report gives: scaling per region and for the whole run (kind 'sweep'), and
// the side-by-side numbers and winner of a schedule A/B (kind 'ab'). Pure; derived only from the
// report's runs, so every reader computes the same numbers.
import { effectiveThreads, rangesApart, scaling, spreadOf, type Scaling, type Spread } from './scaling';
import { BUSY_MACHINE_SHARE, type RegionSummary, type RunSummary, type SweepReport, type Variant } from './sweep-report';

/** Whole run, or one region (matched by key = name + call site) of every run. */
export interface Subject {
  /** '' for the whole run, else the region key. */
  key: string;
  /** 'whole run' or the region's name. */
  name: string;
}

export const WHOLE_RUN: Subject = { key: '', name: 'whole run' };

/** Regions in order of first appearance over every variant's runs. Linear in the regions of all runs. */
export function subjects(report: SweepReport): Subject[] {
  const seen = new Map<string, Subject>();
  for (const v of report.variants) for (const run of v.runs) for (const g of run.regions) if (!seen.has(g.key)) seen.set(g.key, { key: g.key, name: g.name });
  return [WHOLE_RUN, ...seen.values()];
}

const regionIndex = new WeakMap<RunSummary, Map<string, RegionSummary>>();

/** Per run of a variant: the subject's region entry (undefined when the run lacks it). One map per run, built once. */
export function regionOf(v: Variant, key: string): (RegionSummary | undefined)[] {
  return v.runs.map((run) => {
    let byKey = regionIndex.get(run);
    if (!byKey) {
      byKey = new Map(run.regions.map((g) => [g.key, g]));
      regionIndex.set(run, byKey);
    }
    return byKey.get(key);
  });
}

/** Wall times (ms) of a subject over a variant's runs; runs without that region are left out. */
export function wallTimes(v: Variant, s: Subject): number[] {
  if (s.key === '') return v.runs.map((r) => r.wholeMs);
  return regionOf(v, s.key).filter((g): g is RegionSummary => g !== undefined).map((g) => g.wallMs);
}

/** Critical paths (ms, RunSummary / RegionSummary.criticalMs) of a subject over a variant's runs; null when a run that has it lacks them. */
export function criticalTimes(v: Variant, s: Subject): number[] | null {
  const values = s.key === '' ? v.runs.map((r) => r.criticalMs) : regionOf(v, s.key).filter((g): g is RegionSummary => g !== undefined).map((g) => g.criticalMs);
  return values.every((x): x is number => x !== undefined) ? values : null;
}

export interface SubjectScaling extends Subject {
  scaling: Scaling | null;
  /**
   * The same scaling of the critical path in work (waits for a core left out), which a busy
   * machine does not stretch; null when a run lacks it (no schedstat, an older report).
   */
  criticalScaling: Scaling | null;
  /** The points of criticalScaling whose speedup no program can reach (criticalBeyond); empty without it. */
  criticalBeyond: SpeedupBeyond[];
}

/** A measured speedup above what its thread count allows, or Amdahl's law with the baseline's serial work. */
export interface SpeedupBeyond {
  threads: number;
  speedup: number;
  /** The most it could be: p / p_base, or T_base / (serial + (T_base − serial) · p_base / p). */
  bound: number;
  by: 'threads' | 'amdahl';
  /** The baseline's serial work, ms (by 'amdahl'). */
  serialMs: number;
}

/**
 * The baseline's serial work on the critical path, ms (median over its runs): the whole run's
 * critical path less its operations' (the main thread's own code); 0 for a region.
 */
function serialWork(v: Variant | undefined, s: Subject): number {
  if (!v || s.key !== '') return 0;
  const serial = v.runs.map((r) => (r.criticalMs ?? 0) - r.regions.reduce((a, g) => a + (g.criticalMs ?? 0), 0));
  return Math.max(0, spreadOf(serial).median || 0);
}

/**
 * How far above its bound a speedup may read before it is flagged: identical work reads a few per
 * cent apart from run to run (a tryout's sequential runs took 1-4 % longer on a core than its
 * 1-thread runs, at every repeat), and a 0.5 % margin then refused every serial fraction.
 */
export const BEYOND_TOLERANCE = 0.05;

/**
 * Speedups of the critical path above what the program could reach: above p / p_base (more than
 * the threads added), or above Amdahl's bound with the serial work the baseline measured. Such a
 * point means the same work took less time on a core in one run than in another (a busy
 * machine's caches and clock move it, 10-15 % between modes in the tryout), not that the program
 * scaled: a serial fraction fitted through it is wrong (12 % for a planted 20 %). Flagged when
 * more than BEYOND_TOLERANCE above the bound.
 */
export function criticalBeyond(sc: Scaling, serialMs: number): SpeedupBeyond[] {
  const pBase = effectiveThreads(sc.baselineThreads);
  const tBase = sc.points.find((q) => q.threads === sc.baselineThreads)?.wallMs.median ?? NaN;
  if (!(tBase > 0)) return [];
  const serial = Math.min(serialMs, tBase);
  return sc.points.flatMap((q) => {
    const p = effectiveThreads(q.threads);
    if (q.threads === sc.baselineThreads || p < pBase || !Number.isFinite(q.speedup)) return [];
    const ideal = p / pBase;
    const amdahl = tBase / (serial + ((tBase - serial) * pBase) / p);
    const bound = Math.min(ideal, amdahl);
    if (!(q.speedup > bound * (1 + BEYOND_TOLERANCE))) return [];
    return [{ threads: q.threads, speedup: q.speedup, bound, by: amdahl < ideal - 1e-9 ? 'amdahl' as const : 'threads' as const, serialMs: serial }];
  });
}

/** kind 'sweep': scaling of the whole run and of every region over the variants' thread counts. */
export function sweepScaling(report: SweepReport): SubjectScaling[] {
  return subjects(report).map((s) => {
    const critical = report.variants.map((v) => criticalTimes(v, s));
    const criticalScaling = critical.every((c): c is number[] => c !== null)
      ? scaling(report.variants.map((v, i) => ({ threads: v.threads, wallMs: critical[i] as number[] })), report.cores) : null;
    const baseline = criticalScaling ? report.variants.find((v) => v.threads === criticalScaling.baselineThreads) : undefined;
    return {
      ...s,
      scaling: scaling(report.variants.map((v) => ({ threads: v.threads, wallMs: wallTimes(v, s) })), report.cores),
      criticalScaling,
      criticalBeyond: criticalScaling ? criticalBeyond(criticalScaling, serialWork(baseline, s)) : [],
    };
  });
}

/** The runs whose threads waited for a core for a share of their busy time that makes their wall time tell the load (BUSY_MACHINE_SHARE). */
export function busyRuns(report: SweepReport): RunSummary[] {
  return report.variants.flatMap((v) => v.runs).filter(ranOnBusyMachine);
}

/** A run whose threads waited for a core at least BUSY_MACHINE_SHARE of their busy time. */
export function ranOnBusyMachine(r: RunSummary): boolean {
  return r.descheduledShare !== null && r.descheduledShare >= BUSY_MACHINE_SHARE;
}

export interface AbCell {
  label: string;
  wallMs: Spread;
  /**
   * Medians over the runs; the whole run's over its operations window (RunSummary.wholeBalance),
   * null when a run lacks them (no pool operation, or a report written before they were kept).
   */
  utilization: number | null;
  imbalance: number | null;
  /**
   * The spread the row is judged by (AbRow.basis): the wall times, or the critical paths when
   * threads of its runs waited for a core (a busy machine stretches wall time, not the work).
   */
  judged: Spread;
  /** (judged median − best judged median) / best judged median: 0 for the best. */
  behindBest: number;
}

export interface AbRow extends Subject {
  cells: AbCell[];
  /** The fastest variant's label when its lead over the runner-up exceeds the spread of repeats, else null. */
  winner: string | null;
  /** Why there is no winner, in words, when winner is null. */
  noWinnerReason?: string;
  /** Label of the slowest variant (by median), when its repeats lie apart from the fastest's (as for a winner). */
  slowest: string | null;
  /** What ranks the variants: wall time, or the critical path in work when runs waited for a core and every run has it. */
  basis: 'wall' | 'critical path';
}

/** Smallest lead in critical path that names a winner on a busy machine: compare's default regression threshold. */
const CRITICAL_LEAD = 0.05;

/** kind 'ab': per subject, every variant's numbers, and the winner when the repeats can tell. */
export function abRows(report: SweepReport): AbRow[] {
  return subjects(report).map((s) => {
    // A busy machine: judge by the critical path in work where every run of every variant has it.
    const critical = report.variants.map((v) => criticalTimes(v, s));
    const byCritical = report.variants.some((v) => v.runs.some(ranOnBusyMachine)) && critical.every((c) => c !== null && c.length > 0);
    const cells = report.variants.map((v, vi) => {
      const whole = v.runs.map((r) => r.wholeBalance);
      const known = whole.every((b) => b !== undefined);
      const regs: { utilization: number; imbalance: number }[] = s.key === '' ? (known ? whole as { utilization: number; imbalance: number }[] : [])
        : regionOf(v, s.key).filter((g): g is RegionSummary => g !== undefined);
      return {
        label: v.label, wallMs: spreadOf(wallTimes(v, s)),
        utilization: regs.length ? spreadOf(regs.map((g) => g.utilization)).median : null,
        imbalance: regs.length ? spreadOf(regs.map((g) => g.imbalance)).median : null,
        judged: spreadOf(byCritical ? critical[vi]! : wallTimes(v, s)),
        behindBest: 0,
      };
    }).filter((c) => c.wallMs.n > 0);
    const ranked = [...cells].sort((a, b) => a.judged.median - b.judged.median);
    const best = ranked[0];
    for (const c of cells) c.behindBest = best && best.judged.median > 0 ? (c.judged.median - best.judged.median) / best.judged.median : 0;
    let winner: string | null = null;
    let noWinnerReason: string | undefined;
    if (ranked.length < 2) noWinnerReason = 'fewer than two variants ran it';
    else if (ranked[0].judged.n < 2 || ranked[1].judged.n < 2) noWinnerReason = 'one run each: no spread to judge by (use --repeat 3)';
    // In work, a lead under CRITICAL_LEAD is the schedules' own overhead or the readings', not a winner.
    else if (byCritical && ranked[1].behindBest < CRITICAL_LEAD) noWinnerReason = `${ranked[0].label} and ${ranked[1].label} are within ${Math.round(CRITICAL_LEAD * 100)} % of each other in work (critical path)`;
    else if (rangesApart(ranked[0].judged, ranked[1].judged)) winner = ranked[0].label;
    else noWinnerReason = `${ranked[0].label} and ${ranked[1].label} overlap within the spread of their repeats${byCritical ? ' (critical path in work)' : ''}`;
    // The slowest is named by the rule the winner is: only when its repeats lie apart from the best's.
    const last = ranked[ranked.length - 1];
    const slowest = ranked.length >= 2 && best.judged.n >= 2 && last.judged.n >= 2 && rangesApart(best.judged, last.judged)
      && !(byCritical && last.behindBest < CRITICAL_LEAD) ? last.label : null;
    return { ...s, cells, winner, ...(noWinnerReason ? { noWinnerReason } : {}), slowest, basis: byCritical ? 'critical path' : 'wall' };
  });
}
