// Reports from anywhere (issue 13 item 8): a report file is read, validated and analysed in a
// worker thread with memory and time limits, so a hostile file (cyclic, a gzip bomb, one that
// needs too much memory or time) shows one clear line while the extension host keeps answering;
// and opening 50 reports in a row leaves the extension host's memory flat.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../../src/extension/surface';
import { ReportParser, PARSE_LIMITS } from '../../../src/extension/reportParser';
import { parseReport } from '../../../src/model/load';
import { EXTENSION_ID, api, closeAllEditors, waitFor, wsFile } from './util';

/** Three nodes whose children form a cycle (a V8 profile is a tree): it once made Node abort. */
const CYCLIC_PROFILE = JSON.stringify({
  nodes: [1, 2, 3].map((id) => ({ id, callFrame: { functionName: `f${id}`, scriptId: '1', url: 'file:///app/x.js', lineNumber: id, columnNumber: 1 }, children: [id % 3 + 1] })),
  startTime: 0, endTime: 300, samples: [1, 2, 3], timeDeltas: [0, 100, 100],
});

/** `mib` MiB of zeros, gzip-compressed, streamed to `file` (about 4.5 MB per GiB at level 1). */
async function gzipBomb(file: string, mib: number): Promise<void> {
  const zeros = Buffer.alloc(1 << 20);
  let left = mib;
  await pipeline(Readable.from((function* () { while (left-- > 0) yield zeros; })()), createGzip({ level: 1 }), fs.createWriteStream(file));
}

/** The extension host's own gc (not exposed by default). */
function exposedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function readerFile(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return path.join(ext.extensionPath, 'dist', 'report-parser.js');
}

function writeArtifact(name: string, value: unknown): void {
  const dir = process.env.PARPROF_TEST_ARTIFACTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
}

const measured: Record<string, unknown> = {};

