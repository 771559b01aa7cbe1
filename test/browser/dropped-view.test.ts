// What the recorder could not keep is shown in the views, not only printed by the CLI: a report
// with dropped spans, samples and profiles lists them among the summary's findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { buildReport } from '../unit/model-build';
import { launch, openReport, showView } from './browser';

test('dropped spans, samples and profiles are findings in the views\' summary', async () => {
  const report = buildReport({ workers: 2, regions: [{ start: 0, end: 1000 }], spans: [{ thread: 1, start: 0, end: 900 }, { thread: 2, start: 0, end: 950 }] });
  report.dropped = { spans: 12_345, samples: 7, profiles: 1 };
  const expected = ['12,345 spans could not be kept (buffers full or lost at exit)', '7 CPU samples could not be kept', '1 thread profile could not be collected'];
  const found = verdicts(analyze(report), report);
  for (const line of expected) assert.ok(found.includes(line), `the model's findings hold '${line}': ${found.join(' | ')}`);
  const b = await launch();
  try {
    const p = await openReport(b, report, 'dropped');
    await showView(p.page, 'summary');
    const items = await p.page.$$eval('#summary-verdicts li', (li) => li.map((e) => e.textContent));
    for (const line of expected) assert.ok(items.includes(line), `the summary shows '${line}': ${items.join(' | ')}`);
    assert.deepEqual(p.errors, []);
  } finally {
    await b.close();
  }
});
