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
import { reportAnswers } from '../../src/model/report-answers';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { formatMsFromUs, formatPercent } from '../../src/model/units';
import { launch, screenshot, type Browser, webviewPage } from './browser';
import { buildReport, type SpanSpec } from '../unit/model-build';

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

/** Posts the preview and waits for the page's `drawn` of it: every lane with the model's task count, its strips painted. */
async function previewDrawn(page: Page): Promise<void> {
  await postPreview(page);
  const drawn = await firstPosted(page, (m) => m.type === 'drawn' || m.type === 'error');
  assert.equal(drawn.type, 'drawn', JSON.stringify(drawn).slice(0, 300));
  assert.equal(drawn.stage, 'preview');
  assert.deepEqual(drawn.laneTasks, modelLanes());
  assert.ok((drawn.paintedPixels as number) > 0, 'the strips are blank');
}

/** A webview page fetching the file from a local server that sends its first half and holds the rest until `release()`. */
async function pacedPage(file = { bytes, sha256 }, waitForBytes = true, metricsFollow = false): Promise<{ page: Page; release: () => void; close: () => Promise<void> }> {
  const { bytes, sha256 } = file;
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
  await page.evaluate(({ url, size, hash, follow }) => window.postMessage({ type: 'init-packed-url', url, bytes: size, sha256: hash, gzipped: true, validationFollows: true, metricsFollow: follow, options: { view: 'timeline' } }, '*'),
    { url: `${origin}/run.parprof`, size: bytes.byteLength, hash: sha256, follow: metricsFollow });
  if (waitForBytes) await page.waitForFunction(() => ((window as unknown as { __parprofFetch?: { relayed: number } }).__parprofFetch?.relayed ?? 0) > 0, null, { timeout: 120_000, polling: 50 });
  return { page, release: go, close: async () => { await page.close(); held?.destroy(); server.close(); } };
}

