// Thread kinds through `parprof export --format cpuprofile` and back. The file name says a thread's
// id and name, not its kind: a forked child's main thread (id ≠ 0) came back as a worker, and a
// file renamed by hand came back as the main thread. Each exported profile now carries its thread
// (THREAD_FIELD: id, whole name, kind). A real recording of test/fixtures/child-fork.js: two
// processes, each with a main thread and a pool of 2 workers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { THREAD_FIELD, toCpuProfiles } from '../../src/model/export-cpuprofile';
import { importCpuProfile, importCpuProfiles } from '../../src/model/import-cpuprofile';
import { ReportError, parseReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';
import { readAnyReportFile } from '../../src/runner/read-import';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const cli = join(root, 'dist', 'cli.js');

describe('cpuprofile export and import keep thread kinds', () => {
  let dir: string;
  let report: Report;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parprof-cpuprofile-kinds-'));
    const file = join(dir, 'fork.parprof');
    const r = spawnSync(process.execPath, [cli, 'record', '--out', file, 'child-fork.js'], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, r.stderr);
    report = parseReport(readFileSync(file));
    const e = spawnSync(process.execPath, [cli, 'export', file, '--format', 'cpuprofile', '--out', join(dir, 'profiles')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(e.status, 0, e.stderr);
  });

  const kinds = (r: Report) => r.threads.filter((t) => r.profiles.some((p) => p.thread === t.id)).map((t) => [t.id, t.name, t.kind]).sort((a, b) => (a[0] as number) - (b[0] as number));

  test('a folder of two processes\' profiles: every thread\'s id, name and kind back', () => {
    // The planted truth: two main threads with profiles (the script's, id 0, and the child's, id ≠ 0) and workers.
    const mains = kinds(report).filter((k) => k[2] === 'main').map((k) => k[0]);
    assert.equal(mains.length, 2, JSON.stringify(kinds(report)));
    assert.ok(mains.includes(0) && mains.some((id) => id !== 0));
    assert.ok(kinds(report).filter((k) => k[2] === 'worker').length >= 2);
    const back = readAnyReportFile(join(dir, 'profiles'));
    assert.deepEqual(kinds(back), kinds(report));
    // export -> import -> export: the same files, byte for byte.
    const again = toCpuProfiles(back).map((f) => [f.name, JSON.stringify(f.profile)]).sort();
    const first = readdirSync(join(dir, 'profiles')).sort().map((n) => [n, readFileSync(join(dir, 'profiles', n), 'utf8')]);
    assert.deepEqual(again.map((f) => f[0]), first.map((f) => f[0]));
    for (let i = 0; i < first.length; i++) assert.deepEqual(JSON.parse(again[i][1]), JSON.parse(first[i][1]), first[i][0]);
    // The imported report's profiles hold V8's fields only: the thread is said by report.threads.
    for (const p of back.profiles) assert.ok(!(THREAD_FIELD in p.profile));
  });

  test('one file, renamed: a worker stays a worker and the child\'s main a main, with their names', () => {
    for (const t of report.threads.filter((x) => report.profiles.some((p) => p.thread === x.id))) {
      const f = toCpuProfiles(report).find((x) => x.profile[THREAD_FIELD].id === t.id)!;
      const one = importCpuProfile(JSON.parse(JSON.stringify(f.profile)), 'renamed.cpuprofile')!;
      assert.deepEqual(one.threads.map((x) => [x.name, x.kind]), [[t.name, t.kind]], f.name);
    }
  });

  test('a malformed thread field: one line naming the file, nothing imported', () => {
    const f = toCpuProfiles(report)[0];
    const bad = { ...JSON.parse(JSON.stringify(f.profile)), [THREAD_FIELD]: { id: 1, name: 'w', kind: 'process' } };
    assert.throws(() => importCpuProfiles([{ name: f.name, json: bad }], 'x'),
      (e: Error) => e instanceof ReportError && e.message.startsWith(`${f.name}: ${THREAD_FIELD} must be`) && !e.message.includes('\n'));
    const path = join(dir, 'bad.cpuprofile');
    writeFileSync(path, JSON.stringify(bad));
    const r = spawnSync(process.execPath, [cli, 'report', path], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bad\.cpuprofile: parprofThread must be \{ id: a whole number ≥ 0, name: a string, kind: 'main' or 'worker' \}, got \{"id":1,"name":"w","kind":"process"\}/);
  });
});
