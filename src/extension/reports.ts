// Loading report files and remembering the last one. Reading, import and validation are the
// model's (parseAnyReport: a .parprof, a Chrome trace, a speedscope file or a .cpuprofile); this
// file only does the I/O and keeps the analysed result together.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { parseAnyReport } from '../model/import';
import { MAX_REPORT_BYTES } from '../model/limits';
import { gunzipCapped } from '../runner/read-report';
import { analyze, type RunMetrics } from '../model/analysis';
import type { Report } from '../model/report';

/** A report with its file and metrics, as every view of the extension uses it. */
export interface LoadedReport {
  /** Absolute path of the .parprof (or .parprof.gz) file. */
  file: string;
  report: Report;
  metrics: RunMetrics;
}

export async function loadReportFile(file: string): Promise<LoadedReport> {
  const uri = vscode.Uri.file(file);
  // Checked before reading: a file from a cloned repository can be of any size.
  const { size } = await vscode.workspace.fs.stat(uri);
  if (size > MAX_REPORT_BYTES) throw new Error(`${basename(file)} is too large: more than ${Math.round(MAX_REPORT_BYTES / 2 ** 20)} MiB, the limit`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  // Inflating stops at the same cap: a 1 MB gzip can hold 1 GB of zeros.
  return loadedFrom(file, parseAnyReport(bytes, { gunzip: gunzipCapped, maxBytes: MAX_REPORT_BYTES, name: basename(file) }));
}

export function loadedFrom(file: string, report: Report): LoadedReport {
  return { file, report, metrics: analyze(report) };
}

/** How many reports built or opened this session stay in memory for views that open them. */
const RECENT_REPORTS = 4;

/**
 * The most recent report (recorded or opened), and the last few loaded ones, so a run's report is
 * parsed once: the view that opens it, the Runs view and the annotations take it from here.
 */
export class ReportSession implements vscode.Disposable {
  private last: LoadedReport | undefined;
  private readonly recentReports: LoadedReport[] = [];
  private readonly recorded = new vscode.EventEmitter<LoadedReport>();
  /** Fires after a run wrote a report (the Runs view refreshes on it). */
  readonly onDidRecord = this.recorded.event;

  get lastReport(): LoadedReport | undefined {
    return this.last;
  }

  setLast(loaded: LoadedReport): void {
    this.last = loaded;
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
  }

  recordedRun(loaded: LoadedReport): void {
    this.setLast(loaded);
    this.recorded.fire(loaded);
  }

  dispose(): void {
    this.recorded.dispose();
  }
}
