// The Testing API controller lists declared workloads; running one from the editor (the gutter's
// "run test at cursor") profiles just that workload.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseReport } from '../../../src/model/load';
import { COMMANDS } from '../../../src/extension/surface';
import { api, closeAllEditors, openFile, waitFor, wsFile } from './util';

describe('Parallel workloads (Testing API)', () => {
  const file = wsFile('workloads.js');

  /** workloads.js open alone with the cursor on workload `name`'s declaration; `done`: its next run's end. */
  async function cursorOnWorkload(name: string) {
    const api_ = await api();
    await closeAllEditors();
    const editor = await openFile(file);
    const decl = api_.workloads().find((w) => w.file === file && w.name === name)!;
    const at = new vscode.Position(decl.line, 4);
    editor.selection = new vscode.Selection(at, at);
    const done = new Promise<Parameters<Parameters<typeof api_.onDidRunWorkload>[0]>[0]>((resolve) => {
      const sub = api_.onDidRunWorkload((e) => { sub.dispose(); resolve(e); });
    });
    return { api_, decl, done };
  }

  it('discovers the workload declarations of the workspace', async () => {
    const api_ = await api();
    await api_.discoverWorkloads();
    const found = await waitFor('workloads', () => {
      const w = api_.workloads().filter((x) => x.file === file);
      return w.length === 2 ? w : undefined;
    });
    const source = fs.readFileSync(file, 'utf8').split('\n');
    assert.deepEqual(found.map((w) => w.name), ['spin-map', 'square-reduce']);
    for (const w of found) assert.ok(source[w.line].includes(`workload('${w.name}'`), `line ${w.line + 1} of ${w.name}`);
  });

  it('running one workload at the cursor profiles only that workload and passes', async function () {
    this.timeout(180_000);
    const { api_, decl, done } = await cursorOnWorkload('square-reduce');
    await vscode.commands.executeCommand('testing.runAtCursor');
    const result = await done;
    assert.equal(result.item, decl.id);
    assert.ok(result.outcome, 'no report');
    assert.equal(result.passed, true);
    const report = parseReport(fs.readFileSync(result.outcome.file));
    assert.deepEqual(report.regions.map((r) => r.fn), ['addSquare'], 'only the chosen workload ran');
    assert.match(result.outcome.file, /workloads-square-reduce-/);
  });

  it('a workload stopped while its report view starts is skipped and says so, not errored', async function () {
    this.timeout(180_000);
    const { api_, done } = await cursorOnWorkload('square-reduce');
    // Stopped as soon as the run exists: its new report view takes the workbench a second or more to
    // start. The Testing view may ignore a run asked for while it still closes the previous one: asked again then.
    for (let asked = 0, next = 0, deadline = Date.now() + 60_000; !api_.isRunning(); await new Promise((r) => setTimeout(r, 5))) {
      assert.ok(Date.now() < deadline, `the workload's run did not start within 60 s (asked ${asked} times)`);
      if (Date.now() >= next) {
        void vscode.commands.executeCommand('testing.runAtCursor');
        asked++;
        next = Date.now() + 5_000;
      }
    }
    assert.equal(await vscode.commands.executeCommand<number>(COMMANDS.stopProfiling.id), 1);
    const result = await done;
    assert.equal(result.outcome, undefined, 'the script ran: the stop did not come while the view started');
    assert.equal(result.state, 'skipped', `a workload stopped before its script started was marked ${result.state}`);
    assert.equal(result.passed, false);
  });
});
