// The report view: a readonly custom editor for .parprof / .parprof.gz files. It is the only
// report view: runs, the Runs view and the explorer all open reports with `vscode.openWith`, so
// VS Code keeps one tab per report file (and, with supportsMultipleEditorsPerDocument off, one
// across editor groups: opening it elsewhere moves it rather than copying it). A run opens its
// report file's view as it starts, before the file exists (`expect`): the view shows the run's
// progress, then its report, or why there is none.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ReportSession } from './reports';
import { hostReport, ViewSource, type ReportActions, type WebviewStatus } from './webviewHost';
import type { Log } from './log';

/** Runs (in progress, or ended without a report) whose views are kept ready to open. */
const MAX_EXPECTED = 20;

class ReportDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, readonly source: ViewSource, private readonly owned: boolean) {}
  dispose(): void {
    // A run's source belongs to the run (it may still change); a file's to this document.
    if (this.owned) this.source.dispose();
  }
}

export class ReportEditorProvider implements vscode.CustomReadonlyEditorProvider<ReportDocument> {
  /** Open report views by report file. */
  private readonly open = new Map<string, { status: WebviewStatus; source: ViewSource }>();
  /** Runs in progress, by the report file they will write. */
  private readonly expected = new Map<string, ViewSource>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly session: ReportSession, private readonly log: Log,
    private readonly actions: ReportActions) {}

  /**
   * A run will write `file`: a view opened on it meanwhile shows `source`. Dispose when the report
   * exists. A run that left no report is never disposed: its view, however late VS Code opens it,
   * says why (the last few such runs are kept).
   */
  expect(file: string, source: ViewSource): vscode.Disposable {
    this.expected.delete(file);
    this.expected.set(file, source);
    if (this.expected.size > MAX_EXPECTED) this.expected.delete(this.expected.keys().next().value as string);
    return new vscode.Disposable(() => {
      if (this.expected.get(file) === source) this.expected.delete(file);
    });
  }

  async openCustomDocument(uri: vscode.Uri): Promise<ReportDocument> {
    this.log.info(`timing: VS Code asked for the report document of ${path.basename(uri.fsPath)}`);
    const running = this.expected.get(uri.fsPath);
    if (running) return new ReportDocument(uri, running, false);
    // A run's report was just built in memory: `forView` uses it rather than reading the file again.
    // Any other file is read in a child process; a malformed or hostile one shows why, in the view.
    // A large one comes as packed bytes only, which the view decodes (the host never holds it whole).
    // The view opens while the file is read: its webview starts meanwhile (0.5-1 s in code-server,
    // as long as reading ten million spans), and the report goes into it once read.
    const name = path.basename(uri.fsPath);
    const source = new ViewSource({ kind: 'status', text: `Reading ${name}…` }, uri.fsPath);
    void this.session.forView(uri.fsPath).then((content) => {
      if (content.kind === 'packed') this.session.setLastFile(uri.fsPath);
      else this.session.setLast(content.loaded);
      source.set(content, content.kind === 'packed' ? content.view.meta.script : content.loaded.report.meta.script);
    }, (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.log.reportError(`Opening ${name} failed`, e);
      source.set({ kind: 'status', failed: true, text: `${name} could not be opened: ${message}` });
    });
    return new ReportDocument(uri, source, true);
  }

  resolveCustomEditor(document: ReportDocument, panel: vscode.WebviewPanel): void {
    const disposables: vscode.Disposable[] = [];
    const file = document.uri.fsPath;
    this.log.info(`timing: VS Code asked for the report view of ${path.basename(file)}`);
    const status = hostReport(panel.webview, this.extensionUri, file, document.source, this.log, disposables, this.actions);
    this.open.set(file, { status, source: document.source });
    panel.onDidDispose(() => {
      if (this.open.get(file)?.status === status) this.open.delete(file);
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
  }

  /** Whether `file` is the report of a run still going on (its view shows the run's progress). */
  inProgress(file: string): boolean {
    const content = this.expected.get(file)?.content;
    return content?.kind === 'status' && !content.failed;
  }

  /** The script whose run an open report view shows. */
  scriptOf(file: string): string | undefined {
    return this.open.get(file)?.source.script;
  }

  statuses(): WebviewStatus[] {
    return [...this.open.values()].map((s) => ({ ...s.status }));
  }
}
