// The views' findings: an advice item is a button that opens the timeline on its range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { buildReport } from '../unit/model-build';
import { launch, openReport, showView } from './browser';

test('clicking a static-skew advice in the summary zooms the timeline to its region', async () => {
  // A 300 ms / 100 ms split of two 10-item chunks under static between 100 ms and 400 ms of a 1 s run.
  const report = buildReport({ workers: 2, regions: [{ start: 100_000, end: 400_000, name: 'split', schedule: 'static', threads: 2 }], spans: [
    { thread: 1, start: 100_000, end: 400_000 }, { thread: 2, start: 100_000, end: 200_000 },
  ], durationUs: 1_000_000 });
  report.spans.items[0] = report.spans.items[1] = 10;
  const m = analyze(report);
  const [advice] = advise(report, m);
  assert.equal(advice.rule, 'static-skew');
  const b = await launch();
  try {
    const p = await openReport(b, report, 'advice');
    await showView(p.page, 'summary');
    const items = await p.page.$$eval('#summary-verdicts li', (li) => li.map((e) => e.textContent));
    assert.deepEqual(items, verdicts(m, report));
    const buttons = await p.page.$$eval('#summary-verdicts button.pp-advice', (x) => x.map((e) => e.textContent));
    assert.deepEqual(buttons, [advice.text]);
    await p.page.click('#summary-verdicts button.pp-advice');
    await p.page.waitForSelector('#panel-timeline:not([hidden])');
    await p.page.waitForFunction(([from, to]) => {
      const d = (document.querySelector('#timeline-window') as HTMLElement | null)?.dataset;
      return d !== undefined && Number(d.from) === from && Number(d.to) === to;
    }, [advice.range!.from, advice.range!.to], { timeout: 20_000 });
    assert.deepEqual(p.errors, []);
  } finally {
    await b.close();
  }
});
