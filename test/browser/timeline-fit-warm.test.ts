// The timeline after its first paint, in a real Chromium, on a standalone page of 8 threads whose
// lanes share the room below their top: the windows the timeline paints unseen once the page is
// idle (TimelineView.warm, so the first zooms run warm code) change nothing on screen (the canvas
// is, pixel for pixel, a redraw of the window shown, and the window is the one shown); and when
// the part above the lanes grows (the headline numbers replacing "Computing…" after the first
// paint) the lanes move down and are fitted again at once, not at the next zoom.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { launch, openReport, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

interface TimelineHandle { lastDrawMs: number; warmedWindows: number; canvas: HTMLCanvasElement; draw(): void }
type App = { store: { window: { from: number; to: number }; endUs: number }; views: Map<string, TimelineHandle> };

test('the windows painted unseen when idle leave the canvas as a redraw makes it; the lanes are fitted again when the part above them grows, without a redraw asked for', async () => {
  const report = syntheticReport({ threads: 8, spans: 40_000, profiles: 4, samplesPerProfile: 4000, seed: 21 });
  const { page, errors } = await openReport(b, report, 'timeline-fit-warm', '#timeline');
  await page.waitForSelector('#timeline-headline');
  // Every window warm() paints.
  await page.waitForFunction(() => ((window as unknown as { __parprof: { app: App } }).__parprof.app.views.get('timeline')?.warmedWindows ?? 0) >= 4, null, { timeout: 30_000 });
  const got = await page.evaluate(async () => {
    const { app } = (window as unknown as { __parprof: { app: App } }).__parprof;
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await frames();
    const timeline = app.views.get('timeline')!;
    const c = timeline.canvas;
    const shown = { pixels: c.toDataURL(), window: { ...app.store.window } };
    timeline.draw();
    const redrawn = c.toDataURL();
    // 120 px more above the lanes, as when the headline numbers replace "Computing…".
    const lanesTop = document.querySelector('#timeline-lanes')!.getBoundingClientRect().top;
    const section = document.querySelector('#timeline-headline')!.closest('section')!;
    const height0 = c.height;
    section.prepend(Object.assign(document.createElement('div'), { style: 'height: 120px' }));
    await frames();
    await frames();
    const moved = document.querySelector('#timeline-lanes')!.getBoundingClientRect().top - lanesTop;
    const height1 = c.height;
    timeline.draw();
    return { shown, redrawn, endUs: app.store.endUs, warmed: timeline.warmedWindows, moved, height0, height1, height2: c.height };
  });
  assert.equal(got.warmed, 4, 'four windows painted unseen');
  assert.deepEqual(got.shown.window, { from: 0, to: got.endUs }, 'the window shown is still the whole run');
  assert.ok(got.shown.pixels === got.redrawn, 'the canvas is as a redraw of the window shown makes it');
  assert.equal(got.moved, 120, 'the lanes moved down 120 px');
  assert.ok(got.height1 < got.height0, `the lanes were fitted to less room (canvas ${got.height0} → ${got.height1} px)`);
  assert.equal(got.height1, got.height2, 'as a redraw fits them');
  assert.deepEqual(errors, []);
  await page.close();
});
