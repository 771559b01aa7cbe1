// Issue 13, item 3: an unwritable --out is refused before the script starts, in one line and fast
// (/proc/nope/x used to hang in mkdir -p), and a final write that still fails keeps the recording
// in a fallback file named on stderr, with exit 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import { writeReport } from '../../src/runner/output';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'parprof-hardening-out-'));
const script = join(root, 'test', 'fixtures', 'hostile-out-swap.js');

/** The built CLI; a hang shows as the 60 s kill (status null). */
function record(out: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'record', '--sample-interval', '0', '--out', out, script],
    { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('an --out that cannot be written is refused before the script runs: a folder, /dev/full, /proc/nope/x', () => {
  const cases: [string, RegExp][] = [
    [dir, /^parprof: cannot write the report to .*: it is a folder\n$/],
    ['/dev/full', /^parprof: cannot write the report to \/dev\/full: \/dev is a system folder, not a place for files\n$/],
    ['/proc/nope/x', /^parprof: cannot write the report to \/proc\/nope\/x: \/proc is a system folder, not a place for files\n$/],
    [join(script, 'x.parprof'), /^parprof: cannot write the report to .*x\.parprof: .*hostile-out-swap\.js is not a folder\n$/],
  ];
  for (const [out, expected] of cases) {
    const mark = join(dir, 'ran');
    rmSync(mark, { force: true });
    const r = record(out, { HOSTILE_MARK: mark });
    assert.equal(r.code, 2, `${out}: exit ${r.code}, stderr ${r.stderr}`);
    assert.match(r.stderr, expected, out);
    assert.ok(!existsSync(mark), `${out}: the script must not have run`);
  }
});

test('missing folders of --out are created', () => {
  const out = join(dir, 'a', 'b', 'run.parprof');
  const r = record(out);
  assert.equal(r.code, 0, r.stderr);
  // The report of this run, in the new folder: the script's, and its one thread (it starts no workers).
  const report = parseReport(readFileSync(out));
  assert.equal(report.meta.script, script);
  assert.deepEqual(report.threads.map((t) => [t.id, t.kind]), [[0, 'main']]);
});

test('a final write that fails keeps the report in a fallback file, named in one line, exit 2', () => {
  const out = join(dir, 'swapped.parprof');
  const r = record(out, { HOSTILE_OUT_FOLDER: out });
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  const m = /^parprof: cannot write (.*) \((EISDIR)\); the report was saved to (.*) instead\n$/m.exec(r.stderr);
  assert.ok(m, `one line naming the fallback, got ${JSON.stringify(r.stderr)}`);
  assert.equal(m[1], out);
  const fallback = m[3];
  assert.ok(fallback.startsWith(tmpdir()), `in the temp folder: ${fallback}`);
  const report = parseReport(readFileSync(fallback));
  assert.equal(report.meta.script, script, 'the fallback holds this run');
  assert.ok(r.stdout.includes(fallback), 'the next steps name the file that exists');
  rmSync(fallback);
});

test('a disk-full write (/dev/full: ENOSPC) falls back to the temp folder with the same content', () => {
  const w = writeReport('/dev/full', '{"format":"parprof"}');
  assert.deepEqual(w.unwritten, { path: '/dev/full', error: 'ENOSPC' });
  assert.ok(w.file.startsWith(tmpdir()) && w.file.endsWith('.parprof'), w.file);
  assert.equal(readFileSync(w.file, 'utf8'), '{"format":"parprof"}');
  rmSync(w.file);
  const gz = writeReport('/dev/full/run.parprof.gz', new Uint8Array([0x1f, 0x8b]));
  assert.ok(gz.file.endsWith('.parprof.gz'), `a gzip report keeps its extension: ${gz.file}`);
  rmSync(gz.file);
});

test('printing to a full disk (stdout on /dev/full): one line on stderr, exit 2, no stack', () => {
  const report = join(dir, 'small.parprof');
  const made = record(report);
  assert.equal(made.code, 0, made.stderr);
  for (const args of [['report', report], ['report', report, '--json']]) {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', full, 'pipe'] });
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
      assert.equal(r.stderr, 'parprof: cannot write to standard output: ENOSPC\n', args.join(' '));
    } finally {
      closeSync(full);
    }
  }
});
