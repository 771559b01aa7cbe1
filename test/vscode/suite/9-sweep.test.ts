// Sweeps and A/B runs in the editor: a real `parprof sweep` and `parprof ab` of the workspace's
// pool demo (the extension's own CLI), listed in the Runs view with their answer, opened in the
// sweep page (the webview receives the report), exported as Markdown; and "Compare with…" on two
// runs opens the comparison page with `compare`'s numbers.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareResult } from '../../../src/model/compare';
import { parseSweepReport } from '../../../src/model/sweep-report';
import { SCHEDULES } from '../../../src/model/report';
import { compareMarkdown, sweepMarkdown } from '../../../src/model/sweep-tables';
import { sweepEntry } from '../../../src/model/sweep-views';
import { COMMANDS } from '../../../src/extension/surface';
import { api, closeAllEditors, closeCliTerminal, EXTENSION_ID, waitFor, wsFile } from './util';

function parprof(...args: string[]): Promise<void> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    // Not the editor's runtime: the machine's node, as the sweep lens runs it.
    execFile('node', [cli, ...args], { cwd: wsFile(), timeout: 150_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
  });
}

describe('sweeps and comparisons', () => {
  const sweepFile = wsFile('.parprof', 'sweep-demo-suite.parprof-sweep.json');
  const abFile = wsFile('.parprof', 'sweep-demo-suite-ab.parprof-sweep.json');

  before(async function () {
    this.timeout(300_000);
    await closeAllEditors();
    await api();
    await parprof('sweep', '--threads', '0,1', '--out', sweepFile, 'sweep-demo.js');
    await parprof('ab', '--schedule', 'static,dynamic', '--threads', '2', '--repeat', '1', '--out', abFile, 'sweep-demo.js');
  });

  it('the Runs view lists the sweep and the A/B report with their answer', async function () {
    this.timeout(30_000);
    const a = await api();
    await vscode.commands.executeCommand(COMMANDS.refreshRuns.id);
    const runs = await waitFor('the sweep reports in the Runs view', async () => {
      const r = await a.runs();
      return r.some((x) => x.file === sweepFile) && r.some((x) => x.file === abFile) ? r : undefined;
    });
    const sweep = parseSweepReport(fs.readFileSync(sweepFile, 'utf8'));
    const listed = runs.find((x) => x.file === sweepFile)!;
    assert.equal(listed.label, 'sweep-demo.js');
    // The age part may tick over between the two readings; the answer may not.
    const expected = sweepEntry(sweep, sweepFile, Date.now()).description;
    assert.equal(listed.description.replace(/ · [^·]+$/, ''), expected.replace(/ · [^·]+$/, ''));
    assert.match(listed.description, /^sweep 0,1 threads · /);
    assert.match(runs.find((x) => x.file === abFile)!.description, /^A\/B static\/dynamic · (winner \w+|no clear winner) · /);
  });

  it('Open Report… on a sweep report shows the sweep page, which receives the report', async function () {
    this.timeout(30_000);
    const a = await api();
    for (const file of [sweepFile, abFile]) {
      await vscode.commands.executeCommand(COMMANDS.openReport.id, vscode.Uri.file(file));
      await waitFor(`the sweep page of ${path.basename(file)} to receive it`, () => a.webviews().find((w) => w.file === file && w.ready && w.initSent));
    }
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(tab instanceof vscode.TabInputCustom && tab.viewType === 'parallelProfiler.sweep' && tab.uri.fsPath === abFile);
  });

  it('Export Report… on a sweep writes its Markdown tables', async function () {
    this.timeout(30_000);
    const target = wsFile('.parprof', 'pool-demo-suite.md');
    const wrote = await vscode.commands.executeCommand<string>(COMMANDS.exportReport.id, vscode.Uri.file(sweepFile), 'markdown', target);
    assert.equal(wrote, target);
    assert.equal(fs.readFileSync(target, 'utf8'), sweepMarkdown(parseSweepReport(fs.readFileSync(sweepFile, 'utf8'))));
  });

  it('the Compare schedules lens runs parprof ab under every schedule in a terminal, into the report folder', async function () {
    this.timeout(240_000);
    const script = wsFile('sweep-demo.js');
    // The lens provider runs on an open document: with no editor of it left open, VS Code may have
    // dropped its model, and the command then fails with "Illegal argument".
    await vscode.workspace.openTextDocument(vscode.Uri.file(script));
    const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(script), 100) ?? [];
    const lens = all.find((l) => l.command?.title === 'Compare schedules');
    assert.ok(lens?.command, `lenses: ${all.map((l) => l.command?.title).join(' | ')}`);
    const before = new Set(fs.readdirSync(wsFile('.parprof')));
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>(lens.command.command, ...(lens.command.arguments ?? []));
    const a = await api();
    await waitFor('the A/B page to open on the new report', () => a.webviews().find((w) => /sweep-demo\.js-ab-\d+\.parprof-sweep\.json$/.test(w.file ?? '') && w.ready && w.initSent), 220_000);
    assert.equal(terminal.exitStatus, undefined, 'the terminal stays open with the CLI\'s output');
    assert.equal(await closeCliTerminal(terminal), 0);
    const made = fs.readdirSync(wsFile('.parprof')).filter((f) => !before.has(f) && f.startsWith('sweep-demo.js-ab-') && f.endsWith('.parprof-sweep.json'));
    assert.equal(made.length, 1, made.join(', '));
    const ab = parseSweepReport(fs.readFileSync(wsFile('.parprof', made[0]), 'utf8'));
    assert.equal(ab.kind, 'ab');
    assert.equal(ab.script, script);
    assert.deepEqual(ab.variants.map((v) => [v.schedule, v.threads, v.runs.length]), SCHEDULES.map((s) => [s, os.availableParallelism(), 3]));
    terminal.dispose();
  });

  it('Compare with… on a run opens the comparison page with compare\'s numbers', async function () {
    this.timeout(30_000);
    const a = await api();
    const sweep = parseSweepReport(fs.readFileSync(abFile, 'utf8'));
    const [base, next] = sweep.variants.map((v) => path.join(path.dirname(abFile), v.runs[0].file));
    const saved = wsFile('.parprof', 'pool-demo-compare.md');
    const result = await vscode.commands.executeCommand<CompareResult>(COMMANDS.compareWith.id, base, next, saved);
    assert.ok(result, 'the command returned no comparison (see the log)');
    assert.equal(result.pairs.length, 1);
    const whole = result.pairs[0].subjects[0];
    assert.equal(whole.key, '');
    assert.ok(Math.abs(whole.base!.median - sweep.variants[0].runs[0].wholeMs) < 1e-3, 'base wall is the run\'s whole-run time');
    assert.ok(Math.abs(whole.next!.median - sweep.variants[1].runs[0].wholeMs) < 1e-3);
    assert.equal(fs.readFileSync(saved, 'utf8'), compareMarkdown(result, base, next));
    await waitFor('the comparison page to receive it', () => a.webviews().find((w) => w.file === `${base} → ${next}` && w.ready && w.initSent));
  });
});
