// `parprof record` starts the script before the CLI loads its report code (src/cli/launch.ts):
// shown without a clock, by a code cache file that is a FIFO only the script writes, and a
// command line the CLI refuses never starts the script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const cli = join(root, 'dist', 'cli.js');
const script = join(root, 'test', 'fixtures', 'early-start.js');

function parprof(env: Record<string, string>, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('record: the script is running before the CLI loads its report code', { skip: process.platform === 'win32' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-early-'));
  try {
    // The file the launcher reads its cached bundle from (launch.ts's cachePath), made a FIFO:
    // reading it blocks until the script writes it. Loaded before the spawn, the CLI would wait
    // for a script it has not started, until the timeout kills it.
    const bundle = statSync(join(root, 'dist', 'cli-main.js'));
    const folder = join(dir, 'cache', 'parallel-profiler');
    mkdirSync(folder, { recursive: true });
    const fifo = join(folder, `cli-record-${process.version}-${process.arch}-${bundle.size}-${Math.round(bundle.mtimeMs)}.v8cache`);
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const out = join(dir, 'run.parprof');
    const r = parprof({ XDG_CACHE_HOME: join(dir, 'cache'), EARLY_FIFO: fifo }, 'record', '--out', out, script);
    assert.equal(r.code, 0, `exit ${r.code} (null: killed by the timeout, the script never ran) ${r.stderr}`);
    assert.match(r.stdout, /^early-start done$/m);
    assert.ok(existsSync(out), 'the report is written');
    // The rejected "cache" gave way to a real one, written at exit.
    assert.ok(statSync(fifo).isFile(), 'a code cache file replaces the FIFO');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record: a command line the CLI refuses starts nothing and says why in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-early-'));
  try {
    const marker = join(dir, 'ran');
    const cases: [string[], RegExp][] = [
      [['record', '--threads', 'x', script], /^parprof: --threads must be a non-negative integer, got x\n$/],
      [['record', '--bogus', script], /^parprof: unknown option --bogus for record \(see parprof --help\)\n$/],
      [['record', '--out', '/proc/parprof-early.parprof', script], /^parprof: cannot write the report to \/proc\/parprof-early\.parprof: \/proc is a system folder, not a place for files\n$/],
      [['record', '--profiler', '0x', '--sample-interval', '0', script], /^parprof: --profiler 0x samples CPU: it needs a sample interval above 0\n$/],
    ];
    for (const [args, expected] of cases) {
      const r = parprof({ EARLY_MARKER: marker, XDG_CACHE_HOME: join(dir, 'cache') }, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
      assert.match(r.stderr, expected, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.ok(!existsSync(marker), `${args.join(' ')}: the script did not run`);
    }
    // The control: the same script with a good command line runs and leaves its marker.
    const ok = parprof({ EARLY_MARKER: marker, XDG_CACHE_HOME: join(dir, 'cache') }, 'record', '--out', join(dir, 'ok.parprof'), script);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(readFileSync(marker, 'utf8'), 'ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record: a CLI whose report code cannot load stops the script it started, in one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-early-'));
  try {
    // A copy of the package whose bundle throws as it loads; the launcher and the runtime are real.
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(root, 'dist', 'cli.js'), join(pkg, 'dist', 'cli.js'));
    cpSync(join(root, 'dist', 'runtime'), join(pkg, 'dist', 'runtime'), { recursive: true });
    writeFileSync(join(pkg, 'dist', 'cli-main.js'), "throw new Error('planted: a broken bundle');\n");
    const pidFile = join(dir, 'pid');
    const r = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), 'record', '--out', join(dir, 'run.parprof'), script],
      { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), EARLY_WAIT: '1', EARLY_PID: pidFile }, timeout: 50_000 });
    assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, /^parprof: cannot load \S+cli-main\.js \(planted: a broken bundle\); stopping the script\n$/);
    assert.doesNotMatch(r.stdout, /early-start done/);
    // Whether or not the script reached its first line, it is not left running.
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `script ${pid} still runs`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
