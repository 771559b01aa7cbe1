// The bundle inside a (simulated) VS Code webview: a stand-in acquireVsCodeApi records what the
// webview posts; the test plays the extension's side of src/protocol.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { buildFlameTree } from '../../src/model/flame';
import { webviewHtml } from '../../src/model/html-report';
import type { WebviewToHost } from '../../src/protocol';
import { bundle, launch, showView, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

test('ready, then init; open-source, state and unknown messages', async () => {
  const report = syntheticReport({ threads: 2, spans: 200, profiles: 3, samplesPerProfile: 1000, seed: 5 });
  const page = await b.context.newPage();
  const errors: string[] = [];
  const warnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); if (m.type() === 'warning') warnings.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; __state: unknown; acquireVsCodeApi: () => unknown };
    w.__posted = [];
    w.__state = undefined;
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m), getState: () => w.__state, setState: (s: unknown) => { w.__state = s; } });
  });
  // The panel's page, with the bundle served from a route as VS Code serves it from the extension.
  await page.route('https://file+.vscode-resource.vscode-cdn.net/dist/webview.js', (r) => r.fulfill({ body: bundle(), contentType: 'text/javascript' }));
  await page.route('https://panel.test/', (r) => r.fulfill({ contentType: 'text/html',
    body: webviewHtml({ nonce: 'abc123', cspSource: 'https://*.vscode-cdn.net', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/dist/webview.js' }) }));
  await page.goto('https://panel.test/');
  const posted = () => page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  assert.deepEqual(await posted(), [{ type: 'ready' }]);

  await page.evaluate((r) => window.postMessage({ type: 'bogus' }, '*'), null);
  await page.evaluate((r) => window.postMessage({ type: 'init', report: r, options: { view: 'flamegraph', canOpenSource: true } }, '*'), report);
  await page.waitForSelector('#panel-flamegraph:not([hidden]) #flamegraph');
  await showView(page, 'flamegraph');
  assert.ok(warnings.some((w) => w.includes('unknown message')), 'unknown message types are logged');

  const heaviest = buildFlameTree(report).children[0];
  const bb = (await (await page.$('#flamegraph'))!.boundingBox())!;
  await page.mouse.click(bb.x + 4, bb.y + 18 + 9);
  await page.click('#flame-details button');
  const open = (await posted()).find((m) => m.type === 'open-source');
  assert.deepEqual(open, { type: 'open-source', file: heaviest.file, line: heaviest.line, column: Math.max(1, heaviest.column) });

  await page.evaluate(() => window.postMessage({ type: 'focus-range', from: 1000, to: 3000 }, '*'));
  await showView(page, 'timeline');
  await page.evaluate(() => window.postMessage({ type: 'show-view', view: 'timeline' }, '*'));
  await page.waitForFunction(() => (document.querySelector('#timeline-range') as HTMLElement)?.dataset.from === '1000');
  const win = await page.$eval('#timeline-window', (e) => [(e as HTMLElement).dataset.from, (e as HTMLElement).dataset.to]);
  assert.deepEqual(win, ['1000', '3000']);
  await page.waitForFunction(() => (window as unknown as { __state?: { view: string } }).__state?.view === 'timeline');
  const state = (await posted()).filter((m) => m.type === 'state').pop();
  assert.ok(state && state.type === 'state' && state.state.range?.from === 1000);
  assert.deepEqual(errors, []);
});
