// Loading report files and remembering the last one. Reading and validation are the model's
// (parseReport); this file only does the I/O and keeps the analysed result together.
import * as vscode from 'vscode';
import { gunzipSync } from 'node:zlib';
import { parseReport } from '../model/load';
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
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
  return loadedFrom(file, parseReport(bytes, { gunzip: (b: Uint8Array) => gunzipSync(b) }));
}

export function loadedFrom(file: string, report: Report): LoadedReport {
  return { file, report, metrics: analyze(report) };
}

/** The most recent report (recorded or opened) and the one whose numbers annotate editors. */
export class ReportSession implements vscode.Disposable {
  private last: LoadedReport | undefined;
  private readonly recorded = new vscode.EventEmitter<LoadedReport>();
  /** Fires after a run wrote a report (the Runs view refreshes on it). */
  readonly onDidRecord = this.recorded.event;

  get lastReport(): LoadedReport | undefined {
    return this.last;
  }

  setLast(loaded: LoadedReport): void {
    this.last = loaded;
  }

  recordedRun(loaded: LoadedReport): void {
    this.last = loaded;
    this.recorded.fire(loaded);
  }

  dispose(): void {
    this.recorded.dispose();
  }
}
