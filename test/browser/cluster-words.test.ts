// The Summary page of a real cluster run (test/fixtures/f1-cluster.js, workers spinning 200 and
// 400 ms of CPU): the threads card counts cluster worker processes, not "threads with tasks", the
// regions table prints no task times for a region without tasks ('–', not '0.00 ms / 0.00 ms'),
// and the findings name the planted 1:2 split.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { record } from '../unit/record-helpers';
import { launch, openReport, showView, type Browser } from './browser';

let browser: Browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a cluster run\'s Summary counts worker processes and prints no task times', async () => {
  const { report, stdout } = await record('f1-cluster.js', { args: ['200', '400'] });
  assert.match(stdout, /primary done/);
  const { page, errors } = await openReport(browser, report, 'cluster-words');
  await showView(page, 'summary');
  const card = await page.$eval('#summary-metrics [data-metric="threads"]', (e) => [e.querySelector('dt')!.textContent, e.querySelector('dd')!.textContent]);
  assert.deepEqual(card, ['Busy threads (read from CPU samples)', `2 cluster worker processes on ${report.meta.cores} cores`]);
  const row = await page.$$eval('#summary-regions tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent)));
  assert.equal(row.length, 1, JSON.stringify(row));
  assert.deepEqual([row[0][8], row[0][9]], ['0', '–'], JSON.stringify(row[0]));
  const findings = await page.$eval('#panel-summary', (e) => e.textContent ?? '');
  assert.match(findings, /its 2 worker processes did uneven work/);
  assert.deepEqual(errors, []);
});
