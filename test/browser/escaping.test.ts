// User strings (thread, region and function names, paths) are text, never HTML; a broken report
// shows an error instead of a blank page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { gzipSync } from 'node:zlib';
import { launch, openReport, screenshot, showView, type Browser } from './browser';

const EVIL = '<img src=x onerror="window.__pwned=1">';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

test('names that look like HTML render as text in every view', async () => {
  const report = syntheticReport({ threads: 2, spans: 50, profiles: 2, samplesPerProfile: 500, seed: 2 });
  report.threads[1].name = EVIL;
  report.regions[0].name = `${EVIL} region`;
  const node = report.profiles[0].profile.nodes.find((n) => n.callFrame.functionName && !n.callFrame.functionName.startsWith('('))!;
  node.callFrame.functionName = `${EVIL}fn`;
  node.callFrame.url = `file:///tmp/${EVIL}.js`;
  report.meta.script = `/tmp/${EVIL}.js`;
  const p = await openReport(b, report, 'escaping');
  for (const v of ['summary', 'timeline', 'flamegraph', 'flamechart', 'durations']) await showView(p.page, v);
  assert.equal(await p.page.$$eval('img', (i) => i.length), 0);
  assert.equal(await p.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  const lane = await p.page.$eval(`#timeline-lanes li[data-thread="${report.threads[1].id}"]`, (e) => e.textContent);
  assert.equal(lane, EVIL);
  const fns = await p.page.$$eval('#top-functions tbody tr', (tr) => tr.map((r) => r.getAttribute('data-function')));
  assert.ok(fns.includes(`${EVIL}fn`));
  assert.ok((await p.page.$eval('#summary-regions', (e) => e.textContent))!.includes(`${EVIL} region`));
  assert.ok((await p.page.title()).includes(EVIL), 'the title keeps the name as text');
  await showView(p.page, 'summary');
  await screenshot(p.page, 'escaping-summary');
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.requests, []);
});

test('a malformed report shows what is wrong instead of a blank page', async () => {
  const report = syntheticReport({ threads: 1, spans: 5, profiles: 0, samplesPerProfile: 0 });
  (report as unknown as { version: number }).version = 99;
  const p = await b.context.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  const { standaloneHtml } = await import('../../src/model/html-report');
  const { bundle } = await import('./browser');
  await p.setContent(standaloneHtml(report, bundle()));
  const alert = await p.waitForSelector('[role="alert"]');
  assert.match((await alert.textContent())!, /version/);
  assert.deepEqual(errors, []);
});

test('a gzip-compressed standalone report opens with the same lanes', async () => {
  const report = syntheticReport({ threads: 3, spans: 300, profiles: 2, samplesPerProfile: 300, seed: 4 });
  const p = await openReport(b, report, 'compressed', '#timeline', { gzip: (bytes) => gzipSync(bytes) });
  await p.page.waitForSelector('#timeline-lanes li');
  const lanes = await p.page.$$eval('#timeline-lanes li', (li) => li.map((e) => e.textContent));
  assert.deepEqual(lanes, [...report.threads].sort((x, y) => x.id - y.id).map((t) => t.name));
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.requests, []);
});
