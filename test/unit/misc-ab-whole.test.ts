// The A/B table's whole-run utilization and imbalance (they were "-": only regions had them). A
// planted skew (answers-skew.js: ten 80 ms items, then ten free ones, one operation) under static
// on 2 threads puts all the work on one thread: imbalance 2, utilization 1/2 of the operation's
// window; dynamic hands out one item at a time. The CLI table, the Markdown and `parprof report`
// of the saved A/B report show the numbers each run's own `parprof report` gives (median over the
// repeats), and a report written before they were kept says why it shows "-".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { parseReport } from '../../src/model/load';
import { spreadOf } from '../../src/model/scaling';
import { abRows } from '../../src/model/sweep-analysis';
import { parseSweepReport, type SweepReport } from '../../src/model/sweep-report';
import { abCells, abNotes, sweepMarkdown } from '../../src/model/sweep-tables';
import { formatPercent, formatRatio } from '../../src/model/units';
import { formatAb } from '../../src/cli/ab';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'parprof-misc-ab-'));

function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('parprof ab: whole-run utilization and imbalance are each run\'s own, the planted skew shows, in the CLI, the Markdown and parprof report', () => {
  const file = join(out, 'skew.parprof-sweep.json');
  const r = parprof('ab', '--schedule', 'static,dynamic', '--threads', '2', '--repeat', '2', '--out', file, 'answers-skew.js');
  assert.equal(r.code, 0, r.stderr);
  const report: SweepReport = parseSweepReport(readFileSync(file, 'utf8'));
  const whole = abRows(report).find((row) => row.key === '')!;

  for (const v of report.variants) {
    // Each run's own report, analysed apart: what `parprof report <run>.parprof` prints as "Whole run".
    const metrics = v.runs.map((run) => analyze(parseReport(readFileSync(join(dirname(file), run.file)))));
    const cell = whole.cells.find((c) => c.label === v.label)!;
    assert.equal(cell.utilization, spreadOf(metrics.map((m) => m.utilization)).median, v.label);
    assert.equal(cell.imbalance, spreadOf(metrics.map((m) => m.imbalance)).median, v.label);
  }
  // Planted: static puts the ten 80 ms items on one of 2 threads.
  const staticCell = whole.cells.find((c) => c.label === 'static')!;
  const dynamicCell = whole.cells.find((c) => c.label === 'dynamic')!;
  assert.ok(Math.abs(staticCell.imbalance! - 2) < 0.2, `static imbalance ${staticCell.imbalance}, planted 2`);
  assert.ok(Math.abs(staticCell.utilization! - 0.5) < 0.1, `static utilization ${staticCell.utilization}, planted 0.5`);
  assert.ok(dynamicCell.imbalance! < staticCell.imbalance!, `dynamic ${dynamicCell.imbalance} against static ${staticCell.imbalance}`);

  // The same cells and sentence in the terminal, the Markdown and `parprof report` of the A/B file.
  // On a busy machine (some run waited for a core) the basis of the verdict comes first: that note is the busy-machine tests' own.
  const note = abNotes(whole, report).filter((n) => !n.startsWith('vs best and the winner: by the critical path in work'));
  assert.deepEqual(note, ['utilization and imbalance of the whole run: from the first pool operation\'s start to the last one\'s end, as parprof report\'s "Whole run" (the wall time starts at the script\'s first line)']);
  const md = sweepMarkdown(report);
  const again = parprof('report', file);
  assert.equal(again.code, 0, again.stderr);
  for (const cells of abCells(whole)) {
    assert.doesNotMatch(cells.join(' '), / - /, 'no "-" cell');
    assert.match(r.stdout, new RegExp(`^\\s+${cells.map(escape).join('\\s+')}$`, 'm'), 'ab prints the row');
    assert.match(again.stdout, new RegExp(`^\\s+${cells.map(escape).join('\\s+')}$`, 'm'), 'report prints the row');
    assert.ok(md.includes(`| ${cells.join(' | ')} |`), 'the Markdown has the row');
  }
  assert.ok(cellsOfStatic(r.stdout).includes(formatPercent(staticCell.utilization)) && cellsOfStatic(r.stdout).includes(formatRatio(staticCell.imbalance)));
  for (const text of [r.stdout, again.stdout]) assert.ok(text.includes(`  ${note[0]}\n`), text);
  assert.ok(md.includes(`- ${note[0]}\n`), md);
});

/** The whole-run table's static row as printed. */
function cellsOfStatic(text: string): string {
  const whole = text.slice(text.indexOf('Whole run'));
  return whole.split('\n').find((l) => /^\s+static\s/.test(l)) ?? '';
}

test('an A/B report written before whole-run balance was kept: "-" and a sentence saying why', () => {
  const run = { file: 'r.parprof', exitCode: 0, wholeMs: 100, wholeCovers: 'script' as const, poolStartupMs: 5, descheduledShare: null,
    regions: [{ key: 'map f @ a.js:1:1', name: 'map f', calls: 1, wallMs: 90, utilization: 0.9, imbalance: 1.1, tasks: 10 }], functions: [] };
  const report: SweepReport = {
    format: 'parprof-sweep', version: 1, kind: 'ab', createdAt: 0, script: '/x/a.js', args: [], cwd: '/x', cores: 2, repeat: 1,
    variants: [{ label: 'static', threads: 2, schedule: 'static', chunkSize: null, runs: [run] }, { label: 'dynamic', threads: 2, schedule: 'dynamic', chunkSize: null, runs: [{ ...run, wholeMs: 90 }] }],
  } as SweepReport;
  const whole = abRows(report).find((row) => row.key === '')!;
  assert.deepEqual(whole.cells.map((c) => [c.utilization, c.imbalance]), [[null, null], [null, null]]);
  const why = 'utilization and imbalance of the whole run: "-" — this report was written by an earlier parprof, which kept them per region only (run parprof ab again to have them)';
  assert.deepEqual(abNotes(whole, report), [why]);
  assert.ok(formatAb(report, 'x').includes(`  ${why}\n`));
  assert.ok(sweepMarkdown(report).includes(`- ${why}`));
  // The region keeps its own numbers and no such sentence.
  assert.deepEqual(abNotes(abRows(report)[1], report), []);
});