describe('Reports from anywhere', () => {
  const dir = wsFile('incoming');
  const bomb = path.join(dir, 'bomb.parprof.gz');

  before(async function () {
    this.timeout(180_000);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cycle.cpuprofile'), CYCLIC_PROFILE);
    // 1 GiB inflated: twice the 512 MiB a report may have once decompressed.
    await gzipBomb(bomb, 1024);
  });

  after(() => {
    writeArtifact('vscode-extension-host.json', measured);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a cyclic profile: one clear line, in a message and in its view', async function () {
    this.timeout(60_000);
    const api_ = await api();
    await closeAllEditors();
    const file = path.join(dir, 'cycle.cpuprofile');
    await vscode.commands.executeCommand(COMMANDS.openReport.id, vscode.Uri.file(file));
    const said = await waitFor('the error message', () => api_.messages().find((m) => m.startsWith('error: Opening cycle.cpuprofile failed')));
    assert.match(said, /^error: Opening cycle\.cpuprofile failed: .*cycle.* \[Open Log\]$/);
    assert.doesNotMatch(said, /\n/);
    assert.equal(api_.messages().filter((m) => m.includes('cycle.cpuprofile')).length, 1);
    const view = await waitFor('the view to say why', () => api_.webviews().find((w) => w.file === file && w.showing === 'failed'));
    assert.match(view.text ?? '', /^cycle\.cpuprofile could not be opened: .*cycle/);
  });

  it('a gzip bomb: refused with one line, while the extension host answers commands during the read', async function () {
    this.timeout(180_000);
    const api_ = await api();
    await closeAllEditors();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const opening = vscode.commands.executeCommand(COMMANDS.openReport.id, vscode.Uri.file(bomb));
    await waitFor('the reader to start', () => api_.reportsBeingRead() > 0, 60_000);
    const readingFrom = performance.now();
    const answers: number[] = [];
    let answeredWhileReading = 0;
    while (api_.reportsBeingRead() > 0) {
      const t = performance.now();
      await vscode.commands.executeCommand(COMMANDS.refreshRuns.id);
      answers.push(performance.now() - t);
      if (api_.reportsBeingRead() > 0) answeredWhileReading++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const readMs = performance.now() - readingFrom;
    await opening;
    delay.disable();
    // A read on the host's own thread would have let no command through until it ended.
    assert.ok(answeredWhileReading >= 1, `no command answered during a ${readMs.toFixed(0)} ms read`);
    const said = await waitFor('the error message', () => api_.messages().find((m) => m.startsWith('error: Opening bomb.parprof.gz failed')));
    assert.match(said, /^error: Opening bomb\.parprof\.gz failed: .*(too large|more than)/);
    assert.equal(api_.messages().filter((m) => m.includes('bomb.parprof.gz')).length, 1);
    answers.sort((a, b) => a - b);
    measured.gzipBomb = {
      file: '1 GiB of zeros, gzip', readMs: Math.round(readMs), commandsAnsweredDuringRead: answeredWhileReading,
      commandMedianMs: +answers[answers.length >> 1].toFixed(1), commandMaxMs: +answers[answers.length - 1].toFixed(1),
      eventLoopDelayMaxMs: +(delay.max / 1e6).toFixed(1), eventLoopDelayP99Ms: +(delay.percentile(99) / 1e6).toFixed(1),
    };
  });

  it('a file that needs more memory or time than the limits is stopped, with one line each', async function () {
    this.timeout(120_000);
    // The same worker and messages as the extension's reader, with limits small enough to reach here.
    const objects = path.join(dir, 'objects.json');
    fs.writeFileSync(objects, `[${'{"a":0},'.repeat(5_000_000)}{"a":0}]`);
    const small = new ReportParser(readerFile(), { ...PARSE_LIMITS, memoryMb: 64 });
    await assert.rejects(small.report(objects), /^Error: objects\.json needs more than 64 MiB to read: not opened$/);
    const quick = new ReportParser(readerFile(), { ...PARSE_LIMITS, timeMs: 50 });
    await assert.rejects(quick.report(bomb), /^Error: bomb\.parprof\.gz took more than 50 ms to read: stopped/);
    assert.equal(small.inFlight + quick.inFlight, 0);
  });

  it('opens and closes 50 reports in a row with the extension host\'s memory flat', async function () {
    this.timeout(600_000);
    const api_ = await api();
    await closeAllEditors();
    const folder = wsFile('.parprof');
    const recorded = fs.readdirSync(folder).filter((f) => f.endsWith('.parprof')).map((f) => path.join(folder, f));
    assert.ok(recorded.length > 0, 'no recorded report to copy');
    const source = recorded.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    const many = path.join(dir, 'many');
    fs.mkdirSync(many, { recursive: true });
    const files = Array.from({ length: 55 }, (_, i) => path.join(many, `r-${String(i).padStart(2, '0')}.parprof`));
    for (const f of files) fs.copyFileSync(source, f);
    const gc = exposedGc();
    const memory = () => {
      for (let i = 0; i < 3; i++) gc();
      const m = process.memoryUsage();
      return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, total: m.heapUsed + m.arrayBuffers };
    };
    const openClose = async (file: string) => {
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEWS.reportEditor);
      await waitFor(`${path.basename(file)} in its view`, () => api_.webviews().find((w) => w.file === file && w.showing === 'report' && w.initSent), 60_000);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === file);
      await vscode.window.tabGroups.close(tabs);
      await waitFor(`${path.basename(file)} closed`, () => !api_.webviews().some((w) => w.file === file));
    };
    // Five first: the session's recent reports (at most 4) and VS Code's own first-use state fill up.
    for (const f of files.slice(0, 5)) await openClose(f);
    const base = memory();
    const samples: number[] = [];
    for (const [i, f] of files.slice(5).entries()) {
      await openClose(f);
      if ((i + 1) % 10 === 0) samples.push(memory().total);
    }
    const end = memory();
    // One report as the host holds it: loaded once more and kept, to size the bound.
    const held = await new ReportParser(readerFile()).report(source);
    const withOne = memory();
    const oneReport = Math.max(0, withOne.total - end.total);
    // The held copy is the report (and stays alive until here): the same spans and threads as the file read again.
    const again = parseReport(fs.readFileSync(source));
    assert.deepEqual([held.report.spans.count, held.report.threads.length], [again.spans.count, again.threads.length]);
    const growth = end.total - base.total;
    // Flat: over 50 reports the host may keep at most what it keeps by design (the session's 4
    // recent reports were already full at `base`), plus 2 MiB for VS Code's own per-editor
    // bookkeeping (editor history, closed-tab entries: 50 URIs); one leaked report each would be 50 × oneReport.
    const bound = 2 * oneReport + 2 * 2 ** 20;
    const mib = (b: number) => +(b / 2 ** 20).toFixed(2);
    measured.fiftyReports = {
      report: path.basename(source), reportFileBytes: fs.statSync(source).size, oneReportInHostMiB: mib(oneReport),
      baseMiB: { heapUsed: mib(base.heapUsed), arrayBuffers: mib(base.arrayBuffers) }, endMiB: { heapUsed: mib(end.heapUsed), arrayBuffers: mib(end.arrayBuffers) },
      everyTenMiB: samples.map(mib), growthMiB: mib(growth), boundMiB: mib(bound),
    };
    console.log(`50 reports: ${JSON.stringify(measured.fiftyReports)}`);
    assert.ok(growth <= bound, `the host grew ${mib(growth)} MiB over 50 reports (bound ${mib(bound)} MiB; one report ${mib(oneReport)} MiB)`);
  });
});
