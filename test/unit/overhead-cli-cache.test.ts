// The CLI starts from a V8 code cache (src/cli/launch.ts, issue 12 "Fast": ~10 ms of the CLI's
// CPU a run): written at the first run of a command, used as it is by the next (not written
// again), replaced when V8 rejects it (here: a file of garbage), and never in the way: a cache
// folder that cannot be made leaves the CLI working as before.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/runner/paths';

const cli = join(packageRoot(), 'dist', 'cli.js');

function parprof(cacheHome: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome }, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

test('code cache: written by the first run of a command, used unchanged by the next, replaced when V8 rejects it', () => {
  const home = mkdtempSync(join(tmpdir(), 'parprof-cache-'));
  try {
    const folder = join(home, 'parallel-profiler');
    const version = parprof(home, '--version');
    assert.match(version, /^parprof \d+\.\d+\.\d+/);
    const files = readdirSync(folder);
    assert.equal(files.length, 1, `one cache file: ${files.join(', ')}`);
    assert.match(files[0], /^cli-other-v\d+.*\.v8cache$/);
    const file = join(folder, files[0]);
    const first = readFileSync(file);
    assert.ok(first.length > 1000, `a real cache (${first.length} bytes)`);
    const written = statSync(file).mtimeMs;

    assert.equal(parprof(home, '--version'), version, 'same output from the cache');
    assert.equal(statSync(file).mtimeMs, written, 'an accepted cache is not written again');

    writeFileSync(file, Buffer.alloc(first.length, 7));
    assert.equal(parprof(home, '--version'), version, 'a rejected cache: the bundle compiles as usual');
    assert.notDeepEqual(readFileSync(file), Buffer.alloc(first.length, 7), 'and the cache is written anew');

    parprof(home, 'report', '--help');
    assert.deepEqual(readdirSync(folder).filter((f) => f.startsWith('cli-report-')).length, 1, 'each command has its own cache');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('code cache: a cache folder that cannot be made leaves the CLI working', () => {
  const home = mkdtempSync(join(tmpdir(), 'parprof-cache-'));
  try {
    const notAFolder = join(home, 'file');
    writeFileSync(notAFolder, 'x');
    assert.match(parprof(notAFolder, '--version'), /^parprof /);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
