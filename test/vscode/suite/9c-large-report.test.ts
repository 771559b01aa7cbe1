// A large report (issue 11 item 7): a packed file above PACKED_VIEW_ABOVE spans (a recording is
// written packed above PACK_SPANS_ABOVE) is sent to the report view as the file's address
// (`init-packed-url`), which the webview fetches as a resource, checks against the SHA-256 the
// report reader validated, and decodes in a Web Worker; the extension host neither decodes the
// report nor carries its bytes. The test opens a generated report of a little over PACK_SPANS_ABOVE
// spans and checks what the webview says it drew: the timeline, every lane with the
// tasks the generator put on its thread. Times and memory are measured, not checked: they go to
// test-artifacts/vscode-large-report-<spans>.json. PARPROF_VSCODE_LARGE_SPANS=10000000 measures ten
// million spans (PARPROF_VSCODE_LARGE_REPORT names a report made already by big-report.harness.js).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VIEWS } from '../../../src/extension/surface';
import { PACKED_VIEW_ABOVE, WINDOW_SPANS } from '../../../src/extension/reportParser';
import { PACK_SPANS_ABOVE } from '../../../src/runner/write-report';
import { api, closeAllEditors, waitFor, workspaceRoot, wsFile } from './util';

interface Truth { file: string; spans: number; bytes: number; ms: number; laneTasks: number[]; headline: string[] }

/** Makes the report in a process of its own (gigabytes at 10M spans: not the host's); `harness`: which writes it. */
function generate<T = Truth>(file: string, spans: number, harness = 'big-report.harness.js', more: string[] = []): Promise<T> {
  const script = path.join(__dirname, '..', harness);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=12000', script, file, String(spans), ...more], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as T) : reject(new Error(`${harness} exited ${code}: ${out.slice(-500)}`))));
  });
}

/** Resident set of a process, MiB (undefined once it is gone). */
function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time a process has used so far (user + system, all its threads), ms; undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Every process under `root` (children, grandchildren...), from /proc. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c); } };
  walk(root);
  return out;
}

/**
 * The renderer processes of the browser the harness started for this workbench (its profile is
 * in the harness's scratch folder, beside the workspace): the workbench and its webviews run in them.
 */
function rendererPids(): number[] {
  const scratch = path.dirname(workspaceRoot());
  const browsers = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)
    .filter((pid) => { const c = cmdline(pid); return c.includes(`--user-data-dir=${scratch}`) && !c.includes('--type='); });
  return browsers.flatMap(descendants).filter((pid) => cmdline(pid).includes('--type=renderer'));
}

function writeArtifact(name: string, value: unknown): void {
  const dir = process.env.PARPROF_TEST_ARTIFACTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
}

const MiB = 2 ** 20;

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('parallelProfiler');
}

/** The tasks that overlap a window of `file`, counted by brute force in a process of its own (window-truth.harness.ts). */
function windowTruth(file: string, from: number, to: number): Promise<{ spans: number; laneTasks: number[] }> {
  return generate<{ spans: number; laneTasks: number[] }>(file, from, 'window-truth.harness.js', [String(to)]);
}

