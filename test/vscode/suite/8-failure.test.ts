// A run that crashes is named a crash, with the error, and its output opens; a clean run leaves
// the output closed (it would take half the window on every run).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import { api, closeAllEditors, waitFor, wsFile } from './util';

const outputShown = () => vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'output' && /Script Output/.test(e.document.uri.path));

describe('How a failed run is told', () => {
  it('a clean run leaves the output closed; a crash is called a crash and opens it', async function () {
    this.timeout(180_000);
    const api_ = await api();
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await closeAllEditors();
    const clean = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(wsFile('pool-demo.js')));
    assert.equal(clean?.report.exit.code, 0);
    assert.equal(outputShown(), false, 'the output opened for a clean run');
    const crashed = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(wsFile('crash.js')));
    assert.ok(crashed);
    assert.match(crashed.report.exit.error?.message ?? '', /planted crash/);
    const said = await waitFor('the warning', () => api_.messages().find((m) => m.startsWith('warning: crash.js ')));
    assert.match(said, /^warning: crash\.js crashed after \d+(\.\d\d)? m?s: uncaught planted crash \(crash\.js:10:\d+\); the report shows what ran until then\. \[Show Output\]$/);
    await waitFor('the output to open', () => outputShown(), 10_000);
    const item = (await api_.runs()).find((r) => r.file === crashed.file);
    assert.match(item?.description ?? '', /^crashed · /);
  });
});
