// A million-span report as a recording writes it (JSON: up to PACK_SPANS_ABOVE spans), opened in
// the report editor: the reader parses and validates it in its process and, the report being above
// PACKED_VIEW_ABOVE spans, packs and gzips it; the host posts those bytes (`init-packed`), the
// webview decodes them in its worker, and the timeline draws every lane with the tasks the
// generator put on that thread; the reader's preview is drawn first, while it packs. The steps from open to drawn are measured, not checked
// (the machine may be loaded): test-artifacts/vscode-json-report-<spans>.json.
// PARPROF_VSCODE_JSON_SPANS sets the size (default 1,000,000: the views benchmark's report).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VIEWS } from '../../../src/extension/surface';
import { PACKED_VIEW_ABOVE } from '../../../src/extension/reportParser';
import { PACK_SPANS_ABOVE } from '../../../src/runner/write-report';
import { api, closeAllEditors, waitFor, wsFile } from './util';

interface Truth { file: string; spans: number; bytes: number; ms: number; laneTasks: number[] }

/** Makes the report in a process of its own (big-report.harness.js: the writer a recording uses). */
function generate(file: string, spans: number): Promise<Truth> {
  const script = path.join(__dirname, '..', 'big-report.harness.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8000', script, file, String(spans)], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Truth) : reject(new Error(`big-report.harness.js exited ${code}: ${out.slice(-500)}`))));
  });
}

describe('A million-span JSON report', () => {
  const spans = Number(process.env.PARPROF_VSCODE_JSON_SPANS ?? 1_000_000);
  const dir = wsFile('json-large');
  let truth: Truth;

  before(async function () {
    this.timeout(300_000);
    fs.mkdirSync(dir, { recursive: true });
    truth = await generate(path.join(dir, `json-${spans}.parprof`), spans);
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is packed and gzipped by its reader and decoded in the webview\'s worker: every lane lists its thread\'s tasks; open → sent → drawn measured', async function () {
    this.timeout(300_000);
    assert.ok(truth.spans <= PACK_SPANS_ABOVE && truth.spans > PACKED_VIEW_ABOVE, `JSON, and packed for the view: ${PACKED_VIEW_ABOVE} < ${truth.spans} ≤ ${PACK_SPANS_ABOVE}`);
    assert.equal(fs.readFileSync(truth.file).subarray(0, 1).toString(), '{', 'written as JSON, as a recording of this size is');
    const api_ = await api();
    await closeAllEditors();
    const t0 = Date.now();
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(truth.file), VIEWS.reportEditor);
    const status = await waitFor('the report view to say it drew', () => api_.webviews().find((w) => w.file === truth.file && (w.drawn || w.error || w.showing === 'failed')), 280_000);
    assert.notEqual(status.showing, 'failed', status.text);
    assert.equal(status.error, undefined, 'the webview reported an error');
    // Not fetched (a JSON file is not what the webview decodes): the reader's packed bytes, gzipped, about a fifth of the file.
    assert.equal(status.sentAs, 'init-packed');
    assert.ok(status.sentBytes! > 0 && status.sentBytes! < truth.bytes / 4, `${status.sentBytes} bytes sent for a ${truth.bytes}-byte file`);
    const drawn = status.drawn!;
    assert.equal(drawn.via, 'init-packed');
    assert.equal(drawn.decodedIn, 'worker');
    assert.equal(drawn.view, 'timeline');
    assert.deepEqual(drawn.laneTasks, truth.laneTasks);
    assert.ok(drawn.paintedPixels > 0, 'the timeline canvas is blank');
    // Its first screen while the reader packed it (`report-coming`, then the reader's preview): every lane's tasks.
    const preview = status.previewDrawn;
    assert.ok(preview, 'no preview was drawn before the report');
    assert.deepEqual(preview.laneTasks, truth.laneTasks);
    assert.ok(preview.paintedPixels > 0, 'the preview\'s strips are blank');
    assert.ok(preview.at <= drawn.at);
    const metricsSentAt = await waitFor('the report\'s metrics to follow', () => api_.webviews().find((w) => w.file === truth.file)?.metricsSentAt, 120_000);
    const dirOut = process.env.PARPROF_TEST_ARTIFACTS;
    if (dirOut) {
      fs.mkdirSync(dirOut, { recursive: true });
      fs.writeFileSync(path.join(dirOut, `vscode-json-report-${truth.spans}.json`), JSON.stringify({
        date: new Date().toISOString(), spans: truth.spans, fileMiB: +(truth.bytes / 2 ** 20).toFixed(1),
        sentAs: status.sentAs, sentMiB: +(status.sentBytes! / 2 ** 20).toFixed(1), previewDrawnMs: preview.at - t0, openToSentMs: status.sentAt! - t0, sentToDrawnMs: drawn.at - status.sentAt!, openToDrawnMs: drawn.at - t0, metricsSentAfterOpenMs: metricsSentAt - t0,
        webviewStepsAfterOpenMs: Object.fromEntries(Object.entries(drawn.steps ?? {}).map(([k, v]) => [k, v - t0])),
        note: 'open = vscode.openWith from the extension host; sent = the host posted `init-packed` (the reader has read, parsed, validated, packed and gzipped the JSON file); drawn = the webview\'s `drawn` message received by the host; the metrics follow from the reader',
        load: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
      }, null, 2) + '\n');
    }
  });
});
