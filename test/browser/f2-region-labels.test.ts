// Tryout finding 14 in the views: two operations 'map evenItem' from one call site (a loop) are
// 'map evenItem #1' and '#2' in the summary's tables of calls and regions, the timeline's legend and
// the durations view, as in the CLI (regionLabel, region-labels.ts). A real recording of test/fixtures/f2-split.js with TWICE=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { launch, openReport, showView, type Browser } from './browser';

const root = packageRoot();

describe('same-named regions in the views', () => {
  let b: Browser;
  let report: Report;
  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parprof-f2-views-')), 'twice.parprof');
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'record', '--threads', '2', '--out', file, 'f2-split.js'], {
      cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 120_000, env: { ...process.env, TWICE: '1', EVEN: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    report = parseReport(readFileSync(file));
    b = await launch();
  });
  after(async () => { await b?.close(); });

  test('summary calls table and timeline legend: #1 and #2', async () => {
    assert.deepEqual(report.regions.map((g) => g.name), ['map evenItem', 'map evenItem']);
    const p = await openReport(b, report, 'f2-twice');
    await showView(p.page, 'summary');
    const calls = await p.page.$$eval('#summary-calls tbody tr', (tr) => tr.map((r) => r.children[0].textContent));
    assert.deepEqual(calls, ['map evenItem #1', 'map evenItem #2']);
    await showView(p.page, 'timeline');
    const legend = await p.page.$$eval('.pp-legend span', (s) => s.map((e) => e.textContent));
    assert.ok(legend.includes('map evenItem #1') && legend.includes('map evenItem #2'), legend.join(' | '));
    assert.ok(!legend.includes('map evenItem'), legend.join(' | '));
    assert.deepEqual(p.errors, []);
  });

  test('summary regions table and the durations view: #1 and #2', async () => {
    const p = await openReport(b, report, 'f2-twice-durations');
    await showView(p.page, 'summary');
    const regions = await p.page.$$eval('#summary-regions tbody tr', (tr) => tr.map((r) => r.children[0].textContent));
    assert.deepEqual(regions, ['map evenItem #1', 'map evenItem #2']);
    // The second row's button opens the durations view on that region, named as in the table.
    await p.page.click('#summary-regions tbody tr:nth-child(2) button');
    await p.page.waitForSelector('#panel-durations:not([hidden]) #durations-histogram h3');
    const options = await p.page.$$eval('#durations-region option', (o) => o.map((e) => e.textContent));
    assert.deepEqual(options, ['map evenItem #1', 'map evenItem #2']);
    const second = report.spans.region.slice(0, report.spans.count).filter((r) => r === report.regions[1].id).length;
    assert.equal(await p.page.$eval('#durations-histogram h3', (e) => e.textContent), `map evenItem #2: ${second} tasks`);
    assert.match(await p.page.$eval('#durations-histogram svg', (e) => e.getAttribute('aria-label')!), / of map evenItem #2$/);
    assert.deepEqual(p.errors, []);
  });
});
