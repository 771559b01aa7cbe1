// Commands that start or stop profiling runs.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { COMMANDS } from './surface';
import { readSettings } from './settings';
import { askProfileOptions, askThreads } from './optionsWizard';
import type { Profiler, ProfileOutcome, ProfileRequest } from './profiling';

/** The script a command acts on: its argument (explorer, editor title, CodeLens), else the active editor. */
async function scriptFrom(arg: unknown): Promise<string | undefined> {
  // activeTextEditor is undefined while focus is in a panel, a webview or the output; the active
  // tab still says which file the user is looking at.
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = arg instanceof vscode.Uri ? arg
    : vscode.window.activeTextEditor?.document.uri ?? (tab instanceof vscode.TabInputText ? tab.uri : undefined);
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Parallel Profiler: open a JavaScript or TypeScript file to profile it.');
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  // The runner reads the file from disk: profile what the user sees.
  if (doc?.isDirty) await doc.save();
  return uri.fsPath;
}

export function registerProfileCommands(profiler: Profiler): vscode.Disposable[] {
  const profile = (request: ProfileRequest): Promise<ProfileOutcome | undefined> => profiler.profile(request);
  return [
    vscode.commands.registerCommand(COMMANDS.profileCurrentFile.id, async (arg?: unknown) => {
      const script = await scriptFrom(arg);
      return script ? profile({ script }) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.profileFile.id, async (arg?: unknown) => {
      if (arg instanceof vscode.Uri) return profile({ script: arg.fsPath });
      const files = await vscode.workspace.findFiles('**/*.{js,mjs,cjs,ts,mts,cts}', '**/{node_modules,.parprof,dist,out}/**', 2000);
      const picked = await vscode.window.showQuickPick(
        files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri }))
          .sort((a, b) => a.description.localeCompare(b.description) || a.label.localeCompare(b.label)),
        { title: 'Profile File', placeHolder: 'Script to profile', matchOnDescription: true });
      return picked ? profile({ script: picked.uri.fsPath }) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.profileWithThreads.id, async (arg?: unknown, threadsArg?: number) => {
      const script = await scriptFrom(arg);
      if (!script) return undefined;
      if (threadsArg !== undefined) return profile({ script, threads: threadsArg });
      const picked = await askThreads(readSettings(vscode.Uri.file(script)));
      return picked ? profile({ script, threads: picked.threads }) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.profileWithOptions.id, async (arg?: unknown) => {
      const script = await scriptFrom(arg);
      if (!script) return undefined;
      const request = await askProfileOptions(script, readSettings(vscode.Uri.file(script)));
      return request ? profile(request) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.stopProfiling.id, () => {
      const stopped = profiler.stopAll();
      if (stopped === 0) void vscode.window.showInformationMessage('Parallel Profiler: nothing is being profiled.');
      return stopped;
    }),
  ];
}
