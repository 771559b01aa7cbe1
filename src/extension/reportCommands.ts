// Commands that act on reports: open, export, show the last one, editor annotations, and the
// Runs view's item actions.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFile, unlink } from 'node:fs/promises';
import { serializeReport } from '../model/load';
import { EXPORT_FORMATS, EXPORT_LABEL, EXPORT_SUFFIX, exportText, toCpuProfiles, type ExportFormatName } from '../model/export';
import { gzipSync } from 'node:zlib';
import { standaloneHtml } from '../model/html-report';
import { COMMANDS, VIEWS } from './surface';
import type { LoadedReport, ReportSession } from './reports';
import type { ReportTabs } from './reportTabs';
import type { EditorAnnotations } from './annotations';
import type { RunItem, RunsView } from './runsView';
import type { Log } from './log';
import type { Profiler } from './profiling';
import { isSweepReportFile, loadSweepFile, sweepPageOf, writeComparison, type SweepEditorProvider } from './sweepEditor';
import { sweepMarkdown } from '../model/sweep-tables';
import { standalonePageHtml } from '../model/html-report';

export type ExportFormat = 'parprof' | 'html' | ExportFormatName;

export interface ReportCommandDeps {
  extensionUri: vscode.Uri;
  session: ReportSession;
  tabs: ReportTabs;
  annotations: EditorAnnotations;
  runs: RunsView;
  log: Log;
  profiler: Profiler;
  sweeps: SweepEditorProvider;
}

/** Writes a sweep / A-B report as the standalone sweep page or as Markdown tables. */
async function exportSweep(file: string, format: 'html' | 'markdown', target: string, extensionUri: vscode.Uri, session: ReportSession): Promise<void> {
  const sweep = await loadSweepFile(file, session);
  let text: string;
  if (format === 'markdown') text = sweepMarkdown(sweep);
  else {
    // The A/B lanes need each variant's median run, read (off the host) from next to the report.
    const page = await sweepPageOf(file, sweep, session);
    const bundle = await readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js').fsPath, 'utf8');
    text = standalonePageHtml('sweep', page, bundle, `Parallel Profiler: ${sweep.kind === 'sweep' ? 'sweep' : 'A/B'} of ${path.basename(sweep.script)}`);
  }
  await vscode.workspace.fs.writeFile(vscode.Uri.file(target), new TextEncoder().encode(text));
}

/** Writes `loaded` as `format` to `target`. */
export async function exportReport(loaded: LoadedReport, format: ExportFormat, target: string, extensionUri: vscode.Uri): Promise<void> {
  let text: string;
  if (format === 'parprof') text = serializeReport(loaded.report);
  else if (format === 'cpuprofile') {
    // A folder: one .cpuprofile per thread (src/model/export-cpuprofile.ts).
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(target));
    for (const f of toCpuProfiles(loaded.report)) await vscode.workspace.fs.writeFile(vscode.Uri.file(path.join(target, f.name)), new TextEncoder().encode(JSON.stringify(f.profile)));
    return;
  } else if (format !== 'html') text = exportText(loaded.report, format);
  else text = standaloneHtml(loaded.report, await readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js').fsPath, 'utf8'), { gzip: (b) => gzipSync(b) });
  await vscode.workspace.fs.writeFile(vscode.Uri.file(target), new TextEncoder().encode(text));
}

/** Offers to open or reveal an exported file; "Open" opens it where it is meant to be read. */
function exportedNotice(log: Log, format: ExportFormat, target: string): void {
  const what = { parprof: 'report', chrome: 'Chrome trace', html: 'HTML report', firefox: 'Firefox Profiler trace', speedscope: 'speedscope file', cpuprofile: 'CPU profiles', markdown: 'Markdown summary' }[format];
  const open = format === 'html' ? 'Open in Browser' : 'Open';
  void log.notify(`Exported the ${what} to ${target}`, open, 'Reveal').then(async (choice) => {
    const uri = vscode.Uri.file(target);
    if (choice === 'Reveal') await vscode.commands.executeCommand('revealFileInOS', uri);
    else if (choice === open) {
      if (format === 'html') await vscode.env.openExternal(uri);
      else if (format === 'parprof') await vscode.commands.executeCommand('vscode.openWith', uri, VIEWS.reportEditor);
      else if (format === 'cpuprofile') await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.commands.executeCommand('vscode.open', uri);
    }
  }, () => undefined);
}

