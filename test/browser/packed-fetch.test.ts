// The host's `init-packed-url` in a real Chromium, under the webview's own CSP: the page fetches
// the report file as a webview resource and draws it only if it is the length and SHA-256 the
// host's report reader validated; a file that changed since is refused in one line, and one that
// cannot be fetched makes the page ask the host for the bytes (`packed-unfetched`). The file goes
// to the decoder's worker part by part as it arrives and is inflated meanwhile (a local server
// holds back the second half until the page says the worker inflated some of the first).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport } from '../../src/model/packed-report';
import { launch, type Browser, WEBVIEW_RESOURCES, webviewPage as sharedWebviewPage } from './browser';

let b: Browser;
// Local network access checks off: the paced tests fetch from a server on 127.0.0.1 (a webview's
// resources come from VS Code's service worker; here a local server paces the file's parts).
before(async () => { b = await launch(['--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,BlockInsecurePrivateNetworkRequests']); });
after(async () => { await b.close(); });

const FILE_URL = `${WEBVIEW_RESOURCES}/reports/run.parprof`;

const report = syntheticReport({ threads: 4, spans: 120_000, profiles: 2, samplesPerProfile: 2000, seed: 5 });
const bytes = gzipSync(packReport(report), { level: 1 });
const sha256 = createHash('sha256').update(bytes).digest('hex');

/** Task count per thread id, in the timeline's lane order (threads by id), from the model. */
function modelLanes(): number[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < report.spans.count; k++) counts.set(report.spans.thread[k], (counts.get(report.spans.thread[k]) ?? 0) + 1);
  return report.threads.map((t) => t.id).sort((x, y) => x - y).map((id) => counts.get(id) ?? 0);
}

type Posted = { type: string; [k: string]: unknown };

/** A page as VS Code hosts the webview (its CSP), serving `file` (or a status) at FILE_URL as VS Code's resource loader does. */
async function webviewPage(file: Buffer | number): Promise<{ page: Page; errors: string[] }> {
  // Console errors are not counted: Chromium logs the 404 test's failed fetch.
  const { page, errors } = await sharedWebviewPage(b, { consoleErrors: false, routes: (p) =>
    // VS Code's service worker answers resource requests with these headers (a cross-origin fetch from the webview's page).
    p.route(FILE_URL, (r) => r.fulfill(typeof file === 'number'
      ? { status: file, body: 'Not Found', headers: { 'Access-Control-Allow-Origin': '*' } }
      : { body: file, contentType: 'application/octet-stream', headers: { 'Access-Control-Allow-Origin': '*' } })) });
  await page.evaluate(({ url, size, hash }) => window.postMessage({ type: 'init-packed-url', url, bytes: size, sha256: hash, gzipped: true, options: { view: 'timeline' } }, '*'),
    { url: FILE_URL, size: bytes.byteLength, hash: sha256 });
  return { page, errors };
}

/** The first message the page posted of one of `types`. */
async function firstPosted(page: Page, types: string[]): Promise<Posted> {
  await page.waitForFunction((t) => (window as unknown as { __posted: Posted[] }).__posted.some((m) => t.includes(m.type)), types, { timeout: 120_000, polling: 100 });
  return page.evaluate((t) => (window as unknown as { __posted: Posted[] }).__posted.find((m) => t.includes(m.type))!, types);
}

test('the file the reader validated is fetched, checked and drawn: every lane', async () => {
  const { page, errors } = await webviewPage(bytes);
  const drawn = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
  assert.equal(drawn.type, 'drawn', `posted ${JSON.stringify(drawn).slice(0, 300)}; errors: ${errors.join('; ')}`);
  assert.equal(drawn.via, 'init-packed');
  assert.equal(drawn.fetched, true);
  assert.deepEqual(drawn.laneTasks, modelLanes());
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file that changed since it was validated (same length, one byte differs) is refused in one line', async () => {
  const changed = Buffer.from(bytes);
  changed[changed.length - 20] ^= 0xff;
  const { page } = await webviewPage(changed);
  const error = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
  assert.equal(error.type, 'error');
  assert.equal(error.message, 'the report file changed after it was read (its SHA-256 differs): reopen it');
  assert.match((await page.$eval('.pp-error-box', (e) => e.textContent))!, /changed after it was read/);
  await page.close();
});

test('a file that cannot be fetched makes the page ask the host for the bytes', async () => {
  const { page } = await webviewPage(404);
  const asked = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
  assert.equal(asked.type, 'packed-unfetched');
  assert.match(String(asked.reason), /^HTTP 404/);
  await page.close();
});

/**
 * A local server for the file: it sends `first` bytes of `body`, then waits for `release()`
 * before the rest (or cuts the connection there with `cut`); the page's CSP allows its origin.
 */