test('the preview is drawn while the file arrives: the timeline\'s lanes and task counts, a strip each, how much has come; then the report replaces it', async () => {
  const { page, release, close } = await pacedPage();
  try {
    await previewDrawn(page);
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

test('a report whose bytes the host posts once packed (`report-coming`): the status says so, the preview is drawn meanwhile, then the report replaces it; a preview after the report is not drawn', async () => {
  const { page } = await webviewPage(b, { consoleErrors: false });
  try {
    await page.evaluate((n) => window.postMessage({ type: 'report-coming', totalSpans: n }, '*'), report.spans.count);
    await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.startsWith('Reading the report'), null, { timeout: 30_000, polling: 50 });
    assert.equal(await page.$eval('[role="status"]', (e) => e.textContent), 'Reading the report (150,000 tasks): its reader sends it to this view.');
    await previewDrawn(page);
    assert.equal(await page.$eval('[role="status"]', (e) => e.textContent), 'the report\'s reader is preparing it for this view: the report opens here once it has come');
    // The host's bytes: what the reader packed and gzipped (a JSON report's path).
    await page.evaluate((b64) => {
      const packed = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      window.postMessage({ type: 'init-packed', packed, gzipped: true, metricsFollow: true, options: { view: 'timeline' } }, '*', [packed.buffer]);
    }, Buffer.from(bytes).toString('base64'));
    const full = await firstPosted(page, (m) => m.type === 'drawn' && m.stage === 'full');
    assert.deepEqual(full.laneTasks, modelLanes());
    assert.equal(await page.$('#preview-lanes'), null, 'the preview stays after the report is drawn');
    await postPreview(page);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.$('#preview-lanes'), null, 'a preview after the report was drawn');
    assert.equal((await posted(page)).filter((m) => m.type === 'drawn').length, 2);
  } finally {
    await page.close();
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

// Planted: over a 1 s run, worker 1 is busy for the first half (1000 tasks of 500 µs) and worker 2
// for 10 ms only, from 400 ms; the main thread runs no task.
const planted = (() => {
  const spans: SpanSpec[] = [];
  for (let k = 0; k < 1000; k++) spans.push({ thread: 1, start: k * 500, end: (k + 1) * 500 });
  spans.push({ thread: 2, start: 400_000, end: 410_000 });
  const r = buildReport({ workers: 2, regions: [{ start: 0, end: 500_000, items: 1001 }], spans, durationUs: 1_000_000 });
  const packed = gzipSync(packReport(r), { level: 1 });
  return { report: r, bytes: packed, sha256: createHash('sha256').update(packed).digest('hex') };
})();

/** Per lane (main, worker 1, worker 2): the x of each painted pixel column of its strip, and the tallest bar (px). */
async function stripColumns(page: Page): Promise<{ width: number; lanes: { xs: number[]; tallest: number }[] }> {
  return page.$eval('#preview-canvas', (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const lanes = [0, 1, 2].map((k) => {
      const xs: number[] = [];
      let tallest = 0;
      for (let x = 0; x < canvas.width; x++) {
        let h = 0;
        for (let y = k * 22; y < k * 22 + 18; y++) if (data[(y * canvas.width + x) * 4 + 3] !== 0) h++;
        if (h > 0) xs.push(x);
        tallest = Math.max(tallest, h);
      }
      return { xs, tallest };
    });
    return { width: canvas.width, lanes };
  });
}

test('the preview pans and zooms like the timeline, down to its bins, and the report opens at the window it showed', async () => {
  const preview = reportPreview(planted.report);
  assert.equal(preview.lanes[2].busy.length, 2 ** 15, 'three lanes get the finest bins');
  // A small file: the page relays it in one piece, once the server has sent all of it.
  const { page, release, close } = await pacedPage(planted, false);
  try {
    await page.evaluate((p) => window.postMessage({ type: 'preview', preview: { ...p, lanes: p.lanes.map((l) => ({ ...l, busy: new Uint8Array(l.busy) })) } }, '*'),
      { ...preview, lanes: preview.lanes.map((l) => ({ ...l, busy: [...l.busy] })) });
    await firstPosted(page, (m) => m.type === 'drawn');
    // The whole run: worker 1 over the first half, worker 2 over 1 % of the width, the main thread blank.
    let strips = await stripColumns(page);
    const w = strips.width;
    assert.equal(strips.lanes[0].xs.length, 0);
    assert.ok(Math.abs(strips.lanes[1].xs.length - w / 2) <= 2, `worker 1: ${strips.lanes[1].xs.length} of ${w} columns`);
    assert.ok(Math.abs(strips.lanes[2].xs.length - w / 100) <= 2, `worker 2: ${strips.lanes[2].xs.length} of ${w} columns`);
    assert.match((await page.textContent('#preview-window'))!, /^0 to 1\.00 s of 1\.00 s · scroll/);
    // Keyboard only: ten zoom-ins around the middle, then a pan left by 0.9 of the window.
    await page.focus('#preview-canvas');
    for (let k = 0; k < 10; k++) await page.keyboard.press('+');
    await page.keyboard.press('Shift+ArrowLeft');
    for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowLeft');
    const shown = await page.evaluate(() => (window as unknown as { __parprofPreview: { window(): { from: number; to: number } } }).__parprofPreview.window());
    const span = 0.8 ** 10 * 1_000_000;
    assert.ok(Math.abs(shown.to - shown.from - span) < 1, JSON.stringify(shown));
    assert.ok(Math.abs((shown.from + shown.to) / 2 - (500_000 - 0.9 * span)) < 1, JSON.stringify(shown));
    strips = await stripColumns(page);
    // Worker 1 is busy over all of it (it ends at 500 ms), at full height; worker 2 where its 10 ms fall.
    assert.equal(strips.lanes[1].xs.length, w);
    assert.equal(strips.lanes[1].tallest, 18);
    const x0 = ((400_000 - shown.from) / (shown.to - shown.from)) * w, x1 = ((410_000 - shown.from) / (shown.to - shown.from)) * w;
    const xs = strips.lanes[2].xs;
    assert.ok(Math.abs(xs[0] - x0) <= 1.5 && Math.abs(xs[xs.length - 1] + 1 - x1) <= 1.5, `worker 2 painted ${xs[0]}..${xs[xs.length - 1]}, its task is at ${x0.toFixed(1)}..${x1.toFixed(1)}`);
    assert.equal(xs.length, xs[xs.length - 1] - xs[0] + 1, 'worker 2 has a hole');
    assert.equal(strips.lanes[2].tallest, 18);
    assert.equal(strips.lanes[0].xs.length, 0);
    assert.doesNotMatch((await page.textContent('#preview-window'))!, /wider than a pixel/);
    // Zoomed past the bins (30.5 µs each): the preview says the detail is the report's.
    for (let k = 0; k < 15; k++) await page.keyboard.press('+');
    assert.match((await page.textContent('#preview-window'))!, /a bin is 30\.5 µs, wider than a pixel here: finer detail comes with the report/);
    await screenshot(page, 'packed-preview-zoomed');
    const last = await page.evaluate(() => (window as unknown as { __parprofPreview: { window(): { from: number; to: number } } }).__parprofPreview.window());
    release();
    await page.evaluate(() => window.postMessage({ type: 'validated' }, '*'));
    await firstPosted(page, (m) => m.type === 'drawn' && m.stage === 'full');
    const opened = await page.evaluate(() => (window as unknown as { __parprof: { app: { store: { window: { from: number; to: number } } } } }).__parprof.app.store.window);
    assert.deepEqual(opened, last);
  } finally {
    await close();
  }
});

test('with the header\'s answers, the preview also shows the headline numbers, the leading finding and the whole run\'s top functions, as text, said to be the recording\'s', async () => {
  const metrics = analyze(report);
  const answers = reportAnswers(report, metrics, verdicts(metrics, report));
  // A hostile function name stays text.
  answers.functions[0] = { ...answers.functions[0], name: '<img src=x onerror="window.__pwned=1">' };
  const { page, release, close } = await pacedPage(undefined, true, true);
  try {
    await page.evaluate(({ p, a }) => window.postMessage({ type: 'preview', preview: { ...p, answers: a, lanes: p.lanes.map((l) => ({ ...l, busy: new Uint8Array(l.busy) })) } }, '*'), { p: plainPreview, a: answers });
    await firstPosted(page, (m) => m.type === 'drawn' && m.stage === 'preview');
    const items = await page.$$eval('#preview-headline > div', (ds) => ds.map((d) => ({ key: (d as HTMLElement).dataset.headline, label: d.querySelector('dt')?.textContent, value: d.querySelector('dd')?.textContent })));
    assert.deepEqual(items, answers.headline);
    assert.equal(await page.textContent('#preview-headline-finding'), answers.finding);
    const rows = await page.$$eval('#preview-top-functions tbody tr', (trs) => trs.map((tr) => [tr.querySelector('.pp-fn-name')?.textContent, tr.children[1].textContent]));
    assert.deepEqual(rows.map((r) => r[0]), answers.functions.map((f) => f.name));
    assert.deepEqual(rows.map((r) => r[1]), answers.functions.map((f) => formatMsFromUs(f.self)));
    assert.equal(await page.textContent('#preview-top-functions caption'), `Top functions of the whole run (${answers.functions.length} of ${answers.functionCount})`);
    assert.match((await page.textContent('#preview-answers-source'))!, new RegExp(`^These numbers are the recording's: parprof ${answers.by} computed them`));
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await screenshot(page, 'packed-preview-answers');
    release();
    await page.evaluate(() => window.postMessage({ type: 'validated' }, '*'));
    await firstPosted(page, (m) => m.type === 'drawn' && m.stage === 'full');
    assert.equal(await page.$('#preview-headline'), null, 'the preview is gone');
    // The report's headline keeps the recording's numbers, said to be those, until its own metrics come (the host's, here)...
    const recorded = await page.$$eval('#timeline-headline-recorded dd', (dds) => dds.map((d) => d.textContent));
    assert.deepEqual(recorded, answers.headline.map((h) => h.value));
    assert.match((await page.textContent('#timeline-headline-pending'))!, /^The recording's numbers, from the file's header: the report's own are being computed\.$/);
    await page.evaluate((m) => window.postMessage({ type: 'metrics', metrics: m }, '*'), JSON.parse(JSON.stringify(metrics)));
    // ...then its own replace them.
    await page.waitForSelector('#timeline-headline [data-headline="utilization"]');
    assert.equal(await page.$('#timeline-headline-recorded'), null);
    assert.equal(await page.textContent('#timeline-headline [data-headline="utilization"] dd'), formatPercent(metrics.utilization));
  } finally {
    await close();
  }
});
