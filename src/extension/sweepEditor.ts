// The sweep page in VS Code: a readonly custom editor for sweep and A/B reports
// (.parprof-sweep.json), and the comparison page of two runs ("Compare with…"). The numbers come
// from src/model (sweep-analysis, compare); this file reads files and runs the ready/init
// handshake of src/protocol.ts.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { standalonePageHtml } from '../model/html-report';
import { compareMarkdown } from '../model/sweep-tables';
import { COMMANDS } from './surface';
import { compareSides, sideFromRun, type CompareResult } from '../model/compare';
import { medianRunIndex, sweepPage, type SweepPage } from '../model/sweep-lanes';
import { summarizeRun, type SweepReport } from '../model/sweep-report';
import type { Report } from '../model/report';
import { asWebviewMessage, type HostToWebview } from '../protocol';
import type { LoadedReport, ReportSession } from './reports';
import { webviewOptions, webviewPage, type WebviewStatus } from './webviewHost';
import type { Log } from './log';
import { runsFlameDiff } from '../model/flame-diff';

/** Whether `file` is a sweep or A/B report, by its name. */
export function isSweepReportFile(file: string): boolean {
  return file.endsWith('.parprof-sweep.json');
}

/** Reads and validates a sweep report, in a child process (reportParser.ts); the error names the file and the problem. */
export function loadSweepFile(file: string, session: ReportSession): Promise<SweepReport> {
  return session.parser.sweep(file);
}

