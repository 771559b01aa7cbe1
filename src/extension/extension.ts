// Entry point: creates the extension's parts, wires them together and hands every disposable to
// the context. Glue only; the numbers come from src/model and the runs from src/runner.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { Log } from './log';
import { ReportSession } from './reports';
import { ReportParser } from './reportParser';
import { Profiler, STARTING_VIEW_TEXT, type ProfileOutcome } from './profiling';
import { ViewSource } from './webviewHost';
import { ReportEditorProvider } from './reportEditor';
import { SweepEditorProvider } from './sweepEditor';
import { ReportTabs } from './reportTabs';
import { EditorAnnotations } from './annotations';
import { HotLines } from './hotLines';
import { PoolCodeLensProvider } from './codeLens';
import { RunsView } from './runsView';
import { WorkloadTests } from './workloads';
import { TypesHint } from './typesHint';
import { registerProfileCommands } from './profileCommands';
import { currentWizardStep } from './optionsWizard';
import { registerReportCommands } from './reportCommands';
import { COMMANDS, CONTEXT_KEYS, SCRIPT_LANGUAGES, VIEWS } from './surface';
import type { ParallelProfilerApi } from './api';

export function activate(context: vscode.ExtensionContext): ParallelProfilerApi {
  const extensionUri = context.extensionUri;
  const log = new Log();
  const session = new ReportSession(new ReportParser(vscode.Uri.joinPath(extensionUri, 'dist', 'report-parser.js').fsPath));
  const profiler = new Profiler(log, session);
  const editorProvider = new ReportEditorProvider(extensionUri, session, log, {
    rerun: (file) => void vscode.commands.executeCommand(COMMANDS.rerun.id, file),
    initSent: (file, at) => profiler.noteViewReady(file, at),
  });
  const tabs = new ReportTabs(session, editorProvider);
  const sweeps = new SweepEditorProvider(extensionUri, log, session);
  const annotations = new EditorAnnotations();
  const hotLines = new HotLines(extensionUri, annotations);
  const lenses = new PoolCodeLensProvider(annotations);
  const runs = new RunsView(session);
  const workloads = new WorkloadTests(profiler);
  const typesHint = new TypesHint(log, String((context.extension.packageJSON as { version?: string }).version ?? 'unknown'));
  const finished = new vscode.EventEmitter<ProfileOutcome>();
  context.subscriptions.push(log, session, profiler, editorProvider, annotations, hotLines, lenses, runs, workloads, typesHint, finished);

  profiler.onDidStart((run, settings) => {
    if (!settings.openReportAfterRun) return undefined;
    const source = new ViewSource({ kind: 'status', text: STARTING_VIEW_TEXT }, run.script);
    const expected = editorProvider.expect(run.file, source);
    const askedAt = Date.now();
    const opened = tabs.open(run.file, run.script, { fromRun: true }).then(
      () => {
        log.info(`timing: the view of ${path.basename(run.file)} was opened ${Date.now() - askedAt} ms after the run asked for it`);
        return true;
      },
      (e: unknown) => {
        log.reportError('Opening the report view failed', e);
        return false;
      });
    return {
      show: (content, ended) => {
        source.set(content);
        // The report exists: a view opened from now on reads it. A run without one stays expected, so
        // its view says why even when VS Code opens it after the run failed.
        if (content.kind === 'report') expected.dispose();
        else if (ended) expected.ended();
      },
      ready: (signal) => {
        const ready = editorProvider.whenReady(run.file, signal);
        // A view that could not be opened will never be ready: the run does not wait for it.
        return Promise.race([ready, opened.then((ok) => (ok ? ready : false))]);
      },
    };
  });

  profiler.onDidFinish(async (outcome, settings, steps) => {
    // The view first: nothing it shows waits for the annotations. A cancelled run is opened too:
    // the partial report is what the user stopped to look at.
    const timed = async (step: string, work: Promise<void>) => {
      const from = Date.now();
      await work;
      steps[step] = Date.now() - from;
    };
    const shown = settings.openReportAfterRun ? timed('view', tabs.show(outcome, { fromRun: true })) : Promise.resolve();
    await Promise.all([shown, timed('annotate', annotations.showRun(outcome))]);
    finished.fire(outcome);
  });

  const runsTree = vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runs, showCollapseAll: false });
  context.subscriptions.push(
    runsTree,
    vscode.window.registerCustomEditorProvider(VIEWS.reportEditor, editorProvider, {
      // One view per report file: opening it in another group moves it there instead of copying it.
      webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false,
    }),
    vscode.window.registerCustomEditorProvider(VIEWS.sweepEditor, sweeps, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false }),
    vscode.languages.registerCodeLensProvider(SCRIPT_LANGUAGES.map((language) => ({ language, scheme: 'file' })), lenses),
    ...registerProfileCommands(profiler, extensionUri, log),
    vscode.commands.registerCommand(COMMANDS.addTypes.id, async (arg?: unknown) => {
      const folder = typesHint.folderFor(arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri);
      if (!folder) {
        void vscode.window.showInformationMessage('Parallel Profiler: open a folder to add the pool types to.');
        return undefined;
      }
      try {
        return await typesHint.addTypes(folder);
      } catch (e) {
        log.reportError('Adding the pool types failed', e);
        return undefined;
      }
    }),
    ...registerReportCommands({ extensionUri, session, tabs, annotations, runs, log, profiler, sweeps }),
  );
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.running, false);
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.annotated, false);
  void workloads.discoverWorkspace().catch((e) => log.reportError('Finding workloads failed', e));

  return {
    hotLines: () => hotLines.state(),
    hotLineThread: () => annotations.last?.thread,
    workloads: () => workloads.workloads(),
    discoverWorkloads: () => workloads.discoverWorkspace(),
    onDidRunWorkload: workloads.onDidRunWorkload,
    onDidFinishRun: finished.event,
    webviews: () => [...editorProvider.statuses(), ...sweeps.statuses()],
    isRunning: () => profiler.isRunning,
    refusals: () => [...profiler.refusals],
    messages: () => [...log.shown],
    wizardStep: () => currentWizardStep(),
    timings: () => profiler.timings.map((t) => ({ ...t })),
    reportsBeingRead: () => session.parser.inFlight,
    runs: async () => (await runs.getChildren()).map((item) => ({
      file: item.file, label: String(item.label ?? ''), description: String(item.description ?? ''), tooltip: String(item.tooltip ?? ''),
    })),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; runs in progress are stopped there.
}
