// The only declaration of the messages between the extension host and the webview.
// Handshake: the webview posts `ready` once its listener is installed, then the host sends `init`
// (a host that posts before `ready` would lose the message: webviews drop early messages).
// Receivers switch on `type` and log, never throw on, a type they do not know.
import type { Report } from './model/report';
import type { SelectionSpec } from './model/selection';
import type { Transform } from './model/transforms';
import type { SweepPage } from './model/sweep-lanes';
import type { CompareResult } from './model/compare';
import type { RunMetrics } from './model/analysis';
import type { ReportPreview } from './model/report-preview';

/** The views the webview can show, in tab order. */
export type ViewId = 'summary' | 'timeline' | 'flamegraph' | 'flamechart' | 'calltree' | 'durations';
export const VIEW_IDS: readonly ViewId[] = ['summary', 'timeline', 'flamegraph', 'flamechart', 'calltree', 'durations'];

/** The call tree's directions: top-down, inverted (bottom-up), or the sandwich of one function. */
export const CALL_TREE_MODES = ['top-down', 'inverted', 'sandwich'] as const;
export type CallTreeMode = typeof CALL_TREE_MODES[number];

/** Options the host may pass with a report. */
export interface InitOptions {
  /** Tab to show first; defaults to the persisted one, else 'timeline' (the first screen: headline numbers, lanes, top functions). */
  view?: ViewId;
  /** Title shown above the views, e.g. the script name. */
  title?: string;
  /** When true, frames with a source location offer "Open source" (a message to the host). */
  canOpenSource?: boolean;
  /** When true, the header offers "Re-run" (posts `rerun`): the host can run the report's script again. */
  canRerun?: boolean;
}

/**
 * A window of a report too large to show whole (reportParser.ts windowed views): which part of the
 * run a `init-slice` report holds. Times are µs from the report's origin.
 */
export interface SliceInfo {
  /** The window: every task that overlaps it, and every CPU sample and wait inside it, is in the slice. */
  from: number;
  to: number;
  /** Spans in the slice (those that overlap the window), and in the whole report. */
  spans: number;
  totalSpans: number;
  /** Of those, the tasks (run-views.ts taskCount: a span derived from CPU samples is not one). */
  tasks: number;
  totalTasks: number;
  /** The run's extent: its first task's start and its last task's end. */
  runFrom: number;
  runTo: number;
  /** About how many tasks a window holds (its tasks' starts; long tasks reaching in come on top). */
  budget: number;
}

