// Report panels: one webview panel per report file, revealed again when the same report is shown.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { VIEWS } from './surface';
import { hostReport, webviewOptions, type WebviewStatus } from './webviewHost';
import type { LoadedReport } from './reports';
import type { Log } from './log';

export class ReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; status: WebviewStatus }>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: Log) {}

  show(loaded: LoadedReport): vscode.WebviewPanel {
    const open = this.panels.get(loaded.file);
    if (open) {
      open.panel.reveal();
      return open.panel;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(VIEWS.reportPanel, `Profile: ${path.basename(loaded.file)}`, column, {
      ...webviewOptions(this.extensionUri),
      // The views hold zoom, selection and a decoded report; rebuilding them on every tab switch
      // would lose the user's place, so the webview stays alive while hidden.
      retainContextWhenHidden: true,
    });
    const disposables: vscode.Disposable[] = [];
    const status = hostReport(panel.webview, this.extensionUri, loaded, this.log, disposables);
    this.panels.set(loaded.file, { panel, status });
    panel.onDidDispose(() => {
      this.panels.delete(loaded.file);
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
    return panel;
  }

  /** Live panels and their handshake state (for tests and diagnostics). */
  statuses(): WebviewStatus[] {
    return [...this.panels.values()].map((p) => ({ ...p.status }));
  }

  closeAll(): void {
    for (const { panel } of [...this.panels.values()]) panel.dispose();
  }

  dispose(): void {
    this.closeAll();
  }
}
