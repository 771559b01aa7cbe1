// Sweep and A/B reports written by an earlier parprof (the format stayed version 1 while runs
// gained fields): a file missing a field every run now carries is refused in one line that names
// the version and says to record again (it read as 'poolStartupMs: expected a finite number ≥ 0,
// found undefined'); one missing only the later, optional numbers reads, and its '-' says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/runner/paths';

const dir = mkdtempSync(join(tmpdir(), 'parprof-sweep-old-'));

function parprof(...args: string[]) {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An A/B report whose runs have `fields` beyond the first format's (file, exitCode, wholeMs, regions, functions). */
function abFile(name: string, fields: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({
    format: 'parprof-sweep', version: 1, kind: 'ab', createdAt: 0, script: '/w/a.js', args: [], cwd: '/w', cores: 2, repeat: 1,
    variants: ['static', 'dynamic'].map((schedule, i) => ({ label: schedule, threads: 2, schedule, chunkSize: null,
      runs: [{ file: `a-${schedule}.parprof`, exitCode: 0, wholeMs: 100 + 50 * i, ...fields,
        regions: [{ key: 'map f @ a.js:3:7', name: 'map f', calls: 1, wallMs: 80 + 40 * i, utilization: 0.9, imbalance: 1.1, tasks: 8 }], functions: [] }] })),
  }));
  return file;
}

test('a report from before runs kept wholeCovers or descheduledShare is refused in one line naming the version, by report and compare', () => {
  const first = abFile('first.json', {});
  const before = abFile('before-busy.json', { wholeCovers: 'script', poolStartupMs: 0 });
  for (const [file, field] of [[first, 'wholeCovers'], [before, 'descheduledShare']] as const) {
    for (const args of [['report', file], ['compare', file, file]]) {
      const r = parprof(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^parprof: .*: written by an earlier parprof: a sweep report of version 1 from before its runs kept '${field}' .*; run parprof ab again to have a report this parprof reads\\n$`));
      assert.equal(r.stdout, '');
    }
  }
});

test('a report without the later optional numbers reads, and its "-" says why', () => {
  const file = abFile('before-balance.json', { wholeCovers: 'script', poolStartupMs: 0, descheduledShare: null });
  const r = parprof('report', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /utilization and imbalance of the whole run: "-" — this report was written by an earlier parprof/);
  const c = parprof('compare', file, file);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /utilization and imbalance of the whole run: "-" — 2 threads, static: its report was written by an earlier parprof/);
});
