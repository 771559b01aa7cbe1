// The summary's header names the pools as they ran, not the run's pool defaults (meta.pool): the
// only pool of test/fixtures/f5-layout.js is created with threads: 2, schedule: 'static', and the
// run's default schedule (no --schedule) is another one, so a header built from the defaults
// said 'pool default 2 threads, steal' of a run in which nothing was stolen.
import { after, before, test } from 'node:test';
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
let b: Browser;
let report: Report;

before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'parprof-pool-header-')), 'f5.parprof');
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'record', '--threads', '3', '--out', file, 'f5-layout.js'], {
    cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  report = parseReport(readFileSync(file));
  b = await launch();
});
after(async () => { await b?.close(); });

test('summary header: the pool\'s own threads and schedule, not the defaults', async () => {
  // The planted truth: defaults of 3 threads and a schedule other than static; one pool of 2 threads, static.
  assert.equal(report.meta.pool.threads, 3);
  assert.notEqual(report.meta.pool.schedule, 'static');
  assert.deepEqual(report.regions.map((g) => [g.threads, g.schedule]), [[2, 'static']]);
  const p = await openReport(b, report, 'summary-pool-header');
  await showView(p.page, 'summary');
  const about = (await p.page.locator('section[aria-label="Summary"] > p.pp-hint').first().textContent()) ?? '';
  assert.match(about, / cores · pool 2 threads, schedule static · recorded /, about);
  assert.doesNotMatch(about, new RegExp(`default|3 threads|${report.meta.pool.schedule}`), about);
  assert.deepEqual(p.errors, []);
});
