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
import { asWebviewMessage } from '../protocol';
import type { Log } from './log';

/** Runs (in progress, or ended without a report) whose views are kept ready to open. */
const MAX_EXPECTED = 20;

/** A report view's state, and when its webview posted `ready` (ms since the epoch, the extension host's clock). */
export type ReportViewStatus = WebviewStatus & { readyAt?: number };

/** An open report view: its webview's state, what it shows, and when the webview first posted `ready`. */
interface OpenView {
  status: WebviewStatus;
  source: ViewSource;
  readyAt?: number;
}

/** A run whose view may open before its report exists (`expect`). */
export interface ExpectedRun extends vscode.Disposable {
  /** The run ended without a report (failed, or cancelled before it started): its view keeps saying why. */
  ended(): void;
}

class ReportDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, readonly source: ViewSource, private readonly owned: boolean) {}
  dispose(): void {
    // A run's source belongs to the run (it may still change); a file's to this document.
    if (this.owned) this.source.dispose();
  }
}

export class ReportEditorProvider implements vscode.CustomReadonlyEditorProvider<ReportDocument>, vscode.Disposable {
  /** Open report views by report file. */
  private readonly open = new Map<string, OpenView>();
  /** Runs in progress, or ended without a report, by the report file they will write. */
  private readonly expected = new Map<string, { source: ViewSource; running: boolean }>();
  /** Fires when a view's webview posted its first `ready` (ready: true), or the view was closed before (false). */
  private readonly settled = new vscode.EventEmitter<{ file: string; ready: boolean }>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly session: ReportSession, private readonly log: Log,
    private readonly actions: ReportActions) {}

  /**
   * A run will write `file`: a view opened on it meanwhile shows `source`. Dispose when the report
   * exists. A run that left no report is never disposed but `ended`: its view, however late VS Code
   * opens it, says why (the last few such runs are kept).
   */
  expect(file: string, source: ViewSource): ExpectedRun {
    const entry = { source, running: true };
    this.expected.delete(file);
    this.expected.set(file, entry);
    if (this.expected.size > MAX_EXPECTED) this.expected.delete(this.expected.keys().next().value as string);
    return {
      ended: () => { entry.running = false; },
      dispose: () => {
        if (this.expected.get(file) === entry) this.expected.delete(file);
      },
    };
  }

  /**
   * Resolves true once a view of `file` is up (its webview posted `ready`; at once if it already
   * did), false when the view is closed before that or `signal` aborts first.
   */
  whenReady(file: string, signal: AbortSignal): Promise<boolean> {
    if (this.open.get(file)?.readyAt !== undefined) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        listener.dispose();
        signal.removeEventListener('abort', aborted);
        resolve(ready);
      };
      const listener = this.settled.event((e) => { if (e.file === file) done(e.ready); });
      const aborted = () => done(false);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  async openCustomDocument(uri: vscode.Uri): Promise<ReportDocument> {
    this.log.info(`timing: VS Code asked for the report document of ${path.basename(uri.fsPath)}`);
    const running = this.expected.get(uri.fsPath)?.source;
    if (running) return new ReportDocument(uri, running, false);
    // A run's report was just built in memory: `forView` uses it rather than reading the file again.
    // Any other file is read in a child process; a malformed or hostile one shows why, in the view.
    // A large one comes as packed bytes only, which the view decodes (the host never holds it whole).
    // The view opens while the file is read: its webview starts meanwhile (0.5-1 s in code-server,
    // as long as reading ten million spans), and the report goes into it once read.
    const name = path.basename(uri.fsPath);
    const source = new ViewSource({ kind: 'status', text: `Reading ${name}…` }, uri.fsPath);
    void this.session.forView(uri.fsPath).then((content) => {
      if (content.kind === 'report') this.session.setLast(content.loaded);
      else this.session.setLastFile(uri.fsPath);
      // Whole once its metrics come (the commands that take the last report need them), unless another report came since.
      if (content.kind === 'report-first') {
        const { file, report } = content;
        void content.analysis.then((a) => { if (a && this.session.lastFile === file) this.session.setLast({ file, report, metrics: a.metrics }); });
      }
      source.set(content, content.kind === 'packed' ? content.view.meta.script : content.kind === 'report-first' ? content.report.meta.script : content.loaded.report.meta.script);
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
    const view: OpenView = { status, source: document.source };
    this.open.set(file, view);
    // After hostReport's own listener (VS Code calls listeners in order): `status.ready` is set, and
    // the webview has been sent what the view shows, when a run waiting for this view hears of it.
    panel.webview.onDidReceiveMessage((data: unknown) => {
      if (view.readyAt !== undefined || !(status.ready || asWebviewMessage(data)?.type === 'ready')) return;
      view.readyAt = Date.now();
      if (this.open.get(file) === view) this.settled.fire({ file, ready: true });
    }, undefined, disposables);
    panel.onDidDispose(() => {
      if (this.open.get(file) === view) {
        this.open.delete(file);
        // Closed while a run waited for it: the run goes on without it.
        if (view.readyAt === undefined) this.settled.fire({ file, ready: false });
      }
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
  }

  /** Whether `file` is the report of a run still going on (its view shows the run's progress). */
  inProgress(file: string): boolean {
    return this.expected.get(file)?.running === true;
  }

  /** The script whose run an open report view shows. */
  scriptOf(file: string): string | undefined {
    return this.open.get(file)?.source.script;
  }

  statuses(): ReportViewStatus[] {
    return [...this.open.values()].map((s) => ({ ...s.status, readyAt: s.readyAt }));
  }

  dispose(): void {
    this.settled.dispose();
  }
}
