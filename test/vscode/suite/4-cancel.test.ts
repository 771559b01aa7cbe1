// Stop Profiling ends the profiled process (its whole tree) and keeps the partial report.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import { api, closeAllEditors, waitFor, wsFile } from './util';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Stop Profiling', () => {
  it('ends the process and opens the partial report', async function () {
    this.timeout(120_000);
    const api_ = await api();
    await closeAllEditors();
    const script = wsFile('long-raw.js');
    const pidFile = wsFile('long-raw.pid');
    fs.rmSync(pidFile, { force: true });
    const running = vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
    const pid = Number(await waitFor('the script to start', () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8')));
    assert.ok(api_.isRunning());
    // Let the workers record some spans (they flush in batches of ~100 ms).
    await new Promise((r) => setTimeout(r, 1500));
    const stopped = await vscode.commands.executeCommand<number>(COMMANDS.stopProfiling.id);
    assert.equal(stopped, 1);
    const outcome = await running;
    assert.ok(outcome, 'no outcome');
    assert.equal(outcome.cancelled, true);
    assert.ok(fs.existsSync(outcome.file));
    assert.ok(outcome.report.spans.count > 0, 'the partial report kept no spans');
    assert.ok(outcome.report.threads.filter((t) => t.kind === 'worker').length === 2);
    await waitFor('the process to be gone', () => !alive(pid), 10_000);
    assert.equal(api_.isRunning(), false);
    await waitFor('the panel with the partial report', () => api_.webviews().find((w) => w.file === outcome.file && w.initSent));
    // Described as what it was: cancelled, not as a failed script ("exited with code 143").
    const item = (await api_.runs()).find((r) => r.file === outcome.file);
    assert.ok(item, 'the cancelled run is not in the Runs view');
    assert.match(item.description, /^cancelled · /);
    assert.match(item.tooltip, /\ncancelled after \d+(\.\d\d)? m?s; the report holds what ran until then/);
    const said = api_.messages().join('\n');
    assert.doesNotMatch(said, /143|exited|failed/, said);
  });
});
