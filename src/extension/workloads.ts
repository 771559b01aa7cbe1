// The Testing API controller "Parallel workloads": every `workload('name', ...)` declaration in
// the workspace becomes a test item (a ▶ in the gutter); running one profiles just that workload
// and puts pass/fail and the key numbers into Test Results.
import * as vscode from 'vscode';
import { findWorkloads, mentionsPool } from './sourceScan';
import { formatDurationMs, formatMs, formatPercent, formatRatio } from '../model/units';
import { taskCount, threadsText } from '../model/run-views';
import { VIEWS } from './surface';
import { cancelledBeforeStartText, type Profiler, type ProfileOutcome } from './profiling';

const SCRIPT_GLOB = '**/*.{js,mjs,cjs,ts,mts,cts}';
const EXCLUDE_GLOB = '**/{node_modules,.parprof,dist,out}/**';

/** A discovered workload (exposed to tests through the extension API). */
export interface WorkloadInfo {
  id: string;
  name: string;
  file: string;
  /** 0-based. */
  line: number;
}

/** A workload's run as the Testing view marked it. */
export interface WorkloadRunEnd { item: string; outcome: ProfileOutcome | undefined; passed: boolean; state: 'passed' | 'failed' | 'errored' | 'skipped' }

export class WorkloadTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly finished = new vscode.EventEmitter<WorkloadRunEnd>();
  /** Fires when a workload run ended (tests wait on it). */
  readonly onDidRunWorkload = this.finished.event;

  constructor(private readonly profiler: Profiler) {
    this.controller = vscode.tests.createTestController(VIEWS.testController, 'Parallel workloads');
    this.disposables.push(this.controller, this.finished);
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discoverWorkspace();
    };
    this.controller.refreshHandler = () => this.discoverWorkspace();
    this.disposables.push(this.controller.createRunProfile('Profile', vscode.TestRunProfileKind.Run,
      (request, token) => this.run(request, token), true));
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.update(e.document)),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(SCRIPT_GLOB);
    this.disposables.push(watcher,
      watcher.onDidCreate((uri) => this.updateFromDisk(uri)),
      watcher.onDidChange((uri) => this.updateFromDisk(uri)),
      watcher.onDidDelete((uri) => this.controller.items.delete(uri.toString())));
  }

  /** Scans every script file of the workspace. */
  async discoverWorkspace(): Promise<void> {
    const files = await vscode.workspace.findFiles(SCRIPT_GLOB, EXCLUDE_GLOB, 5000);
    await Promise.all(files.map((uri) => this.updateFromDisk(uri)));
  }

  workloads(): WorkloadInfo[] {
    const out: WorkloadInfo[] = [];
    this.controller.items.forEach((file) => file.children.forEach((w) => out.push({
      id: w.id, name: w.label, file: file.uri?.fsPath ?? '', line: w.range?.start.line ?? 0,
    })));
    return out;
  }

  private async updateFromDisk(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.update(open);
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      this.updateText(uri, text);
    } catch {
      this.controller.items.delete(uri.toString());
    }
  }

  private update(document: vscode.TextDocument): void {
    if (document.uri.scheme !== 'file' || !/\.[cm]?[jt]s$/.test(document.uri.fsPath)) return;
    if (document.uri.fsPath.includes('/node_modules/')) return;
    this.updateText(document.uri, document.getText());
  }

  private updateText(uri: vscode.Uri, text: string): void {
    const found = mentionsPool(text) ? findWorkloads(text) : [];
    if (found.length === 0) {
      this.controller.items.delete(uri.toString());
      return;
    }
    let fileItem = this.controller.items.get(uri.toString());
    if (!fileItem) {
      fileItem = this.controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
      this.controller.items.add(fileItem);
    }
    const children = found.map((w) => {
      const item = this.controller.createTestItem(`${uri.toString()}#${w.name}`, w.name, uri);
      // The whole declaration line, so "run test at cursor" finds it from anywhere on the line.
      item.range = new vscode.Range(w.line, 0, w.line, lineLength(text, w.line));
      return item;
    });
    fileItem.children.replace(children);
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const queue: vscode.TestItem[] = [];
    const add = (item: vscode.TestItem) => {
      if (request.exclude?.includes(item)) return;
      if (item.children.size > 0) item.children.forEach(add);
      else if (item.parent) queue.push(item);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    const run = this.controller.createTestRun(request, 'Profile workloads');
    try {
      for (const item of queue) run.enqueued(item);
      for (const item of queue) {
        if (token.isCancellationRequested) {
          run.skipped(item);
          continue;
        }
        await this.runOne(run, item, token);
      }
    } finally {
      run.end();
    }
  }

  private async runOne(run: vscode.TestRun, item: vscode.TestItem, token: vscode.CancellationToken): Promise<void> {
    run.started(item);
    const started = Date.now();
    const request = item.uri ? { script: item.uri.fsPath, workload: item.label } : undefined;
    const outcome = request ? await this.profiler.profile(request, token) : undefined;
    const duration = Date.now() - started;
    let passed = false;
    let state: WorkloadRunEnd['state'] = 'errored';
    if (!outcome && request && this.profiler.wasCancelledBeforeStart(request)) {
      // Stopped while its report view started: nothing ran, nothing failed.
      run.appendOutput(`${cancelledBeforeStartText(request.script)}\r\n`, undefined, item);
      run.skipped(item);
      state = 'skipped';
    } else if (!outcome) {
      run.errored(item, new vscode.TestMessage(vscode.workspace.isTrusted
        ? 'Profiling did not produce a report; see the Parallel Profiler log.'
        : 'Running workloads is disabled in an untrusted workspace.'), duration);
    } else {
      const { report, metrics } = outcome;
      const summary = `${item.label}: wall ${formatDurationMs(metrics.wallMs)} · utilization ${formatPercent(metrics.utilization)} · ` +
        `imbalance ${formatRatio(metrics.imbalance)} · ${threadsText(report)} · ${taskCount(report)} tasks` +
        // Only queued tasks (fork-join, third-party pools) have a queue wait; pulled chunks have none.
        `${metrics.extra.queuedTasks > 0 ? ` · queue p95 ${formatMs(metrics.queueWaitMs.p95)}` : ''}\r\nreport: ${outcome.file}\r\n`;
      run.appendOutput(summary, item.range && item.uri ? new vscode.Location(item.uri, item.range) : undefined, item);
      const exit = report.exit;
      if (outcome.cancelled) {
        run.skipped(item);
        state = 'skipped';
      } else if (exit.code === 0 && !exit.error) {
        passed = true;
        state = 'passed';
        run.passed(item, duration);
      } else {
        const why = exit.error?.message ?? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
        const message = new vscode.TestMessage(`${why}\n\n${summary.replace(/\r/g, '')}`);
        if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
        run.failed(item, message, duration);
        state = 'failed';
      }
    }
    this.finished.fire({ item: item.id, outcome, passed, state });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function lineLength(text: string, line: number): number {
  let start = 0;
  for (let k = 0; k < line; k++) start = text.indexOf('\n', start) + 1;
  const end = text.indexOf('\n', start);
  return (end < 0 ? text.length : end) - start;
}
