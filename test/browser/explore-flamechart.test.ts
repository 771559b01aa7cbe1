// The flame chart offers the same frame transforms as the flamegraph and the call tree, on a
// right-click; the transform applies to every view (one Store), as its breadcrumbs show.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Report } from '../../src/model/report';
import { buildReport } from '../unit/model-build';
import { plantedProfile } from '../unit/explore-helpers';
import { launch, openReport, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

const report: Report = buildReport({ workers: 2, profiles: [{ thread: 1, profile: plantedProfile() }, { thread: 2, profile: plantedProfile() }] });

test('flame chart: right-click a frame, pick a transform, every view shows it in its breadcrumb', async () => {
  const p = await openReport(b, report, 'explore-flamechart', '#view=flamechart');
  await showView(p.page, 'flamechart');
  await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const bb = (await (await p.page.$('#flamechart'))!.boundingBox())!;
  // The first stack row (depth 0) starts 40 px down (axis 20 + task strip 14 + 6). The planted
  // profile's outermost frame is `main`; look along the row for it.
  let title: string | null = null;
  for (let x = 1; x < Math.min(400, bb.width) && title === null; x += 3) {
    await p.page.mouse.click(bb.x + x, bb.y + 46, { button: 'right' });
    title = await p.page.$eval('.pp-menu', (m) => ((m as HTMLElement).hidden ? null : m.querySelector('.pp-menu-title')!.textContent)).catch(() => null);
  }
  assert.equal(title, 'main', 'a right-click on the outermost frame opens its menu');
  const items = await p.page.$$eval('.pp-menu:not([hidden]) button', (bs) => bs.map((x) => x.textContent));
  assert.deepEqual(items.slice(0, 3), ['Merge function', 'Focus on function', 'Drop samples with this function']);
  await p.page.click('.pp-menu:not([hidden]) button:has-text("Merge function")');
  await p.page.waitForFunction(() => document.querySelector('#chart-transforms')?.textContent?.includes('Merge: main'));
  await showView(p.page, 'calltree');
  assert.match(await p.page.$eval('#calltree-transforms', (e) => e.textContent!), /Merge: main/);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});
