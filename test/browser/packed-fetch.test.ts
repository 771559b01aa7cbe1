// The host's `init-packed-url` in a real Chromium, under the webview's own CSP: the page fetches
// the report file as a webview resource and draws it only if it is the length and SHA-256 the
// host's report reader validated; a file that changed since is refused in one line, and one that
// cannot be fetched makes the page ask the host for the bytes (`packed-unfetched`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport } from '../../src/model/packed-report';
import { launch, type Browser, WEBVIEW_RESOURCES, webviewPage as sharedWebviewPage } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
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
