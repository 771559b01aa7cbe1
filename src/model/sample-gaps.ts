// Where a thread's CPU samples were lost (report `dropped.sampleGaps`), for the views: the bands a
// lane draws over a time window, the gap under a pointer, what the report knows of why, and how
// much of a selection's time has no samples. Pure; linear in the gaps (sorted once per report).
import type { Report, SampleGap } from './report';
import { formatMsFromUs } from './units';

/** A thread's gaps, sorted by start. */
export type ThreadGaps = readonly SampleGap[];

const byReport = new WeakMap<Report, Map<number, SampleGap[]>>();

/** Each thread's sample gaps (sorted by start); threads without gaps are absent. */
export function gapsByThread(report: Report): Map<number, SampleGap[]> {
  const hit = byReport.get(report);
  if (hit) return hit;
  const out = new Map<number, SampleGap[]>();
  for (const g of report.dropped.sampleGaps ?? []) {
    if (!(g.to > g.from)) continue;
    let list = out.get(g.thread);
    if (!list) out.set(g.thread, (list = []));
    list.push(g);
  }
  for (const list of out.values()) list.sort((a, b) => a.from - b.from);
  byReport.set(report, out);
  return out;
}

/** One band to draw: x over [from, to] -> [0, width], CSS px. */
export interface GapBand {
  x0: number;
  x1: number;
  gap: SampleGap;
}

/**
 * The bands of one thread's gaps inside the window [from, to] mapped to [0, width]; a gap
 * narrower than minPx is drawn minPx wide (centred on it) so a short loss stays visible.
 */
export function gapBands(gaps: ThreadGaps, from: number, to: number, width: number, minPx = 2): GapBand[] {
  const scale = width / Math.max(1e-9, to - from);
  const out: GapBand[] = [];
  for (const gap of gaps) {
    if (gap.to < from || gap.from > to) continue;
    let x0 = (gap.from - from) * scale;
    let x1 = (gap.to - from) * scale;
    if (x1 - x0 < minPx) {
      const mid = (x0 + x1) / 2;
      x0 = mid - minPx / 2;
      x1 = mid + minPx / 2;
    }
    out.push({ x0: Math.max(0, x0), x1: Math.min(width, x1), gap });
  }
  return out;
}

/** The gap holding time t (± slackUs), if any. */
export function gapAt(gaps: ThreadGaps, t: number, slackUs = 0): SampleGap | undefined {
  return gaps.find((g) => g.from - slackUs <= t && t <= g.to + slackUs);
}

/** Why the samples of a gap are missing, as far as the report knows (SampleGap's doc). */
export function gapReason(report: Report, gap: SampleGap): string {
  const t = report.threads.find((x) => x.id === gap.thread);
  const end = t?.died?.at ?? t?.end ?? report.meta.durationUs;
  // The runner ends a tail gap exactly when it saw the thread (else its process) end.
  if (gap.to >= end || gap.to >= report.meta.durationUs) {
    return `the thread ended (killed, terminated, or its process stopped) before it saved them${t?.died ? `; it died: ${t.died.reason}` : ''}`;
  }
  return 'a part of its CPU profile could not be kept';
}

/** The sentence a tooltip or a screen reader gets for one gap. */
export function gapText(report: Report, gap: SampleGap): string {
  return `no CPU samples from ${formatMsFromUs(gap.from)} to ${formatMsFromUs(gap.to)} (${formatMsFromUs(gap.to - gap.from)}): ${gapReason(report, gap)}`;
}

/**
 * µs of [a, b] pairs (sorted by start, not overlapping) inside a thread's gaps (sorted, apart).
 * One forward walk: a pair passed by one gap's start is never looked at again.
 */
function overlap(gaps: ThreadGaps, pairs: readonly number[]): number {
  let us = 0;
  let i = 0;
  for (const g of gaps) {
    while (i < pairs.length && pairs[i + 1] <= g.from) i += 2;
    for (let j = i; j < pairs.length && pairs[j] < g.to; j += 2) {
      const a = Math.max(g.from, pairs[j]);
      const b = Math.min(g.to, pairs[j + 1]);
      if (b > a) us += b - a;
    }
  }
  return us;
}

/** [a, b] pairs (a selection's tasks may nest or come in any order) as sorted, disjoint pairs. */
function union(pairs: ArrayLike<number>): number[] {
  const order = Array.from({ length: pairs.length / 2 }, (_, k) => k).sort((x, y) => pairs[2 * x] - pairs[2 * y]);
  const out: number[] = [];
  for (const k of order) {
    const a = pairs[2 * k], b = pairs[2 * k + 1];
    if (out.length && a <= out[out.length - 1]) out[out.length - 1] = Math.max(out[out.length - 1], b);
    else out.push(a, b);
  }
  return out;
}

/**
 * µs of the given threads' time with no CPU samples (their gaps) inside the shown time: per thread
 * the [start, end] pairs given (a selection's tasks), else [from, to] (a range, or the whole run).
 * `threads` undefined means every thread.
 */
export function unsampledGapUs(report: Report, shown: { threads?: readonly number[]; from?: number; to?: number; pairs?: ReadonlyMap<number, ArrayLike<number>> }): number {
  let us = 0;
  const whole = [shown.from ?? -Infinity, shown.to ?? Infinity];
  for (const [thread, gaps] of gapsByThread(report)) {
    if (shown.threads && !shown.threads.includes(thread)) continue;
    const pairs = shown.pairs ? shown.pairs.get(thread) : whole;
    if (pairs) us += overlap(gaps, union(pairs));
  }
  return us;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Words joined as "a, b and c". */
function list(parts: string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * What the recording lost, in one sentence for the top of the summary (report `dropped`), or
 * undefined when nothing was: the counts that are not zero, then the threads whose samples have gaps.
 */
export function lostInWords(report: Report): string | undefined {
  const d = report.dropped;
  const counts: string[] = [];
  if (d.spans > 0) counts.push(count(d.spans, 'task span'));
  if (d.samples > 0) counts.push(count(d.samples, 'CPU sample'));
  if (d.profiles > 0) counts.push(count(d.profiles, 'thread\'s CPU profile', 'threads\' CPU profiles'));
  if ((d.waits ?? 0) > 0) counts.push(count(d.waits!, 'blocking wait'));
  const gaps = gapsByThread(report);
  const parts: string[] = [];
  if (counts.length) parts.push(`${list(counts)} could not be kept`);
  if (gaps.size > 0) {
    const names = [...gaps.keys()].map((id) => report.threads.find((t) => t.id === id)?.name ?? `thread ${id}`);
    let stretches = 0, us = 0;
    for (const g of gaps.values()) for (const x of g) { stretches++; us += x.to - x.from; }
    parts.push(`${list(names)} lost the CPU samples of ${count(stretches, 'stretch', 'stretches')} (${formatMsFromUs(us)} in all; grey bands on the timeline), which the flamegraph and call tree leave out`);
  }
  return parts.length ? `Not everything was recorded: ${parts.join('; ')}.` : undefined;
}
