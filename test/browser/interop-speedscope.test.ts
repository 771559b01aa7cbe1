// speedscope reads our export: its own built app (the speedscope npm package), in Debian's
// chromium through playwright-core, loads the file of a real run of
// test/fixtures/interop-spinners.js the way its CLI hands it over (#localProfilePath), and shows
// one profile per thread with each worker's time in the function our report says. speedscope's
// importers are only shipped inside that app bundle, which needs a DOM: hence the browser suite
// (test-all installs chromium for it; the unit suite needs none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { toSpeedscope, type SpeedscopeFile } from '../../src/model/export-speedscope';
import type { Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { CHROMIUM_ARGS } from './browser';
import { record } from '../unit/record-helpers';
import { consumers, plantedSpinners } from '../unit/interop-tools';

/** µs of a thread's samples whose leaf is `fn` (speedscope's self weight), and of all its samples. */
function weights(report: Report, thread: number, fn: string): { self: number; total: number } {
  const p = report.profiles.find((x) => x.thread === thread)!.profile;
  const name = new Map(p.nodes.map((n) => [n.id, n.callFrame.functionName]));
  let self = 0, total = 0;
  p.samples.forEach((s, i) => {
    total += p.timeDeltas[i];
    if (name.get(s) === fn) self += p.timeDeltas[i];
  });
  return { self, total };
}

/**
 * The most self time of one frame in profile `k` of a speedscope file (ms), and the names of the
 * frames that have it: what speedscope's sandwich table, sorted by self time, puts on top.
 */
function selfByFrame(file: SpeedscopeFile, k: number): { ms: number; names: string[] } {
  const p = file.profiles[k];
  const self = new Map<number, number>();
  p.samples.forEach((stack, i) => {
    if (stack.length) self.set(stack[stack.length - 1], (self.get(stack[stack.length - 1]) ?? 0) + p.weights[i]);
  });
  const most = Math.max(...self.values());
  return { ms: most / 1e3, names: [...self].filter(([, w]) => w === most).map(([f]) => file.shared.frames[f].name) };
}

/** speedscope's "123.45ms" (or µs / s) as ms. */
function ms(text: string): number {
  const m = /^([\d.]+)(µs|ms|s)/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === 'µs' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
}

/**
 * Half the last shown digit of speedscope's duration text, in ms (+ a float's slack): '12.34ms'
 * is exact to 0.005 ms, '1.06s' (a run over a second, as a loaded machine makes it) to 5 ms.
 */
function shownPrecisionMs(text: string): number {
  const m = /^\d+(?:\.(\d+))?(µs|ms|s)/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = m[2] === 'µs' ? 1e-3 : m[2] === 's' ? 1e3 : 1;
  return 0.5 * unit * 10 ** -(m[1]?.length ?? 0) + 1e-6;
}

test('speedscope\'s own app reads our file: a profile per thread, each worker\'s time in its own function', async () => {
  const [tools, run] = await Promise.all([consumers(), record(join(packageRoot(), 'test', 'fixtures', 'interop-spinners.js'))]);
  const report = run.report;
  assert.equal(report.exit.code, 0, run.stderr);
  const dir = mkdtempSync(join(tmpdir(), 'parprof-speedscope-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: process.env.PARPROF_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
  });
  try {
    // What speedscope's CLI does: a script that hands the file to the app, named in the URL hash.
    const file = toSpeedscope(report);
    const bytes = Buffer.from(JSON.stringify(file));
    const loader = join(dir, 'load.js');
    writeFileSync(loader, `speedscope.loadFileFromBase64("run.speedscope.json", ${JSON.stringify(bytes.toString('base64'))})`);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${pathToFileURL(join(tools.speedscopeApp, 'index.html')).href}#localProfilePath=${loader}`);
    await page.getByText(/\(1\/\d+\)$/).waitFor({ timeout: 60_000 });
    assert.deepEqual(errors, []);

    // The profile list: one entry per profiled thread, named and weighted as our report says.
    const list = await page.evaluate(() => [...document.querySelectorAll('table')[0].querySelectorAll('tr')].slice(1)
      .map((tr) => [...tr.querySelectorAll('td')].map((c) => c.textContent ?? '')));
    const names = new Map(report.threads.map((t) => [t.id, t.name]));
    assert.deepEqual(list.map((row) => row[1]), report.profiles.map((p) => `${names.get(p.thread)} (thread ${p.thread})`));
    list.forEach((row, k) => {
      const total = report.profiles[k].profile.timeDeltas.reduce((a, b) => a + b, 0) / 1e3;
      assert.ok(Math.abs(ms(row[2]) - total) <= shownPrecisionMs(row[2]), `${row[1]}: speedscope ${row[2]}, our samples ${total.toFixed(3)} ms`);
    });

    // The sandwich view of each worker: its spinning function has our self weight, and the top
    // row (speedscope sorts by self time) is a frame with the most self time in the file we gave
    // it. That top is the spinner on an idle machine, not always on a loaded one: a worker that
    // waits for the other can spend longer idle, or its first sample can carry its start-up.
    await page.getByText('Sandwich').click();
    const planted = plantedSpinners(report);
    assert.equal(planted.size, 2);
    for (let k = 0; k < report.profiles.length; k++) {
      const thread = report.profiles[k].thread;
      await page.getByText(new RegExp(`\\(${k + 1}/${report.profiles.length}\\)$`)).waitFor();
      const f = planted.get(thread);
      if (f) {
        const rows = await page.evaluate(() => [...document.querySelectorAll('table')[2].querySelectorAll('tr')]
          .map((tr) => [...tr.querySelectorAll('td')].map((c) => c.textContent ?? '')));
        const spinner = rows.find((r) => r[2] === f.name);
        assert.ok(spinner, `thread ${thread}: ${f.name} is not in speedscope's sandwich table (${rows.map((r) => r[2]).join(', ')})`);
        const self = weights(report, thread, f.name).self / 1e3;
        assert.ok(Math.abs(ms(spinner[1]) - self) <= shownPrecisionMs(spinner[1]), `thread ${thread}: speedscope self of ${f.name} ${spinner[1]}, our samples ${self.toFixed(3)} ms`);
        const most = selfByFrame(file, k);
        const top = rows[0];
        assert.ok(Math.abs(ms(top[1]) - most.ms) <= shownPrecisionMs(top[1]) && most.names.includes(top[2]),
          `thread ${thread}: speedscope's top self function ${top[2]} ${top[1]}, the file's ${most.names.join(' / ')} ${most.ms.toFixed(3)} ms`);
      }
      await page.keyboard.press('n');
    }
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
