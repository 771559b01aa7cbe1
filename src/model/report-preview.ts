// A first screen of a large report while its detail is still on its way (VS Code: the report
// reader computes it as soon as it has the span columns, the webview draws it until the report is
// decoded and validated): one lane per thread, in the timeline's lane order (threads by id), with
// its task count and how busy its tasks kept it over equal time bins. Numbers only, besides the
// thread names; pure; linear in spans (a span covering many bins costs two writes, not one per bin).
import type { Report, RunMeta } from './report';
import { threadsText } from './run-views';
import { fromBase64 } from './base64';
import type { ReportAnswers } from './report-answers';

/**
 * Bins of a preview's lane: fine enough to zoom in about twenty times on a wide panel before a bin
 * is wider than a pixel, at most PREVIEW_CELLS over all lanes (a byte each: what crosses to the
 * webview), and never fewer than PREVIEW_MIN_BINS (about a pixel each on a wide panel).
 */
export const PREVIEW_MAX_BINS = 2 ** 15;
export const PREVIEW_MIN_BINS = 1500;
export const PREVIEW_CELLS = 2 ** 21;

/** The bins of each lane of a preview of `lanes` lanes. */
export function previewBins(lanes: number): number {
  return Math.max(PREVIEW_MIN_BINS, Math.min(PREVIEW_MAX_BINS, Math.floor(PREVIEW_CELLS / Math.max(1, lanes))));
}

export interface PreviewLane {
  thread: number;
  /** The thread's display name, as the timeline labels its lane. */
  name: string;
  /** The thread died (the timeline marks its lane ✝). */
  died: boolean;
  /** Spans on the thread: the task count the timeline's lane lists. */
  tasks: number;
  /**
   * Per bin, the share of the bin's time the thread's tasks covered, 0..1 scaled to 0..255 and
   * rounded (tasks that overlap on one thread count once at most: the share stops at 1).
   */
  busy: Uint8Array;
}

export interface ReportPreview {
  meta: RunMeta;
  /** Task spans in the report. */
  spans: number;
  /** The run's threads counted as everywhere else ("5 workers + main", run-views.ts threadsText). */
  threads: string;
  /** The run's end, µs from origin, as the timeline's whole-run window ends: the bins split [0, endUs) evenly. */
  endUs: number;
  lanes: PreviewLane[];
  /**
   * The headline numbers, leading finding and top functions the recording computed, from the
   * file's header (report-answers.ts); absent when the header has none this reader may use.
   */
  answers?: ReportAnswers;
}

/**
 * The run's end, µs from origin, where the timeline's whole-run window ends (the Store's, the
 * preview's): the last of the run's end, a thread's end, a span's end and a profile's end. Spans'
 * values need not be validated: one that is not a finite number is left out, and only as many
 * spans as the columns hold are read.
 */
export function runEndUs(report: Report): number {
  const { spans } = report;
  const n = Math.max(0, Math.min(spans.count, spans.end.length));
  let end = report.meta.durationUs || 0;
  for (const t of report.threads) end = Math.max(end, t.end ?? t.start);
  const ends = spans.end;
  for (let k = 0; k < n; k++) {
    const e = ends[k];
    if (e > end && e < Infinity) end = e;
  }
  for (const p of report.profiles) {
    const e = p.profile?.endTime;
    if (typeof e === 'number' && e > end && e < Infinity) end = e;
  }
  return Math.max(1, end);
}

/**
 * The preview of `report`. Its spans' values need not be validated yet (the reader sends the
 * preview before it has validated them): a span of a thread the report does not list, or with a
 * time that is not a finite number, counts nowhere, and only as many spans as every column read
 * holds are read; a profile's end that is not a number is left out. Its meta and threads must be validated.
 */