async function pacedPage(body: Buffer, first: number, cut = false): Promise<{ page: Page; release: () => void; close: () => void }> {
  let held: ServerResponse | undefined;
  let go: () => void = () => undefined;
  const released = new Promise<void>((r) => { go = r; });
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') { res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Private-Network': 'true' }); res.end(); return; }
    held = res;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.byteLength, 'Access-Control-Allow-Origin': '*' });
    res.write(body.subarray(0, first));
    void released.then(() => { if (cut) res.destroy(); else res.end(body.subarray(first)); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { page } = await sharedWebviewPage(b, { consoleErrors: false, extraSource: origin });
  await page.evaluate(({ url, size, hash }) => window.postMessage({ type: 'init-packed-url', url, bytes: size, sha256: hash, gzipped: true, options: { view: 'timeline' } }, '*'),
    { url: `${origin}/run.parprof`, size: bytes.byteLength, hash: sha256 });
  return { page, release: go, close: () => { held?.destroy(); server.close(); } };
}

type FetchProgress = { relayed: number; inflatedWhileFetching: number; columnsWhileFetching: number; lanesWhileFetching: boolean; done: boolean };

test('the file is inflated as it arrives: the worker inflates the first half while the second is held back, then every lane is drawn', async () => {
  const half = Math.floor(bytes.byteLength / 2);
  const { page, release, close } = await pacedPage(bytes, half);
  // Waits on the page, not on time: until the worker said it inflated part of what came.
  await page.waitForFunction(() => ((window as unknown as { __parprofFetch?: FetchProgress }).__parprofFetch?.inflatedWhileFetching ?? 0) > 0, null, { timeout: 120_000, polling: 50 });
  const during = await page.evaluate(() => ({ ...(window as unknown as { __parprofFetch: FetchProgress }).__parprofFetch }));
  assert.equal(during.done, false);
  assert.ok(during.relayed <= half, `relayed ${during.relayed} of the ${half} bytes sent so far`);
  assert.deepEqual((await page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted.map((m) => m.type))), ['ready'], 'nothing shown before the file is whole');
  release();
  const drawn = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
  assert.equal(drawn.type, 'drawn', JSON.stringify(drawn).slice(0, 300));
  assert.equal(drawn.fetched, true);
  assert.equal(drawn.decodedIn, 'worker');
  assert.deepEqual(drawn.laneTasks, modelLanes());
  await page.close();
  close();
});

test('the file is decoded as it arrives: columns while the second half is held back; the timeline draws from the lane indexes the worker built', async () => {
  const half = Math.floor(bytes.byteLength / 2);
  const { page, release, close } = await pacedPage(bytes, half);
  // Waits on the page, not on time: until the worker said it decoded a column of what came.
  await page.waitForFunction(() => ((window as unknown as { __parprofFetch?: FetchProgress }).__parprofFetch?.columnsWhileFetching ?? 0) > 0, null, { timeout: 120_000, polling: 50 });
  const during = await page.evaluate(() => ({ ...(window as unknown as { __parprofFetch: FetchProgress }).__parprofFetch }));
  assert.equal(during.done, false);
  assert.deepEqual((await page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted.map((m) => m.type))), ['ready'], 'nothing shown before the file is whole');
  release();
  const drawn = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
  assert.equal(drawn.type, 'drawn', JSON.stringify(drawn).slice(0, 300));
  assert.deepEqual(drawn.laneTasks, modelLanes());
  const lanes = await page.evaluate(() => {
    const store = (window as unknown as { __parprof: { app: { store: { lanesFrom: string; laneIndexes(): { thread: number; span: Int32Array }[] } } } }).__parprof.app.store;
    return { from: store.lanesFrom, lanes: store.laneIndexes().map((l) => ({ thread: l.thread, spans: l.span.length })) };
  });
  assert.equal(lanes.from, 'worker');
  assert.deepEqual(lanes.lanes.map((l) => l.spans), modelLanes());
  await page.close();
  close();
});

test('a connection cut halfway makes the page ask the host for the bytes', async () => {
  const { page, release, close } = await pacedPage(bytes, Math.floor(bytes.byteLength / 2), true);
  release();
  const asked = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
  assert.equal(asked.type, 'packed-unfetched', JSON.stringify(asked).slice(0, 300));
  await page.close();
  close();
});

test('a file longer or shorter than the one validated is refused in one line, naming both lengths', async () => {
  for (const file of [Buffer.concat([bytes, Buffer.alloc(1000)]), bytes.subarray(0, bytes.byteLength - 10)]) {
    const { page } = await webviewPage(file);
    const error = await firstPosted(page, ['drawn', 'error', 'packed-unfetched']);
    assert.equal(error.type, 'error', JSON.stringify(error).slice(0, 300));
    // A longer file is refused at the first part that overruns the length validated ('at least' what came so far).
    const m = /^the report file changed after it was read \((\d+) bytes then, (at least )?(\d+) now\): reopen it$/.exec(String(error.message));
    assert.ok(m, String(error.message));
    assert.equal(Number(m[1]), bytes.byteLength);
    if (file.byteLength > bytes.byteLength) assert.ok(Number(m[3]) > bytes.byteLength && Number(m[3]) <= file.byteLength, m[0]);
    else assert.equal(Number(m[3]), file.byteLength);
    await page.close();
  }
});
