// A packed report decoded in a Web Worker (webview/report-decoder.ts), in a real Chromium: a
// standalone page and a simulated VS Code webview (its CSP, its init-packed message) show the
// same lanes and task counts the model has; a page whose CSP refuses workers decodes on its own
// thread and shows the same; a broken blob is one clear line; the host's metrics are the ones shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport } from '../../src/model/packed-report';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import type { Report } from '../../src/model/report';
import { formatCount, formatMs } from '../../src/model/units';
import { launch, openReport, type Browser, webviewPage as sharedWebviewPage } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

// Large enough that its packed bytes pass WORKER_MIN_BYTES (256 KiB) even gzip-compressed.
const report = syntheticReport({ threads: 4, spans: 120_000, profiles: 3, samplesPerProfile: 2000, seed: 5 });

/** Task count per thread id, from the model. */
function modelLanes(r: Report): Record<string, string> {
  const counts: Record<string, number> = {};
  for (let k = 0; k < r.spans.count; k++) counts[r.spans.thread[k]] = (counts[r.spans.thread[k]] ?? 0) + 1;
  return Object.fromEntries(r.threads.map((t) => [String(t.id), String(counts[t.id] ?? 0)]));
}

async function pageLanes(page: Page): Promise<Record<string, string>> {
  await page.waitForSelector('#timeline-lanes li');
  return Object.fromEntries(await page.$$eval('#timeline-lanes li', (els) => els.map((e) => [e.getAttribute('data-thread')!, e.getAttribute('data-tasks')!])));
}

const decodedIn = (page: Page) => page.evaluate(() => (window as unknown as { __parprof?: { decodedIn?: string } }).__parprof?.decodedIn);

test('a packed standalone page decodes in a worker and shows the model\'s lanes; without worker-src in its CSP it decodes on the page', async () => {
  const p = await openReport(b, report, 'packed-worker', '#timeline', { gzip: (bytes) => gzipSync(bytes) });
  assert.deepEqual(await pageLanes(p.page), modelLanes(report));
  assert.equal(await decodedIn(p.page), 'worker');
  await p.page.waitForSelector('#timeline-headline [data-headline="tasks"]');
  assert.equal(await p.page.$eval('#timeline-headline [data-headline="tasks"] dd', (e) => e.textContent), formatCount(report.spans.count));
  // The worker computed the metrics and the findings: the first finding is the model's.
  const finding = verdicts(analyze(report), report)[0];
  assert.ok(finding, 'the planted report has a finding');
  assert.equal(await p.page.$eval('#timeline-headline-finding', (e) => e.textContent), finding);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.requests, []);
  await p.page.close();

  // The same file under a CSP that allows no worker: the page decodes it itself.
  const strict = join(b.dir, 'packed-no-worker.html');
  writeFileSync(strict, readFileSync(p.file, 'utf8').replace('; worker-src blob:', ''));
  const page = await b.context.newPage();
  await page.goto(pathToFileURL(strict).href + '#timeline');
  assert.deepEqual(await pageLanes(page), modelLanes(report));
  assert.equal(await decodedIn(page), 'page');
  await page.close();
});

const webviewPage = (): Promise<{ page: Page; errors: string[] }> => sharedWebviewPage(b);

test('VS Code path: init-packed decodes in a worker under the webview\'s CSP, and the headline shows the metrics the host sent', async () => {
  const { page, errors } = await webviewPage();
  const metrics = analyze(report);
  // A planted wall time: only the host's metrics can put it in the headline.
  const planted = { ...metrics, wallMs: 4321.5 };
  await page.evaluate(({ base64, metrics }) => {
    const packed = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    window.postMessage({ type: 'init-packed', packed, metrics, options: { view: 'timeline' } }, '*', [packed.buffer]);
  }, { base64: Buffer.from(packReport(report)).toString('base64'), metrics: planted });
  assert.deepEqual(await pageLanes(page), modelLanes(report));
  assert.equal(await decodedIn(page), 'worker');
  await page.waitForSelector('#timeline-headline [data-headline="wall"]');
  assert.equal(await page.$eval('#timeline-headline [data-headline="wall"] dd', (e) => e.textContent), formatMs(4321.5));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a broken packed blob is one clear line, on the page and to the host', async () => {
  const { page } = await webviewPage();
  const packed = packReport(report);
  await page.evaluate((base64) => {
    const cut = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    window.postMessage({ type: 'init-packed', packed: cut }, '*', [cut.buffer]);
  }, Buffer.from(packed.subarray(0, 300_000)).toString('base64'));
  const box = await page.waitForSelector('.pp-error-box');
  const text = (await box.textContent())!;
  assert.match(text, /packed report cannot be read: .*column/);
  assert.equal(text.trim().split('\n').length, 2, 'a heading line and the reason');
  const posted = await page.evaluate(() => (window as unknown as { __posted: { type: string; message?: string }[] }).__posted.filter((m) => m.type === 'error'));
  assert.equal(posted.length, 1);
  assert.match(posted[0].message!, /packed report cannot be read/);
  await page.close();
});

/** The error box's text after posting `bytes` as a gzip-compressed packed report. */
async function gzippedError(bytes: Buffer): Promise<string> {
  const { page } = await webviewPage();
  await page.evaluate((base64) => {
    const b = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    window.postMessage({ type: 'init-packed', packed: b, gzipped: true, options: { view: 'timeline' } }, '*', [b.buffer]);
  }, bytes.toString('base64'));
  const text = (await (await page.waitForSelector('.pp-error-box')).textContent())!;
  await page.close();
  return text;
}

test('gzip-compressed bytes inflate into one buffer of the size their trailer states; a trailer that lies, or a second gzip member, is one clear line', async () => {
  const packed = packReport(report);
  const { page } = await webviewPage();
  await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    window.postMessage({ type: 'init-packed', packed: bytes, gzipped: true, options: { view: 'timeline' } }, '*', [bytes.buffer]);
  }, gzipSync(packed, { level: 1 }).toString('base64'));
  assert.deepEqual(await pageLanes(page), modelLanes(report));
  await page.close();
  const lying = gzipSync(packed, { level: 1 });
  lying.writeUInt32LE(packed.length + 4096, lying.length - 4);
  const lie = await gzippedError(lying);
  assert.equal(lie.trim().split('\n').length, 2, `a heading line and the reason: ${lie}`);
  // The browser's DecompressionStream reads one member: `cat a.gz b.gz` is refused in one line (the writer writes one).
  const half = packed.length >> 1;
  const members = await gzippedError(Buffer.concat([gzipSync(packed.subarray(0, half), { level: 1 }), gzipSync(packed.subarray(half), { level: 1 })]));
  assert.equal(members.trim().split('\n').length, 2, `a heading line and the reason: ${members}`);
});
