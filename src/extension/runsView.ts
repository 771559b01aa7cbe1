// The "Runs" view: the reports in the report folder of each workspace folder, newest first, named
// by script with their numbers, schedule, threads and age (src/model/run-views.ts runEntry). Each
// file version (path + mtime) is read once; a run's own report comes from memory, not the disk.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import type { LoadedReport, ReportSession } from './reports';
import type { EntryInputs } from './reportParser';
import { reportFolderFor } from './settings';
import { runEntry, type RunEnd, type RunEntry } from '../model/run-views';
import { COMMANDS, RUN_ITEM_CONTEXT, SWEEP_ITEM_CONTEXT } from './surface';
import { sweepEntry } from '../model/sweep-views';
import { isSweepReportFile, loadSweepFile } from './sweepEditor';

/** What the view keeps of a report: its entry's inputs, not the report (reports can be large). */
interface Cached {
  mtimeMs: number;
  make?: (nowMs: number) => RunEntry;
  problem?: string;
  /** Not read: the workspace is untrusted. */
  deferred?: boolean;
}

/** What an entry says when the workspace is untrusted and the report was not read. */
export const UNREAD = 'not read (untrusted workspace): open it to read it';

const END_ICONS: Record<RunEnd, string> = { clean: 'pulse', cancelled: 'debug-stop', killed: 'error', crashed: 'error', failed: 'error' };

export class RunItem extends vscode.TreeItem {
  constructor(readonly file: string, entry: RunEntry | undefined, problem?: string, deferred = false) {
    super(entry?.label ?? path.basename(file), vscode.TreeItemCollapsibleState.None);
    this.resourceUri = vscode.Uri.file(file);
    this.contextValue = RUN_ITEM_CONTEXT;
    this.iconPath = new vscode.ThemeIcon(problem ? 'warning' : deferred ? 'file' : END_ICONS[entry?.end ?? 'clean']);
    this.description = entry ? entry.description : problem ?? (deferred ? UNREAD : '');
    this.tooltip = entry ? entry.tooltip : `${file}\n${problem ?? (deferred ? UNREAD : '')}`;
    this.command = { command: COMMANDS.openRun.id, title: 'Open Run', arguments: [this] };
  }
}

/** Only what the entry needs of a report in memory (not its spans and profiles). */
function entryInputs({ report, metrics }: LoadedReport): EntryInputs {
  return {
    slim: { meta: report.meta, threads: report.threads, regions: report.regions, exit: report.exit, markers: report.markers },
    numbers: { wallMs: metrics.wallMs, utilization: metrics.utilization, imbalance: metrics.imbalance },
  };
}

function entryMaker(file: string, { slim, numbers }: EntryInputs): (nowMs: number) => RunEntry {
  return (nowMs) => runEntry(slim, numbers, file, nowMs);
}

export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, Cached>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];

  constructor(private readonly session: ReportSession) {
    this.disposables.push(session.onDidRecord((loaded) => {
      try {
        this.cache.set(loaded.file, { mtimeMs: statSync(loaded.file).mtimeMs, make: entryMaker(loaded.file, entryInputs(loaded)) });
      } catch { /* deleted already */ }
      this.refresh();
    }));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('parallelProfiler.reportFolder')) this.watchFolders();
    }));
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchFolders()));
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => { this.cache.clear(); this.refresh(); }));
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
        if (!/\.parprof(\.gz|-sweep\.json)?$/.test(name)) continue;
        const file = path.join(folder, name);
        try {
          files.push({ file, mtimeMs: (await stat(file)).mtimeMs });
        } catch { /* deleted meanwhile */ }
      }
    }
    files.sort((a, b) => b.mtimeMs - a.mtimeMs);
    const now = Date.now();
    return Promise.all(files.map(async ({ file, mtimeMs }) => {
      const cached = await this.entry(file, mtimeMs);
      const item = new RunItem(file, cached.make?.(now), cached.problem, cached.deferred);
      if (isSweepReportFile(file)) {
        // Sweeps and A/B runs are listed with the runs; their menu has no Re-run or Compare with….
        item.contextValue = SWEEP_ITEM_CONTEXT;
        if (!cached.problem) item.iconPath = new vscode.ThemeIcon('graph-line');
      }
      return item;
    }));
  }

  private async entry(file: string, mtimeMs: number): Promise<Cached> {
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    let value: Cached;
    if (!vscode.workspace.isTrusted) {
      // A cloned repository's report folder can hold any file: in an untrusted workspace the
      // list reads none of them; a report is read only when the user opens it.
      return { mtimeMs, deferred: true };
    }
    try {
      if (isSweepReportFile(file)) {
        const sweep = await loadSweepFile(file, this.session);
        value = { mtimeMs, make: (nowMs) => ({ ...sweepEntry(sweep, file, nowMs), end: 'clean' }) };
      } else {
        // A report of this session is in memory; any other is read in a worker, which sends back only the entry's inputs.
        const recent = this.session.recent(file);
        value = { mtimeMs, make: entryMaker(file, recent ? entryInputs(recent) : await this.session.parser.entry(file)) };
      }
    } catch (e) {
      value = { mtimeMs, problem: `unreadable: ${e instanceof Error ? e.message : String(e)}` };
    }
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
