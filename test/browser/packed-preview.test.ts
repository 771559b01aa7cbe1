// A large report's first screen in a real Chromium under the webview's own CSP: while the file is
// still arriving, the reader's preview (src/model/report-preview.ts, posted by the host) is drawn
// at once as the timeline's lanes, named as the timeline names them, with the model's task counts,
// an activity strip per lane and how much of the file has arrived (role=status); the report itself
// replaces it once decoded and validated. A preview that comes after the report, or after the
// reader's `invalid`, is not drawn.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport } from '../../src/model/packed-report';
import { reportPreview } from '../../src/model/report-preview';
import { launch, screenshot, type Browser, webviewPage } from './browser';

let b: Browser;
before(async () => { b = await launch(['--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,BlockInsecurePrivateNetworkRequests']); });
after(async () => { await b.close(); });

const report = syntheticReport({ threads: 5, spans: 150_000, profiles: 2, samplesPerProfile: 2000, seed: 11 });
const bytes = gzipSync(packReport(report), { level: 1 });
const sha256 = createHash('sha256').update(bytes).digest('hex');
const preview = reportPreview(report, 600);
/** The preview as it can be handed to page.evaluate (plain arrays), rebuilt there with Uint8Arrays. */
const plainPreview = { ...preview, lanes: preview.lanes.map((l) => ({ ...l, busy: [...l.busy] })) };

type Posted = { type: string; [k: string]: unknown };
const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);

function modelLanes(): number[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < report.spans.count; k++) counts.set(report.spans.thread[k], (counts.get(report.spans.thread[k]) ?? 0) + 1);
  return report.threads.map((t) => t.id).sort((x, y) => x - y).map((id) => counts.get(id) ?? 0);
}

async function firstPosted(page: Page, check: (m: Posted) => boolean): Promise<Posted> {
  for (let k = 0; k < 1200; k++) {
    const m = (await posted(page)).find(check);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing posted of that kind: ${JSON.stringify((await posted(page)).map((m) => m.type))}`);
}

async function postPreview(page: Page): Promise<void> {
  await page.evaluate((p) => window.postMessage({ type: 'preview', preview: { ...p, lanes: p.lanes.map((l) => ({ ...l, busy: new Uint8Array(l.busy) })) } }, '*'), plainPreview);
}

/** A webview page fetching the file from a local server that sends its first half and holds the rest until `release()`. */
async function pacedPage(): Promise<{ page: Page; release: () => void; close: () => Promise<void> }> {
  let held: ServerResponse | undefined;
  let go: () => void = () => undefined;
  const released = new Promise<void>((r) => { go = r; });
  const half = bytes.byteLength >> 1;
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') { res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Private-Network': 'true' }); res.end(); return; }
    held = res;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Access-Control-Allow-Origin': '*' });
    res.write(bytes.subarray(0, half));
    void released.then(() => res.end(bytes.subarray(half)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { page } = await webviewPage(b, { consoleErrors: false, extraSource: origin });
  await page.evaluate(({ url, size, hash }) => window.postMessage({ type: 'init-packed-url', url, bytes: size, sha256: hash, gzipped: true, validationFollows: true, metricsFollow: false, options: { view: 'timeline' } }, '*'),
    { url: `${origin}/run.parprof`, size: bytes.byteLength, hash: sha256 });
  await page.waitForFunction(() => ((window as unknown as { __parprofFetch?: { relayed: number } }).__parprofFetch?.relayed ?? 0) > 0, null, { timeout: 120_000, polling: 50 });
  return { page, release: go, close: async () => { await page.close(); held?.destroy(); server.close(); } };
}

test('the preview is drawn while the file arrives: the timeline\'s lanes and task counts, a strip each, how much has come; then the report replaces it', async () => {
  const { page, release, close } = await pacedPage();
  try {
    await postPreview(page);
    const drawn = await firstPosted(page, (m) => m.type === 'drawn' || m.type === 'error');
    assert.equal(drawn.type, 'drawn', JSON.stringify(drawn).slice(0, 300));
    assert.equal(drawn.stage, 'preview');
    assert.deepEqual(drawn.laneTasks, modelLanes());
    assert.ok((drawn.paintedPixels as number) > 0, 'the strips are blank');
    const lanes = await page.$$eval('#preview-lanes li', (items) => items.map((li) => li.textContent));
    const names = [...report.threads].sort((x, y) => x.id - y.id).map((t) => t.name);
    assert.deepEqual(lanes, names.map((n, k) => `${n} · ${modelLanes()[k].toLocaleString('en-US')} tasks`));
    assert.match((await page.$eval('[role="status"]', (e) => e.textContent))!, /^loading the detail: \d+ % fetched$/);
    // Half the file comes (the server holds the rest back), and the status says so.
    await page.waitForFunction(() => /^loading the detail: (49|50) % fetched$/.test(document.querySelector('[role="status"]')?.textContent ?? ''), null, { timeout: 60_000, polling: 100 });
    await screenshot(page, 'packed-preview');
    release();
    await page.evaluate(() => window.postMessage({ type: 'validated' }, '*'));
    const full = await firstPosted(page, (m) => m.type === 'drawn' && m.stage === 'full');
    assert.deepEqual(full.laneTasks, modelLanes());
    assert.equal(await page.$('#preview-lanes'), null, 'the preview stays after the report is drawn');
  } finally {
    await close();
  }
});

test('a preview after the reader\'s `invalid` is not drawn: the reason stays', async () => {
  const { page, close } = await pacedPage();
  try {
    await page.evaluate(() => window.postMessage({ type: 'invalid', message: 'spans.end[7]: 1 is before start 2' }, '*'));
    await firstPosted(page, (m) => m.type === 'error');
    await postPreview(page);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.deepEqual((await posted(page)).map((m) => m.type), ['ready', 'error']);
    assert.equal(await page.$('#preview-lanes'), null);
    assert.match((await page.$eval('.pp-error-box', (e) => e.textContent))!, /spans\.end\[7\]: 1 is before start 2/);
  } finally {
    await close();
  }
});
