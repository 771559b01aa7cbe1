// How much of a packed report the webview checks depends on where its bytes come from
// (webview/report-decoder.ts Source), in a real Chromium: a standalone page's own bytes are
// drawn once their shape is checked and validated in full with the metrics after the first paint,
// so a report whose values are wrong is refused with the reason, which replaces the view; VS Code's
// host sends bytes its report reader validated already, so the webview checks only their shape:
// a report of over 2M spans draws every lane from init-packed (its metrics following in their own
// message with the findings, as the host sends them; the columns the first screen does not read decoded when read),
// and bytes whose columns do not match their count are still refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { packReport, typedColumns } from '../../src/model/packed-report';
import { standaloneHtml } from '../../src/model/html-report';
import { analyze } from '../../src/model/analysis';
import { PACKED_VIEW_ABOVE } from '../../src/extension/reportParser';
import type { Report } from '../../src/model/report';
import { formatCount, formatMs } from '../../src/model/units';
import { bundle, launch, type Browser, webviewPage as sharedWebviewPage } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

/** Task count per thread id, in the timeline's lane order (threads by id), from the model. */
function modelLanes(r: Report): number[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < r.spans.count; k++) counts.set(r.spans.thread[k], (counts.get(r.spans.thread[k]) ?? 0) + 1);
  return r.threads.map((t) => t.id).sort((x, y) => x - y).map((id) => counts.get(id) ?? 0);
}

const pageLanes = (page: Page) => page.$$eval('#timeline-lanes li[data-tasks]', (els) => els.map((e) => Number(e.getAttribute('data-tasks'))));

const webviewPage = (): Promise<{ page: Page; errors: string[] }> => sharedWebviewPage(b);

/** Posts `bytes` (gzip-compressed) as the host's init-packed, its metrics to follow. */
async function postPacked(page: Page, bytes: Uint8Array): Promise<void> {
  await page.evaluate((base64) => {
    const packed = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    window.postMessage({ type: 'init-packed', packed, gzipped: true, metricsFollow: true, options: { view: 'timeline' } }, '*', [packed.buffer]);
  }, Buffer.from(bytes).toString('base64'));
}

const small = syntheticReport({ threads: 4, spans: 120_000, profiles: 2, samplesPerProfile: 2000, seed: 11 });

test('a standalone page validates its own packed bytes in full (after the first paint, with the metrics): a span that ends before it starts is refused with the reason, which replaces the view', async () => {
  const end = Float64Array.from(small.spans.end);
  end[7] = small.spans.start[7] - 5;
  const broken: Report = { ...small, spans: { ...small.spans, end: end as unknown as number[] } };
  const file = join(b.dir, 'packed-broken-values.html');
  writeFileSync(file, standaloneHtml(broken, bundle(), { gzip: (bytes) => gzipSync(bytes) }));
  const page = await b.context.newPage();
  await page.goto(pathToFileURL(file).href);
  const box = await page.waitForSelector('.pp-error-box');
  assert.match((await box.textContent())!, /spans\.end\[7\]: .* is before start/);
  assert.equal(await page.$('#timeline-lanes'), null, 'no timeline stays drawn from a report that failed validation');
  assert.equal(await page.$('#timeline-headline'), null, 'no metrics are shown for it');
  await page.close();
});

test('the host\'s init-packed is checked for its shape: columns shorter than their count are refused with the reason', async () => {
  const { page } = await webviewPage();
  const n = small.spans.count;
  await postPacked(page, gzipSync(packReport({ ...small, spans: { ...small.spans, count: n + 1 } })));
  const box = await page.waitForSelector('.pp-error-box');
  assert.match((await box.textContent())!, new RegExp(`spans\\.thread: expected ${n + 1} numbers, found ${n}`));
  const posted = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.map((m) => m.type));
  assert.ok(posted.includes('error') && !posted.includes('drawn'), `posted ${posted.join(', ')}`);
  await page.close();
});

test('the host\'s typed init is checked for its shape alone (its reader validated it, or the extension built it): lengths are checked, values are not checked again', async () => {
  const tiny = syntheticReport({ threads: 2, spans: 400, profiles: 1, samplesPerProfile: 200, seed: 5 });
  const post = async (report: Report) => {
    const { page } = await webviewPage();
    await page.evaluate((r) => window.postMessage({ type: 'init', report: r, options: { view: 'timeline' } }, '*'), typedColumns(report) as unknown as Record<string, unknown>);
    return page;
  };
  // Columns shorter than their count: refused, in one line, nothing drawn.
  const short = await post({ ...tiny, spans: { ...tiny.spans, count: tiny.spans.count + 1 } });
  const box = await short.waitForSelector('.pp-error-box');
  assert.match((await box.textContent())!, new RegExp(`spans\\.thread: expected ${tiny.spans.count + 1} numbers, found ${tiny.spans.count}`));
  await short.close();
  // A value a full validation refuses (a span ending before it starts): drawn, as the host vouched for it.
  const end = Float64Array.from(tiny.spans.end);
  end[3] = tiny.spans.start[3] - 5;
  const drawn = await post({ ...tiny, spans: { ...tiny.spans, end: end as unknown as number[] } });
  await drawn.waitForSelector('#timeline-lanes li[data-tasks]', { state: 'attached' });
  assert.deepEqual(await pageLanes(drawn), modelLanes(tiny));
  await drawn.close();
});

