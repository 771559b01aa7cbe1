// A large report the host's reader is still validating (`init-packed-url` with validationFollows),
// in a real Chromium under the webview's own CSP: the page fetches and decodes the file meanwhile
// but draws nothing of it until the host says `validated`; told `invalid`, it shows the reader's
// one line and never the report, and stops fetching a file still arriving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport } from '../../src/model/packed-report';
import { launch, type Browser, WEBVIEW_RESOURCES, webviewPage } from './browser';

let b: Browser;
before(async () => { b = await launch(['--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,BlockInsecurePrivateNetworkRequests']); });
after(async () => { await b.close(); });

const FILE_URL = `${WEBVIEW_RESOURCES}/reports/run.parprof`;
const report = syntheticReport({ threads: 4, spans: 120_000, profiles: 2, samplesPerProfile: 2000, seed: 9 });
const bytes = gzipSync(packReport(report), { level: 1 });
const sha256 = createHash('sha256').update(bytes).digest('hex');
/** What a reader says of a report with a span that ends before it starts (the webview's own checks do not read values). */
const REASON = 'spans.end[1234]: 5 is before start 10';

type Posted = { type: string; [k: string]: unknown };
const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);

function modelLanes(): number[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < report.spans.count; k++) counts.set(report.spans.thread[k], (counts.get(report.spans.thread[k]) ?? 0) + 1);
  return report.threads.map((t) => t.id).sort((x, y) => x - y).map((id) => counts.get(id) ?? 0);
}

/** A webview page told to fetch the file (served whole) while the reader validates it; resolves once the worker has decoded it. */
async function decodedUnvalidated(): Promise<Page> {
  const { page } = await webviewPage(b, { routes: (p) => p.route(FILE_URL, (r) => r.fulfill({ body: bytes, contentType: 'application/octet-stream', headers: { 'Access-Control-Allow-Origin': '*' } })) });
  await page.evaluate(({ url, size, hash }) => window.postMessage({ type: 'init-packed-url', url, bytes: size, sha256: hash, gzipped: true, validationFollows: true, options: { view: 'timeline' } }, '*'),
    { url: FILE_URL, size: bytes.byteLength, hash: sha256 });
  // Waits on the page, not on time: until the report is decoded (the page's mark) and would be drawn but for the verdict.
  await page.waitForFunction(() => performance.getEntriesByName('parprof:decoded').length > 0, null, { timeout: 120_000, polling: 50 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page;
}

async function firstPosted(page: Page, types: string[]): Promise<Posted> {
  await page.waitForFunction((t) => (window as unknown as { __posted: Posted[] }).__posted.some((m) => t.includes(m.type)), types, { timeout: 120_000, polling: 100 });
  return (await posted(page)).find((m) => types.includes(m.type))!;
}

test('decoded before the reader validated it: nothing drawn until `validated`, then every lane', async () => {
  const page = await decodedUnvalidated();
  assert.deepEqual((await posted(page)).map((m) => m.type), ['ready'], 'nothing shown before the reader validated it');
  assert.equal(await page.$('#timeline-lanes'), null);
  await page.evaluate(() => window.postMessage({ type: 'validated' }, '*'));
  const drawn = await firstPosted(page, ['drawn', 'error']);
  assert.equal(drawn.type, 'drawn', JSON.stringify(drawn).slice(0, 300));
  assert.equal(drawn.fetched, true);
  assert.deepEqual(drawn.laneTasks, modelLanes());
  await page.close();
});

test('decoded, then `invalid`: the reader\'s one line, never the timeline', async () => {
  const page = await decodedUnvalidated();
  await page.evaluate((message) => window.postMessage({ type: 'invalid', message }, '*'), REASON);
  const error = await firstPosted(page, ['drawn', 'error']);
  assert.equal(error.type, 'error', JSON.stringify(error).slice(0, 300));
  assert.equal(error.message, REASON);
  assert.match((await page.$eval('.pp-error-box', (e) => e.textContent))!, /spans\.end\[1234\]: 5 is before start 10/);
  assert.equal(await page.$('#timeline-lanes'), null);
  // A `validated` that came late (it cannot, from the host: it sends one verdict) shows nothing either.
  await page.evaluate(() => window.postMessage({ type: 'validated' }, '*'));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.deepEqual((await posted(page)).map((m) => m.type), ['ready', 'error']);
  await page.close();
});

test('`invalid` while the file is still arriving: the reader\'s one line at once, and the fetch stops', async () => {
  let held: ServerResponse | undefined;
  let closed = false;
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') { res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Private-Network': 'true' }); res.end(); return; }
    held = res;
    res.on('close', () => { closed = true; });
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Access-Control-Allow-Origin': '*' });
    // Half the file, and never the rest.
    res.write(bytes.subarray(0, bytes.byteLength >> 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { page } = await webviewPage(b, { consoleErrors: false, extraSource: origin });
  try {
    await page.evaluate(({ url, size, hash }) => window.postMessage({ type: 'init-packed-url', url, bytes: size, sha256: hash, gzipped: true, validationFollows: true, options: { view: 'timeline' } }, '*'),
      { url: `${origin}/run.parprof`, size: bytes.byteLength, hash: sha256 });
    await page.waitForFunction(() => ((window as unknown as { __parprofFetch?: { relayed: number } }).__parprofFetch?.relayed ?? 0) > 0, null, { timeout: 120_000, polling: 50 });
    await page.evaluate((message) => window.postMessage({ type: 'invalid', message }, '*'), REASON);
    const error = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
    assert.equal(error.type, 'error', JSON.stringify(error).slice(0, 300));
    assert.equal(error.message, REASON);
    // The page let the connection go (the server sees it closed), and asked the host for nothing.
    for (let k = 0; k < 100 && !closed; k++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(closed, 'the fetch of a report found not valid is stopped');
    assert.deepEqual((await posted(page)).map((m) => m.type), ['ready', 'error']);
  } finally {
    await page.close();
    held?.destroy();
    server.close();
  }
});
