// Entry point: creates the extension's parts, wires them together and hands every disposable to
// the context. Glue only; the numbers come from src/model and the runs from src/runner.
import * as vscode from 'vscode';
import { Log } from './log';
import { ReportSession } from './reports';
import { Profiler, type ProfileOutcome } from './profiling';
import { ReportPanels } from './panel';
import { ReportEditorProvider } from './reportEditor';
import { HotLines } from './hotLines';
import { PoolCodeLensProvider } from './codeLens';
import { RunsView } from './runsView';
import { WorkloadTests } from './workloads';
import { registerProfileCommands } from './profileCommands';
import { annotate, registerReportCommands } from './reportCommands';
import { CONTEXT_KEYS, SCRIPT_LANGUAGES, VIEWS } from './surface';
import type { ParallelProfilerApi } from './api';

export function activate(context: vscode.ExtensionContext): ParallelProfilerApi {
  const extensionUri = context.extensionUri;
  const log = new Log();
  const session = new ReportSession();
  const profiler = new Profiler(log, session);
  const panels = new ReportPanels(extensionUri, log);
  const editorProvider = new ReportEditorProvider(extensionUri, session, log);
  const hotLines = new HotLines(extensionUri);
  const lenses = new PoolCodeLensProvider();
  const runs = new RunsView(session);
  const workloads = new WorkloadTests(profiler);
  const finished = new vscode.EventEmitter<ProfileOutcome>();
  context.subscriptions.push(log, session, profiler, panels, hotLines, lenses, runs, workloads, finished);

  profiler.onDidFinish((outcome, settings) => {
    annotate({ hotLines, lenses }, outcome);
    // A cancelled run is opened too: the partial report is what the user stopped to look at.
    if (settings.openReportAfterRun) panels.show(outcome);
    finished.fire(outcome);
  });

  const runsTree = vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runs, showCollapseAll: false });
  context.subscriptions.push(
    runsTree,
    vscode.window.registerCustomEditorProvider(VIEWS.reportEditor, editorProvider, {
      webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true,
    }),
    vscode.languages.registerCodeLensProvider(SCRIPT_LANGUAGES.map((language) => ({ language, scheme: 'file' })), lenses),
    ...registerProfileCommands(profiler),
    ...registerReportCommands({ extensionUri, session, panels, hotLines, lenses, runs, log }),
  );
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.running, false);
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.annotated, false);
  void workloads.discoverWorkspace().catch((e) => log.reportError('Finding workloads failed', e));

  return {
    hotLines: () => hotLines.state(),
    hotLineThread: () => hotLines.selectedThread,
    workloads: () => workloads.workloads(),
    discoverWorkloads: () => workloads.discoverWorkspace(),
    onDidRunWorkload: workloads.onDidRunWorkload,
    onDidFinishRun: finished.event,
    webviews: () => [...panels.statuses(), ...editorProvider.statuses()],
    isRunning: () => profiler.isRunning,
    refusals: () => [...profiler.refusals],
    runs: async () => (await runs.getChildren()).map((item) => ({ file: item.file, description: String(item.description ?? '') })),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; runs in progress are stopped there.
}
