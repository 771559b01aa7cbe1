// The report view: a readonly custom editor for .parprof / .parprof.gz files. It is the only
// report view: runs, the Runs view and the explorer all open reports with `vscode.openWith`, so
// VS Code keeps one tab per report file (and, with supportsMultipleEditorsPerDocument off, one
// across editor groups: opening it elsewhere moves it rather than copying it).
import * as vscode from 'vscode';
import { loadReportFile, type LoadedReport, type ReportSession } from './reports';
import { hostReport, type ReportActions, type WebviewStatus } from './webviewHost';
import type { Log } from './log';

class ReportDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, readonly loaded: LoadedReport) {}
  dispose(): void {}
}

export class ReportEditorProvider implements vscode.CustomReadonlyEditorProvider<ReportDocument> {
  /** Open report views by report file. */
  private readonly open = new Map<string, { status: WebviewStatus; script: string }>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly session: ReportSession, private readonly log: Log,
    private readonly actions: ReportActions) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ReportDocument> {
    // A run's report was just built in memory: use it rather than reading and parsing it again.
    // A malformed file throws here with the model's reason; VS Code shows it in the editor.
    const loaded = this.session.recent(uri.fsPath) ?? await loadReportFile(uri.fsPath);
    this.session.setLast(loaded);
    return new ReportDocument(uri, loaded);
  }

  resolveCustomEditor(document: ReportDocument, panel: vscode.WebviewPanel): void {
    const disposables: vscode.Disposable[] = [];
    const status = hostReport(panel.webview, this.extensionUri, document.loaded, this.log, disposables, this.actions);
    const file = document.loaded.file;
    this.open.set(file, { status, script: document.loaded.report.meta.script });
    panel.onDidDispose(() => {
      if (this.open.get(file)?.status === status) this.open.delete(file);
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
  }

  /** The script whose run an open report view shows. */
  scriptOf(file: string): string | undefined {
    return this.open.get(file)?.script;
  }

  statuses(): WebviewStatus[] {
    return [...this.open.values()].map((s) => ({ ...s.status }));
  }
}
