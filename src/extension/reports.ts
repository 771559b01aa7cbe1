// Loading report files and remembering the last ones. Reading, import, validation and analysis
// happen in a worker thread (reportParser.ts: a report file is untrusted input); this file keeps
// the analysed results together.
import * as vscode from 'vscode';
import { analyze, type RunMetrics } from '../model/analysis';
import type { Report } from '../model/report';
import type { PackedView, ReaderAnalysis, ReportParser } from './reportParser';
import { windowAboveSpans } from './settings';

/** A report with its file and metrics, as every view of the extension uses it. */
export interface LoadedReport {
  /** Absolute path of the .parprof (or .parprof.gz) file. */
  file: string;
  report: Report;
  metrics: RunMetrics;
}

/** A report the extension built itself (a run): analysed here, it is not untrusted input. */
export function loadedFrom(file: string, report: Report, metrics?: RunMetrics): LoadedReport {
  // `metrics`: computed already (the writer of a large report computes them for its header).
  return { file, report, metrics: metrics ?? analyze(report) };
}

/**
 * A report read for a view, sent to it before its metrics: they follow from its reader
 * (undefined: they could not be computed; the webview then computes them).
 */
export interface ReportFirst {
  kind: 'report-first';
  file: string;
  report: Report;
  analysis: Promise<ReaderAnalysis | undefined>;
}

/** How many reports built or opened this session stay in memory for views that open them. */
const RECENT_REPORTS = 4;

/**
 * The most recent report (recorded or opened), and the last few loaded ones, so a run's report is
 * parsed once: the view that opens it, the Runs view and the annotations take it from here.
 */
export class ReportSession implements vscode.Disposable {
  private last: LoadedReport | undefined;
  /** The file of the most recent report, also when a view holds it only packed (then `last` is not it). */
  private lastShown: string | undefined;
  private readonly recentReports: LoadedReport[] = [];
  private readonly recorded = new vscode.EventEmitter<LoadedReport>();
  /** Fires after a run wrote a report (the Runs view refreshes on it). */
  readonly onDidRecord = this.recorded.event;

  constructor(readonly parser: ReportParser) {}

  /** The report of `file`: from memory when recent, else read off the host's thread. Rejects with one line. */
  async load(file: string): Promise<LoadedReport> {
    const recent = this.recent(file);
    if (recent) return recent;
    return { file, ...await this.parser.report(file) };
  }

  /**
   * The report of `file` as a view shows it: from memory when recent, else read off the host's
   * thread; a large one only as its packed bytes, never decoded on the host (reportParser.ts forView).
   */
  async forView(file: string): Promise<{ kind: 'report'; loaded: LoadedReport } | ReportFirst | { kind: 'packed'; view: PackedView }> {
    const recent = this.recent(file);
    if (recent) return { kind: 'report', loaded: recent };
    const read = await this.parser.forView(file, windowAboveSpans(vscode.Uri.file(file)));
    if (read.kind === 'report-first') return { kind: 'report-first', file, report: read.report, analysis: read.analysis };
    return read.kind === 'packed' ? read : { kind: 'report', loaded: { file, report: read.report, metrics: read.metrics } };
  }

  get lastReport(): LoadedReport | undefined {
    return this.last;
  }

  /** The file of the most recent report recorded or opened, whether or not it is in memory whole. */
  get lastFile(): string | undefined {
    return this.lastShown;
  }

  /** A view opened the large report in `file` without the host holding it: it is the last report now. */
  setLastFile(file: string): void {
    this.lastShown = file;
    if (this.last?.file !== file) this.last = undefined;
  }

  setLast(loaded: LoadedReport): void {
    this.last = loaded;
    this.lastShown = loaded.file;
    this.remember(loaded);
  }

  /** Keeps `loaded` among the recent reports (the oldest goes). */
  remember(loaded: LoadedReport): void {
    const at = this.recentReports.findIndex((r) => r.file === loaded.file);
    if (at >= 0) this.recentReports.splice(at, 1);
    this.recentReports.push(loaded);
    if (this.recentReports.length > RECENT_REPORTS) this.recentReports.shift();
  }

  /** A recent report of `file`, if it is in memory. */
  recent(file: string): LoadedReport | undefined {
    return this.recentReports.find((r) => r.file === file);
  }

  /** Forgets a report whose file was deleted or changed. */
  forget(file: string): void {
    const at = this.recentReports.findIndex((r) => r.file === file);
    if (at >= 0) this.recentReports.splice(at, 1);
    if (this.last?.file === file) this.last = undefined;
    if (this.lastShown === file) this.lastShown = undefined;
  }

  recordedRun(loaded: LoadedReport): void {
    this.setLast(loaded);
    this.recorded.fire(loaded);
  }

  dispose(): void {
    this.parser.dispose();
    this.recorded.dispose();
  }
}
