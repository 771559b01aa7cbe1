// The standalone HTML report of each bundled example, recorded for real and opened offline in
// chromium: one lane per thread with its task count, the example's task function among the top
// functions, no console errors, no network requests. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../src/runner/paths';
import { parseReport } from '../../src/model/load';
import { launch, screenshot, showView, type Browser } from './browser';

const examples: [string, string][] = [['sum.js', 'addSteps'], ['matmul.js', 'multiplyRow'], ['mandelbrot.js', 'row'], ['fork-join.js', 'countPrimes']];

describe('the HTML report of every example', () => {
  let b: Browser;
  before(async () => { b = await launch(); });
  after(async () => { await b.close(); });

  for (const [example, taskFunction] of examples) {
    test(`examples/${example}: lanes, ${taskFunction} in the top functions, offline`, async () => {
      const root = packageRoot();
      const cli = join(root, 'dist', 'cli.js');
      const name = example.replace(/\.js$/, '');
      const out = join(b.dir, `${name}.parprof`);
      const html = join(b.dir, `${name}.html`);
      const rec = spawnSync(process.execPath, [cli, 'record', '--threads', '2', '--out', out, join(root, 'examples', example)], { encoding: 'utf8', timeout: 180_000 });
      assert.equal(rec.status, 0, `record failed: ${rec.stderr}`);
      const rep = spawnSync(process.execPath, [cli, 'report', out, '--html', html], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(rep.status, 0, `report --html failed: ${rep.stderr}`);
      const report = parseReport(readFileSync(out), { gunzip: (x) => gunzipSync(x) });

      const page = await b.context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      const url = pathToFileURL(html).href;
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
      await page.goto(url);
      await page.waitForSelector('[role="tablist"]');

      await showView(page, 'timeline');
      const lanes = await page.$$eval('#timeline-lanes li', (li) => li.map((e) => [Number(e.getAttribute('data-thread')), e.textContent, Number(e.getAttribute('data-tasks'))]));
      const tasksOn = (id: number) => Array.from(report.spans.thread).filter((t) => t === id).length;
      assert.deepEqual(lanes, [...report.threads].sort((x, y) => x.id - y.id).map((t) => [t.id, t.name, tasksOn(t.id)]));
      await screenshot(page, `example-${name}-timeline`);

      await showView(page, 'flamegraph');
      const rows = await page.$$eval('#top-functions tbody tr', (tr) => tr.map((r) => r.getAttribute('data-function')));
      assert.ok(rows.some((n) => n === taskFunction || n?.endsWith(`.${taskFunction}`)), `${taskFunction} in ${rows.slice(0, 10).join(', ')}`);
      await screenshot(page, `example-${name}-flamegraph`);

      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
      await page.close();
    });
  }
});