export function registerReportCommands(deps: ReportCommandDeps): vscode.Disposable[] {
  const { session, tabs, annotations, runs, log, extensionUri, profiler } = deps;

  const reportFromArg = async (arg: unknown): Promise<LoadedReport | undefined> => {
    const file = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : (arg as RunItem | undefined)?.file;
    if (file) return session.load(file);
    // The last report may be one a view holds only packed (a large one): read it whole now.
    return session.lastReport ?? (session.lastFile ? session.load(session.lastFile) : undefined);
  };

  const exportCommand = async (arg?: unknown, formatArg?: ExportFormat, targetArg?: string): Promise<string | undefined> => {
    // No argument (the palette): the sweep page in the active tab, if that is what is shown.
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const shownSweep = tab instanceof vscode.TabInputCustom && tab.viewType === VIEWS.sweepEditor ? tab.uri.fsPath : undefined;
    const argFile = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : (arg as RunItem | undefined)?.file ?? shownSweep;
    if (argFile && isSweepReportFile(argFile)) {
      const format = formatArg ?? (await vscode.window.showQuickPick([
        { label: 'Standalone HTML page', format: 'html' as const },
        { label: 'Markdown tables', format: 'markdown' as const },
      ], { title: 'Export sweep report as' }))?.format;
      if (format !== 'html' && format !== 'markdown') {
        if (format) throw new Error(`a sweep report exports as html or markdown, not ${format}`);
        return undefined;
      }
      const ext = format === 'html' ? '.html' : '.md';
      const target = targetArg ?? (await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(argFile.replace(/\.parprof-sweep\.json$/, ext)), filters: { [format]: [ext.slice(1)] },
      }))?.fsPath;
      if (!target) return undefined;
      await exportSweep(argFile, format, target, extensionUri, session);
      exportedNotice(log, format, target);
      return target;
    }
    const loaded = await reportFromArg(arg) ?? await pickReportFile(session);
    if (!loaded) return undefined;
    const format = formatArg ?? (await vscode.window.showQuickPick([
      { label: 'Parallel Profiler report (.parprof)', format: 'parprof' as const },
      { label: 'Standalone HTML report', format: 'html' as const },
      ...EXPORT_FORMATS.map((f) => ({ label: EXPORT_LABEL[f], format: f })),
    ], { title: 'Export report as' }))?.format;
    if (!format) return undefined;
    const ext = { parprof: '.parprof', html: '.html', ...EXPORT_SUFFIX }[format];
    const base = path.basename(loaded.file).replace(/\.parprof(\.gz)?$/, '');
    const target = targetArg ?? (await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(path.dirname(loaded.file), base + ext)),
      ...(format === 'cpuprofile' ? {} : { filters: { [format]: [ext.slice(1).split('.').pop() as string] } }),
    }))?.fsPath;
    if (!target) return undefined;
    await exportReport(loaded, format, target, extensionUri);
    exportedNotice(log, format, target);
    return target;
  };

  const guarded = <A extends unknown[], R>(what: string, f: (...a: A) => Promise<R>) => async (...a: A): Promise<R | undefined> => {
    try {
      return await f(...a);
    } catch (e) {
      log.reportError(what, e);
      return undefined;
    }
  };

  return [
    vscode.commands.registerCommand(COMMANDS.openReport.id, guarded('Opening the report failed', async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({
        title: 'Open Parallel Profiler report', canSelectMany: false, filters: REPORT_FILTERS,
        defaultUri: runs.folders()[0] ? vscode.Uri.file(runs.folders()[0]) : undefined,
      }))?.[0];
      if (!uri) return undefined;
      await vscode.commands.executeCommand('vscode.openWith', uri, isSweepReportFile(uri.fsPath) ? VIEWS.sweepEditor : VIEWS.reportEditor);
      return uri.fsPath;
    })),
    vscode.commands.registerCommand(COMMANDS.exportReport.id, guarded('Exporting the report failed', exportCommand)),
    vscode.commands.registerCommand(COMMANDS.exportRun.id, guarded('Exporting the run failed', exportCommand)),
    vscode.commands.registerCommand(COMMANDS.showLastReport.id, guarded('Showing the report failed', async (arg?: unknown) => {
      const loaded = await reportFromArg(arg);
      if (!loaded) {
        void vscode.window.showInformationMessage('Parallel Profiler: no report yet. Profile a script first.');
        return undefined;
      }
      await tabs.show(loaded, { fromRun: false });
      return loaded.file;
    })),
    vscode.commands.registerCommand(COMMANDS.openRun.id, guarded('Opening the run failed', async (arg?: unknown) => {
      const file = (arg as RunItem | undefined)?.file ?? (typeof arg === 'string' ? arg : undefined);
      if (file && isSweepReportFile(file)) {
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEWS.sweepEditor);
        return file;
      }
      const loaded = await reportFromArg(arg);
      if (!loaded) return undefined;
      session.setLast(loaded);
      await tabs.show(loaded, { fromRun: false });
      await annotations.showRun(loaded);
      return loaded.file;
    })),
    vscode.commands.registerCommand(COMMANDS.rerun.id, guarded('Re-running the profile failed', async (arg?: unknown) => {
      const loaded = await reportFromArg(arg);
      if (!loaded) {
        void vscode.window.showInformationMessage('Parallel Profiler: no report yet. Profile a script first.');
        return undefined;
      }
      return profiler.rerun(loaded.report);
    })),
    vscode.commands.registerCommand(COMMANDS.compareWith.id, guarded('Comparing the runs failed', async (arg?: unknown, otherArg?: string, targetArg?: string) => {
      const pickRun = async (title: string, except?: string): Promise<string | undefined> => {
        const items = (await runs.getChildren()).filter((i) => !isSweepReportFile(i.file) && i.file !== except);
        if (items.length === 0) {
          void vscode.window.showInformationMessage('Parallel Profiler: no other run to compare with. Profile the script again first.');
          return undefined;
        }
        return (await vscode.window.showQuickPick(items.map((i) => ({ label: String(i.label ?? ''), description: String(i.description ?? ''), detail: i.file, file: i.file })),
          { title, matchOnDescription: true }))?.file;
      };
      const baseFile = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : (arg as RunItem | undefined)?.file
        ?? await pickRun('Compare: the base run');
      if (!baseFile) return undefined;
      const nextFile = otherArg ?? await pickRun(`Compare ${path.basename(baseFile)} with`, baseFile);
      if (!nextFile) return undefined;
      const [base, next] = await Promise.all([baseFile, nextFile].map((f) => session.load(f)));
      const compare = deps.sweeps.showComparison(base, next);
      // A target (scripts, tests) also saves the comparison: .html the page, else Markdown.
      if (targetArg) await writeComparison(compare, base.file, next.file, targetArg, extensionUri);
      return compare;
    })),
    vscode.commands.registerCommand(COMMANDS.clearAnnotations.id, () => annotations.clear()),
    vscode.commands.registerCommand(COMMANDS.selectHotLineThread.id, guarded('Choosing the thread failed', async (threadArg?: number | 'all') => {
      const loaded = annotations.last?.loaded ?? session.lastReport;
      if (!loaded) {
        void vscode.window.showInformationMessage('Parallel Profiler: no report yet. Profile a script first.');
        return undefined;
      }
      let thread: number | 'all' | undefined = threadArg;
      if (thread === undefined) {
        const picked = await vscode.window.showQuickPick([
          { label: 'All threads', thread: 'all' as const },
          ...loaded.report.threads.map((t) => ({ label: t.name, description: `thread ${t.id}`, thread: t.id })),
        ], { title: 'Show hot lines of' });
        thread = picked?.thread;
      }
      if (thread === undefined) return undefined;
      await annotations.showRun(loaded, thread === 'all' ? undefined : thread);
      return thread;
    })),
    vscode.commands.registerCommand(COMMANDS.refreshRuns.id, () => runs.refresh()),
    vscode.commands.registerCommand(COMMANDS.revealRun.id, async (item?: RunItem) => {
      if (item) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(item.file));
    }),
    vscode.commands.registerCommand(COMMANDS.deleteRun.id, guarded('Deleting the run failed', async (item?: RunItem, confirmed?: boolean) => {
      if (!item) return false;
      if (!confirmed) {
        const ok = await vscode.window.showWarningMessage(`Delete ${path.basename(item.file)}?`, { modal: true }, 'Delete');
        if (ok !== 'Delete') return false;
      }
      await unlink(item.file);
      runs.forget(item.file);
      session.forget(item.file);
      runs.refresh();
      return true;
    })),
  ];
}

/** What Open Report… offers: our reports, and the formats the model imports (src/model/import.ts). */
const REPORT_FILTERS = {
  'Parallel Profiler report': ['parprof', 'gz'],
  'Sweep or A/B report (.parprof-sweep.json)': ['json'],
  'Chrome trace, speedscope, V8 CPU profile': ['json', 'cpuprofile'],
};

async function pickReportFile(session: ReportSession): Promise<LoadedReport | undefined> {
  const uri = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: REPORT_FILTERS }))?.[0];
  return uri ? session.load(uri.fsPath) : undefined;
}
