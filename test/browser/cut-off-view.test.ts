// A task cut off by the run's end (SPAN_CUT_OFF: still running when the run stopped, or its thread
// died) is said to be one on the timeline: the keyboard focus line (and the tooltip) say so, and
// its right edge carries a notch in the error colour (not checked here); an ordinary task says nothing of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../unit/model-build';
import { SPAN_CUT_OFF } from '../../src/model/report';
import { launch, openReport, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

test('a cut-off task: the focus line says it was cut off, an ordinary task does not', async () => {
  const report = buildReport({ workers: 1, durationUs: 10_000, regions: [{ start: 0, end: 10_000 }],
    spans: [{ thread: 1, start: 0, end: 3000 }, { thread: 1, start: 4000, end: 10_000 }] });
  report.spans.flags = [0, SPAN_CUT_OFF];
  const p = await openReport(b, report, 'cut-off-view', '#view=timeline');
  await p.page.waitForFunction(() => (window as unknown as { __parprof?: unknown }).__parprof);
  await p.page.focus('#panel-timeline canvas');
  await p.page.keyboard.press(']');
  assert.doesNotMatch(await p.page.$eval('#timeline-focus', (e) => e.textContent!), /Cut off/);
  await p.page.keyboard.press(']');
  assert.match(await p.page.$eval('#timeline-focus', (e) => e.textContent!), /task #1 of .*\. Cut off: still running when the run stopped or its thread died; it ends at that moment\. Space selects it/);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
