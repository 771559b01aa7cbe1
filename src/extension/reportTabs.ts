// Where and how report views open: one tab per report (VS Code dedups `vscode.openWith` by URI),
// a run's report in the group that already shows reports or the one beside the editor (never a
// third group), and a new run of a script replacing the unpinned tab of its previous run.
import * as vscode from 'vscode';
import { reportColumn } from '../model/run-views';
import { VIEWS } from './surface';
import type { LoadedReport, ReportSession } from './reports';
import type { ReportEditorProvider } from './reportEditor';

function reportTabUri(tab: vscode.Tab): vscode.Uri | undefined {
  return tab.input instanceof vscode.TabInputCustom && tab.input.viewType === VIEWS.reportEditor ? tab.input.uri : undefined;
}

export class ReportTabs {
  constructor(private readonly session: ReportSession, private readonly editors: ReportEditorProvider) {}

  /** Opens (or focuses) `loaded`'s view. A run's report keeps the focus in the editor. */
  async show(loaded: LoadedReport, options: { fromRun: boolean }): Promise<void> {
    this.session.remember(loaded);
    const uri = vscode.Uri.file(loaded.file);
    const groups = vscode.window.tabGroups.all;
    const existing = groups.flatMap((g) => g.tabs).find((t) => reportTabUri(t)?.fsPath === loaded.file);
    const column = existing ? existing.group.viewColumn : reportColumn(groups.map((g) => ({
      viewColumn: g.viewColumn, isActive: g.isActive, hasReport: g.tabs.some((t) => reportTabUri(t) !== undefined), isEmpty: g.tabs.length === 0,
    })));
    const script = loaded.report.meta.script;
    const replaced = options.fromRun ? groups.flatMap((g) => g.tabs).filter((t) => {
      const file = reportTabUri(t)?.fsPath;
      return file !== undefined && file !== loaded.file && !t.isPinned && this.editors.scriptOf(file) === script;
    }) : [];
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEWS.reportEditor, {
      viewColumn: column === 'beside' ? vscode.ViewColumn.Beside : column, preserveFocus: options.fromRun, preview: false,
    });
    // Closed after the new tab opened, so a group that held only the old report stays.
    if (replaced.length) await vscode.window.tabGroups.close(replaced, true);
  }
}