export function reportPreview(report: Report, binsWanted?: number): ReportPreview {
  const { spans } = report;
  const threads = [...report.threads].sort((a, b) => a.id - b.id);
  const bins = binsWanted ?? previewBins(threads.length);
  const laneOf = new Map(threads.map((t, k) => [t.id, k]));
  const n = Math.max(0, Math.min(spans.count, spans.thread.length, spans.start.length, spans.end.length));
  const endUs = runEndUs(report);
  const { thread, start, end: ends } = spans;
  const width = endUs / bins;
  const tasks = new Float64Array(threads.length);
  // Per lane: time covered within each bin by spans that start or end in it, and (difference
  // array) +1/-1 around the bins that spans cover whole.
  const partial = threads.map(() => new Float64Array(bins));
  const whole = threads.map(() => new Float64Array(bins + 1));
  let lastThread = NaN, lane = -1;
  let inBins = partial[0], wholeBins = whole[0];
  for (let k = 0; k < n; k++) {
    const t = thread[k];
    if (t !== lastThread) {
      lastThread = t;
      lane = laneOf.get(t) ?? -1;
      if (lane >= 0) { inBins = partial[lane]; wholeBins = whole[lane]; }
    }
    if (lane < 0) continue;
    tasks[lane]++;
    const from = Math.max(0, start[k]), to = Math.min(endUs, ends[k]);
    if (!(to > from)) continue;
    const b0 = Math.min(bins - 1, Math.floor(from / width)), b1 = Math.min(bins - 1, Math.floor(to / width));
    if (b0 === b1) {
      inBins[b0] += to - from;
      continue;
    }
    inBins[b0] += (b0 + 1) * width - from;
    inBins[b1] += to - b1 * width;
    wholeBins[b0 + 1]++;
    wholeBins[b1]--;
  }
  const lanes = threads.map((t, k): PreviewLane => {
    const busy = new Uint8Array(bins);
    let covering = 0;
    for (let b = 0; b < bins; b++) {
      covering += whole[k][b];
      busy[b] = Math.round(Math.min(1, (partial[k][b] + covering * width) / width) * 255);
    }
    return { thread: t.id, name: t.name, died: t.died !== undefined, tasks: tasks[k], busy };
  });
  return { meta: report.meta, spans: spans.count, threads: threadsText(report), endUs, lanes };
}

/**
 * The preview a packed report's header holds (packed-report.ts HeaderPreview), for `report`: the
 * header's report, validated (its meta and threads; its span columns need not be read yet), with
 * `spans` spans. Undefined unless it is well formed and fits that report: one lane per thread, in
 * lane order, task counts that are whole numbers adding up to `spans`, bins of one length per
 * lane (PREVIEW_MIN_BINS..PREVIEW_MAX_BINS) and an end that is a positive number. Its busy bins
 * are a picture only the spans can check; its task counts are checked against them once the
 * whole report is read (the reader's validation, laneTasksMismatch).
 */
export function headerPreview(raw: unknown, report: Report, spans: number): ReportPreview | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { endUs, lanes } = raw as { endUs?: unknown; lanes?: unknown };
  const threads = [...report.threads].sort((a, b) => a.id - b.id);
  if (typeof endUs !== 'number' || !(endUs > 0 && endUs < Infinity) || !Array.isArray(lanes) || lanes.length !== threads.length) return undefined;
  const out: PreviewLane[] = [];
  let total = 0, bins = -1;
  for (let k = 0; k < lanes.length; k++) {
    const lane = lanes[k] as { thread?: unknown; tasks?: unknown; busy?: unknown } | null;
    const t = threads[k];
    if (!lane || lane.thread !== t.id || typeof lane.tasks !== 'number' || !Number.isSafeInteger(lane.tasks) || lane.tasks < 0 || typeof lane.busy !== 'string') return undefined;
    let busy: Uint8Array;
    try {
      busy = fromBase64(lane.busy);
    } catch {
      return undefined;
    }
    if (bins < 0) bins = busy.length;
    if (busy.length !== bins || bins < PREVIEW_MIN_BINS || bins > PREVIEW_MAX_BINS) return undefined;
    total += lane.tasks;
    out.push({ thread: t.id, name: t.name, died: t.died !== undefined, tasks: lane.tasks, busy });
  }
  if (total !== spans) return undefined;
  return { meta: report.meta, spans, threads: threadsText(report), endUs, lanes: out };
}

/**
 * Why `preview`'s task counts are not those of `report`'s spans (one line), or undefined when they
 * are: a header's preview, checked once the report is read whole. Linear in spans.
 */
export function laneTasksMismatch(preview: ReportPreview, report: Report): string | undefined {
  const lane = new Map(preview.lanes.map((l, k) => [l.thread, k]));
  const counts = new Float64Array(preview.lanes.length);
  const { thread, count } = report.spans;
  for (let k = 0; k < count; k++) {
    const at = lane.get(thread[k]);
    if (at !== undefined) counts[at]++;
  }
  const k = preview.lanes.findIndex((l, i) => l.tasks !== counts[i]);
  return k < 0 ? undefined : `its header's preview gives thread ${preview.lanes[k].thread} ${preview.lanes[k].tasks} tasks; its spans hold ${counts[k]}`;
}
