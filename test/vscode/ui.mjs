// UI test through the browser, against the packaged .vsix installed in code-server: open an
// example, run "Parallel Profiler: Profile Current File" from the palette, and check that the
// panel's timeline shows one lane per thread of the recorded report. Saves a screenshot.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TITLE = 'Parallel Profiler: Profile Current File';

/** The example the UI test profiles: examples/mandelbrot.js when the examples exist, else the fixture. */
function pickScript(folder) {
  for (const rel of ['examples/mandelbrot.js', 'pool-demo.js']) if (existsSync(join(folder, rel))) return rel;
  throw new Error(`no script to profile in ${folder}`);
}

async function paletteRun(page, title, log) {
  // The palette lists an extension's commands only once the extension host has scanned them:
  // reopen it until the title appears.
  const deadline = Date.now() + 90_000;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      log(`ui: '${title}' found in the palette (attempt ${attempt})`);
      await page.keyboard.press('Enter');
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
}

/** Resolves { passed, failed } for the counts line; 2 checks: the vsix works, lanes match threads. */
export async function runUiTest({ scratch, port, folder, root, launchBrowser, log }) {
  const shot = join(root, 'test-artifacts', 'vscode-profile-current-file.png');
  const rel = pickScript(folder);
  const browser = await launchBrowser(scratch);
  let passed = 0;
  let failed = 0;
  const page = browser.pages()[0] ?? await browser.newPage();
  try {
    const before = new Set(existsSync(join(folder, '.parprof')) ? readdirSync(join(folder, '.parprof')) : []);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
    // Quick Open the example.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(rel);
    // File search starts cold in a fresh server and the machine may be busy: allow a minute.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: rel.split('/').pop() }).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Enter');
    await page.locator(`.tab[aria-label^="${rel.split('/').pop()}"]`).first().waitFor({ timeout: 30_000 });
    log(`ui: opened ${rel}`);
    await paletteRun(page, TITLE, log);
    // The webview is iframe.webview, its content the nested #active-frame.
    const view = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    await view.locator('#tab-timeline').click({ timeout: 120_000 });
    const lanes = view.locator('#timeline-lanes li[data-thread]');
    await lanes.first().waitFor({ timeout: 30_000 });
    passed++; // the installed vsix profiled the example and its panel shows the views
    const shown = await lanes.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-thread'))));
    const added = readdirSync(join(folder, '.parprof')).filter((f) => f.endsWith('.parprof') && !before.has(f));
    if (added.length !== 1) throw new Error(`expected one new report, found ${added.join(', ') || 'none'}`);
    const report = JSON.parse(readFileSync(join(folder, '.parprof', added[0]), 'utf8'));
    const threads = report.threads.map((t) => t.id);
    log(`ui: lanes for threads [${shown.join(', ')}], report threads [${threads.join(', ')}]`);
    if (JSON.stringify([...shown].sort((a, b) => a - b)) !== JSON.stringify([...threads].sort((a, b) => a - b)) || shown.length < 3) {
      throw new Error(`timeline lanes [${shown}] do not match the report's threads [${threads}]`);
    }
    await page.waitForTimeout(800);
    await page.screenshot({ path: shot });
    log(`ui: screenshot ${shot}`);
    passed++;
  } catch (e) {
    failed = 2 - passed;
    console.log(`  [ui] FAILED: ${e instanceof Error ? e.message : e}`);
    await page.screenshot({ path: shot.replace(/\.png$/, '-failure.png') }).catch(() => undefined);
  } finally {
    await browser.close().catch(() => undefined);
  }
  return { passed, failed };
}