describe('A large report', () => {
  // Just above what a recording writes packed: the file is packed, as such a recording's is.
  const spans = Number(process.env.PARPROF_VSCODE_LARGE_SPANS ?? Math.round(PACK_SPANS_ABOVE * 1.1));
  const dir = wsFile('large');
  let file = process.env.PARPROF_VSCODE_LARGE_REPORT ?? path.join(dir, `large-${spans}.parprof`);
  let truth: Truth;
  /** A packed report just above PACK_SPANS_ABOVE spans with one span ending before it starts, and the reader's one line for it. */
  let flawed: { file: string; reason: string };

  before(async function () {
    this.timeout(300_000);
    fs.mkdirSync(dir, { recursive: true });
    flawed = await generate(path.join(dir, 'flawed.parprof'), Math.round(PACK_SPANS_ABOVE * 1.05), 'flawed-report.harness.js');
    if (process.env.PARPROF_VSCODE_LARGE_REPORT) {
      truth = JSON.parse(fs.readFileSync(`${file}.truth.json`, 'utf8')) as Truth;
      file = truth.file;
    } else {
      truth = await generate(file, spans);
    }
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // First: its memory is measured before the whole report has been in the webview.
  it('above parallelProfiler.windowAboveSpans it opens a window at a time: the reader keeps the report, every lane lists the window\'s tasks, Later and Earlier move it, closing ends the reader', async function () {
    this.timeout(300_000);
    const api_ = await api();
    await closeAllEditors();
    // The default (3M) windows the ten-million measurement; the suite's report is just above PACK_SPANS_ABOVE.
    const above = Math.min(truth.spans - 1, 3_000_000);
    await config().update('windowAboveSpans', above, vscode.ConfigurationTarget.Workspace);
    const readers = () => descendants(process.pid).filter((pid) => cmdline(pid).includes('report-parser.js'));
    const renderers = rendererPids();
    const before = renderers.map((pid) => rssMiB(pid) ?? 0);
    const peak = { parserRss: 0, renderers: renderers.map(() => 0) };
    const sample = () => {
      for (const pid of readers()) peak.parserRss = Math.max(peak.parserRss, rssMiB(pid) ?? 0);
      renderers.forEach((pid, k) => { peak.renderers[k] = Math.max(peak.renderers[k], rssMiB(pid) ?? 0); });
    };
    const sampler = setInterval(sample, 250);
    const t0 = Date.now();
    try {
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEWS.reportEditor);
      const status = await waitFor('the windowed view to say it drew', () => api_.webviews().find((w) => w.file === file && (w.drawn || w.error || w.showing === 'failed')), 280_000);
      sample();
      const toDrawn = { parserRss: peak.parserRss, renderers: [...peak.renderers] };
      assert.notEqual(status.showing, 'failed', status.text);
      assert.equal(status.error, undefined, 'the webview reported an error');
      assert.equal(status.sentAs, 'init-windowed');
      const first = status.window!;
      const drawn = status.drawn!;
      assert.equal(drawn.stage, 'slice');
      assert.equal(drawn.view, 'timeline');
      assert.ok(drawn.paintedPixels > 0, 'the timeline canvas is blank');
      // The whole run's preview first, then the first window, from the run's start, about WINDOW_SPANS tasks.
      assert.deepEqual(status.previewTasks, truth.laneTasks);
      assert.equal(first.totalSpans, truth.spans);
      assert.equal(first.from, first.runFrom);
      assert.ok(first.to < first.runTo, 'the first window is the whole run');
      assert.equal(first.budget, WINDOW_SPANS);
      // Every lane lists exactly the tasks that overlap the window, counted over the whole file elsewhere.
      const truth1 = await windowTruth(file, first.from, first.to);
      assert.equal(first.spans, truth1.spans);
      assert.deepEqual(drawn.laneTasks, truth1.laneTasks);
      assert.ok(truth1.spans > WINDOW_SPANS / 2 && truth1.spans < WINDOW_SPANS * 2, `${truth1.spans} tasks in the first window`);
      // The reader stays to cut the next windows; the whole run's metrics follow the first.
      assert.equal(readers().length, 1, 'the windowed view\'s reader is not running');
      const metricsSentAt = await waitFor('the whole run\'s metrics', () => api_.webviews().find((w) => w.file === file)?.metricsSentAt, 120_000);
      sample();
      // The reader computes them after the first window, holding the report: its peak of all is here.
      const toMetrics = { parserRss: peak.parserRss, renderers: [...peak.renderers] };
      assert.equal(api_.webviews().find((w) => w.file === file)?.answersMismatch, undefined);
      // Later: the window that starts where the first ends.
      const at1 = drawn.at;
      const asked = Date.now();
      status.askWindow!({ from: first.to });
      const later = await waitFor('the next window drawn', () => api_.webviews().find((w) => w.file === file && (w.error || (w.drawn && w.drawn.at > at1))), 120_000);
      assert.equal(later.error, undefined);
      const second = later.window!;
      assert.equal(second.from, first.to);
      const truth2 = await windowTruth(file, second.from, second.to);
      assert.equal(second.spans, truth2.spans);
      assert.deepEqual(later.drawn!.laneTasks, truth2.laneTasks);
      // Earlier: the window that ends where the second starts.
      const at2 = later.drawn!.at;
      later.askWindow!({ to: second.from });
      const earlier = await waitFor('the window before drawn', () => api_.webviews().find((w) => w.file === file && (w.error || (w.drawn && w.drawn.at > at2))), 120_000);
      assert.equal(earlier.window!.to, second.from);
      assert.deepEqual(earlier.drawn!.laneTasks, (await windowTruth(file, earlier.window!.from, earlier.window!.to)).laneTasks);
      writeArtifact(`vscode-windowed-report-${truth.spans}.json`, {
        date: new Date().toISOString(), spans: truth.spans, fileMiB: +(truth.bytes / MiB).toFixed(1), threads: truth.laneTasks.length,
        windowAboveSpans: above, firstWindow: first,
        previewDrawnMs: status.previewDrawn ? status.previewDrawn.at - t0 : undefined,
        openToValidatedMs: status.validatedAt !== undefined ? status.validatedAt - t0 : undefined,
        // The first window came from the reader and was posted to the webview (the host's clock).
        openToWindowSentMs: first && status.windowSentAt !== undefined ? status.windowSentAt - t0 : undefined,
        openToWindowDrawnMs: drawn.at - t0,
        // Asked once the metrics came (the reader answers requests after them).
        nextWindowDrawnMs: later.drawn!.at - asked,
        webviewStepsAfterOpenMs: Object.fromEntries(Object.entries(drawn.steps ?? {}).map(([k, v]) => [k, v - t0])),
        parserPeakRssMiB: Math.round(toDrawn.parserRss),
        rendererRssMiB: renderers.map((pid, k) => ({ pid, before: Math.round(before[k]), peak: Math.round(toDrawn.renderers[k]) })),
        openToMetricsSentMs: metricsSentAt - t0,
        untilMetrics: { parserPeakRssMiB: Math.round(toMetrics.parserRss), rendererPeakRssMiB: toMetrics.renderers.map(Math.round) },
        note: 'open = vscode.openWith; windowDrawn = the webview\'s `drawn` message for the first window (stage slice) received by the host; memory peaks sampled every 250 ms from open to that draw (parser = the report reader, which keeps the report; renderer = the browser renderer processes), and on until the whole run\'s metrics were sent (untilMetrics)',
        load: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
      });
      // Closing the view ends its reader (it held the report).
      await closeAllEditors();
      await waitFor('the reader to end with its view', () => readers().length === 0 || undefined, 30_000);
    } finally {
      clearInterval(sampler);
      await config().update('windowAboveSpans', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('opens packed: the webview decodes it in its worker and the timeline draws every lane', async function () {
    this.timeout(300_000);
    assert.ok(truth.spans > PACKED_VIEW_ABOVE, `the report must be above ${PACKED_VIEW_ABOVE} spans, it has ${truth.spans}`);
    const api_ = await api();
    await closeAllEditors();
    // Shown whole, however large (ten million spans open a window at a time by default: the next test).
    await config().update('windowAboveSpans', 1e12, vscode.ConfigurationTarget.Workspace);
    const renderers = rendererPids();
    const baseline = { host: process.memoryUsage(), renderers: renderers.map((pid) => rssMiB(pid) ?? 0) };
    const peak = { hostHeapUsed: 0, hostRss: 0, hostArrayBuffers: 0, parserRss: 0, parserCpuMs: 0, renderers: renderers.map(() => 0) };
    // CPU time from open to drawn: on a loaded machine the wall time says more about the other processes.
    const cpuBefore = { host: process.cpuUsage(), server: cpuMs(process.ppid) ?? 0, renderers: renderers.map((pid) => cpuMs(pid) ?? 0) };
    const sample = () => {
      const m = process.memoryUsage();
      peak.hostHeapUsed = Math.max(peak.hostHeapUsed, m.heapUsed);
      peak.hostRss = Math.max(peak.hostRss, m.rss);
      peak.hostArrayBuffers = Math.max(peak.hostArrayBuffers, m.arrayBuffers);
      for (const pid of descendants(process.pid)) {
        if (!cmdline(pid).includes('report-parser.js')) continue;
        peak.parserRss = Math.max(peak.parserRss, rssMiB(pid) ?? 0);
        peak.parserCpuMs = Math.max(peak.parserCpuMs, cpuMs(pid) ?? 0);
      }
      renderers.forEach((pid, k) => { peak.renderers[k] = Math.max(peak.renderers[k], rssMiB(pid) ?? 0); });
    };
    const sampler = setInterval(sample, 250);
    const t0 = Date.now();
    try {
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEWS.reportEditor);
      const status = await waitFor('the report view to say it drew', () => api_.webviews().find((w) => w.file === file && (w.drawn || w.error || w.showing === 'failed')), 280_000);
      sample();
      // The peaks from open to drawn (the sampler goes on while the test waits for the metrics and opens the report again).
      const toDrawn = { ...peak, renderers: [...peak.renderers] };
      const atDrawn = renderers.map((pid) => Math.round(rssMiB(pid) ?? 0));
      const host = process.cpuUsage(cpuBefore.host);
      const cpuToDrawn = { hostMs: Math.round((host.user + host.system) / 1000), serverMs: (cpuMs(process.ppid) ?? 0) - cpuBefore.server, renderersMs: renderers.map((pid, k) => (cpuMs(pid) ?? 0) - cpuBefore.renderers[k]),
        // The reader's CPU as last sampled before the draw.
        parserSampledMs: toDrawn.parserCpuMs };
      assert.notEqual(status.showing, 'failed', status.text);
      assert.equal(status.error, undefined, 'the webview reported an error');
      // Not carried by the host: the webview fetched the file itself (a resource of its folder) and
      // found the length and SHA-256 the reader validated.
      assert.equal(status.unfetched, undefined, 'the webview could not fetch the file');
      assert.equal(status.sentAs, 'init-packed-url');
      // The file's own bytes (packed and gzip-compressed by the writer), not a report decoded and packed again.
      assert.equal(status.sentBytes, truth.bytes);
      const drawn = status.drawn!;
      assert.equal(drawn.via, 'init-packed');
      assert.equal(drawn.fetched, true);
      assert.equal(drawn.decodedIn, 'worker');
      assert.equal(drawn.view, 'timeline');
      // One lane per thread, each listing the tasks the generator put on that thread.
      assert.deepEqual(drawn.laneTasks, truth.laneTasks);
      assert.ok(drawn.paintedPixels > 0, 'the timeline canvas is blank');
      // The reader's first screen, posted while the file was fetched: every lane with its planted
      // task count; drawn by the webview unless the report itself came first.
      assert.deepEqual(status.previewTasks, truth.laneTasks);
      const preview = status.previewDrawn;
      if (preview) {
        assert.deepEqual(preview.laneTasks, truth.laneTasks);
        assert.ok(preview.paintedPixels > 0, 'the preview\'s strips are blank');
        assert.ok(preview.at <= drawn.at);
        // Recorded by this version: the first screen also shows the headline numbers from the file's header, the model's.
        assert.deepEqual(preview.headline, truth.headline);
      }
      assert.equal(drawn.stage, 'full');
      // The reader said it validated the report before the webview showed it.
      assert.ok(status.validatedAt !== undefined && status.validatedAt <= drawn.at, 'drawn before the reader validated the report');
      // The reader sends the metrics after the bytes; the host passes them on.
      const metricsSentAt = (await waitFor('the report\'s metrics to follow the bytes', () => api_.webviews().find((w) => w.file === file)?.metricsSentAt, 120_000));
      // The header's answers were the report's own: nothing to warn of.
      assert.equal(api_.webviews().find((w) => w.file === file)?.answersMismatch, undefined);
      const mib = (b: number) => Math.round(b / MiB);
      writeArtifact(`vscode-large-report-${truth.spans}.json`, {
        date: new Date().toISOString(),
        sentAs: status.sentAs, spans: truth.spans, fileMiB: +(truth.bytes / MiB).toFixed(1), threads: truth.laneTasks.length,
        openToDrawnMs: drawn.at - t0,
        // The reader's preview drawn (undefined: the report itself was drawn first).
        previewDrawnMs: preview ? preview.at - t0 : undefined,
        // The report reader's part (read and hash the file: sent; validate it: validated), the
        // webview's (fetch and decode meanwhile, draw once validated); the metrics follow (the
        // reader analyses while the webview decodes).
        openToSentMs: status.sentAt! - t0, openToValidatedMs: status.validatedAt! - t0, sentToDrawnMs: drawn.at - status.sentAt!,
        metricsSentAfterOpenMs: metricsSentAt - t0,
        // The webview's steps (its parprof: marks: received = the message reached it), ms after open.
        webviewStepsAfterOpenMs: Object.fromEntries(Object.entries(drawn.steps ?? {}).map(([k, v]) => [k, v - t0])),
        note: 'open = vscode.openWith from the extension host; drawn = the webview\'s `drawn` message received by the host (decoded in its worker, lane indexes built, timeline painted); ' +
          'previewDrawn = its `drawn` message for the reader\'s preview (lanes, task counts, activity strips); validated = the host posted `validated` (the reader validated the whole report). ' +
          'Memory: peaks sampled every 250 ms from open to drawn; host = the extension host process (process.memoryUsage), parser = the report-parser child process, renderer = the browser renderer process(es) of the workbench and its webview (VmRSS)',
        hostHeapUsedMiB: { before: mib(baseline.host.heapUsed), peak: mib(toDrawn.hostHeapUsed) },
        hostArrayBuffersMiB: { before: mib(baseline.host.arrayBuffers), peak: mib(toDrawn.hostArrayBuffers) },
        hostRssMiB: { before: mib(baseline.host.rss), peak: mib(toDrawn.hostRss) },
        parserPeakRssMiB: Math.round(toDrawn.parserRss),
        cpuOpenToDrawnMs: { ...cpuToDrawn,
          note: 'CPU time (user + system) from open to drawn: the extension host; its parent (code-server\'s server, which relays messages to the browser); each renderer (its threads, the decoding worker included); the report reader as last sampled before the draw (every 250 ms)' },
        rendererRssMiB: renderers.map((pid, k) => ({ pid, before: Math.round(baseline.renderers[k]), peak: Math.round(toDrawn.renderers[k]), atDrawn: atDrawn[k] })),
        load: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
      });
      // Opened again (the panel closed first): drawn again, every lane. VS Code's service worker
      // keeps a whole-file GET of a resource in its Cache Storage and answers a second one from it
      // once the workbench says the file is unchanged (ETag): measured, not checked.
      await closeAllEditors();
      const t1 = Date.now();
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), VIEWS.reportEditor);
      const again = await waitFor('the report view opened again to say it drew', () => api_.webviews().find((w) => w.file === file && (w.error || (w.drawn && w.drawn.at > t1))), 280_000);
      assert.equal(again.error, undefined, 'the webview reported an error when opened again');
      assert.deepEqual(again.drawn!.laneTasks, truth.laneTasks);
      writeArtifact(`vscode-large-report-${truth.spans}-reopened.json`, {
        date: new Date().toISOString(), spans: truth.spans, openToDrawnMs: again.drawn!.at - t1,
        webviewStepsAfterOpenMs: Object.fromEntries(Object.entries(again.drawn!.steps ?? {}).map(([k, v]) => [k, v - t1])),
        load: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
      });
    } finally {
      clearInterval(sampler);
      await config().update('windowAboveSpans', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a large report with a flaw only the full validation finds: sent at once, then refused in the reader\'s one line, never drawn', async function () {
    this.timeout(300_000);
    const api_ = await api();
    await closeAllEditors();
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(flawed.file), VIEWS.reportEditor);
    const status = await waitFor('the report view to say why it is not shown', () => api_.webviews().find((w) => w.file === flawed.file && (w.drawn || w.error)), 280_000);
    // Sent before it was validated (the webview fetched and decoded it meanwhile)...
    assert.equal(status.sentAs, 'init-packed-url');
    // ... and refused in the reader's words, which the webview shows instead of the report.
    assert.equal(status.invalid, flawed.reason);
    assert.equal(status.showing, 'failed');
    assert.equal(status.error, flawed.reason);
    assert.equal(status.drawn, undefined, 'the webview drew a report its reader found not valid');
    assert.equal(status.validatedAt, undefined);
    // Windowed (read from the disk as it is decoded): refused in the same line, no window drawn, its reader gone.
    await closeAllEditors();
    await config().update('windowAboveSpans', PACKED_VIEW_ABOVE, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(flawed.file), VIEWS.reportEditor);
      const windowed = await waitFor('the windowed view to say why it is not shown', () => api_.webviews().find((w) => w.file === flawed.file && (w.drawn || w.error)), 280_000);
      assert.equal(windowed.sentAs, 'init-windowed');
      assert.equal(windowed.invalid, flawed.reason);
      assert.equal(windowed.error, flawed.reason);
      assert.equal(windowed.drawn, undefined, 'a window of a report its reader found not valid was drawn');
      assert.equal(windowed.windowsSent, undefined);
      await waitFor('the refused report\'s reader to end', () => descendants(process.pid).every((pid) => !cmdline(pid).includes('report-parser.js')) || undefined, 30_000);
    } finally {
      await config().update('windowAboveSpans', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
