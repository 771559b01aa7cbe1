// Webview benchmark (issue 3): a synthetic report of 1,000,000 spans over 16 threads plus 8 CPU
// profiles of 100,000 samples, as a standalone HTML report in headless chromium; and the same
// measurements on a real recorded run. Writes bench/results/webview.json ({ rows: [...] }).
// Not a test: it measures and reports.
// usage: node bench/webview.mjs   (needs `node scripts/build.mjs` first for dist/webview.js and dist/cli.js)
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const work = mkdtempSync(join(tmpdir(), 'parprof-bench-webview-'));
const log = (s) => console.error(`[bench webview] ${s}`);

/** The model's pure code, bundled from source for Node (the bench runs without a test build). */
async function loadModel() {
  const out = join(work, 'model.cjs');
  await esbuild.build({
    stdin: { contents: "export { syntheticReport } from './src/model/synthetic'; export { standaloneHtml } from './src/model/html-report';", resolveDir: root, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
  });
  const iife = join(work, 'synthetic.iife.js');
  await esbuild.build({
    stdin: { contents: "import { syntheticReport } from './src/model/synthetic'; import { typedColumns } from './src/model/packed-report'; globalThis.syntheticReport = syntheticReport; globalThis.typedColumns = typedColumns;", resolveDir: root, loader: 'ts' },
    bundle: true, platform: 'browser', format: 'iife', outfile: iife, logLevel: 'warning',
  });
  return { ...require(out), syntheticIife: readFileSync(iife, 'utf8') };
}

/**
 * The VS Code path: the bundle in a page with a stand-in acquireVsCodeApi; the report is made in
 * the page (so no 100 MB crosses the CDP pipe) and handed over as the host's `init` message.
 * Measures from posting `init` to the first complete draw.
 */
async function measureWebview(context, bundle, syntheticIife, options) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ content: 'window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });' });
  await page.addScriptTag({ content: syntheticIife });
  await page.addScriptTag({ content: bundle });
  const result = await page.evaluate(async (opts) => {
    const report = globalThis.syntheticReport(opts);
    // As the extension host does (webviewHost.ts): columns to typed arrays, then post. The
    // conversion runs in the extension host in VS Code; it is timed here all the same.
    const t0 = performance.now();
    const typed = globalThis.typedColumns(report);
    performance.mark('parprof:converted');
    window.postMessage({ type: 'init', report: typed, options: { view: 'timeline' } }, '*');
    while (!(window.__parprof?.app?.firstPaintMs > 0)) {
      if (performance.now() - t0 > 60_000) throw new Error(`no paint 60 s after init: ${document.body.textContent.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const drawn = window.__parprof.app.firstPaintMs - t0;
    await new Promise((r) => requestAnimationFrame(r));
    // Steps after init, ms since posting it (marks from webview/main.ts and app.ts).
    const marks = Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('parprof:') && m.startTime >= t0)
      .map((m) => [m.name.slice(8), Math.round(m.startTime - t0)]));
    return { drawn, painted: performance.now() - t0, marks };
  }, options);
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const buffers = await arrayBufferBytes(cdp);
  await page.close();
  log(`webview path: marks ${JSON.stringify(result.marks)}`);
  log(`webview path: drawn ${result.drawn.toFixed(0)} ms after init, heap ${(metrics.JSHeapUsedSize / 2 ** 20).toFixed(0)} MB + array buffers ${(buffers / 2 ** 20).toFixed(0)} MB`);
  return { ...result, heapUsedMB: metrics.JSHeapUsedSize / 2 ** 20, buffersMB: buffers / 2 ** 20, errors };
}

/** Bytes of ArrayBuffer backing stores (typed-array columns live there, outside the JS heap size). */
async function arrayBufferBytes(cdp) {
  const usage = await cdp.send('Runtime.getHeapUsage').catch(() => ({}));
  return usage.backingStorageSize ?? NaN;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

/** Opens one report page and measures first paint, frame times while zooming/panning, and memory. */
async function measure(context, htmlFile, label) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const wallStart = Date.now();
  await page.goto(pathToFileURL(htmlFile).href + '#timeline', { timeout: 120_000, waitUntil: 'load' });
  await page.waitForFunction(() => window.__parprof?.app?.firstPaintMs > 0, null, { timeout: 120_000 });
  const firstPaint = await page.evaluate(() => new Promise((resolve) => {
    const app = window.__parprof.app;
    const marks = Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('parprof:')).map((m) => [m.name.slice(8), Math.round(m.startTime)]));
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      resolve({ drawnMs: app.firstPaintMs, fcpMs: fcp, marks });
    }));
  }));
  const wallMs = Date.now() - wallStart;
  // Zoom in step by step toward a point, then pan, then zoom back out: each step is one frame.
  const frames = await page.evaluate(async () => {
    const { app } = window.__parprof;
    const store = app.store;
    const timeline = app.views.get('timeline');
    const draw = [];
    const interval = [];
    const end = store.endUs;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    let last = performance.now();
    const step = async (from, to) => {
      store.setWindow(from, to);
      await frame();
      await frame();
      const now = performance.now();
      interval.push((now - last) / 2);
      last = now;
      draw.push(timeline.lastDrawMs);
    };
    let from = 0; let to = end;
    for (let i = 0; i < 40; i++) { const c = from + (to - from) * 0.4; const w = (to - from) * 0.85; from = c - w * 0.4; to = from + w; await step(from, to); }
    for (let i = 0; i < 40; i++) { const d = (to - from) * 0.05; from = Math.min(end - (to - from), from + d); to = from + (to - from); await step(from, to); }
    for (let i = 0; i < 40; i++) { const c = (from + to) / 2; const w = Math.min(end, (to - from) / 0.85); from = Math.max(0, c - w / 2); to = Math.min(end, from + w); await step(from, to); }
    return { draw, interval };
  });
  // Flamegraph over every profile, merged (a tab switch: tree + table build + first draw).
  const flame = await page.evaluate(async () => {
    const t0 = performance.now();
    window.__parprof.app.store.setView('flamegraph');
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  });
  await cdp.send('HeapProfiler.collectGarbage');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const buffers = await arrayBufferBytes(cdp);
  await page.close();
  const mb = (b) => b / (1024 * 1024);
  log(`${label}: marks ${JSON.stringify(firstPaint.marks)}`);
  log(`${label}: drawn ${firstPaint.drawnMs.toFixed(0)} ms, FCP ${firstPaint.fcpMs.toFixed(0)} ms, median draw ${median(frames.draw).toFixed(2)} ms, heap ${mb(metrics.JSHeapUsedSize).toFixed(0)} MB + array buffers ${mb(buffers).toFixed(0)} MB`);
  return { firstPaint, wallMs, frames, flameMs: flame, heapUsedMB: mb(metrics.JSHeapUsedSize), heapTotalMB: mb(metrics.JSHeapTotalSize), buffersMB: mb(buffers), errors };
}

function rows(label, m, targets) {
  const r = (name, value, unit, target, note) => ({ name: `${label}: ${name}`, value: Number(value.toFixed(2)), unit, target, pass: target === undefined ? undefined : value <= target, note });
  return [
    r('time to first full paint (timeline drawn)', m.firstPaint.drawnMs, 'ms', targets ? 1500 : undefined, `${Number.isFinite(m.firstPaint.fcpMs) ? `first contentful paint ${m.firstPaint.fcpMs.toFixed(0)} ms; ` : ''}ms since navigation at each step: ${JSON.stringify(m.firstPaint.marks)}`),
    r('median frame time zooming/panning (timeline draw)', median(m.frames.draw), 'ms', targets ? 16 : undefined, `p95 ${[...m.frames.draw].sort((a, b) => a - b)[Math.floor(m.frames.draw.length * 0.95)].toFixed(2)} ms over ${m.frames.draw.length} frames; median rAF interval ${median(m.frames.interval).toFixed(1)} ms`),
    r('flamegraph open (all threads merged)', m.flameMs, 'ms', undefined, 'tree + top functions + first draw'),
    r('page memory (JS heap used + ArrayBuffer backing stores, after GC)', m.heapUsedMB + m.buffersMB, 'MB', targets ? 500 : undefined, `JS heap used ${m.heapUsedMB.toFixed(0)} MB (total ${m.heapTotalMB.toFixed(0)} MB), array buffers ${m.buffersMB.toFixed(0)} MB; console errors: ${m.errors.length}`),
  ];
}

async function main() {
  const bundlePath = join(root, 'dist', 'webview.js');
  if (!existsSync(bundlePath)) throw new Error('dist/webview.js is missing: run node scripts/build.mjs first');
  const bundle = readFileSync(bundlePath, 'utf8');
  const { syntheticReport, standaloneHtml, syntheticIife } = await loadModel();
  const zlib = require('node:zlib');
  let t = Date.now();
  const report = syntheticReport({ threads: 16, spans: 1_000_000, profiles: 8, samplesPerProfile: 100_000, seed: 1 });
  const bigHtml = join(work, 'big.html');
  writeFileSync(bigHtml, standaloneHtml(report, bundle, { gzip: (b) => zlib.gzipSync(b, { level: 6 }) }));
  const sizeMB = readFileSync(bigHtml).length / (1024 * 1024);
  log(`synthetic report written (${sizeMB.toFixed(0)} MB HTML) in ${Date.now() - t} ms`);

  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env.PARPROF_CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const out = [];
  try {
    const big = await measure(context, bigHtml, 'synthetic 1M spans');
    out.push(...rows('synthetic 1M spans / 16 threads / 8×100k samples, standalone HTML', big, true));
    out[0].note += `; HTML ${sizeMB.toFixed(0)} MB (gzip + base64); page load to painted ${big.wallMs} ms`;
    const wv = await measureWebview(context, bundle, syntheticIife, { threads: 16, spans: 1_000_000, profiles: 8, samplesPerProfile: 100_000, seed: 1 });
    out.push({ name: 'synthetic 1M spans, VS Code path: init message to timeline drawn', value: Number(wv.drawn.toFixed(2)), unit: 'ms', target: 1500, pass: wv.drawn <= 1500,
      note: `to the next animation frame ${wv.painted.toFixed(0)} ms; ms since init at each step: ${JSON.stringify(wv.marks)}; includes typed-array conversion of the columns, structured clone, validation, lane indexes, coverage pyramids, first draw; JS heap after GC ${wv.heapUsedMB.toFixed(0)} MB + array buffers ${wv.buffersMB.toFixed(0)} MB` });

    // A real run: the browser suite's unbalanced map, recorded with the CLI.
    const cli = join(root, 'dist', 'cli.js');
    const rec = join(work, 'real.parprof');
    const realHtml = join(work, 'real.html');
    t = Date.now();
    const r1 = spawnSync(process.execPath, [cli, 'record', '--threads', '2', '--out', rec, join(root, 'test/browser/fixtures/triangle.js')], { encoding: 'utf8', timeout: 120_000 });
    const r2 = r1.status === 0 ? spawnSync(process.execPath, [cli, 'report', rec, '--html', realHtml], { encoding: 'utf8', timeout: 60_000 }) : r1;
    if (r2.status === 0) out.push(...rows('recorded run (test/browser/fixtures/triangle.js)', await measure(context, realHtml, 'recorded'), false));
    else out.push({ name: 'recorded run', unavailable: `record/report failed: ${(r2.stderr || '').trim().split('\n').pop()}` });
  } finally {
    await context.close();
    rmSync(work, { recursive: true, force: true });
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'webview.json'), JSON.stringify({ date: new Date().toISOString(), rows: out }, null, 2) + '\n');
  for (const r of out) console.log(`${r.name}: ${r.unavailable ?? `${r.value} ${r.unit}${r.target !== undefined ? ` (target ≤ ${r.target}: ${r.pass ? 'pass' : 'MISS'})` : ''}`}${r.note ? ` — ${r.note}` : ''}`);
}

main().catch((e) => {
  console.error(`[bench webview] failed: ${e?.stack ?? e}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
