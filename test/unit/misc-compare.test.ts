// `parprof compare` of a recording against itself (or a byte-for-byte copy): every count in its
// output counts the recording once. The busy-machine note is planted: at each of a thread's
// readings, its run-queue time is raised to 60 % of the wall time since its first reading and its
// on-core time capped at the other 40 %, so every run is "busy" whatever the machine did (raising
// the run-queue time alone left a run that got its cores, as on a quiet machine, under the 10 %
// mark: busy time is credited to on-core time first), and the note must say how many distinct
// runs there were.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'parprof-misc-compare-'));

function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Records rec-pool.js and plants a busy machine in its CPU readings. */
function busyRecording(name: string): string {
  const file = join(out, name);
  const r = parprof('record', '--out', file, 'rec-pool.js');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(file, 'utf8')) as { cpu: { t: number[]; onCpu: number[]; runnable?: number[] }[] };
  assert.ok(report.cpu.length > 0 && report.cpu.every((c) => c.runnable), 'schedstat readings with run-queue time (Linux)');
  for (const c of report.cpu) {
    c.runnable = c.t.map((t, k) => Math.max(c.runnable![k], (t - c.t[0]) * 0.6));
    c.onCpu = c.t.map((t, k) => Math.min(c.onCpu[k], c.onCpu[0] + (t - c.t[0]) * 0.4));
  }
  writeFileSync(file, JSON.stringify(report));
  return file;
}

test('compare of a recording against itself, a copy of it, and another recording: runs counted once each', () => {
  const a = busyRecording('a.parprof');
  const copy = join(out, 'a-copy.parprof');
  copyFileSync(a, copy);
  const b = busyRecording('b.parprof');

  for (const other of [a, copy]) {
    const r = parprof('compare', a, other);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^note: .*a\.parprof and .*a(-copy)?\.parprof are one recording \(the same bytes\): its run is compared with itself, so every change is zero$/m);
    assert.match(r.stdout, /^note: the machine was busy — in 1 of 1 run a thread waited for a core/m, r.stdout);
    assert.doesNotMatch(r.stdout, /of 2 runs/);
    const md = parprof('compare', '--markdown', a, other);
    assert.match(md.stdout, /\n\nnote: .* are one recording .*every change is zero\n\nnote: the machine was busy — in 1 of 1 run a thread/, md.stdout);
  }

  const r = parprof('compare', a, b);
  assert.equal(r.code === 0 || r.code === 1, true, r.stderr);
  assert.doesNotMatch(r.stdout, /one recording/);
  assert.match(r.stdout, /^note: the machine was busy — in 2 of 2 runs a thread waited for a core/m, r.stdout);
});

test('compare with a file parprof report imports (our own Chrome export of a run): refused in one line that says why, exit 2', () => {
  const file = join(out, 'plain.parprof');
  assert.equal(parprof('record', '--out', file, 'rec-pool.js').code, 0);
  const trace = join(out, 'plain.trace.json');
  assert.equal(parprof('export', file, '--format', 'chrome', '--out', trace).code, 0);
  const r = parprof('compare', file, trace);
  assert.equal(r.code, 2, r.stdout);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^parprof: .*plain\.trace\.json: compare reads Parallel Profiler reports \(\.parprof\) and sweep or A\/B reports; this file is a Chrome trace, a speedscope file or a \.cpuprofile, which `parprof report` reads/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  // The report itself is read by `parprof report`.
  assert.equal(parprof('report', trace).code, 0);
});
