// The sweep page in a real browser, from real recordings: `parprof sweep --threads 0,1,2` of a
// short planted fixture and `parprof ab` of a planted skew, then `parprof report --html`. The
// chart's points are the model's speedups at the layout's places, the tables' cells are the
// model's numbers, the A/B lanes share one time axis, and `parprof report` prints the same table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { abRows, sweepScaling } from '../../src/model/sweep-analysis';
import { chartedScaling, sweepChartLayout } from '../../src/model/sweep-layout';
import { sweepPage } from '../../src/model/sweep-lanes';
import { parseSweepReport, type SweepReport } from '../../src/model/sweep-report';
import { abCells, abNotes, abVerdict, busyContext, compareCells, compareConclusion, functionDeltaCells, scalingCells, SCALING_HEADER } from '../../src/model/sweep-tables';
import { analyze } from '../../src/model/analysis';
import { compareSides, sideFromRun } from '../../src/model/compare';
import { standalonePageHtml } from '../../src/model/html-report';
import { parseReport } from '../../src/model/load';
import { summarizeRun } from '../../src/model/sweep-report';
import { writeFileSync } from 'node:fs';
import { bundle } from './browser';
import { formatMs, formatMsFromUsAtStep, formatSpeedup } from '../../src/model/units';
import { MIN_LANES_WIDTH } from '../../webview/sweep-svg';
import { packageRoot } from '../../src/runner/paths';
import { launch, screenshot, type Browser } from './browser';
import { diffFunctions, runsFlameDiff } from '../../src/model/flame-diff';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'parprof-sweep-page-'));

function parprof(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], {
    cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 120_000, env: { ...process.env, ANSWERS_TOTAL_MS: '200' },
  });
  assert.equal(r.status, 0, `parprof ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function openPage(b: Browser, html: string): Promise<{ page: import('playwright-core').Page; errors: string[]; requests: string[] }> {
  const page = await b.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(html).href;
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url);
  await page.waitForSelector('.pp-sweep');
  return { page, errors, requests };
}

const cellsOf = (page: import('playwright-core').Page, key: string) => page.$$eval(`.pp-sweep-subject[data-key="${key.replace(/"/g, '\\"')}"] table.pp-sweep-table tbody tr`,
  (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));

