// UI tests through the browser, against the packaged .vsix installed in code-server: open a
// script, run "Parallel Profiler: Profile Current File" from the palette, and check that the
// panel's timeline shows one lane per thread of the recorded report, each with that thread's
// task count, and that the editor shows the run's numbers above the pool call as soon as the run
// ends (no scrolling, no click). Once on examples/mandelbrot.js, once on a TypeScript script (the
// installed extension must carry esbuild to run it). Saves a screenshot of each.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';

const TITLE = 'Parallel Profiler: Profile Current File';
/** A run, its report and the panel showing it: generous, the machine may be busy. */
const RUN_TIMEOUT_MS = 120_000;

/** The JavaScript example: examples/mandelbrot.js (PARPROF_UI_SCRIPT overrides, for debugging). */
function pickScript(folder) {
  if (process.env.PARPROF_UI_SCRIPT) return process.env.PARPROF_UI_SCRIPT;
  for (const rel of ['examples/mandelbrot.js', 'pool-demo.js']) if (existsSync(join(folder, rel))) return rel;
  throw new Error(`no script to profile in ${folder}`);
}

/** Opens a workspace file through Quick Open and waits for its tab. */
async function openFile(page, rel, log) {
  const name = rel.split('/').pop();
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(rel);
  // File search starts cold in a fresh server and the machine may be busy: allow a minute.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label^="${name}"]`).first().waitFor({ timeout: 30_000 });
  // Our "▶ Profile" CodeLens on the pool call: the extension host has the document and our
  // extension is active. A command sent before that point can find no active editor.
  // The extension activates on the language: two minutes on a busy machine's cold workbench.
  await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Profile' }).first().waitFor({ timeout: 120_000 });
  log(`ui: opened ${rel}`);
}

/**
 * Runs a palette command by clicking its own row. Pressing Enter runs whatever row has focus,
 * which need not be the one found (the list filters asynchronously while it is being typed).
 */
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
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`'${title}' never appeared in the palette: ${e instanceof Error ? e.message : e}`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
      continue;
    }
    log(`ui: '${title}' found in the palette (attempt ${attempt}); clicking it`);
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    return;
  }
}

/** Reports in the workspace's report folder. */
function reports(folder) {
  const dir = join(folder, '.parprof');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.parprof')) : [];
}

/** The one report added since `before`, once it is complete (the runner writes it at the end). */
async function newReport(folder, before, page) {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const added = reports(folder).filter((f) => !before.has(f));
    if (added.length > 1) throw new Error(`expected one new report, found ${added.join(', ')}`);
    if (added.length === 1) {
      const file = join(folder, '.parprof', added[0]);
      try {
        if (statSync(file).size > 0) return { file, report: JSON.parse(readFileSync(file, 'utf8')) };
      } catch { /* still being written */ }
    }
    if (Date.now() > deadline) throw new Error(`no report written within ${RUN_TIMEOUT_MS / 1000} s`);
    await page.waitForTimeout(500);
  }
}

/** The webview (nested #active-frame of an iframe.webview) whose heading names the report's script. */
async function reportView(page, reportFile, script) {
  const name = basename(script);
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const frames = page.locator('iframe.webview');
    const n = await frames.count();
    for (let i = 0; i < n; i++) {
      const view = frames.nth(i).contentFrame().frameLocator('#active-frame');
      if (await view.locator('header.pp-header h1', { hasText: name }).count().catch(() => 0)) return view;
      // A view that refused the report says why: fail with that rather than wait.
      const refused = await view.locator('.pp-error-box').allTextContents().catch(() => []);
      if (refused.length) throw new Error(`a report view shows an error: ${refused.join(' | ')}`);
    }
    if (Date.now() > deadline) throw new Error(`no panel shows ${basename(reportFile)} of ${name} within ${RUN_TIMEOUT_MS / 1000} s (${n} webviews open)`);
    await page.waitForTimeout(500);
  }
}

/**
 * While the run goes on, the view of its report-to-be shows its progress: saves a screenshot of
 * it if the view has loaded before the report exists. Logged, not checked (a short run on a busy
 * machine ends before its view has loaded; the extension-host suite checks the view's state).
 */
