// A run starts its script only once its report view is up (issue 12): the first webview of a
// session took seconds to start while the script held both cores, so its report reached the view
// seconds after the exit. The order is checked on one clock, the extension host's: when the view's
// webview posted `ready` against the report's own start (meta.startedAt, taken before the spawn).
// A Cancel during that wait starts no script and says so.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import { api, closeAllEditors, openFile, waitFor, wsFile } from './util';

describe("A run and its report view's start", () => {
  it('starts the script after the view of its report is up, and the report goes into that view', async function () {
    this.timeout(300_000);
    const api_ = await api();
    await closeAllEditors();
    const script = wsFile('pool-demo.js');
    await openFile(script);
    // A run waits for its view at most VIEW_START_CAP_MS; the session's first view can take longer
    // on a busy machine, so up to three runs: a later run's view starts warm.
    const seen: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const outcome = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
      assert.ok(outcome, 'no outcome');
      assert.equal(outcome.report.exit.code, 0, JSON.stringify(outcome.report.exit));
      const view = await waitFor('the report in its view', () => api_.webviews().find((w) => w.file === outcome.file && w.showing === 'report' && w.initSent));
      assert.ok(view.readyAt !== undefined, 'the view never said ready');
      const timing = api_.timings().find((t) => t.file === outcome.file);
      assert.ok(timing, 'no timings for the run');
      seen.push(`${timing.viewWait} after ${timing.viewWaitMs} ms, view up ${view.readyAt - outcome.report.meta.startedAt} ms after the script's start`);
      // Either way, the script never starts before its view is up unless the wait gave up.
      assert.ok(timing.viewWait === 'ready' || timing.viewWait === 'cap', `the run did not wait for its view: ${seen.join('; ')}`);
      if (timing.viewWait === 'cap') {
        assert.ok(attempt < 3, `three runs started without their views up: ${seen.join('; ')}`);
        continue;
      }
      assert.ok(view.readyAt <= outcome.report.meta.startedAt,
        `the script started ${view.readyAt - outcome.report.meta.startedAt} ms before its report view was up`);
      break;
    }
  });

  it('a Cancel while the view starts: no script runs, no report, and the view says the run was cancelled', async function () {
    this.timeout(180_000);
    const api_ = await api();
    await closeAllEditors();
    const script = wsFile('long-raw.js');
    const pidFile = wsFile('long-raw.pid');
    fs.rmSync(pidFile, { force: true });
    const errorsBefore = api_.messages().filter((m) => m.startsWith('error:')).length;
    const running = vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
    // Stopped as soon as the run exists (polled every 5 ms): its view takes the workbench a second or more to start.
    for (const deadline = Date.now() + 30_000; !api_.isRunning();) {
      assert.ok(Date.now() < deadline, 'the run did not start within 30 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    const stopAt = Date.now();
    assert.equal(await vscode.commands.executeCommand<number>(COMMANDS.stopProfiling.id), 1);
    const outcome = await running;
    assert.ok(outcome === undefined, `a report came from a run cancelled before its script started: ${outcome?.file}`);
    assert.equal(api_.isRunning(), false);
    // The view opens anyway (the tab was asked for) and says what happened, in the words of a cancel.
    const view = await waitFor('the view to say the run was cancelled', () => api_.webviews().find((w) =>
      path.basename(w.file).startsWith('long-raw-') && w.ready && w.showing === 'status' && /cancelled/.test(w.text ?? '')), 60_000);
    assert.equal(view.text, 'Profiling long-raw.js cancelled before the script started; there is no report');
    assert.ok(view.readyAt !== undefined && view.readyAt > stopAt, 'the view was up before the Cancel: this test did not cancel during the wait');
    assert.equal(fs.existsSync(view.file), false, 'a report file was written');
    assert.equal(fs.existsSync(pidFile), false, 'the script ran (it wrote its pid)');
    assert.equal(api_.messages().filter((m) => m.startsWith('error:')).length, errorsBefore, api_.messages().join('\n'));
    assert.equal((await api_.runs()).some((r) => r.file === view.file), false, 'the Runs view lists a run that never started');
  });

  it('with openReportAfterRun off, nothing waits and no view opens', async function () {
    this.timeout(180_000);
    const api_ = await api();
    await closeAllEditors();
    const config = vscode.workspace.getConfiguration('parallelProfiler');
    await config.update('openReportAfterRun', false, vscode.ConfigurationTarget.Workspace);
    try {
      const outcome = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(wsFile('pool-demo.js')));
      assert.ok(outcome, 'no outcome');
      const timing = api_.timings().find((t) => t.file === outcome.file);
      assert.ok(timing, 'no timings for the run');
      assert.equal(timing.viewWait, 'none');
      assert.equal(timing.viewWaitMs, 0);
      assert.equal(api_.webviews().some((w) => w.file === outcome.file), false);
    } finally {
      await config.update('openReportAfterRun', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
