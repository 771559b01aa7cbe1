// A run's report view opens as the run starts (issue 12: the first webview of a session takes
// seconds to start, and the script starts once it is up: 9v): it shows the run's progress, then the
// report goes into that same view, one tab; a cancelled run's partial report and a failed run's
// reason go there too.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import { api, closeAllEditors, openFile, waitFor, wsFile } from './util';

const RECORDING = (name: string) => new RegExp(`^Recording ${name.replace('.', '\\.')} — default pool: \\d+ workers? \\+ main — \\d+\\.\\d s$`);

function reportTabs(file: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom
    && t.input.viewType === VIEWS.reportEditor && t.input.uri.fsPath === file);
}

describe("A run's report view", () => {
  it('opens as the run starts, shows the run going on, then shows its report in the same tab', async function () {
    this.timeout(180_000);
    const api_ = await api();
    await closeAllEditors();
    const script = wsFile('gated-pool.js');
    const gate = wsFile('gated-pool.go');
    fs.rmSync(gate, { force: true });
    await openFile(script);
    const running = vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
    try {
      // The script waits for the gate: the view is seen while the run goes on, on a report file not written yet.
      const live = await waitFor('a view showing the run in progress', () => api_.webviews().find((w) => w.ready && w.showing === 'status' && RECORDING('gated-pool.js').test(w.text ?? '')), 100_000);
      assert.equal(fs.existsSync(live.file), false);
      assert.equal(reportTabs(live.file).length, 1);
      fs.writeFileSync(gate, '');
      const outcome = await running;
      assert.ok(outcome, 'no outcome');
      assert.match(outcome.report.exit.code === 0 ? 'ok' : JSON.stringify(outcome.report.exit), /^ok$/);
      assert.equal(outcome.file, live.file, 'the report went to another file than the view opened on');
      await waitFor('the report in that view', () => api_.webviews().find((w) => w.file === outcome.file && w.showing === 'report' && w.initSent));
      assert.equal(api_.webviews().filter((w) => w.file === outcome.file).length, 1);
      assert.equal(reportTabs(outcome.file).length, 1);
    } finally {
      fs.writeFileSync(gate, '');
      await running;
      fs.rmSync(gate, { force: true });
    }
  });

  it('a cancelled run: the view that was ready before the stop gets the partial report', async function () {
    this.timeout(180_000);
    const api_ = await api();
    await closeAllEditors();
    const script = wsFile('long-raw.js');
    const running = vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
    const live = await waitFor('the live view to be ready', () => api_.webviews().find((w) => w.ready && w.showing === 'status' && RECORDING('long-raw.js').test(w.text ?? '')), 90_000);
    assert.equal(fs.existsSync(live.file), false, 'the report exists before the run was stopped');
    assert.equal(await vscode.commands.executeCommand<number>(COMMANDS.stopProfiling.id), 1);
    const outcome = await running;
    assert.ok(outcome?.cancelled, 'not cancelled');
    assert.equal(outcome.file, live.file);
    // The report went into the view that had loaded before the report existed (one view, ready throughout).
    const view = await waitFor('the partial report in the view', () => api_.webviews().find((w) => w.file === outcome.file && w.showing === 'report' && w.initSent));
    assert.equal(api_.webviews().filter((w) => w.file === outcome.file).length, 1);
    assert.ok(view.ready);
    assert.ok(outcome.report.markers.some((m) => m.kind === 'cancelled'), 'the report is not marked cancelled, so its header would not say so');
  });

  it('a run that fails before it starts: its view says why, in one line, and no report is claimed', async function () {
    this.timeout(120_000);
    const api_ = await api();
    await closeAllEditors();
    const config = vscode.workspace.getConfiguration('parallelProfiler');
    // A report folder under a file: the folder cannot be made, so the run fails before the script runs.
    await config.update('reportFolder', 'pool-demo.js/reports', vscode.ConfigurationTarget.Workspace);
    try {
      const outcome = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(wsFile('pool-demo.js')));
      assert.equal(outcome, undefined);
      const view = await waitFor('the view to say why', () => api_.webviews().find((w) => w.showing === 'failed'));
      assert.match(view.text ?? '', /^Profiling pool-demo\.js failed: .*(ENOTDIR|not a directory|EEXIST)/);
      assert.ok(view.file.startsWith(wsFile('pool-demo.js', 'reports')), view.file);
      assert.equal(fs.existsSync(view.file), false);
      const errors = api_.messages().filter((m) => m.startsWith('error: Profiling pool-demo.js failed'));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.doesNotMatch(errors[0], /\n/);
    } finally {
      await config.update('reportFolder', undefined, vscode.ConfigurationTarget.Workspace);
      await closeAllEditors();
    }
  });
});