export type HostToWebview =
  /**
   * The report to show; replaces any earlier one. Its span columns, wait columns (format 2) and
   * profile samples/time deltas should be typed arrays (packed-report.ts typedColumns); the other
   * format-2 fields (startup, cpu) travel as they are. VS Code transfers typed arrays' buffers
   * as binary. The webview checks only its shape: it is a report the host's reader validated, or
   * one the extension built from a run. `metricsFollow`: no `metrics` now, a `metrics` message
   * follows with them and the findings (the host's reader computes them after sending the report).
   */
  | { type: 'init'; report: Report; options?: InitOptions; metrics?: RunMetrics; metricsFollow?: boolean }
  /**
   * The report as a packed blob (packed-report.ts packReport, not gzip-compressed): for large
   * reports, a few hundred MB less to copy than `init`; the webview decodes it in a Web Worker.
   * With either, `metrics` (analysis.ts analyze of this report) spares the webview computing them
   * again: seconds at ten million spans, on the thread that draws. `gzipped`: the bytes are
   * gzip-compressed (a .parprof file's own bytes, as the extension reads them). `metricsFollow`:
   * no `metrics` now, a `metrics` message follows (the host's reader computes them while the
   * webview decodes).
   */
  | { type: 'init-packed'; packed: Uint8Array; gzipped?: boolean; options?: InitOptions; metrics?: RunMetrics; metricsFollow?: boolean }
  /**
   * `init-packed` without the bytes: the webview fetches the report file itself from `url` (a
   * webview resource, `webview.asWebviewUri`) and checks it is `bytes` long with this `sha256`
   * (hex), the bytes the host's report reader validated; if they differ the file changed since and
   * the webview refuses it. If it cannot fetch it, it posts `packed-unfetched` and the host sends
   * `init-packed`. Spares carrying tens of MB in one extension-host message. `validationFollows`:
   * the reader is still validating the report; the webview fetches and decodes it meanwhile but
   * shows nothing of it before `validated` (and never after `invalid`).
   */
  | { type: 'init-packed-url'; url: string; bytes: number; sha256: string; gzipped: boolean; options?: InitOptions; metricsFollow?: boolean; validationFollows?: boolean }
  /**
   * A report too large to show whole (above the `parallelProfiler.windowAboveSpans` setting): the
   * host's reader keeps it and sends one window of it at a time (`init-slice`); the webview shows
   * the `preview` meanwhile, and `invalid` if the reader refuses the report. `bytes`: the file's size.
   */
  | { type: 'init-windowed'; bytes: number; totalSpans: number; options?: InitOptions }
  /**
   * A large report whose bytes the host will post (`init-packed`) once its reader has read and
   * packed it (a JSON file, or a packed one the webview could not fetch): the webview says so and
   * draws the `preview` meanwhile.
   */
  | { type: 'report-coming'; totalSpans: number }
  /**
   * After `init-windowed`: one window of the report (a valid report of its own, packed, gzip-compressed
   * when `gzipped`; src/model/slice.ts), shown with the whole run's metrics (a `metrics` message, once
   * the reader has them). Replaces the window shown; the webview asks for another with `slice`.
   */
  | { type: 'init-slice'; packed: Uint8Array; gzipped?: boolean; slice: SliceInfo; options?: InitOptions }
  /** After a `slice` request: no window came (the reader could not cut it, or has stopped), in one line. */
  | { type: 'window-refused'; message: string }
  /** After `init-packed-url` with `validationFollows`: the host's report reader validated the whole report; it may be shown. */
  | { type: 'validated' }
  /**
   * After `init-packed-url`: a first screen of the report while its file is fetched and decoded
   * (report-preview.ts, computed by the host's reader from the file's span columns): drawn as
   * the timeline's lanes until the report replaces it (not after the report, nor after `invalid`).
   */
  | { type: 'preview'; preview: ReportPreview }
  /**
   * After `init-packed-url` with `validationFollows`: the report is not valid (or its reader
   * stopped before it could say), in the reader's one line. The webview shows that, never the report.
   */
  | { type: 'invalid'; message: string }
  /**
   * After `init-packed` with `metricsFollow`: its report's metrics and findings (summary.ts
   * verdicts), or undefined when the host has none (the webview computes them).
   */
  | { type: 'metrics'; metrics?: RunMetrics; findings?: string[] }
  /** Show this time range (µs from the report's origin) on the timeline and narrow the flamegraph to it. */
  | { type: 'focus-range'; from: number; to: number }
  /** Switch to a view. */
  | { type: 'show-view'; view: ViewId }
  /** Select a region (Region.id): the durations view shows it, the timeline zooms to it. */
  | { type: 'focus-region'; region: number }
  /** A sweep or A/B report (.parprof-sweep.json) for the sweep page, with the A/B variants' lanes. */
  | { type: 'init-sweep'; page: SweepPage; options?: { title?: string } }
  /** Two runs compared (src/model/compare.ts), `base` and `next` naming them, for the comparison page. */
  | { type: 'init-compare'; compare: CompareResult; base: string; next: string }
  /**
   * No report yet, or none to come: a run in progress ("Recording x.js — 2 workers + main — 1.2 s",
   * sent as it goes), or why there is no report (`failed`). An `init` later replaces it.
   */
  | { type: 'status'; text: string; failed: boolean };

