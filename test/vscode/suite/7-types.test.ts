// A TypeScript file that imports 'parallel-profiler' in a workspace without the package: the
// extension offers the pool's types (a notification, and a quick fix on TypeScript's "Cannot find
// module"); once they are added, TypeScript reports no error in the file, so the types are real
// (its @ts-expect-error on a misuse would otherwise be an error itself).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, openFile, waitFor, wsFile } from './util';

const errors = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);

describe('Types for a TypeScript workspace that imports the pool', () => {
  it('offers them as a notification and a quick fix; with them the file has no errors', async function () {
    this.timeout(240_000);
    const file = wsFile('typed-pool.ts');
    const uri = vscode.Uri.file(file);
    assert.equal(fs.existsSync(wsFile('node_modules', '@types', 'parallel-profiler')), false);
    const api_ = await api();
    await openFile(file);
    const missing = await waitFor('TypeScript to report the missing module',
      () => errors(uri).find((d) => /Cannot find module 'parallel-profiler'/.test(d.message)), 180_000);
    await waitFor('the notification', () => api_.messages().find((m) => m.startsWith('info: typed-pool.ts imports parallel-profiler, which this workspace does not install')
      && m.endsWith('[Add Types | Not Now]')));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, missing.range) ?? [];
    const fix = actions.find((a) => a.title === "Add parallel-profiler's types to this workspace (node_modules/@types)");
    assert.ok(fix?.command, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    assert.ok(fs.existsSync(wsFile('node_modules', '@types', 'parallel-profiler', 'index.d.ts')));
    await waitFor('TypeScript to type the file without errors', () => errors(uri).length === 0, 180_000)
      .catch((e) => { throw new Error(`${e instanceof Error ? e.message : e}; errors: ${errors(uri).map((d) => d.message).join(' | ')}`); });
  });
});
