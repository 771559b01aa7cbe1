// Every file the CLI writes gets record --out's care: `report --html`, `export --out` and the
// sweep / A-B report name what could not be written in one line (no raw 'EISDIR: illegal
// operation…'), make missing folders without mkdir -p (under /proc it never returned: export
// hung), and sweep / ab check their --out before the first run, not after the last.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'parprof-cli-out-'));
const report = join(root, 'test', 'fixtures', 'phases-v1-report.parprof');
const script = join(root, 'test', 'fixtures', 'hostile-out-swap.js');

/** The built CLI; a hang shows as the 60 s kill (status null). */
function parprof(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('report --html and export --out make missing folders, as export always did', () => {
  const page = join(dir, 'new', 'deeper', 'page.html');
  const r = parprof(['report', report, '--html', page]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(page));
  const trace = join(dir, 'new2', 'run.trace.json');
  assert.equal(parprof(['export', report, '--format', 'chrome', '--out', trace]).code, 0);
  assert.ok(existsSync(trace));
});

test('a path that cannot take the output: one line naming what, where and why; exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['report', report, '--html', dir], /^parprof: cannot write the HTML page to .*: it is a folder\n$/],
    [['report', report, '--html', '/dev/full'], /^parprof: cannot write the HTML page to \/dev\/full: \/dev is a system folder, not a place for files\n$/],
    [['export', report, '--format', 'chrome', '--out', dir], /^parprof: cannot write the chrome export to .*: it is a folder\n$/],
    [['export', report, '--format', 'chrome', '--out', '/proc/nope/x.json'], /^parprof: cannot write the chrome export to \/proc\/nope\/x\.json: \/proc is a system folder, not a place for files\n$/],
    [['export', report, '--format', 'cpuprofile', '--out', '/proc/nope/profiles'], /^parprof: cannot write the \.cpuprofile files to \/proc\/nope\/profiles: \/proc is a system folder, not a place for files\n$/],
    [['export', report, '--format', 'cpuprofile', '--out', script], /^parprof: cannot write the \.cpuprofile files to .*hostile-out-swap\.js: it is not a folder\n$/],
    [['export', report, '--format', 'markdown', '--out', join(script, 'x.md')], /^parprof: cannot write the markdown export to .*x\.md: .*hostile-out-swap\.js is not a folder\n$/],
  ];
  for (const [args, expected] of cases) {
    const r = parprof(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
    assert.match(r.stderr, expected, args.join(' '));
  }
});

test('sweep and ab refuse an --out that cannot take their report before the first run', () => {
  for (const [cmd, what, opts] of [['sweep', 'sweep', ['--threads', '0']], ['ab', 'A/B', ['--repeat', '1']]] as const) {
    const out = join(dir, `${cmd}-out`);
    rmSync(out, { recursive: true, force: true });
    spawnSync('mkdir', [out]);
    const mark = join(dir, 'ran');
    rmSync(mark, { force: true });
    const r = parprof([cmd, ...opts, '--out', out, script], { HOSTILE_MARK: mark });
    assert.equal(r.code, 2, `${cmd}: exit ${r.code}, stderr ${r.stderr}`);
    assert.equal(r.stderr, `parprof: cannot write the ${what} report to ${out}: it is a folder\n`, cmd);
    assert.ok(!existsSync(mark), `${cmd}: no run before the refusal`);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(`${cmd}-out-`)), [], `${cmd}: no run's report`);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
