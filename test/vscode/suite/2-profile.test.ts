// Profile Current File end to end in the real extension host: a report file, the panel with its
// handshake, CodeLens before and after, hot lines, the Runs view, exports and the custom editor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseReport, serializeReport } from '../../../src/model/load';
import { TASK_CATEGORY } from '../../../src/model/export-chrome';
import { COMMANDS, VIEWS } from '../../../src/extension/surface';
import type { ProfileOutcome } from '../../../src/extension/profiling';
import { api, closeAllEditors, openFile, waitFor, wsFile } from './util';

async function lenses(file: string): Promise<vscode.CodeLens[]> {
  const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file), 100);
  return found ?? [];
}

describe('Profile Current File', () => {
  let outcome: ProfileOutcome;
  const script = wsFile('pool-demo.js');

  before(async function () {
    this.timeout(180_000);
    await closeAllEditors();
    await api();
    await openFile(script);
    const result = await vscode.commands.executeCommand<ProfileOutcome | undefined>(COMMANDS.profileCurrentFile.id);
    assert.ok(result, 'the command returned no outcome (see the Parallel Profiler log)');
    outcome = result;
  });

  it('writes a report into the report folder, run on the machine node, not the editor runtime', () => {
    assert.equal(path.dirname(outcome.file), wsFile('.parprof'));
    assert.ok(fs.existsSync(outcome.file));
    const report = parseReport(fs.readFileSync(outcome.file));
    assert.equal(report.meta.script, script);
    assert.equal(report.exit.code, 0);
    assert.equal(outcome.cancelled, false);
    assert.notEqual(report.meta.nodePath, process.execPath, 'the script ran on the extension host runtime');
    const workers = report.threads.filter((t) => t.kind === 'worker');
    assert.equal(workers.length, 2, `threads: ${report.threads.map((t) => t.name).join(', ')}`);
    assert.deepEqual(report.regions.map((r) => r.kind), ['map', 'reduce']);
  });

  it('opens the report panel, which completes the ready/init handshake', async () => {
    const api_ = await api();
    const status = await waitFor('the panel to receive init', () => api_.webviews().find((w) => w.file === outcome.file && w.ready && w.initSent));
    assert.ok(status);
  });

  it('puts ▶ Profile and thread-count CodeLens on the pool creation and operations', async () => {
    const text = fs.readFileSync(script, 'utf8').split('\n');
    const expectLines = text.map((l, i) => (/new ThreadPool\(|pool\.(map|reduce)\(/.test(l) ? i : -1)).filter((i) => i >= 0);
    const found = await lenses(script);
    const profileLines = found.filter((l) => l.command?.title === '▶ Profile').map((l) => l.range.start.line);
    assert.deepEqual(profileLines, expectLines);
    // It opens a picker and profiles once: the title says so, not a 1…N sweep.
    const withThreads = found.filter((l) => l.command?.title === 'Profile with N threads…');
    assert.equal(withThreads.length, expectLines.length);
    assert.equal(withThreads[0].command?.command, COMMANDS.profileWithThreads.id);
  });

  it("right after the run, shows each region's numbers above its call, workers counted as in the Runs view", async () => {
    // No wait, no scrolling: the numbers are there when the command returns.
    const found = await lenses(script);
    const numbers = found.filter((l) => /^\d+ workers? · utilization \d+ % · imbalance \d+\.\d\d/.test(l.command?.title ?? ''));
    const source = fs.readFileSync(script, 'utf8').split('\n');
    assert.deepEqual(numbers.map((l) => source[l.range.start.line].trim().match(/pool\.(\w+)/)?.[1]), ['map', 'reduce']);
    assert.match(numbers[0].command!.title, /^2 workers · /);
    assert.equal(numbers[0].command!.arguments?.[0], outcome.file);
  });

  it('marks hot lines of the task module with self/total time, on every thread or one', async () => {
    const api_ = await api();
    const tasks = wsFile('tasks.js');
    await openFile(tasks);
    const hot = await waitFor('hot lines in tasks.js', () => api_.hotLines().find((f) => f.file === tasks && f.lines.length > 0));
    const source = fs.readFileSync(tasks, 'utf8').split('\n');
    const hottest = [...hot.lines].sort((a, b) => b.level - a.level)[0];
    assert.match(hottest.text, /ms self · .* ms total/);
    assert.ok(/Math\.|for \(|s \+=/.test(source[hottest.line - 1]), `hottest line is '${source[hottest.line - 1]}'`);
    const worker = outcome.report.threads.find((t) => t.kind === 'worker')!;
    await vscode.commands.executeCommand(COMMANDS.selectHotLineThread.id, worker.id);
    assert.equal(api_.hotLineThread(), worker.id);
    const main = outcome.report.threads.find((t) => t.kind === 'main')!;
    await vscode.commands.executeCommand(COMMANDS.selectHotLineThread.id, main.id);
    // The main thread runs no task code: nothing of tasks.js is hot on it.
    assert.equal(api_.hotLines().find((f) => f.file === tasks), undefined);
    await vscode.commands.executeCommand(COMMANDS.selectHotLineThread.id, 'all');
    assert.equal(api_.hotLineThread(), undefined);
    assert.ok(api_.hotLines().find((f) => f.file === tasks));
  });

  it('lists the run in the Runs view with its numbers', async () => {
    const runs = await (await api()).runs();
    const item = runs.find((r) => r.file === outcome.file);
    assert.ok(item, `runs: ${runs.map((r) => r.file).join(', ')}`);
    assert.equal(item.label, 'pool-demo.js');
    assert.match(item.description, /^\d+(\.\d+)? m?s · util \d+(\.\d)? % · just now · (static|dynamic|steal) · 2 workers \+ main$/);
    assert.match(item.tooltip, /^.*pool-demo\.js\nfinished in /);
  });

  it('exports as .parprof (round trip), Chrome trace JSON and standalone HTML', async () => {
    const dir = fs.mkdtempSync(path.join(path.dirname(outcome.file), 'export-'));
    const asParprof = await vscode.commands.executeCommand<string>(COMMANDS.exportReport.id, outcome.file, 'parprof', path.join(dir, 'copy.parprof'));
    // Compared as JSON: the runner may hold columns as typed arrays, which the file stores as arrays.
    const asJson = (report: ProfileOutcome['report']) => JSON.parse(serializeReport(report)) as unknown;
    assert.deepEqual(asJson(parseReport(fs.readFileSync(asParprof))), asJson(outcome.report));
    const asTrace = await vscode.commands.executeCommand<string>(COMMANDS.exportReport.id, outcome.file, 'chrome', path.join(dir, 'trace.json'));
    const trace = JSON.parse(fs.readFileSync(asTrace, 'utf8')) as { traceEvents: { ph: string; cat?: string; tid: number }[] };
    // One task event per span (a complete 'X', or a 'b' opening an async pair), on the span's thread.
    const tasks = trace.traceEvents.filter((e) => e.cat === TASK_CATEGORY && (e.ph === 'X' || e.ph === 'b'));
    const perThread = (tids: number[]) => tids.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<number, number>());
    assert.equal(tasks.length, outcome.report.spans.count);
    assert.deepEqual(perThread(tasks.map((e) => e.tid)), perThread(Array.from(outcome.report.spans.thread).sort((a, b) => a - b)));
    const asHtml = await vscode.commands.executeCommand<string>(COMMANDS.exportReport.id, outcome.file, 'html', path.join(dir, 'report.html'));
    const html = fs.readFileSync(asHtml, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(html.includes('id="parprof-report"') && !/<script[^>]+src=/.test(html));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens a .parprof file in the report custom editor', async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(outcome.file), VIEWS.reportEditor);
    const api_ = await api();
    await waitFor('the custom editor to receive init', () => api_.webviews().find((w) => w.file === outcome.file && w.ready && w.initSent));
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === VIEWS.reportEditor);
  });

  it('Clear Editor Annotations removes hot lines and region numbers', async () => {
    await openFile(wsFile('tasks.js'));
    await vscode.commands.executeCommand(COMMANDS.clearAnnotations.id);
    assert.deepEqual((await api()).hotLines(), []);
    const found = await lenses(script);
    assert.equal(found.filter((l) => /utilization/.test(l.command?.title ?? '')).length, 0);
    assert.ok(found.some((l) => l.command?.title === '▶ Profile'));
  });
});