async function progressShot({ page, folder, before, name, shot, log }) {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (Date.now() < deadline && !reports(folder).some((f) => !before.has(f))) {
    const frames = page.locator('iframe.webview');
    for (let i = 0; i < await frames.count().catch(() => 0); i++) {
      const status = frames.nth(i).contentFrame().frameLocator('#active-frame').locator('.pp-status');
      const text = (await status.allTextContents().catch(() => [])).find((t) => t.startsWith(`Recording ${name} `));
      if (text) {
        await page.screenshot({ path: shot }).catch(() => undefined);
        log(`ui: while recording, the run's view said '${text}' (screenshot ${shot})`);
        return;
      }
    }
    await page.waitForTimeout(200);
  }
  log(`ui: the report of ${name} was written before its view had loaded (no progress seen)`);
}

/** Lines of the extension's own log (Parallel Profiler.log) under the scratch folder's logs. */
function extensionLog(scratch) {
  const found = [];
  const walk = (dir) => {
    for (const e of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'Parallel Profiler.log') found.push(p);
    }
  };
  walk(join(scratch, 'user-data', 'logs'));
  return found.flatMap((p) => readFileSync(p, 'utf8').split('\n'));
}

/** What the workbench and the extension said, for a failure message: toasts and the extension's logs. */
async function diagnostics(page, scratch) {
  const lines = [];
  const toasts = await page.locator('.notification-list-item-message').allInnerTexts().catch(() => []);
  lines.push(`notifications: ${toasts.length ? toasts.map((t) => JSON.stringify(t)).join('; ') : 'none'}`);
  const logs = [];
  const walk = (dir) => {
    for (const e of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Parallel Profiler/.test(e.name)) logs.push(p);
    }
  };
  walk(join(scratch, 'user-data', 'logs'));
  for (const p of logs.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs).slice(-2)) {
    lines.push(`${p}:\n${readFileSync(p, 'utf8').split('\n').slice(-15).join('\n')}`);
  }
  return lines.join('\n');
}

/**
 * Profiles `rel` from the palette; checks the panel lists one lane per thread of the new report
 * with that thread's task count, then saves `shot`. Returns the report.
 */
async function profileAndCheck({ page, folder, rel, shot, log, scratch, timings }) {
  const before = new Set(reports(folder));
  await openFile(page, rel, log);
  // The pool call in view before the run (a long file would have it below the fold); after the
  // run nothing moves the editor.
  const callLine = readFileSync(join(folder, rel), 'utf8').split('\n').findIndex((l) => /pool\.(map|reduce)\(/.test(l)) + 1;
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').fill(`:${callLine}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await paletteRun(page, TITLE, log);
  await progressShot({ page, folder, before, name: basename(rel), shot: shot.replace(/\.png$/, '-running.png'), log });
  const { file, report } = await newReport(folder, before, page);
  log(`ui: report ${file}`);
  const numbers = page.locator('.monaco-editor .codelens-decoration', { hasText: 'utilization' }).first();
  await numbers.waitFor({ timeout: 30_000 }).catch(() => {
    throw new Error(`the editor of ${rel} shows no region numbers above line ${callLine} after the run (without scrolling)`);
  });
  log(`ui: the editor shows '${(await numbers.innerText()).trim()}' without scrolling`);
  const view = await reportView(page, file, report.meta.script);
  await view.locator('#tab-timeline').click({ timeout: 30_000 });
  const lanes = view.locator('#timeline-lanes li[data-thread]');
  await lanes.first().waitFor({ timeout: 30_000 });
  const shown = await lanes.evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-thread')), Number(e.getAttribute('data-tasks'))]));
  const expected = report.threads.map((t) => [t.id, report.spans.thread.filter((id) => id === t.id).length]);
  const key = (pairs) => JSON.stringify([...pairs].sort((a, b) => a[0] - b[0]));
  log(`ui: lanes [thread, tasks] ${key(shown)}, report ${key(expected)}`);
  if (key(shown) !== key(expected)) throw new Error(`timeline lanes ${key(shown)} do not match the report's threads ${key(expected)}`);
  // The main thread plus the pool's 2 workers, and the workers ran the tasks.
  if (shown.length < 3 || shown.filter(([, tasks]) => tasks > 0).length < 2) {
    throw new Error(`expected the main thread and 2 busy workers, got lanes ${key(shown)}`);
  }
  // Script end → the report in the view → its first view drawn, all on this machine's clock: the
  // script's exit is the report's start plus its duration; the view's marks are webview/app.ts's.
  const marks = await view.locator('body').evaluate(() => {
    const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? performance.timeOrigin + e.startTime : undefined; };
    const drawn = performance.getEntriesByType('mark').find((e) => e.name.startsWith('parprof:drawn-'));
    return { createdAt: performance.timeOrigin, receivedAt: at('parprof:received'), drawnAt: drawn ? performance.timeOrigin + drawn.startTime : undefined, drawnView: drawn?.name.slice('parprof:drawn-'.length) };
  });
  const exitAt = report.meta.startedAt + report.meta.durationUs / 1000;
  const writtenAt = statSync(file).mtimeMs;
  const ms = (x) => (x === undefined ? undefined : Math.round(x));
  const timing = {
    script: rel, processMs: ms(report.meta.durationUs / 1000), webviewCreatedAfterRunStartMs: ms(marks.createdAt - report.meta.startedAt),
    exitToReportWrittenMs: ms(writtenAt - exitAt), exitToReportInViewMs: ms(marks.receivedAt - exitAt),
    exitToFirstViewDrawnMs: ms(marks.drawnAt - exitAt), firstView: marks.drawnView,
  };
  await page.waitForTimeout(800);
  const extensionTimings = extensionLog(scratch).filter((l) => l.includes('timing') && l.includes(basename(rel).replace(/\.[jt]s$/, '')));
  timing.boot = await viewBoot(page, basename(report.meta.script), basename(file), report.meta.startedAt, extensionTimings);
  log(`ui: timing ${JSON.stringify(timing)}`);
  for (const line of extensionTimings) log(`ui: ${line}`);
  timings.push({ ...timing, extensionLog: extensionTimings.map((l) => l.replace(/^\S+ \S+ \[info\] /, '')) });
  // The page carries the views' bundle (webviewHost.ts webviewPage): it loads no script to start.
  const scripts = (timing.boot.page?.resources ?? []).filter((r) => /\.m?js /.test(r));
  if (!timing.boot.page || scripts.length) throw new Error(`the report view's page loaded scripts to start: ${JSON.stringify(timing.boot.page ?? timing.boot)}`);
  await page.screenshot({ path: shot });
  log(`ui: screenshot ${shot}`);
  return report;
}

