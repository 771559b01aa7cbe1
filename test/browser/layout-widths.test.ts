// A narrow panel (an editor split in two: 500 px) and a wide one (1,400 px): no view makes the
// page scroll sideways, every tab stays in view (none scrolled out of sight with no cue), the
// flamegraph's table is shown whole when it fits, and a table's caption is not cut at the edge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { VIEW_IDS } from '../../src/protocol';
import { launch, openReport } from './browser';

test('at 500 and 1,400 px: no sideways page scroll, every tab in view, captions within the panel', async () => {
  const report = syntheticReport({ threads: 3, spans: 600, profiles: 3, samplesPerProfile: 400, seed: 11 });
  const b = await launch();
  try {
    const { page, errors } = await openReport(b, report, 'layout-widths');
    for (const width of [500, 1400]) {
      await page.setViewportSize({ width, height: 900 });
      for (const view of VIEW_IDS) {
        await page.click(`[role="tab"][aria-controls="panel-${view}"]`);
        await page.waitForSelector(`#panel-${view}:not([hidden])`);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const sw = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(sw <= width, `${view} at ${width} px: the page is ${sw} px wide`);
        const tabs = await page.$$eval('[role="tab"]', (ts) => ts.map((t) => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right]; }));
        for (const [name, left, right] of tabs) assert.ok((left as number) >= 0 && (right as number) <= width, `${view} at ${width} px: tab ${name} at ${left}–${right}`);
        const captions = await page.$$eval(`#panel-${view} caption`, (cs) => cs.filter((c) => (c as HTMLElement).offsetParent).map((c) => [c.textContent, c.getBoundingClientRect().right]));
        for (const [text, right] of captions) assert.ok((right as number) <= width, `${view} at ${width} px: caption "${text}" ends at ${right}`);
      }
    }
    // Wide: the flamegraph's top-functions table is whole, not scrolled.
    await page.click('[role="tab"][aria-controls="panel-flamegraph"]');
    const side = await page.$eval('#panel-flamegraph .pp-flame-side', (e) => [e.scrollWidth, e.clientWidth]);
    assert.ok(side[0] <= side[1] + 1, `flamegraph table ${side[0]} px in ${side[1]} px`);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});
