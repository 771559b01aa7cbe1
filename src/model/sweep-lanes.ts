// The lanes of an A/B report's runs, one run per variant, on one time axis: per thread its busy
// intervals (task spans), merged where the gap between them is below what a drawing can show.
// The page embeds this instead of the runs' reports: spans only, never profiles, and at most
// LANE_RESOLUTION intervals per thread, so the size is bounded whatever the runs recorded.
import { SPAN_DERIVED, type Report } from './report';
import { spreadOf } from './scaling';
import { wholeRunWindow, type SweepReport, type Variant } from './sweep-report';

/** Intervals per thread at most: gaps shorter than the run's window / this are closed. */
export const LANE_RESOLUTION = 2000;

export interface LaneThread {
  id: number;
  name: string;
  /** Busy intervals, µs from the start of the run's whole-run window, as [start, end] pairs flattened. */
  busy: number[];
}

/** One variant's run drawn as lanes. */
export interface VariantLanes {
  label: string;
  /** The run shown (relative to the sweep report's folder): the one with the median whole-run time. */
  file: string;
  /** Its whole-run time, ms, as the sweep report has it (RunSummary.wholeMs: pool start-up left out). */
  wholeMs: number;
  /** Length of the drawn window, µs: the whole-run window with the pool start-up in it. */
  windowUs: number;
  threads: LaneThread[];
}

/** Index of the run whose whole-run time is the median of the variant's (the lower middle for an even count). */
export function medianRunIndex(v: Variant): number {
  if (v.runs.length === 0) return -1;
  const order = v.runs.map((r, i) => i).sort((a, b) => v.runs[a].wholeMs - v.runs[b].wholeMs);
  const m = spreadOf(v.runs.map((r) => r.wholeMs)).median;
  return order.reduce((best, i) => (Math.abs(v.runs[i].wholeMs - m) < Math.abs(v.runs[best].wholeMs - m) ? i : best), order[0]);
}

/** The lanes of `report` (the variant's run `file`). O(spans log spans). */
export function variantLanes(label: string, file: string, wholeMs: number, report: Report): VariantLanes {
  const w = wholeRunWindow(report);
  const windowUs = Math.max(1, w.end - w.start);
  const minGap = windowUs / LANE_RESOLUTION;
  const s = report.spans;
  const byThread = new Map<number, number[]>();
  for (let i = 0; i < s.count; i++) {
    if (s.flags && (s.flags[i] & SPAN_DERIVED) !== 0) continue;
    const a = Math.max(s.start[i], w.start), b = Math.min(s.end[i], w.end);
    if (!(b > a)) continue;
    let list = byThread.get(s.thread[i]);
    if (!list) byThread.set(s.thread[i], list = []);
    list.push(i);
  }
  const threads: LaneThread[] = [];
  for (const t of report.threads) {
    const idx = byThread.get(t.id);
    if (!idx) continue;
    idx.sort((x, y) => s.start[x] - s.start[y]);
    const busy: number[] = [];
    for (const i of idx) {
      const a = Math.max(s.start[i], w.start) - w.start, b = Math.min(s.end[i], w.end) - w.start;
      const last = busy.length - 1;
      if (last > 0 && a - busy[last] < minGap) busy[last] = Math.max(busy[last], b);
      else busy.push(a, b);
    }
    threads.push({ id: t.id, name: t.name, busy: busy.map((x) => Math.round(x)) });
  }
  return { label, file, wholeMs, windowUs, threads };
}

/** What the sweep page shows: the report, and for an A/B report each variant's lanes. */
export interface SweepPage {
  sweep: SweepReport;
  /** One per variant whose median run could be read; empty for a scaling sweep. */
  lanes: VariantLanes[];
  /** Why some variant has no lanes (its run's file is missing or unreadable), when one has none. */
  lanesNote?: string;
}

/**
 * The page of `sweep`: for an A/B report, the lanes of each variant's median run, read with
 * `readRun` (a path relative to the sweep report's folder; it throws when the file cannot be read).
 */
export function sweepPage(sweep: SweepReport, readRun: (file: string) => Report): SweepPage {
  if (sweep.kind !== 'ab') return { sweep, lanes: [] };
  const lanes: VariantLanes[] = [];
  const missing: string[] = [];
  for (const v of sweep.variants) {
    const at = medianRunIndex(v);
    if (at < 0) continue;
    const file = v.runs[at].file;
    try {
      lanes.push(variantLanes(v.label, file, v.runs[at].wholeMs, readRun(file)));
    } catch (e) {
      missing.push(`${v.label} (${file}: ${(e as Error).message})`);
    }
  }
  return { sweep, lanes, ...(missing.length ? { lanesNote: `no lanes for ${missing.join('; ')}` } : {}) };
}
