// Shared plumbing of the browser suite: Debian's chromium through playwright-core, standalone
// report pages written to a temp dir and opened over file://, console errors and network
// requests collected per page.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/runner/paths';
import { standaloneHtml, webviewHtml, type StandaloneOptions } from '../../src/model/html-report';
import type { Report } from '../../src/model/report';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  dir: string;
  close(): Promise<void>;
}

/** `extraArgs`: Chromium flags beyond CHROMIUM_ARGS (a test of its own that needs them). */
export async function launch(extraArgs: string[] = []): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-browser-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: process.env.PARPROF_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 1280, height: 860 },
  });
  return { context, dir, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export function bundle(): string {
  return readFileSync(join(packageRoot(), 'dist', 'webview.js'), 'utf8');
}

/** A page showing `report` as a standalone HTML file, with what it logged and fetched. */
export interface ReportPage {
  page: Page;
  file: string;
  errors: string[];
  /** Every request the page made other than the report file itself and blob: URLs (its own bytes: the report decoder's worker). */
  requests: string[];
}

export async function openReport(b: Browser, report: Report, name: string, hash = '', options: StandaloneOptions = {}): Promise<ReportPage> {
  const file = join(b.dir, `${name}.html`);
  writeFileSync(file, standaloneHtml(report, bundle(), options));
  const page = await b.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (r.url() !== url && r.url() !== url + hash && !r.url().startsWith('blob:')) requests.push(r.url()); });
  await page.goto(url + hash);
  await page.waitForSelector('[role="tablist"]');
  return { page, file, errors, requests };
}

/** Saves a screenshot under test-artifacts/ (kept for people to look at). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(packageRoot(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Clicks a tab and waits for its panel. */
export async function showView(page: Page, view: string): Promise<void> {
  await page.click(`#tab-${view}`);
  await page.waitForSelector(`#panel-${view}:not([hidden])`);
  // Views draw on the next animation frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Where the webview pages below load the views bundle from, as VS Code serves local resources. */
export const WEBVIEW_RESOURCES = 'https://file+.vscode-resource.vscode-cdn.net';

/**
 * A page as VS Code hosts the webview: its CSP, its script URL, a stand-in acquireVsCodeApi that
 * records what is posted (window.__posted); resolves once the webview posted 'ready'. `routes`
 * adds the test's own routes before the page loads; `consoleErrors`: console errors count as
 * errors too (a test that expects a failed fetch turns it off: Chromium logs the failure);
 * `extraSource`: one more origin the CSP allows (a local server whose response the test paces).
 */
export async function webviewPage(b: Browser, options: { routes?: (page: Page) => Promise<unknown>; consoleErrors?: boolean; extraSource?: string } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await b.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (options.consoleErrors !== false) page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi: () => unknown };
    w.__posted = [];
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m), getState: () => undefined, setState: () => undefined });
  });
  await page.route(`${WEBVIEW_RESOURCES}/dist/webview.js`, (r) => r.fulfill({ body: bundle(), contentType: 'text/javascript' }));
  if (options.routes) await options.routes(page);
  await page.route('https://panel.test/', (r) => r.fulfill({ contentType: 'text/html',
    body: webviewHtml({ nonce: 'n0nce', cspSource: `https://*.vscode-cdn.net${options.extraSource ? ` ${options.extraSource}` : ''}`, scriptUri: `${WEBVIEW_RESOURCES}/dist/webview.js` }) }));
  await page.goto('https://panel.test/');
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return { page, errors };
}
