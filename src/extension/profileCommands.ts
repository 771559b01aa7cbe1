// Commands that start or stop profiling runs.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { COMMANDS } from './surface';
import * as os from 'node:os';
import { sweepThreadCounts } from '../model/profile-options';
import { SCHEDULES } from '../model/report';
import { requestNotApplied } from '../model/variant-applied';
import { readSettings } from './settings';
import { askProfileOptions, askThreads } from './optionsWizard';
import type { Profiler, ProfileOutcome, ProfileRequest } from './profiling';
import { cliInTerminal } from './cliTerminal';
import type { Log } from './log';

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

/**
 * `parprof sweep` of `script` at 1…cores threads in a terminal of its own: the CLI prints the
 * speedup table there and writes the sweep report and each run's .parprof into the report folder;
 * the terminal stays open after it, and the sweep page opens (or a warning says why it failed).
 */
function sweepInTerminal(extensionUri: vscode.Uri, script: string, log: Log): vscode.Terminal {
  const settings = readSettings(vscode.Uri.file(script));
  const threads = sweepThreadCounts(os.availableParallelism());
  const cwd = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(script))?.uri.fsPath ?? path.dirname(script);
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  const out = path.join(settings.reportFolder, `${path.basename(script)}-sweep-${Date.now()}.parprof-sweep.json`);
  // cliInTerminal runs node without a shell: no quoting of paths.
  const terminal = cliInTerminal({
    title: `Sweep ${path.basename(script)}`, cwd, node: settings.node, env: settings.env, report: out,
    args: [...settings.nodeArgs, cli, 'sweep', '--threads', threads.join(','), '--sample-interval', String(settings.sampleIntervalUs), '--out', out, script],
  }, log);
  terminal.show(true);
  return terminal;
}

/** `parprof ab` of `script` under every schedule at the machine's cores, 3 runs each, in a terminal of its own (like the sweep). */
function abInTerminal(extensionUri: vscode.Uri, script: string, log: Log): vscode.Terminal {
  const settings = readSettings(vscode.Uri.file(script));
  const cwd = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(script))?.uri.fsPath ?? path.dirname(script);
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  const out = path.join(settings.reportFolder, `${path.basename(script)}-ab-${Date.now()}.parprof-sweep.json`);
  const terminal = cliInTerminal({
    title: `Compare schedules ${path.basename(script)}`, cwd, node: settings.node, env: settings.env, report: out,
    args: [...settings.nodeArgs, cli, 'ab', '--schedule', SCHEDULES.join(','), '--threads', String(os.availableParallelism()),
      '--sample-interval', String(settings.sampleIntervalUs), '--out', out, script],
  }, log);
  terminal.show(true);
  return terminal;
}

export function registerProfileCommands(profiler: Profiler, extensionUri: vscode.Uri, log: Log): vscode.Disposable[] {
  const profile = (request: ProfileRequest): Promise<ProfileOutcome | undefined> => profiler.profile(request);
  /** profile(), then a warning when the threads or schedule the user picked did not reach the script's pools. */
  const profileAsPicked = async (request: ProfileRequest): Promise<ProfileOutcome | undefined> => {
    const outcome = await profile(request);
    const why = outcome && !outcome.cancelled ? requestNotApplied(outcome.report, request) : undefined;
    if (why) void log.warn(`${path.basename(request.script)}: ${why}`);
    return outcome;
  };
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
      if (threadsArg !== undefined) return profileAsPicked({ script, threads: threadsArg });
      const picked = await askThreads(readSettings(vscode.Uri.file(script)));
      return picked ? profileAsPicked({ script, threads: picked.threads }) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.profileWithOptions.id, async (arg?: unknown) => {
      const script = await scriptFrom(arg);
      if (!script) return undefined;
      const request = await askProfileOptions(script, readSettings(vscode.Uri.file(script)));
      return request ? profileAsPicked(request) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.sweepThreads.id, async (arg?: unknown) => {
      const script = await scriptFrom(arg);
      if (!script || !profiler.checkTrust()) return undefined;
      return sweepInTerminal(extensionUri, script, log);
    }),
    vscode.commands.registerCommand(COMMANDS.compareSchedules.id, async (arg?: unknown) => {
      const script = await scriptFrom(arg);
      if (!script || !profiler.checkTrust()) return undefined;
      return abInTerminal(extensionUri, script, log);
    }),
    vscode.commands.registerCommand(COMMANDS.stopProfiling.id, () => {
      const stopped = profiler.stopAll();
      if (stopped === 0) void vscode.window.showInformationMessage('Parallel Profiler: nothing is being profiled.');
      return stopped;
    }),
  ];
}
