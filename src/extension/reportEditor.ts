// Readonly custom editor for .parprof / .parprof.gz files: opening one shows the views.
import * as vscode from 'vscode';
import { loadReportFile, type LoadedReport, type ReportSession } from './reports';
import { hostReport, type WebviewStatus } from './webviewHost';
import type { Log } from './log';

class ReportDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, readonly loaded: LoadedReport) {}
  dispose(): void {}
}

export class ReportEditorProvider implements vscode.CustomReadonlyEditorProvider<ReportDocument> {
  private readonly open = new Set<WebviewStatus>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly session: ReportSession, private readonly log: Log) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ReportDocument> {
    // A malformed file throws here with the model's reason; VS Code shows it in the editor.
    const loaded = await loadReportFile(uri.fsPath);
    this.session.setLast(loaded);
    return new ReportDocument(uri, loaded);
  }

  resolveCustomEditor(document: ReportDocument, panel: vscode.WebviewPanel): void {
    const disposables: vscode.Disposable[] = [];
    const status = hostReport(panel.webview, this.extensionUri, document.loaded, this.log, disposables);
    this.open.add(status);
    panel.onDidDispose(() => {
      this.open.delete(status);
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
  }

  statuses(): WebviewStatus[] {
    return [...this.open].map((s) => ({ ...s }));
  }
}
