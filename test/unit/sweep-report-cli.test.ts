// `parprof report` on a sweep report (built CLI): the table, --json numbers equal to the model's,
// and one clear line with exit 2 for a file that is not a readable sweep report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepScaling } from '../../src/model/sweep-analysis';
import { serializeSweepReport, validateSweepReport, type SweepReport } from '../../src/model/sweep-report';
import { scalingCells } from '../../src/model/sweep-tables';
import { packageRoot } from '../../src/runner/paths';

const dir = mkdtempSync(join(tmpdir(), 'parprof-sweep-cli-'));

function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Planted: 150 ms sequential, 90 ms on 2 threads (T = 30 + 120/p), one run each. */
const planted: SweepReport = validateSweepReport({
  format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 0, script: '/w/a.js', args: [], cwd: '/w', cores: 2, repeat: 1,
  variants: [0, 2].map((p) => ({ label: p ? `${p} threads` : 'sequential', threads: p, schedule: 'dynamic', chunkSize: null,
    runs: [{ file: `a-${p}.parprof`, exitCode: 0, wholeMs: 30 + 120 / Math.max(1, p), wholeCovers: 'script', poolStartupMs: 0, descheduledShare: null, regions: [], functions: [] }] })),
});

test('parprof report on a sweep report prints its table, without claiming to have written anything', () => {
  const file = join(dir, 'a.parprof-sweep.json');
  writeFileSync(file, serializeSweepReport(planted));
  const r = parprof('report', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Sweep of \/w\/a\.js\n/);
  assert.match(r.stdout, /^ {2}2\s+90\.0 ms\s+90\.0 ms\s+1\.67×\s+83 %\s+0\.20$/m);
  assert.doesNotMatch(r.stdout, /wrote/);
  const json = parprof('report', file, '--json');
  assert.equal(json.code, 0, json.stderr);
  const numbers = JSON.parse(json.stdout) as { kind: string; scaling: ReturnType<typeof sweepScaling> };
  assert.equal(numbers.kind, 'sweep');
  assert.deepEqual(scalingCells(numbers.scaling[0].scaling!, 2), scalingCells(sweepScaling(planted)[0].scaling!, 2));
});

test('a sweep report that cannot be read gets one line naming the file and the problem, exit 2', () => {
  const bad = join(dir, 'bad.parprof-sweep.json');
  writeFileSync(bad, JSON.stringify({ ...planted, kind: 'sideways' }));
  const notJson = join(dir, 'nope.parprof-sweep.json');
  writeFileSync(notJson, 'nope');
  for (const [file, message] of [
    [bad, /^parprof: .*bad\.parprof-sweep\.json: kind: expected one of 'sweep', 'ab', found string "sideways"\n$/],
    [notJson, /^parprof: .*nope\.parprof-sweep\.json: not valid JSON: /],
    [join(dir, 'missing.parprof-sweep.json'), /^parprof: cannot read .*missing\.parprof-sweep\.json: no such file \(ENOENT\)/],
  ] as const) {
    const r = parprof('report', file);
    assert.equal(r.code, 2, file);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
});

test('parprof export of a sweep report: --format markdown prints its table; a per-run format says to pick one run', () => {
  const file = join(dir, 'e.parprof-sweep.json');
  writeFileSync(file, serializeSweepReport(planted));
  const md = parprof('export', file, '--format', 'markdown');
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^### Parallel Profiler: Sweep of `a\.js`/);
  assert.match(md.stdout, /\| *2 *\| *90\.0 ms/);
  const out = join(dir, 'e.md');
  const written = parprof('export', file, '--format', 'markdown', '--out', out);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(readFileSync(out, 'utf8'), md.stdout);
  const chrome = parprof('export', file, '--format', 'chrome');
  assert.equal(chrome.code, 2);
  assert.match(chrome.stderr, /^parprof: .*e\.parprof-sweep\.json is a sweep \/ A-B report of several runs: --format chrome exports one run/);
  assert.equal(chrome.stderr.split('\n').length, 2, 'one line');
});

test('report on a sweep report: --json with --html prints the JSON and writes the page, as for a .parprof; --spans is refused, not ignored', () => {
  const file = join(dir, 'both.parprof-sweep.json');
  writeFileSync(file, serializeSweepReport(planted));
  const page = join(dir, 'both.html');
  const r = parprof('report', file, '--json', '--html', page);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { kind: string }).kind, 'sweep');
  assert.match(readFileSync(page, 'utf8'), /data-page="sweep"/);
  const spans = parprof('report', file, '--json', '--spans');
  assert.equal(spans.code, 2);
  assert.equal(spans.stdout, '');
  assert.equal(spans.stderr, `parprof: ${file} is a sweep / A-B report: it holds no spans; --spans is for one run's .parprof (saved next to it)\n`);
});
