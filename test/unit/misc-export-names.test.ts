// File names of `parprof export --format cpuprofile` (and the extension's export, which writes
// toCpuProfiles' names): thread names with spaces, separators, '..', controls, non-ASCII and
// great length give safe names (no space, no separator, never outside the folder), the same
// name each time, and an import of the folder gets every thread's name back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { cpuProfileFileName, MAX_ENCODED_NAME, THREAD_FIELD, toCpuProfiles } from '../../src/model/export-cpuprofile';
import { importCpuProfiles } from '../../src/model/import-cpuprofile';
import { serializeReport, validateReport } from '../../src/model/load';
import { syntheticReport } from '../../src/model/synthetic';
import { packageRoot } from '../../src/runner/paths';

const HOSTILE = ['poolifier 2', '../../etc/passwd', '..', '.', 'a\\b:c*d?"e<f>g|h', 'tab\there\nnl\u001b[31m', 'wörker ✓', '%20 already', '', 'x'.repeat(400)];
const SAFE = /^thread-\d+-[A-Za-z0-9._%-]+\.cpuprofile$/;

function hostileReport() {
  const report = syntheticReport({ threads: HOSTILE.length - 1, spans: 200, profiles: HOSTILE.length, samplesPerProfile: 20 });
  // Thread k (0 is main) takes the k-th hostile name.
  report.threads.forEach((t, k) => { t.name = HOSTILE[k]; });
  return validateReport(JSON.parse(serializeReport(report)));
}

test('cpuprofile file names: planted names encode to the expected, safe, stable file names', () => {
  assert.equal(cpuProfileFileName(2, 'poolifier 2'), 'thread-2-poolifier%202.cpuprofile');
  assert.equal(cpuProfileFileName(3, '../x'), 'thread-3-..%2Fx.cpuprofile');
  assert.equal(cpuProfileFileName(4, 'wörker'), 'thread-4-w%C3%B6rker.cpuprofile');
  assert.equal(cpuProfileFileName(5, ''), 'thread-5-_.cpuprofile');
  const long = cpuProfileFileName(6, ' '.repeat(400));
  assert.equal(long, `thread-6-${'%20'.repeat(MAX_ENCODED_NAME / 3)}.cpuprofile`, 'cut at whole %XX');
  for (const name of HOSTILE) {
    const file = cpuProfileFileName(1, name);
    assert.match(file, SAFE, JSON.stringify(name));
    assert.equal(basename(file), file);
    assert.equal(cpuProfileFileName(1, name), file, 'stable');
  }
});

test('export --format cpuprofile of hostile thread names: every file inside the folder, safe names, names back on import', () => {
  const report = hostileReport();
  const dir = mkdtempSync(join(tmpdir(), 'parprof-misc-export-'));
  const input = join(dir, 'hostile.parprof');
  writeFileSync(input, serializeReport(report));
  const out = join(dir, 'profiles');
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'export', input, '--format', 'cpuprofile', '--out', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const written = readdirSync(out).sort();
  assert.deepEqual(written, toCpuProfiles(report).map((f) => f.name).sort());
  assert.equal(written.length, HOSTILE.length, 'one file per thread, none elsewhere');
  assert.deepEqual(readdirSync(dir).sort(), ['hostile.parprof', 'profiles'], 'nothing written beside the folder');
  for (const f of written) assert.match(f, SAFE);
  assert.ok(written.includes('thread-0-poolifier%202.cpuprofile'), written.join(' '));

  // Each profile carries its thread's whole name (THREAD_FIELD); without it, the file name's, cut short.
  const files = toCpuProfiles(report).map((f) => ({ name: f.name, json: JSON.parse(JSON.stringify(f.profile)) }));
  const back = importCpuProfiles(files, 'profiles');
  assert.deepEqual(back.threads.map((t) => [t.id, t.name]), report.threads.map((t) => [t.id, t.name]));
  for (const f of files) delete f.json[THREAD_FIELD];
  const byFileName = importCpuProfiles(files, 'profiles');
  const cut = (name: string) => (name.length > MAX_ENCODED_NAME ? name.slice(0, MAX_ENCODED_NAME) : name);
  assert.deepEqual(byFileName.threads.map((t) => [t.id, t.name]), report.threads.map((t) => [t.id, t.name === '' ? '_' : cut(t.name)]));
});