/** The page of a sweep report: for an A/B report, each variant's median run read from next to it. */
export async function sweepPageOf(file: string, sweep: SweepReport, session: ReportSession): Promise<SweepPage> {
  const runs = new Map<string, Report | Error>();
  if (sweep.kind === 'ab') {
    for (const v of sweep.variants) {
      const at = medianRunIndex(v);
      if (at < 0) continue;
      const run = v.runs[at].file;
      try {
        runs.set(run, (await session.load(path.resolve(path.dirname(file), run))).report);
      } catch (e) {
        runs.set(run, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
  return sweepPage(sweep, (run) => {
    const r = runs.get(run);
    if (!r) throw new Error('not read');
    if (r instanceof Error) throw r;
    return r;
  });
}

/**
 * Fills `webview` with the bundle and posts `message` on every `ready` (a reloaded webview asks
 * again). Listeners go into `disposables`.
 */
function hostPage(webview: vscode.Webview, extensionUri: vscode.Uri, file: string, title: string, message: HostToWebview, log: Log,
  disposables: vscode.Disposable[], onExport: () => Promise<unknown>): WebviewStatus {
  const status: WebviewStatus = { file, ready: false, initSent: false };
  webview.options = webviewOptions(extensionUri);
  disposables.push(webview.onDidReceiveMessage((data: unknown) => {
    const m = asWebviewMessage(data);
    if (!m) {
      log.info(`sweep webview: ignored unknown message ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        status.ready = true;
        void webview.postMessage(message).then((ok) => { status.initSent = status.initSent || ok; });
        break;
      case 'error': log.channel.error(`sweep webview: ${m.message}`); break;
      case 'export-page': void onExport().catch((e) => log.reportError('Exporting failed', e)); break;
      default: log.info(`sweep webview: unhandled message ${m.type}`);
    }
  }));
  webview.html = webviewPage(webview, extensionUri, title);
  return status;
}

/** `parprof compare`'s numbers for two runs, with its default thresholds (src/cli/answers-args.ts). */
export function compareRuns(base: LoadedReport, next: LoadedReport): CompareResult {
  const side = (l: LoadedReport) => sideFromRun(l.file, l.report, summarizeRun(l.report, l.metrics, path.basename(l.file)));
  const compare = compareSides(side(base), side(next), { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 10 });
  const sampled = (l: LoadedReport) => l.report.profiles.some((p) => p.profile.samples.length > 0);
  if (sampled(base) && sampled(next)) compare.flameDiff = runsFlameDiff(base.report, next.report);
  return compare;
}

/** Writes a comparison as the standalone comparison page (.html) or Markdown tables (any other name). */
export async function writeComparison(compare: CompareResult, base: string, next: string, target: string, extensionUri: vscode.Uri): Promise<void> {
  let text: string;
  if (target.endsWith('.html')) {
    const bundle = await readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js').fsPath, 'utf8');
    text = standalonePageHtml('compare', { compare, base, next }, bundle, `Parallel Profiler: ${path.basename(base)} → ${path.basename(next)}`);
  } else {
    text = compareMarkdown(compare, base, next);
  }
  await vscode.workspace.fs.writeFile(vscode.Uri.file(target), new TextEncoder().encode(text));
}

class SweepDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, readonly page: SweepPage) {}
  dispose(): void {}
}

export class SweepEditorProvider implements vscode.CustomReadonlyEditorProvider<SweepDocument> {
  private readonly open = new Set<WebviewStatus>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: Log, private readonly session: ReportSession) {}

  async openCustomDocument(uri: vscode.Uri): Promise<SweepDocument> {
    // Viewing is allowed in an untrusted workspace: reading a report runs nothing.
    return new SweepDocument(uri, await sweepPageOf(uri.fsPath, await loadSweepFile(uri.fsPath, this.session), this.session));
  }

  resolveCustomEditor(document: SweepDocument, panel: vscode.WebviewPanel): void {
    const disposables: vscode.Disposable[] = [];
    const { sweep } = document.page;
    const title = `Parallel Profiler: ${sweep.kind === 'sweep' ? 'sweep' : 'A/B'} of ${path.basename(sweep.script)}`;
    const status = hostPage(panel.webview, this.extensionUri, document.uri.fsPath, title, { type: 'init-sweep', page: document.page }, this.log, disposables,
      () => Promise.resolve(vscode.commands.executeCommand(COMMANDS.exportReport.id, document.uri)));
    this.open.add(status);
    panel.onDidDispose(() => {
      this.open.delete(status);
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
  }

  statuses(): WebviewStatus[] {
    return [...this.open].map((s) => ({ ...s }));
  }

  /** Opens the comparison of two runs in a panel of its own; its numbers are `parprof compare`'s. */
  showComparison(base: LoadedReport, next: LoadedReport): CompareResult {
    const compare = compareRuns(base, next);
    const panel = vscode.window.createWebviewPanel('parallelProfiler.compare', `Compare ${path.basename(base.file)} → ${path.basename(next.file)}`,
      vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: true });
    const disposables: vscode.Disposable[] = [];
    const status = hostPage(panel.webview, this.extensionUri, `${base.file} → ${next.file}`, panel.title,
      { type: 'init-compare', compare, base: base.file, next: next.file }, this.log, disposables, async () => {
        const format = (await vscode.window.showQuickPick([
          { label: 'Standalone HTML page', format: 'html' as const }, { label: 'Markdown tables', format: 'markdown' as const },
        ], { title: 'Export comparison as' }))?.format;
        if (!format) return;
        const ext = format === 'html' ? '.html' : '.md';
        const stem = `${path.basename(base.file).replace(/\.parprof(\.gz)?$/, '')}-vs-${path.basename(next.file).replace(/\.parprof(\.gz)?$/, '')}`;
        const target = (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(path.dirname(base.file), stem + ext)), filters: { [format]: [ext.slice(1)] } }))?.fsPath;
        if (!target) return;
        await writeComparison(compare, base.file, next.file, target, this.extensionUri);
        void vscode.window.showInformationMessage(`Parallel Profiler: exported the comparison to ${target}`);
      });
    this.open.add(status);
    panel.onDidDispose(() => {
      this.open.delete(status);
      for (const d of disposables) d.dispose();
    }, undefined, disposables);
    return compare;
  }
}
