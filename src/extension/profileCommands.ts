// Commands that start or stop profiling runs.
import * as vscode from 'vscode';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS } from './surface';
import { readSettings } from './settings';
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
      const threads = threadsArg ?? await pickThreads(readSettings(vscode.Uri.file(script)).threads);
      return threads ? profile({ script, threads }) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.profileWithOptions.id, async (arg?: unknown) => {
      const script = await scriptFrom(arg);
      if (!script) return undefined;
      const request = await askOptions(script);
      return request ? profile(request) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.stopProfiling.id, () => {
      const stopped = profiler.stopAll();
      if (stopped === 0) void vscode.window.showInformationMessage('Parallel Profiler: nothing is being profiled.');
      return stopped;
    }),
  ];
}

async function pickThreads(current?: number): Promise<number | undefined> {
  const cores = os.availableParallelism();
  const items = Array.from({ length: Math.max(cores, 1) }, (_, i) => ({
    label: String(i + 1), description: i + 1 === current ? 'current default' : i + 1 === cores ? 'all cores' : undefined, threads: i + 1,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Profile with how many pool threads?' });
  return picked?.threads;
}

/** Threads, schedule, sampling interval and script arguments, one input each; Escape cancels. */
async function askOptions(script: string): Promise<ProfileRequest | undefined> {
  const defaults = readSettings(vscode.Uri.file(script));
  const threads = await pickThreads(defaults.threads);
  if (!threads) return undefined;
  const schedule = await vscode.window.showQuickPick([
    { label: 'dynamic', detail: 'threads pull the next chunk from a shared counter' },
    { label: 'static', detail: 'contiguous chunks, as naive code splits work' },
    { label: 'steal', detail: 'per-thread deques with work stealing; fork-join' },
  ], { title: 'Schedule for pools created without one' });
  if (!schedule) return undefined;
  const interval = await vscode.window.showInputBox({
    title: 'CPU sampling interval (µs; 0 turns CPU profiling off)', value: String(defaults.sampleIntervalUs),
    validateInput: (v) => /^\d+$/.test(v.trim()) ? undefined : `sampling interval must be a whole number of µs, got '${v}'`,
  });
  if (interval === undefined) return undefined;
  const args = await vscode.window.showInputBox({ title: 'Script arguments (space-separated; quotes group)', value: '' });
  if (args === undefined) return undefined;
  return { script, threads, schedule: schedule.label as ProfileRequest['schedule'], sampleIntervalUs: Number(interval.trim()), args: splitArgs(args) };
}

/** Splits `a "b c" 'd'` into [a, b c, d]. */
export function splitArgs(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}
