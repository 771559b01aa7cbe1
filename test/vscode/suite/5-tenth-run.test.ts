// The tenth run: annotations that follow the code (a .ts call site on its own line, each file
// keeping its own run's numbers, numbers hidden once the file is edited), one tab per report, a
// re-run replacing its script's tab in the same group, exports that say where they went.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import { api, closeAllEditors, closeCliTerminal, openFile, waitFor, wsFile } from './util';

const NUMBERS = /^\d+ workers? · utilization \d+ % · imbalance \d+\.\d\d/;

async function numberLenses(file: string): Promise<vscode.CodeLens[]> {
  const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file), 100) ?? [];
  return found.filter((l) => NUMBERS.test(l.command?.title ?? ''));
}

function reportTabs(file?: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom
    && t.input.viewType === VIEWS.reportEditor && (file === undefined || t.input.uri.fsPath === file));
}

async function profile(file: string): Promise<ProfileOutcome> {
  const outcome = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id, vscode.Uri.file(file));
  assert.ok(outcome, `profiling ${file} gave no outcome (see the Parallel Profiler log)`);
  assert.equal(outcome.report.exit.code, 0, `${file}: ${JSON.stringify(outcome.report.exit)}`);
  return outcome;
}

function lineOf(file: string, needle: string): number {
  const at = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(at >= 0, `${needle} not in ${file}`);
  return at;
}

