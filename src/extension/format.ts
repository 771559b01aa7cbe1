// Text the extension shows: CodeLens titles, hot-line annotations, run descriptions.
// Pure string building, no vscode, so it is unit-tested in plain Node. Numbers go through
// src/model/units.ts, as in the CLI and the views.
import { formatMs, formatMsFromUs, formatPercent, formatRatio } from '../model/units';

/** The parts of a region and its metrics (src/model/analysis.ts) that a region CodeLens shows. */
export interface RegionNumbers {
  /** Worker threads of the pool that ran the region (Region.threads). */
  workers: number;
  /** 0..1. */
  utilization: number;
  /** max busy / mean busy; 1 = perfect balance. */
  imbalance: number;
  /** Tasks that waited in a queue; map/forEach/reduce chunks are pulled, not queued (0). */
  queuedTasks: number;
  queueWaitMs: { p95: number };
}

/**
 * "2 workers · utilization 93 % · imbalance 1.08", with "· queue p95 0.2 ms" only for regions
 * whose tasks were queued (a queue p95 of a map would be a 0 that measured nothing).
 */
export function regionLensText(r: RegionNumbers): string {
  const queue = r.queuedTasks > 0 ? ` · queue p95 ${formatMs(r.queueWaitMs.p95)}` : '';
  return `${r.workers} worker${r.workers === 1 ? '' : 's'} · utilization ${formatPercent(r.utilization)} · ` +
    `imbalance ${formatRatio(r.imbalance)}${queue}`;
}

/** Number of heat levels (one decoration type, one gutter icon per level). */
export const HEAT_LEVELS = 5;

/**
 * Heat level 0..HEAT_LEVELS-1 of a line relative to the hottest line of its file: a log scale,
 * because a handful of lines usually hold most of the time and a linear scale would leave every
 * other line at level 0.
 */
export function heatLevel(selfUs: number, maxSelfUs: number): number {
  if (maxSelfUs <= 0 || selfUs <= 0) return 0;
  const ratio = Math.log1p(selfUs) / Math.log1p(maxSelfUs);
  return Math.min(HEAT_LEVELS - 1, Math.max(0, Math.floor(ratio * HEAT_LEVELS - 1e-9)));
}

/** Text after a hot line: "  12.3 ms self · 40.1 ms total". Times in µs. */
export function hotLineText(selfUs: number, totalUs: number): string {
  return `  ${formatMsFromUs(selfUs)} self · ${formatMsFromUs(totalUs)} total`;
}

/** Markdown table of a line's self time per thread, hottest first. Times in µs. */
export function perThreadMarkdown(line: number, perThread: readonly { thread: number; selfUs: number }[],
  threadName: (id: number) => string): string {
  const rows = [...perThread].sort((a, b) => b.selfUs - a.selfUs)
    .map((t) => `| ${escapeMarkdown(threadName(t.thread))} | ${formatMsFromUs(t.selfUs)} |`);
  return [`**Parallel Profiler** · line ${line}, self time per thread`, '', '| thread | self |', '|---|---:|', ...rows].join('\n');
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
