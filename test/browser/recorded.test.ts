// A real recorded run: `parprof record` on an unbalanced parallel map, `parprof report --html`,
// opened in chromium. The views must show the threads that ran and the task code they ran.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { packageRoot } from '../../src/runner/paths';
import { parseReport } from '../../src/model/load';
import { analyze } from '../../src/model/analysis';
import { formatCount, formatPercent } from '../../src/model/units';
import type { Report } from '../../src/model/report';
import { launch, screenshot, showView, type Browser } from './browser';

describe('the HTML report of a recorded run', () => {
  let b: Browser;
  let report: Report;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];

  before(async () => {
    b = await launch();
    const root = packageRoot();
    const out = join(b.dir, 'triangle.parprof');
    const html = join(b.dir, 'triangle.html');
    const cli = join(root, 'dist', 'cli.js');
    const rec = spawnSync(process.execPath, [cli, 'record', '--threads', '3', '--out', out, join(root, 'test/browser/fixtures/triangle.js')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(rec.status, 0, `record failed: ${rec.stderr}`);
    const rep = spawnSync(process.execPath, [cli, 'report', out, '--html', html], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(rep.status, 0, `report --html failed: ${rep.stderr}`);
    report = parseReport(readFileSync(out));
    page = await b.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(html).href;
    page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
    await page.goto(url);
    await page.waitForSelector('[role="tablist"]');
  });
  after(async () => { await b.close(); });

  test('one lane per recorded thread: main and the three workers', async () => {
    await showView(page, 'timeline');
    const lanes = await page.$$eval('#timeline-lanes li', (li) => li.map((e) => [Number(e.getAttribute('data-thread')), e.textContent]));
    assert.deepEqual(lanes, [...report.threads].sort((x, y) => x.id - y.id).map((t) => [t.id, t.name]));
    assert.equal(report.threads.filter((t) => t.kind === 'worker').length, 3);
    const tasks = await page.$$eval('#timeline-lanes li', (li) => li.map((e) => Number(e.getAttribute('data-tasks'))));
    assert.equal(tasks.reduce((a, n) => a + n, 0), report.spans.count);
    await screenshot(page, 'recorded-timeline');
  });

  test('the task functions are in the top-functions table, with time on the workers', async () => {
    await showView(page, 'flamegraph');
    const rows = await page.$$eval('#top-functions tbody tr', (tr) => tr.map((r) => r.getAttribute('data-function')));
    assert.ok(rows.includes('triangleWork'), `triangleWork in ${rows.slice(0, 10).join(', ')}`);
    assert.ok(rows.includes('spinFor'));
    await page.fill('#flame-search', 'spinFor');
    await page.waitForFunction(() => Number((document.querySelector('#flame-matches') as HTMLElement).dataset.count) > 0);
    await screenshot(page, 'recorded-flamegraph');
  });

  test('the summary shows the run\'s metrics; the other views draw', async () => {
    const m = analyze(report);
    await showView(page, 'summary');
    assert.equal(await page.$eval('[data-metric="utilization"] dd', (e) => e.textContent), formatPercent(m.utilization));
    assert.equal(await page.$eval('[data-metric="tasks"] dd', (e) => e.textContent), formatCount(report.spans.count));
    await screenshot(page, 'recorded-summary');
    await showView(page, 'flamechart');
    await screenshot(page, 'recorded-flamechart');
    await showView(page, 'durations');
    assert.equal(await page.$$eval('#durations-slowest tbody tr', (r) => r.length), Math.min(15, report.spans.count));
    await screenshot(page, 'recorded-durations');
  });

  test('no console errors and no network requests', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  });
});
