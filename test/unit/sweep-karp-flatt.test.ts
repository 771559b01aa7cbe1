// Karp–Flatt is a serial fraction: a value outside 0–1 is none, and wall times a busy machine
// stretched are not judged. Either way the table prints '-' and a note says why, with the value
// (a sweep printed 1.35 under 'serial fraction: not judged'). Planted sweeps, one run per count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepScaling } from '../../src/model/sweep-analysis';
import { serializeSweepReport, validateSweepReport, type SweepReport } from '../../src/model/sweep-report';
import { busyContext, scalingCells, scalingNotes } from '../../src/model/sweep-tables';
import { packageRoot } from '../../src/runner/paths';

/** Wall ms of the sequential run and of 2 threads; descheduledShare of every run (null: no readings). */
function sweep(seqMs: number, twoMs: number, descheduledShare: number | null): SweepReport {
  return validateSweepReport({
    format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 0, script: '/w/a.js', args: [], cwd: '/w', cores: 2, repeat: 1,
    variants: [[0, seqMs], [2, twoMs]].map(([p, ms]) => ({ label: p ? `${p} threads` : 'sequential', threads: p, schedule: 'dynamic', chunkSize: null,
      runs: [{ file: `a-${p}.parprof`, exitCode: 0, wholeMs: ms, wholeCovers: 'script', poolStartupMs: 0, descheduledShare, regions: [], functions: [] }] })),
  });
}

function whole(report: SweepReport) {
  const s = sweepScaling(report)[0];
  const busy = busyContext(report, s);
  return { cells: scalingCells(s.scaling!, report.cores, busy), notes: scalingNotes(s.scaling!, report.cores, busy) };
}

test('a Karp-Flatt value within 0-1 on a quiet machine is printed', () => {
  const { cells, notes } = whole(sweep(150, 90, 0));
  assert.equal(cells[1][5], '0.20');
  assert.ok(!notes.some((n) => /Karp-Flatt/.test(n)), notes.join('\n'));
});

test('above 1 (slower on 2 threads) and below 0 (superlinear): "-" and a note with the value and why', () => {
  const slower = whole(sweep(150, 200, 0));
  assert.equal(slower.cells[1][5], '-');
  assert.ok(slower.notes.includes('Karp-Flatt "-": outside 0–1, so no serial fraction — at 2 threads above 1: slower than sequential (1.67)'), slower.notes.join('\n'));
  const superlinear = whole(sweep(150, 60, 0));
  assert.equal(superlinear.cells[1][5], '-');
  assert.ok(superlinear.notes.includes('Karp-Flatt "-": outside 0–1, so no serial fraction — at 2 threads below 0: sped up more than the threads added (-0.20)'), superlinear.notes.join('\n'));
  // An efficiency above 100 % is marked, and said what it means; none is marked below it.
  assert.equal(superlinear.cells[1][4], '125 % (!)');
  assert.ok(superlinear.notes.some((n) => n.startsWith('(!) efficiency above 100 % at 2 threads: more speedup than the threads added — the same work took less time there than in sequential')), superlinear.notes.join('\n'));
  assert.equal(slower.cells[1][4], '38 %');
  assert.ok(!slower.notes.some((n) => n.startsWith('(!)')), slower.notes.join('\n'));
  // A fit whose parallel part is negative reads "− b / p", not "+ -b / p".
  assert.ok(slower.notes.some((n) => / − [\d.]+ ms \/ p/.test(n)) && !slower.notes.some((n) => /\+ -/.test(n)), slower.notes.join('\n'));
});

test('a busy machine: the serial fraction is not judged, and neither is Karp-Flatt (no number printed as one), in the CLI too', () => {
  const report = sweep(150, 90, 0.4);
  const { cells, notes } = whole(report);
  assert.equal(cells[1][5], '-');
  assert.ok(notes.some((n) => n.startsWith('serial fraction: not judged')), notes.join('\n'));
  assert.ok(notes.includes('Karp-Flatt: not judged either, for the same reason (it is read from the same wall times)'), notes.join('\n'));
  const file = join(mkdtempSync(join(tmpdir(), 'parprof-karp-')), 'a.parprof-sweep.json');
  writeFileSync(file, serializeSweepReport(report));
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'report', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}2\s+90\.0 ms\s+90\.0 ms\s+1\.67×\s+83 %\s+-$/m);
  assert.doesNotMatch(r.stdout, /0\.20/);
});
