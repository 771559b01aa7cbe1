// Helpers shared by the suites (bundled into each; not a suite itself).
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ParallelProfilerApi } from '../../../src/extension/api';

export const EXTENSION_ID = 'parallel-profiler.parallel-profiler';

export async function api(): Promise<ParallelProfilerApi> {
  const ext = vscode.extensions.getExtension<ParallelProfilerApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs a workspace folder');
  return folder.uri.fsPath;
}

export function wsFile(...parts: string[]): string {
  return path.join(workspaceRoot(), ...parts);
}

export async function openFile(file: string, column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
}

/** Polls `probe` until it returns a truthy value; fails naming `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Closes the terminal of a sweep or A/B run as a user does, with a key once the CLI has ended
 * (the terminal stays until then); resolves with the CLI's exit code.
 */
export async function closeCliTerminal(terminal: vscode.Terminal): Promise<number | undefined> {
  const exit = await waitFor(`the terminal ${terminal.name} to close on a key`, async () => {
    terminal.sendText(' ', false);
    await new Promise((r) => setTimeout(r, 200));
    return terminal.exitStatus;
  });
  return exit.code;
}