/**
 * Where the start of the report view of `reportName` went, in ms after the run started (`origin`,
 * epoch ms), on this machine's clock: the extension host asked for the document and the view
 * (its log lines), the workbench made the webview's frame and loaded it (its `webview/index.html/*`
 * marks: service worker ready, our page written), our page started, fetched what (resources), and
 * said ready. A measurement for issue 12, not a check.
 */
async function viewBoot(page, scriptName, reportName, origin, extensionTimings) {
  const at = (re) => {
    const line = extensionTimings.find((l) => l.includes(reportName) && re.test(l));
    const stamp = line && /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+)/.exec(line);
    return stamp ? new Date(`${stamp[1]}T${stamp[2]}`).getTime() - origin : undefined;
  };
  const hostView = at(/asked for the report view of/);
  const readyAfter = Number(extensionTimings.find((l) => l.includes(reportName) && /was ready \d+ ms after it was created/.test(l))?.match(/was ready (\d+) ms/)?.[1]);
  const boot = { hostDocument: at(/asked for the report document of/), hostView, readyAtHost: hostView !== undefined && readyAfter >= 0 ? hostView + readyAfter : undefined };
  for (const frame of page.frames().reverse()) {
    const ours = await frame.locator('header.pp-header h1', { hasText: scriptName }).count().catch(() => 0);
    if (!ours) continue;
    const times = (f) => f.evaluate((o) => {
      const t0 = performance.timeOrigin - o;
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        created: Math.round(t0), loaded: nav ? Math.round(t0 + nav.loadEventEnd) : undefined,
        marks: Object.fromEntries(performance.getEntriesByType('mark').filter((e) => !e.name.startsWith('parprof:'))
          .map((e) => [e.name.replace('webview/index.html/', ''), Math.round(t0 + e.startTime)])),
        resources: performance.getEntriesByType('resource').map((e) => `${e.name.split('?')[0].split('/').pop()} ${Math.round(t0 + e.startTime)}+${Math.round(e.duration)}`),
      };
    }, origin).catch((e) => ({ error: String(e).slice(0, 120) }));
    const parent = frame.parentFrame();
    return { ...boot, frame: parent ? await times(parent) : undefined, page: await times(frame) };
  }
  return boot;
}