describe('sweep page', () => {
  let b: Browser;
  let sweepFile: string, abFile: string;
  before(async () => {
    sweepFile = join(out, 'serial.parprof-sweep.json');
    abFile = join(out, 'skew.parprof-sweep.json');
    parprof('sweep', '--threads', '0,1,2', '--out', sweepFile, 'answers-serial.js');
    parprof('ab', '--schedule', 'static,dynamic', '--threads', '2', '--repeat', '2', '--out', abFile, 'answers-skew.js');
    b = await launch();
  });
  after(async () => { await b.close(); rmSync(out, { recursive: true, force: true }); });

  test('a scaling sweep: chart points at the model speedups, the tables show the model numbers', async () => {
    const report: SweepReport = parseSweepReport(readFileSync(sweepFile, 'utf8'));
    const html = join(out, 'sweep.html');
    assert.equal(parprof('report', sweepFile, '--html', html), `wrote ${html}\n`);
    const { page, errors, requests } = await openPage(b, html);
    const subjects = sweepScaling(report);
    assert.deepEqual(await page.$$eval('.pp-sweep-subject', (s) => s.map((e) => e.getAttribute('data-key'))), subjects.map((s) => s.key));
    for (const s of subjects) {
      // The chart plots what the notes judge: the critical path in work when the machine was busy.
      const charted = chartedScaling(report, s)!;
      const chart = sweepChartLayout(charted.scaling, report.cores, undefined, charted.fit);
      assert.equal(await page.$eval(`.pp-sweep-subject[data-key="${s.key}"] .pp-sweep-figure`, (f) => f.getAttribute('data-basis')), charted.basis);
      assert.equal(await page.$$eval(`.pp-sweep-subject[data-key="${s.key}"] .pp-sweep-amdahl`, (e) => e.length), chart.amdahl ? 1 : 0);
      const points = await page.$$eval(`.pp-sweep-subject[data-key="${s.key}"] circle.pp-sweep-point`,
        (cs) => cs.map((c) => ({ threads: Number(c.getAttribute('data-threads')), speedup: Number(c.getAttribute('data-speedup')), cy: Number(c.getAttribute('cy')) })));
      assert.deepEqual(points.map((p) => p.threads), [0, 1, 2]);
      assert.deepEqual(points.map((p) => p.speedup), charted.scaling.points.map((p) => p.speedup));
      for (const [i, p] of points.entries()) assert.ok(Math.abs(p.cy - chart.points[i].y) < 1e-6, `point ${i} drawn at ${p.cy}, laid out at ${chart.points[i].y}`);
      assert.deepEqual(await cellsOf(page, s.key), scalingCells(s.scaling!, report.cores, busyContext(report, s)));
    }
    assert.deepEqual(await page.$$eval('.pp-sweep-subject[data-key=""] thead th', (th) => th.map((t) => t.textContent)), SCALING_HEADER);
    // The sequential run is the baseline: speedup 1.00× in its row.
    assert.equal((await cellsOf(page, ''))[0][3], formatSpeedup(1));
    assert.equal(await page.$eval('h1', (h) => h.textContent), 'Sweep of answers-serial.js');
    // A standalone page is the export already: no Export… button (that is VS Code's).
    assert.equal(await page.$$eval('.pp-sweep-export', (e) => e.length), 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    await screenshot(page, 'sweep-page');

    // The terminal prints the same whole-run row.
    const text = parprof('report', sweepFile);
    const row = scalingCells(subjects[0].scaling!, report.cores, busyContext(report, subjects[0]))[2];
    assert.match(text, new RegExp(`^\\s+${row.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}$`, 'm'));
    assert.doesNotMatch(text, /^wrote /m);
  });

  test('an A/B report: the variants side by side with the winner, and their median runs as lanes on one time axis', async () => {
    const report = parseSweepReport(readFileSync(abFile, 'utf8'));
    const html = join(out, 'ab.html');
    parprof('report', abFile, '--html', html);
    const { page, errors } = await openPage(b, html);
    for (const row of abRows(report)) {
      assert.deepEqual(await cellsOf(page, row.key), abCells(row));
      assert.equal(await page.$eval(`.pp-sweep-subject[data-key="${row.key}"] .pp-ab-verdict`, (p) => p.textContent), abVerdict(row));
      // The whole run's utilization and imbalance are numbers, with the sentence saying what window they cover.
      assert.deepEqual(await page.$$eval(`.pp-sweep-subject[data-key="${row.key}"] .pp-ab-note`, (ps) => ps.map((p) => p.textContent)), abNotes(row, report));
      if (row.key === '') assert.ok(abCells(row).every((c) => c[3] !== '-' && c[4] !== '-'), 'whole-run utilization and imbalance shown');
    }
    const lanes = await page.$$eval('.pp-ab-variant', (gs) => gs.map((g) => ({
      label: g.getAttribute('data-label'), windowUs: Number(g.getAttribute('data-window-us')), busy: g.querySelectorAll('.pp-ab-busy').length,
      ends: [...g.querySelectorAll('.pp-ab-end')].map((l) => Number(l.getAttribute('x1'))),
    })));
    assert.deepEqual(lanes.map((l) => l.label), ['static', 'dynamic']);
    // Each variant's lanes are its median run's, as the model lays them out: the window and one bar per busy interval.
    const model = sweepPage(report, (file) => parseReport(readFileSync(join(dirname(abFile), file)))).lanes;
    assert.deepEqual(lanes.map((l) => [l.windowUs, l.busy]), model.map((v) => [v.windowUs, v.threads.reduce((a, t) => a + t.busy.length / 2, 0)]));
    assert.ok(lanes.every((l) => l.busy > 0), 'every variant has busy intervals drawn');
    // Each label says where its end line stands on the axis (start-up included) and the whole-run time (start-up left out).
    assert.deepEqual(await page.$$eval('.pp-ab-variant-label', (ts) => ts.map((t) => t.firstChild?.textContent)),
      model.map((v) => `${v.label}: ends at ${formatMs(v.windowUs / 1000)} · ${formatMs(v.wholeMs)} without pool start-up`));
    // One axis: the end marks stand in the proportion of the runs' windows.
    const axisUs = await page.$eval('.pp-ab-lanes', (s) => Number(s.getAttribute('data-axis-us')));
    assert.equal(axisUs, Math.max(...lanes.map((l) => l.windowUs)));
    const width = await page.$eval('.pp-ab-lanes', (s) => Number(s.getAttribute('width')));
    const x0 = 150, x1 = width - 8;
    for (const l of lanes) assert.ok(Math.abs(l.ends[0] - (x0 + (l.windowUs / axisUs) * (x1 - x0))) < 1e-6);
    // Round ticks from 0: one step of 1, 2 or 5 × 10^k µs between them, labelled in ms.
    const ticks = await page.$$eval('.pp-ab-lanes text[data-us]', (ts) => ts.map((t) => [Number(t.getAttribute('data-us')), t.textContent]));
    assert.ok(ticks.length >= 2, 'ticks drawn');
    assert.deepEqual(ticks[0], [0, '0 ms']);
    const step = ticks[1][0] as number;
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `round step ${step}`);
    ticks.forEach(([us, label], k) => {
      assert.ok(Math.abs((us as number) - k * step) < 1e-6 * step, `tick ${k}`);
      assert.equal(label, formatMsFromUsAtStep(us as number, step));
    });
    // The rows' tables line up one under another: each column ends at the same x in every table.
    const ends = await page.$$eval('.pp-sweep-subject table.pp-sweep-table', (ts) => ts.map((t) => [...t.querySelectorAll('thead th')].map((th) => Math.round(th.getBoundingClientRect().right))));
    assert.ok(ends.length >= 2, 'a table for the whole run and one per region');
    for (const e of ends) assert.deepEqual(e, ends[0], JSON.stringify(ends));
    // Each variant's label names its run's file in a tooltip; the paragraph under the lanes names them all.
    const files = model.map((v) => `${v.label}: ${v.file}`);
    assert.equal(await page.$eval('.pp-ab-files', (p) => p.textContent), `runs drawn: ${files.join(' · ')}`);
    // At 500 px the lanes fit the page: drawn at the section's width, every label (the axis's last
    // tick, a variant's) inside it (a default run file name in the label, and a centred last tick, ran past the edge).
    await page.setViewportSize({ width: 500, height: 860 });
    const fits = () => page.$eval('.pp-ab-timelines', (sec) => {
      const svgEl = sec.querySelector('svg.pp-ab-lanes')!;
      const box = sec.getBoundingClientRect();
      return { drawn: Number(svgEl.getAttribute('width')), section: sec.clientWidth, scrolls: sec.scrollWidth > sec.clientWidth,
        outside: [...svgEl.querySelectorAll('text')].filter((t) => { const r = t.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.left + sec.clientWidth + 0.5; }).map((t) => t.textContent) };
    });
    await page.waitForFunction(() => { const s = document.querySelector('.pp-ab-timelines')!; return Number(s.querySelector('.pp-ab-lanes')!.getAttribute('width')) === s.clientWidth; });
    const at500 = await fits();
    assert.deepEqual([at500.scrolls, at500.outside], [false, []], JSON.stringify(at500));
    // Narrower than MIN_LANES_WIDTH: the lanes keep their 11 px text and scroll sideways instead of shrinking.
    await page.setViewportSize({ width: 360, height: 860 });
    await page.waitForFunction((min) => Number(document.querySelector('.pp-ab-lanes')!.getAttribute('width')) === min, MIN_LANES_WIDTH);
    const drawn = await page.$eval('.pp-ab-lanes', (s) => s.getBoundingClientRect().width);
    assert.equal(Math.round(drawn), MIN_LANES_WIDTH, 'drawn at its own width, not scaled down');
    assert.deepEqual(errors, []);
    await screenshot(page, 'sweep-ab-page');
  });

  test('the comparison page of two runs shows compare\'s deltas per region and the functions that changed most', async () => {
    const report = parseSweepReport(readFileSync(abFile, 'utf8'));
    const [a, c] = report.variants.map((v) => join(out, v.runs[0].file));
    const side = (f: string) => { const r = parseReport(readFileSync(f)); return sideFromRun(f, r, summarizeRun(r, analyze(r), f)); };
    const compare = compareSides(side(a), side(c), { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 10 });
    // As Compare with… builds it: the two runs' differential flamegraph.
    compare.flameDiff = runsFlameDiff(parseReport(readFileSync(a)), parseReport(readFileSync(c)));
    const html = join(out, 'compare.html');
    writeFileSync(html, standalonePageHtml('compare', { compare, base: a, next: c }, bundle(), 'compare'));
    const { page, errors } = await openPage(b, html);
    const rows = (cls: string) => page.$$eval(`table.${cls} tbody tr`, (trs) => trs.map((r) => [...r.children].map((x) => x.textContent ?? '')));
    assert.deepEqual(await rows('pp-compare-subjects'), compareCells(compare.pairs[0].subjects));
    // Two recorded runs both have the whole run's utilization and imbalance: numbers, not '-'.
    const whole = compare.pairs[0].subjects.find((x) => x.key === '')!;
    assert.ok(whole.utilization.base !== null && whole.utilization.next !== null && whole.imbalance.base !== null, JSON.stringify(whole));
    assert.ok(compare.pairs[0].functions.length > 0, 'the two runs differ in some function');
    assert.deepEqual(await rows('pp-compare-functions'), functionDeltaCells(compare.pairs[0].functions));
    assert.equal(await page.$eval('.pp-compare-conclusion', (p) => p.textContent), compareConclusion(compare));
    // The differential flamegraph: shown, drawn, its table led by the function that moved most.
    await page.waitForSelector('.pp-compare .pp-diff:not([hidden])');
    assert.match(await page.$eval('#diff-caption', (e) => e.textContent!), /^Difference: new .* against base /);
    await page.waitForFunction(() => (document.querySelector('#diff-flamegraph') as HTMLCanvasElement).width > 0);
    const top = diffFunctions(compare.flameDiff, 1)[0];
    assert.equal(await page.$eval('#diff-functions tbody tr', (tr) => tr.getAttribute('data-function')), top.name);
    assert.deepEqual(errors, []);
  });
});
