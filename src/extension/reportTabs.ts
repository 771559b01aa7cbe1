// Where and how report views open: one tab per report (VS Code dedups `vscode.openWith` by URI),
// a run's report in the group that already shows reports or the one beside the editor (never a
// third group), and a new run of a script replacing the unpinned tab of its previous run. A run's
// tab opens as the run starts (reportEditor.ts `expect`).
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
    await this.open(loaded.file, loaded.report.meta.script, options);
  }

  /**
   * Opens (or focuses) the view of report file `file` of `script`, which need not exist yet (a
   * run opens its report's view as it starts). A run's view replaces the unpinned tab of the
   * script's previous run and keeps the focus in the editor.
   */
  async open(file: string, script: string, options: { fromRun: boolean }): Promise<void> {
    const uri = vscode.Uri.file(file);
    const groups = vscode.window.tabGroups.all;
    const existing = groups.flatMap((g) => g.tabs).find((t) => reportTabUri(t)?.fsPath === file);
    const column = existing ? existing.group.viewColumn : reportColumn(groups.map((g) => ({
      viewColumn: g.viewColumn, isActive: g.isActive, hasReport: g.tabs.some((t) => reportTabUri(t) !== undefined), isEmpty: g.tabs.length === 0,
    })));
    const replaced = options.fromRun ? groups.flatMap((g) => g.tabs).filter((t) => {
      const other = reportTabUri(t)?.fsPath;
      // A run of the same script still going on keeps its tab (two runs at once each keep theirs).
      return other !== undefined && other !== file && !t.isPinned && this.editors.scriptOf(other) === script && !this.editors.inProgress(other);
    }) : [];
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEWS.reportEditor, {
      viewColumn: column === 'beside' ? vscode.ViewColumn.Beside : column, preserveFocus: options.fromRun, preview: false,
    });
    // Closed after the new tab opened, so a group that held only the old report stays.
    if (replaced.length) await vscode.window.tabGroups.close(replaced, true);
  }
}