/**
 * Clicks ▶ Re-run in the report view of `script`: a new report is written, and the new run's tab
 * replaces the old run's (one report tab of that script). Then shows the Runs view for a
 * screenshot (its entries at the default sidebar width).
 */
async function rerunFromReport({ page, folder, script, shot, log }) {
  const before = new Set(reports(folder));
  const stem = basename(script).replace(/\.[cm]?[jt]s$/, '');
  const view = await reportView(page, script, script);
  await view.locator('#pp-rerun').click({ timeout: 30_000 });
  const { file } = await newReport(folder, before, page);
  log(`ui: Re-run wrote ${file}`);
  const tabs = page.locator('.tabs-container .tab').filter({ hasText: new RegExp(`^${stem}-\\d{8}-\\d+\\.parprof`) });
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const labels = await tabs.allTextContents();
    if (labels.length === 1 && labels[0].includes(basename(file))) break;
    if (Date.now() > deadline) throw new Error(`expected one report tab of ${stem}, the new run's ${basename(file)}; tabs: ${JSON.stringify(labels)}`);
    await page.waitForTimeout(300);
  }
  log(`ui: one report tab of ${stem}, the new run's`);
  await paletteRun(page, 'Parallel Profiler: Focus on Runs View', log);
  await page.locator('.pane-body .monaco-list-row', { hasText: 'util' }).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: shot });
  log(`ui: screenshot ${shot}`);
}

/** Resolves { passed, failed } for the counts line: mandelbrot.js, then the TypeScript script. */
export async function runUiTest({ scratch, port, folder, root, launchBrowser, log }) {
  const artifacts = join(root, 'test-artifacts');
  const checks = [
    { rel: pickScript(folder), shot: join(artifacts, 'vscode-profile-current-file.png') },
    {
      rel: 'ts-demo.ts', shot: join(artifacts, 'vscode-profile-typescript.png'),
      // A missing esbuild makes the script throw at load: the run must have ended cleanly.
      verify: (report) => {
        if (report.exit.code !== 0 || report.exit.error) {
          throw new Error(`ts-demo.ts did not run cleanly: exit ${report.exit.code ?? report.exit.signal}${report.exit.error ? `, ${report.exit.error.message}` : ''}`);
        }
      },
    },
  ];
  const browser = await launchBrowser(scratch);
  /** Where the time of each run went, the first of this session first (written to test-artifacts/vscode-timings.json). */
  const timings = [];
  let passed = 0;
  let failed = 0;
  const page = browser.pages()[0] ?? await browser.newPage();
  try {
    // The workbench's first load on a busy machine: allow two minutes.
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`, { timeout: 120_000 });
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
    for (const check of checks) {
      try {
        const report = await profileAndCheck({ page, folder, rel: check.rel, shot: check.shot, log, scratch, timings });
        check.verify?.(report);
        passed++;
      } catch (e) {
        failed++;
        console.log(`  [ui] FAILED on ${check.rel}: ${e instanceof Error ? e.message : e}\n${await diagnostics(page, scratch)}`);
        await page.screenshot({ path: check.shot.replace(/\.png$/, '-failure.png') }).catch(() => undefined);
      }
      // Back to the editor group, out of the webview, so the next Quick Open lands there.
      await page.locator('.editor-group-container').first().click({ position: { x: 200, y: 200 } }).catch(() => undefined);
    }
    const rerunShot = join(artifacts, 'vscode-rerun-runs-view.png');
    try {
      await rerunFromReport({ page, folder, script: join(folder, 'ts-demo.ts'), shot: rerunShot, log });
      passed++;
    } catch (e) {
      failed++;
      console.log(`  [ui] FAILED on Re-run: ${e instanceof Error ? e.message : e}\n${await diagnostics(page, scratch)}`);
      await page.screenshot({ path: rerunShot.replace(/\.png$/, '-failure.png') }).catch(() => undefined);
    }
  } finally {
    await browser.close().catch(() => undefined);
    // A measurement, not a check: the machine may be loaded.
    writeFileSync(join(artifacts, 'vscode-timings.json'), JSON.stringify({
      note: 'ms on one machine clock; the first run is the first of a VS Code session (its webview starts cold), the second is warm',
      at: new Date().toISOString(), loadAverage1m: loadavg()[0], cores: availableParallelism(), runs: timings,
    }, null, 2) + '\n');
  }
  return { passed, failed };
}
