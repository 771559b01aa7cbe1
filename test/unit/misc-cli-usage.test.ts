// Bare `parprof` is a usage error: exit 2 with the usage on stderr, nothing on stdout (a script
// that forgot the command must not read as a success). Asking for help is no error: --help, -h
// and help print the usage on stdout and exit 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { USAGE, commandHelp } from '../../src/cli/args';
import { packageRoot } from '../../src/runner/paths';

function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('parprof with no command: exit 2, one line saying so and the usage on stderr, stdout empty', () => {
  const r = parprof();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `parprof: no command given\n${USAGE}\n`);
});

test('parprof --help, -h and help: the usage on stdout, exit 0', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = parprof(...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.equal(r.stdout, `${USAGE}\n`, args.join(' '));
    assert.equal(r.stderr, '', args.join(' '));
  }
  // A command's --help: its own part of the usage.
  for (const args of [['record', '--help'], ['compare', '-h'], ['sweep', '--help']]) {
    const r = parprof(...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.equal(r.stdout, `${commandHelp(USAGE, args[0])}\n`, args.join(' '));
    assert.notEqual(r.stdout, `${USAGE}\n`);
    assert.equal(r.stderr, '', args.join(' '));
  }
});

test('an unknown command stays a usage error: exit 2, one line on stderr', () => {
  const r = parprof('recrod');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^parprof: unknown command 'recrod' .*\n$/);
});
