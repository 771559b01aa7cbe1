// In an untrusted workspace reports can be viewed, but running a script is refused.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../../src/extension/surface';
import { UNTRUSTED_MESSAGE } from '../../../src/extension/profiling';
import { UNREAD } from '../../../src/extension/runsView';
import { api, waitFor, workspaceRoot } from '../suite/util';

describe('untrusted workspace', () => {
  it('is really untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses to profile, says why, and runs nothing', async () => {
    const api_ = await api();
    const script = path.join(workspaceRoot(), 'pool-demo.js');
    const result = await vscode.commands.executeCommand(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
    assert.equal(result, undefined);
    assert.deepEqual(api_.refusals(), [UNTRUSTED_MESSAGE]);
    assert.match(UNTRUSTED_MESSAGE, /untrusted workspace/);
    assert.equal(fs.existsSync(path.join(workspaceRoot(), '.parprof')), false, 'a report folder was created');
    assert.equal(api_.isRunning(), false);
  });

  it('still opens a report for viewing', async () => {
    const dir = path.join(workspaceRoot(), 'reports');
    const file = fs.readdirSync(dir).filter((f) => f.endsWith('.parprof')).map((f) => path.join(dir, f))[0];
    assert.ok(file, 'the harness copies a report from the main suite into reports/');
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEWS.reportEditor);
    const api_ = await api();
    await waitFor('the report editor to receive init', () => api_.webviews().find((w) => w.file === file && w.ready && w.initSent));
    // A JSON report goes to its view before its metrics, which its reader computes after and the host passes on.
    await waitFor('its metrics to follow from the reader', () => api_.webviews().find((w) => w.file === file && w.metricsSentAt !== undefined));
  });

  it('lists reports in the Runs view without reading them', async () => {
    const api_ = await api();
    const folder = path.join(workspaceRoot(), '.parprof');
    fs.mkdirSync(folder, { recursive: true });
    // Not a report at all: reading it would fail, so an entry without a problem proves it was not read.
    const hostile = path.join(folder, 'hostile.parprof');
    fs.writeFileSync(hostile, '{"format":"parprof","version":2,"threads":' + '['.repeat(100) + ']'.repeat(100) + '}');
    try {
      const runs = await waitFor('the Runs view to list the file', async () => (await api_.runs()).find((r) => r.file === hostile));
      assert.equal(runs.description, UNREAD);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