describe('The tenth run', () => {
  const js = wsFile('pool-demo.js');
  const ts = wsFile('ts-demo.ts');
  let first: ProfileOutcome;
  let second: ProfileOutcome;
  let rerun: ProfileOutcome;

  before(async function () {
    this.timeout(240_000);
    await closeAllEditors();
    await openFile(js);
    first = await profile(js);
    await openFile(ts);
    second = await profile(ts);
  });

  it('puts the numbers of a TypeScript pool call on the line of the call in the .ts file', async () => {
    const found = await numberLenses(ts);
    assert.deepEqual(found.map((l) => l.range.start.line), [lineOf(ts, 'pool.map(')]);
    assert.equal(found[0].command?.arguments?.[0], second.file);
  });

  it("keeps the first file's numbers when a second file is profiled", async () => {
    const found = await numberLenses(js);
    assert.deepEqual(found.map((l) => l.range.start.line), [lineOf(js, 'pool.map('), lineOf(js, 'pool.reduce(')]);
    assert.ok(found.every((l) => l.command?.arguments?.[0] === first.file), 'pool-demo.js shows numbers of another run');
  });

  it('opens one tab per report: opening it again, as a file or from the Runs view, focuses that tab', async () => {
    const uri = vscode.Uri.file(first.file);
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEWS.reportEditor);
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEWS.reportEditor);
    await vscode.commands.executeCommand(COMMANDS.openRun.id, first.file);
    await vscode.commands.executeCommand(COMMANDS.showLastReport.id, first.file);
    assert.equal(reportTabs(first.file).length, 1, `tabs: ${reportTabs().map((t) => t.label).join(', ')}`);
    const api_ = await api();
    assert.equal(api_.webviews().filter((w) => w.file === first.file).length, 1);
  });

  it("a new run of a script replaces its previous run's tab in the same group, and no third group opens", async function () {
    this.timeout(120_000);
    await openFile(js);
    const before = reportTabs(first.file)[0];
    assert.ok(before, 'the first run has no tab');
    const again = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.rerun.id, first.file);
    assert.ok(again && again.file !== first.file);
    rerun = again;
    assert.equal(again.report.meta.script, js);
    assert.deepEqual(again.report.meta.args, first.report.meta.args);
    assert.equal(again.report.meta.pool.threads, first.report.meta.pool.threads);
    await waitFor('the old tab to close', () => reportTabs(first.file).length === 0);
    const now = reportTabs(again.file);
    assert.equal(now.length, 1);
    assert.equal(now[0].group.viewColumn, before.group.viewColumn);
    assert.ok(vscode.window.tabGroups.all.length <= 2, `${vscode.window.tabGroups.all.length} editor groups`);
    // The numbers of pool-demo.js now come from the new run; ts-demo.ts keeps its own.
    assert.ok((await numberLenses(js)).every((l) => l.command?.arguments?.[0] === again.file));
    assert.ok((await numberLenses(ts)).every((l) => l.command?.arguments?.[0] === second.file));
  });

  it('a pinned report tab stays when its script runs again', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(rerun.file), VIEWS.reportEditor);
    await vscode.commands.executeCommand('workbench.action.pinEditor');
    await waitFor('the tab to be pinned', () => reportTabs(rerun.file)[0]?.isPinned);
    await openFile(js);
    const third = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.rerun.id, rerun.file);
    assert.ok(third && third.file !== rerun.file);
    await waitFor('the new run\'s tab', () => reportTabs(third.file).length === 1);
    assert.equal(reportTabs(rerun.file).length, 1, 'the pinned tab was closed');
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(rerun.file), VIEWS.reportEditor);
    await vscode.commands.executeCommand('workbench.action.unpinEditor');
  });

  it('hides the numbers of a file edited since its run, and shows them again when the edit is undone', async () => {
    const editor = await openFile(ts);
    const api_ = await api();
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// edited\n'));
    const stale = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100) ?? [];
    assert.equal(stale.filter((l) => NUMBERS.test(l.command?.title ?? '')).length, 0);
    assert.ok(stale.some((l) => /edited since the run, numbers hidden/.test(l.command?.title ?? '')));
    assert.equal(api_.hotLines().find((f) => f.file === ts), undefined);
    // `undo` acts on the focused editor; it failed once (still dirty) on a loaded machine: focus this editor first.
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.isDirty, false);
    assert.equal((await numberLenses(ts)).length, 1);
    // Revert drops the hot-exit backup of the edit, which a later window would restore as dirty.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await closeAllEditors();
  });

  it('tells where an export went, with Open and Reveal', async () => {
    const target = path.join(path.dirname(first.file), `export-${Date.now()}.html`);
    const api_ = await api();
    await vscode.commands.executeCommand(COMMANDS.exportReport.id, first.file, 'html', target);
    assert.ok(fs.existsSync(target));
    assert.ok(api_.messages().includes(`info: Exported the HTML report to ${target} [Open in Browser | Reveal]`), api_.messages().join('\n'));
    fs.rmSync(target);
  });

  it('the Sweep lens runs parprof sweep at 1…N threads in a terminal, into the report folder', async function () {
    this.timeout(240_000);
    // A script that leaves its pool's threads to the profiler (pool-demo.js gives threads: 2).
    const script = wsFile('sweep-demo.js');
    await vscode.workspace.openTextDocument(vscode.Uri.file(script));
    const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(script), 100) ?? [];
    const counts = [1];
    for (let t = 2; t < os.availableParallelism(); t *= 2) counts.push(t);
    if (os.availableParallelism() > 1) counts.push(os.availableParallelism());
    const lens = all.find((l) => l.command?.title === `Sweep 1…${os.availableParallelism()} threads`);
    assert.ok(lens?.command, `lenses: ${all.map((l) => l.command?.title).join(' | ')}`);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>(lens.command.command, ...(lens.command.arguments ?? []));
    // When the sweep ends its page opens with the table, and its terminal stays until a key.
    const a = await api();
    const page = await waitFor('the sweep page to open on the new sweep report', () => a.webviews().find((w) => /sweep-demo\.js-sweep-\d+\.parprof-sweep\.json$/.test(w.file ?? '') && w.ready && w.initSent), 200_000);
    assert.equal(terminal.exitStatus, undefined, 'the terminal stays open with the CLI\'s output');
    assert.equal(await closeCliTerminal(terminal), 0);
    const sweeps = fs.readdirSync(wsFile('.parprof')).filter((f) => f.startsWith('sweep-demo.js-sweep-') && f.endsWith('.parprof-sweep.json'));
    assert.equal(sweeps.length, 1, sweeps.join(', '));
    assert.equal(page.file, wsFile('.parprof', sweeps[0]));
    const sweep = JSON.parse(fs.readFileSync(wsFile('.parprof', sweeps[0]), 'utf8')) as { kind: string; script: string; variants: { threads: number }[] };
    assert.equal(sweep.kind, 'sweep');
    assert.equal(sweep.script, script);
    assert.deepEqual(sweep.variants.map((v) => v.threads), counts);
    terminal.dispose();
  });

  it('the Sweep lens on a script whose pool fixes its threads: the sweep stops (exit 2), keeps the run\'s report and writes no sweep report', async function () {
    this.timeout(120_000);
    await vscode.workspace.openTextDocument(vscode.Uri.file(js));
    const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(js), 100) ?? [];
    const lens = all.find((l) => l.command?.title === `Sweep 1…${os.availableParallelism()} threads`);
    assert.ok(lens?.command, `lenses: ${all.map((l) => l.command?.title).join(' | ')}`);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>(lens.command.command, ...(lens.command.arguments ?? []));
    // The CLI's reason, in a warning, and its terminal stays (VS Code alone said only "terminated with exit code: 2").
    const a = await api();
    await waitFor('a warning with the sweep\'s reason', () => a.messages().find((m) => /^warning: Sweep pool-demo\.js failed \(exit code 2\): .*gives its ThreadPool `threads` itself.* \[Show Terminal\]$/.test(m)), 100_000);
    assert.equal(terminal.exitStatus, undefined, 'the terminal stays open with the CLI\'s output');
    assert.equal(await closeCliTerminal(terminal), 2);
    // The run that showed it is kept (its report says what ran); no sweep report claims a 1-thread run.
    const made = fs.readdirSync(wsFile('.parprof')).filter((f) => f.startsWith('pool-demo.js-sweep-'));
    assert.deepEqual(made.filter((f) => f.endsWith('.parprof-sweep.json')), [], made.join(', '));
    assert.equal(made.filter((f) => /-1-thread-r1\.parprof$/.test(f)).length, 1, made.join(', '));
    terminal.dispose();
  });

  after(async () => {
    // Where the time of these runs went, for the record (timings are never asserted).
    for (const t of (await api()).timings()) console.log(`timing ${JSON.stringify(t)}`);
  });
});
