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
    const progressFile = wsFile('long-raw.progress');
    fs.rmSync(pidFile, { force: true });
    fs.rmSync(progressFile, { force: true });
    const running = vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(script));
    const pid = Number(await waitFor('the script to start', () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8')));
    assert.ok(api_.isRunning());
    // The script rewrites its progress (worker threadId -> tasks finished) after every task: stop once each worker has finished 20.
    const progress = (): Record<string, number> => JSON.parse(fs.readFileSync(progressFile, 'utf8')) as Record<string, number>;
    await waitFor('both workers to finish 20 tasks', () => fs.existsSync(progressFile) && Object.values(progress()).filter((n) => n >= 20).length === 2, 90_000);
    const stopped = await vscode.commands.executeCommand<number>(COMMANDS.stopProfiling.id);
    assert.equal(stopped, 1);
    const outcome = await running;
    assert.ok(outcome, 'no outcome');
    assert.equal(outcome.cancelled, true);
    assert.ok(fs.existsSync(outcome.file));
    const last = progress();
    const workers = outcome.report.threads.filter((t) => t.kind === 'worker');
    assert.deepEqual(workers.map((t) => t.id).sort((a, b) => a - b), Object.keys(last).map(Number).sort((a, b) => a - b), 'the report\'s workers are the script\'s');
    // Every task a worker finished before the stop is one of its spans in the partial report, or
    // counted in `dropped`; beyond those, at most the one task it was given last.
    const dropped = outcome.report.dropped.spans;
    for (const [thread, finished] of Object.entries(last)) {
      let spans = 0;
      for (let k = 0; k < outcome.report.spans.count; k++) if (outcome.report.spans.thread[k] === Number(thread)) spans++;
      assert.ok(spans + dropped >= finished && spans <= finished + 1, `worker ${thread} finished ${finished} tasks before the stop; the report holds ${spans} of its spans and ${dropped} dropped`);
    }
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