test('the host\'s typed init whose metrics follow (its reader computes them after sending it) is drawn at once, "Computing" shown, and the metrics and findings that come fill the headline', async () => {
  const r = syntheticReport({ threads: 4, spans: 3000, profiles: 2, samplesPerProfile: 500, seed: 9 });
  const { page, errors } = await webviewPage();
  await page.evaluate((rep) => window.postMessage({ type: 'init', report: rep, metricsFollow: true, options: { view: 'timeline' } }, '*'), typedColumns(r) as unknown as Record<string, unknown>);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'drawn' || m.type === 'error'));
  assert.deepEqual(await pageLanes(page), modelLanes(r));
  // Not computed on the page meanwhile: the headline waits for the host's numbers.
  await page.waitForTimeout(300);
  assert.equal(await page.$('#timeline-headline'), null, 'no headline numbers before the host\'s');
  assert.match(await page.$eval('#timeline-headline-pending', (e) => e.textContent!), /Computing the headline numbers/);
  await page.evaluate((m) => window.postMessage({ type: 'metrics', metrics: m, findings: ['planted: the reader\'s finding'] }, '*'), { ...analyze(r), wallMs: 4321.5 });
  await page.waitForSelector('#timeline-headline [data-headline="wall"]');
  assert.equal(await page.$eval('#timeline-headline [data-headline="wall"] dd', (e) => e.textContent), formatMs(4321.5));
  assert.equal(await page.$eval('#timeline-headline-finding', (e) => e.textContent), 'planted: the reader\'s finding');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the host\'s init-packed of a report above PACKED_VIEW_ABOVE spans draws every lane, and the metrics and findings that follow fill the headline', async () => {
  const spans = Math.round(PACKED_VIEW_ABOVE * 1.1);
  const large = syntheticReport({ threads: 16, spans, profiles: 2, samplesPerProfile: 5000, seed: 3 });
  const metrics = analyze(large);
  const bytes = gzipSync(packReport(large), { level: 1 });
  const lanes = modelLanes(large);
  const { page, errors } = await webviewPage();
  await postPacked(page, bytes);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'drawn' || m.type === 'error'), null, { timeout: 240_000, polling: 100 });
  const drawn = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.find((m) => m.type === 'drawn') as
    { via: string; decodedIn: string; laneTasks: number[]; paintedPixels: number } | undefined);
  assert.ok(drawn, `no 'drawn' message; errors: ${errors.join('; ')}`);
  assert.equal(drawn.via, 'init-packed');
  assert.equal(drawn.decodedIn, 'worker');
  assert.deepEqual(drawn.laneTasks, lanes);
  assert.deepEqual(await pageLanes(page), lanes);
  assert.ok(drawn.paintedPixels > 0, 'the timeline canvas is blank');
  // Columns the first screen does not read came encoded from the worker and decode when read: the model's values.
  const at = [0, 12_345, spans - 1];
  const read = await page.evaluate((at) => {
    const s = (window as unknown as { __parprof: { app: { store: { report: { spans: Record<string, ArrayLike<number>> } } } } }).__parprof.app.store.report.spans;
    return ['index', 'first', 'items', 'parent', 'enqueue'].map((k) => at.map((i) => s[k][i]));
  }, at);
  assert.deepEqual(read, (['index', 'first', 'items', 'parent', 'enqueue'] as const).map((k) => at.map((i) => large.spans[k][i])));
  // The metrics come after the bytes; a planted wall time shows the headline took the host's.
  await page.evaluate((m) => window.postMessage({ type: 'metrics', metrics: m, findings: ['planted: the host\'s finding'] }, '*'), { ...metrics, wallMs: 8765.25 });
  await page.waitForSelector('#timeline-headline [data-headline="wall"]', { timeout: 60_000 });
  assert.equal(await page.$eval('#timeline-headline [data-headline="wall"] dd', (e) => e.textContent), formatMs(8765.25));
  assert.equal(await page.$eval('#timeline-headline-finding', (e) => e.textContent), 'planted: the host\'s finding');
  assert.equal(await page.$eval('#timeline-headline [data-headline="tasks"] dd', (e) => e.textContent), formatCount(spans));
  assert.deepEqual(errors, []);
  await page.close();
});
