// TypeScript files that import 'parallel-profiler' run under the profiler (which provides the
// package), but without the package installed the editor says "Cannot find module
// 'parallel-profiler'". When TypeScript reports that, this offers the pool's types, once per
// workspace folder as a notification and always as a quick fix on the error: src/model/pool-declarations.ts written to
// node_modules/@types/parallel-profiler, where TypeScript finds them and Node never looks.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { TYPES_FOLDER, poolDeclarations, typesPackageJson } from '../model/pool-declarations';
import { COMMANDS } from './surface';
import type { Log } from './log';

const TS_LANGUAGES = ['typescript', 'typescriptreact'];
const MISSING = /Cannot find module 'parallel-profiler'/;

export class TypesHint implements vscode.CodeActionProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Workspace folders already told this session. */
  private readonly told = new Set<string>();

  constructor(private readonly log: Log, private readonly version: string) {
    this.disposables.push(
      vscode.languages.onDidChangeDiagnostics((e) => { for (const uri of e.uris) this.check(uri); }),
      vscode.languages.registerCodeActionsProvider(TS_LANGUAGES.map((language) => ({ language, scheme: 'file' })), this,
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    );
  }

  /** Writes the types into `folder`'s node_modules/@types; returns the folder written. */
  async addTypes(folder: string): Promise<string> {
    const target = path.join(folder, ...TYPES_FOLDER);
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'index.d.ts'), poolDeclarations(this.version));
    await writeFile(path.join(target, 'package.json'), typesPackageJson(this.version));
    void this.log.notify(`Added the pool's types to ${target}. TypeScript finds them there; node_modules is usually not committed, so a fresh clone needs "Add Pool Types to Workspace" again.`);
    return target;
  }

  /** The folder whose node_modules types `file`: its workspace folder, else its own folder. */
  folderFor(uri: vscode.Uri | undefined): string | undefined {
    if (uri) return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const missing = context.diagnostics.filter((d) => MISSING.test(d.message));
    if (missing.length === 0) return [];
    const action = new vscode.CodeAction("Add parallel-profiler's types to this workspace (node_modules/@types)", vscode.CodeActionKind.QuickFix);
    action.diagnostics = missing;
    action.isPreferred = true;
    action.command = { command: COMMANDS.addTypes.id, title: action.title, arguments: [document.uri] };
    return [action];
  }

  /** Tells once per folder, when TypeScript says it cannot find the module (and the types are not there yet). */
  private check(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    const folder = this.folderFor(uri);
    if (!folder || this.told.has(folder) || !vscode.languages.getDiagnostics(uri).some((d) => MISSING.test(d.message))) return;
    if (existsSync(path.join(folder, ...TYPES_FOLDER, 'index.d.ts'))) return;
    this.told.add(folder);
    const name = path.basename(uri.fsPath);
    void this.log.notify(`${name} imports parallel-profiler, which this workspace does not install: the profiler provides it when it runs the script, ` +
      'but TypeScript cannot type it ("Cannot find module"). Add its types to node_modules/@types?', 'Add Types', 'Not Now').then(async (choice) => {
      if (choice === 'Add Types') await this.addTypes(folder);
    }, (e) => this.log.reportError('Adding the types failed', e));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
