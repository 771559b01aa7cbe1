// "Profile with Options…" is one multi-step QuickInput: Step k/4, Back from step 2 on, the
// default of each step selected first, so accepting every step profiles with the defaults.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import type { WizardStep } from '../../../src/extension/optionsWizard';
import { api, closeAllEditors, openFile, waitFor, wsFile } from './util';

async function step(n: number): Promise<WizardStep> {
  const api_ = await api();
  return waitFor(`step ${n} of the options`, () => {
    const s = api_.wizardStep();
    return s?.step === n ? s : undefined;
  });
}

const accept = () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');

describe('Profile with Options…', () => {
  it('walks threads, schedule, interval and arguments with Step k/4, Back and marked defaults', async function () {
    this.timeout(180_000);
    await closeAllEditors();
    const script = wsFile('pool-demo.js');
    await openFile(script);
    const running = vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileWithOptions.id, vscode.Uri.file(script));
    const threads = await step(1);
    assert.equal(threads.totalSteps, 4);
    assert.equal(threads.items[0], 'default');
    assert.equal(threads.active, 'default');
    assert.deepEqual(threads.items.slice(1).map(Number), threads.items.slice(1).map((_, i) => i + 1));
    await accept();
    const schedule = await step(2);
    assert.deepEqual(schedule.items, ['default', 'static', 'dynamic', 'steal']);
    assert.equal(schedule.active, 'default');
    await vscode.commands.executeCommand('workbench.action.quickInputBack');
    assert.equal((await step(1)).active, 'default');
    await accept();
    await step(2);
    await accept();
    const interval = await step(3);
    assert.equal(interval.value, '1000');
    await accept();
    const args = await step(4);
    assert.equal(args.value, '');
    await accept();
    const outcome = await running;
    assert.ok(outcome, 'no run after the last step');
    assert.equal(outcome.report.exit.code, 0);
    assert.deepEqual(outcome.report.meta.args, []);
    assert.equal(outcome.report.meta.sampleIntervalUs, 1000);
    assert.equal((await api()).wizardStep(), undefined);
  });

  it('Profile with N Threads… on a script whose pool gives its own threads: a warning says the pick did not apply', async function () {
    this.timeout(180_000);
    // pool-demo.js: new ThreadPool({ ..., threads: 2 }). Picking 1 ran it on 2, with no word of it.
    const script = wsFile('pool-demo.js');
    const a = await api();
    const before = a.messages().length;
    const outcome = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileWithThreads.id, vscode.Uri.file(script), 1);
    assert.ok(outcome && !outcome.cancelled);
    assert.ok(outcome.report.regions.every((g) => g.threads === 2));
    const said = a.messages().slice(before).filter((m) => m.startsWith('warning: pool-demo.js: '));
    assert.equal(said.length, 1, a.messages().slice(before).join('\n'));
    assert.match(said[0], /^warning: pool-demo\.js: operation '[^']+' ran on 2 threads, not the 1 you picked: the script gives its ThreadPool `threads` itself \(leave it out, or pass defaultThreads\(\)/);
  });
});
