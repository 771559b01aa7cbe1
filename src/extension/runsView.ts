// The "Runs" view: the reports in the report folder of each workspace folder, newest first, with
// their key numbers. Metrics are computed once per file version (path + mtime) and cached.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { loadReportFile, type LoadedReport, type ReportSession } from './reports';
import { reportFolderFor } from './settings';
import { runDescription } from './format';
import { COMMANDS, RUN_ITEM_CONTEXT } from './surface';

export class RunItem extends vscode.TreeItem {
  constructor(readonly file: string, mtimeMs: number, loaded: LoadedReport | undefined, problem?: string) {
    super(path.basename(file), vscode.TreeItemCollapsibleState.None);
    this.resourceUri = vscode.Uri.file(file);
    this.contextValue = RUN_ITEM_CONTEXT;
    this.iconPath = new vscode.ThemeIcon(problem ? 'warning' : 'pulse');
    this.description = loaded ? runDescription(loaded.metrics) : problem ?? '';
    const when = new Date(mtimeMs).toLocaleString();
    this.tooltip = loaded
      ? `${loaded.report.meta.script}\n${when} · ${loaded.report.threads.length} threads · Node ${loaded.report.meta.nodeVersion}`
      : `${file}\n${problem ?? ''}`;
    this.command = { command: COMMANDS.openRun.id, title: 'Open Run', arguments: [this] };
  }
}

export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, { mtimeMs: number; loaded?: LoadedReport; problem?: string }>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];

  constructor(session: ReportSession) {
    this.disposables.push(session.onDidRecord(() => this.refresh()));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('parallelProfiler.reportFolder')) this.watchFolders();
    }));
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchFolders()));
    this.watchFolders();
  }

  refresh(): void {
    this.changed.fire();
  }

  /** Report folders of all workspace folders (deduplicated). */
  folders(): string[] {
    const ws = vscode.workspace.workspaceFolders ?? [];
    return [...new Set(ws.map((f) => reportFolderFor(f.uri)))];
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: RunItem): Promise<RunItem[]> {
    if (parent) return [];
    const files: { file: string; mtimeMs: number }[] = [];
    for (const folder of this.folders()) {
      let names: string[];
      try {
        names = await readdir(folder);
      } catch {
        continue; // no runs yet
      }
      for (const name of names) {
        if (!/\.parprof(\.gz)?$/.test(name)) continue;
        const file = path.join(folder, name);
        try {
          files.push({ file, mtimeMs: (await stat(file)).mtimeMs });
        } catch { /* deleted meanwhile */ }
      }
    }
    files.sort((a, b) => b.mtimeMs - a.mtimeMs);
    return Promise.all(files.map(async ({ file, mtimeMs }) => {
      const entry = await this.entry(file, mtimeMs);
      return new RunItem(file, mtimeMs, entry.loaded, entry.problem);
    }));
  }

  private async entry(file: string, mtimeMs: number): Promise<{ loaded?: LoadedReport; problem?: string }> {
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    let value: { mtimeMs: number; loaded?: LoadedReport; problem?: string };
    try {
      value = { mtimeMs, loaded: await loadReportFile(file) };
    } catch (e) {
      value = { mtimeMs, problem: `unreadable: ${e instanceof Error ? e.message : String(e)}` };
    }
    // Keep only the numbers' source for recent files; a report can be large.
    this.cache.set(file, value);
    return value;
  }

  forget(file: string): void {
    this.cache.delete(file);
  }

  private watchFolders(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    for (const folder of this.folders()) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), '*.parprof*'));
      this.watchers.push(watcher, watcher.onDidCreate(() => this.refresh()), watcher.onDidDelete((u) => { this.forget(u.fsPath); this.refresh(); }),
        watcher.onDidChange(() => this.refresh()));
    }
    this.refresh();
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