/** View state worth keeping across a webview reload (persisted with `setState`). */
export interface ViewState {
  view: ViewId;
  /** Visible time window of the timeline and flame chart, µs from origin; absent = whole run. */
  window?: { from: number; to: number };
  /** Selected time range, µs from origin. */
  range?: { from: number; to: number };
  /** Thread ids shown in the flamegraph; absent = all threads merged. */
  flameThread?: number;
  /** Thread shown in the flame chart (a thread id with a CPU profile); absent = the busiest profiled worker. */
  chartThread?: number;
  /** The call tree's direction; absent = top-down. */
  callTreeMode?: CallTreeMode;
  /** The function the call tree's sandwich is about (a function key, callTreeMode 'sandwich' only); absent = the one with the most self time. */
  sandwich?: string;
  search?: string;
  /** Selected tasks (or threads × range) whose samples the flamegraph shows. */
  selection?: SelectionSpec;
  /** The selection's baseline: the flamegraph shows the difference (selection − baseline). */
  baseline?: SelectionSpec;
  /** Call-tree transforms, applied in order (src/model/transforms.ts); absent = none. */
  transforms?: Transform[];
  /** Show the pool's and recorder's own frames; absent = hidden (the default view). */
  showRuntime?: boolean;
  /** Thread ids the call tree and flamegraph merge (chosen in their thread menus or by Ctrl/Cmd-clicking lane labels); absent = every thread. */
  threads?: number[];
}

export type WebviewToHost =
  /** The webview's listener is installed; the host may now send `init`. */
  | { type: 'ready' }
  /** Open a source location. `line` and `column` are 1-based. */
  | { type: 'open-source'; file: string; line: number; column: number }
  /** Something failed in the webview (bad report, drawing error); the host logs it. */
  | { type: 'error'; message: string }
  /** The view state changed (tab, zoom, selection), for hosts that keep their own copy. */
  | { type: 'state'; state: ViewState }
  /** Run the report's script again with the report's threads, schedule and arguments. */
  | { type: 'rerun' }
  /** Export the sweep or comparison page shown (the host asks for the format and the file). */
  | { type: 'export-page' }
  /**
   * A report's first view was drawn (once per report given): which view, how the report came
   * (`init` or `init-packed`, and where a packed one was decoded), the task count of each timeline
   * lane in lane order (empty unless the timeline drew), and how many of the timeline canvas's
   * pixels are painted; `steps`: when each step of showing it happened (received, validated,
   * drawn-timeline...), ms since the epoch. For the host's timing log and the integration tests.
   * `stage` 'slice': a window of a windowed report (`init-slice`; `laneTasks` are the window's).
   * `stage`: 'preview' for a large report's first screen drawn from its `preview` (then `laneTasks`
   * are the preview's lanes), 'full' (or absent) for the report itself.
   */
  | { type: 'drawn'; stage?: 'preview' | 'full' | 'slice'; view: ViewId; via: 'init' | 'init-packed'; decodedIn?: 'worker' | 'page'; laneTasks: number[]; paintedPixels: number; steps?: Record<string, number>; fetched?: boolean;
    /** stage 'preview': the headline numbers it shows from the file's header (report-answers.ts), as shown; absent when it shows none. */
    headline?: string[] }
  /**
   * After `init-windowed`: show another window: the one that starts at `from`, or the one that ends
   * at `to` (µs from the report's origin). The host answers with `init-slice`.
   */
  | { type: 'slice'; from?: number; to?: number }
  /** After `init-packed-url`: the file could not be fetched (`reason`); the host sends the bytes (`init-packed`). */
  | { type: 'packed-unfetched'; reason: string };

/** Narrows an unknown message from the host; returns undefined for anything unrecognised. */
export function asHostMessage(data: unknown): HostToWebview | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  switch (type) {
    case 'init': case 'init-packed': case 'init-packed-url': case 'init-windowed': case 'report-coming': case 'init-slice': case 'window-refused': case 'validated': case 'invalid': case 'preview': case 'metrics': case 'focus-range': case 'show-view': case 'focus-region': case 'init-sweep': case 'init-compare': case 'status':
      return data as HostToWebview;
    default:
      return undefined;
  }
}

/** Narrows an unknown message from the webview; returns undefined for anything unrecognised. */
export function asWebviewMessage(data: unknown): WebviewToHost | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  switch (type) {
    case 'ready': case 'open-source': case 'error': case 'state': case 'rerun': case 'export-page': case 'drawn': case 'packed-unfetched': case 'slice':
      return data as WebviewToHost;
    default:
      return undefined;
  }
}
