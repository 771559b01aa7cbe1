// `parprof` end to end: the built CLI (dist/cli.js) in real processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { USAGE, commandHelp, parseArgs, recordOptionsAfterScript } from '../../src/cli/args';
import { reportJsonFromHtml } from '../../src/model/html-report';
import { parseReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();
function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('our own errors: one clear line on stderr, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['record', 'no-such-script.js'], /^parprof: script not found: no-such-script\.js\n$/],
    [['record', '..'], /^parprof: \.\. is a folder, not a script/],
    [['record', '--threads', 'x', 'rec-raw.js'], /^parprof: --threads must be a non-negative integer, got x\n$/],
    [['record', '--schedule', 'fast', 'rec-raw.js'], /^parprof: --schedule must be static, dynamic or steal, got fast\n$/],
    [['record', '--bogus', 'rec-raw.js'], /^parprof: unknown option --bogus for record/],
    [['record'], /^parprof: record needs a script/],
    [['frobnicate'], /^parprof: unknown command 'frobnicate'/],
    [['report', 'missing.parprof'], /^parprof: cannot read missing\.parprof: no such file \(ENOENT\)\n$/],
    [['report', 'rec-raw.js'], /^parprof: rec-raw\.js: /],
  ];
  for (const [args, expected] of cases) {
    const r = parprof(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, expected, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
  }
});

test('--version prints the version and exits 0', () => {
  const r = parprof('--version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `parprof ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
});

test('--help prints usage and exits 0', () => {
  const r = parprof('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /parprof record \[--threads N\]/);
  assert.match(r.stdout, /parprof report <file>/);
});

test('argument parsing: options before the script, everything after it is the script\'s', () => {
  assert.deepEqual(parseArgs(['record', '--threads=3', '--schedule', 'steal', '--sample-interval', '0', '--out', 'x.parprof', 'a.js', '--threads', '9']), {
    cmd: 'record', script: 'a.js', args: ['--threads', '9'], threads: 3, schedule: 'steal', sampleIntervalUs: 0, out: 'x.parprof',
  });
  assert.deepEqual(parseArgs(['report', 'r.parprof', '--json']), { cmd: 'report', file: 'r.parprof', json: true });
});

test('record writes the report, prints the summary, passes the exit code; report --json has the metric keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-cli-'));
  const out = join(dir, 'raw.parprof.gz');
  const ok = parprof('record', '--threads', '2', '--out', out, 'rec-raw.js');
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(out));
  assert.equal(readFileSync(out)[0], 0x1f, 'gzip-compressed');
  assert.match(ok.stdout, new RegExp(`report: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const json = parprof('report', out, '--json');
  assert.equal(json.code, 0, json.stderr);
  const metrics = JSON.parse(json.stdout) as Record<string, unknown>;
  for (const key of ['wallMs', 'utilization', 'imbalance', 'potentialGainMs', 'tailMs', 'queueWaitMs', 'threads', 'regions', 'dropped', 'exit']) {
    assert.ok(key in metrics, `--json has ${key}`);
  }
  const threads = metrics.threads as { name: string; kind: string }[];
  assert.deepEqual(threads.filter((t) => t.kind === 'worker').map((t) => t.name).sort(), ['raw 0', 'raw 1']);

  const html = join(dir, 'raw.html');
  const page = parprof('report', out, '--html', html);
  assert.equal(page.code, 0, page.stderr);
  const htmlText = readFileSync(html, 'utf8');
  assert.match(htmlText, /^<!DOCTYPE html>/i);
  const embedded = reportJsonFromHtml(htmlText, (b) => gunzipSync(b));
  assert.ok(embedded, 'the page embeds the report');
  assert.deepEqual(parseReport(embedded).threads.map((t) => t.name).filter((n) => n.startsWith('raw')).sort(), ['raw 0', 'raw 1']);

  const failed = parprof('record', '--out', join(dir, 'throw.parprof'), 'crash-throw.js');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /fixture boom after 10 answers/);
  assert.ok(existsSync(join(dir, 'throw.parprof')));
});

test('record ends with the commands that open the views, and the suggested command works as printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof cli next-'));
  const out = join(dir, 'raw run.parprof');
  const rec = parprof('record', '--threads', '2', '--sample-interval', '0', '--out', out, 'rec-raw.js');
  assert.equal(rec.code, 0, rec.stderr);
  const lines = rec.stdout.trimEnd().split('\n');
  const next = lines.indexOf('next:');
  assert.ok(next > 0, `a 'next:' block in:\n${rec.stdout}`);
  assert.equal(lines[next - 1], `report: ${out}`);
  const htmlLine = lines[next + 1];
  assert.match(htmlLine, /^ {2}node \/\S+cli\.js report '.*raw run\.parprof' --html '.*raw run\.html' {3}# /);
  // Run the printed command through a shell, exactly as a user would paste it.
  const command = htmlLine.replace(/ {3}#.*$/, '').trim();
  const sh = spawnSync('sh', ['-c', command], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8' });
  assert.equal(sh.status, 0, sh.stderr);
  assert.match(readFileSync(join(dir, 'raw run.html'), 'utf8'), /^<!DOCTYPE html>/i);
  assert.match(lines[next + 2], /^ {2}code '.*raw run\.parprof' {3}# /);
});

test('the suggested command names the CLI the way it was started', async () => {
  const { invokedAs, shellWord } = await import('../../src/cli/next-steps');
  assert.equal(invokedAs('/home/u/proj/node_modules/.bin/parprof', '/home/u/proj'), 'npx parprof');
  assert.equal(invokedAs('/usr/local/bin/parprof', '/tmp'), 'parprof');
  assert.equal(invokedAs('/home/u/pp/dist/cli.js', '/home/u/pp'), 'node dist/cli.js');
  assert.equal(invokedAs('/home/u/pp/dist/cli.js', '/tmp/x'), 'node /home/u/pp/dist/cli.js');
  assert.equal(shellWord("it's here"), `'it'\\''s here'`);
  assert.equal(shellWord('a/b.parprof'), 'a/b.parprof');
});

test('--help before the script is ours; after it, it is the script\'s', () => {
  for (const cmd of ['record', 'sweep', 'ab']) {
    assert.deepEqual(parseArgs([cmd, '--help']), { cmd: 'help', command: cmd }, cmd);
    const after = parseArgs([cmd, 'x.js', '--help']) as { script?: string; args?: string[] };
    assert.equal(after.script, 'x.js', cmd);
    assert.deepEqual(after.args, ['--help'], `${cmd}: --help after the script goes to the script`);
  }
  assert.deepEqual(parseArgs(['report', 'r.parprof', '--help']), { cmd: 'help', command: 'report' });
  assert.deepEqual(parseArgs(['--help']), { cmd: 'help' });
});

test('a command\'s --help prints its usage and paragraph only; --help alone, everything', () => {
  for (const cmd of ['record', 'report', 'sweep', 'ab', 'compare', 'export']) {
    const help = commandHelp(USAGE, cmd);
    const lines = help.split('\n');
    assert.equal(lines[0], 'usage:');
    assert.ok(lines.slice(1).filter((l) => l.startsWith('  parprof ')).every((l) => l.startsWith(`  parprof ${cmd} `)), help);
    assert.ok(lines.some((l) => l.startsWith(`${cmd} `)), `${cmd}: its paragraph`);
    assert.ok(!lines.some((l) => /^(record|report|sweep|ab|compare|export) /.test(l) && !l.startsWith(`${cmd} `)), `${cmd}: another command's paragraph\n${help}`);
    assert.equal(lines[lines.length - 1], 'all commands: parprof --help');
  }
  assert.match(commandHelp(USAGE, 'record'), /--sample-interval US +CPU sampling interval/);
  assert.equal(commandHelp(USAGE, 'nope'), USAGE);
});

test('record --sequential with --threads N (N > 0), in either order, is refused: they say different things', () => {
  for (const argv of [['--sequential', '--threads', '2'], ['--threads', '2', '--sequential'], ['--threads=3', '--sequential']]) {
    assert.throws(() => parseArgs(['record', ...argv, 'a.js']), /--threads and --sequential say different things/, argv.join(' '));
  }
  for (const argv of [['--sequential'], ['--threads', '0', '--sequential'], ['--sequential', '--threads', '0']]) {
    assert.equal((parseArgs(['record', ...argv, 'a.js']) as { threads?: number }).threads, 0, argv.join(' '));
  }
});

test('sweep --schedule takes one schedule: a list is refused, not swept under its first', () => {
  assert.equal((parseArgs(['sweep', '--schedule', 'dynamic', 'a.js']) as { schedule?: string }).schedule, 'dynamic');
  for (const v of ['static,dynamic', 'steal,static']) {
    assert.throws(() => parseArgs(['sweep', '--schedule', v, 'a.js']), new RegExp(`^UsageError: sweep runs under one schedule, got ${v}: give one, or compare schedules with parprof ab --schedule ${v}$`), v);
  }
});

test('sweep and ab: --sample-interval, which they take, is in their usage', () => {
  for (const cmd of ['sweep', 'ab']) {
    assert.equal((parseArgs([cmd, '--sample-interval', '0', 'a.js']) as { sampleIntervalUs?: number }).sampleIntervalUs, 0, cmd);
    const usage = commandHelp(USAGE, cmd).split('\n').find((l) => l.startsWith(`  parprof ${cmd} `)) ?? '';
    assert.match(usage, /\[--sample-interval US\]/, cmd);
  }
  assert.match(commandHelp(USAGE, 'sweep'), /\[--schedule static\|dynamic\|steal\]/);
});

test('export --format 0x with a thread that has no profile names the threads by id and name: the summary shows names only', () => {
  const cli = join(packageRoot(), 'dist', 'cli.js');
  const report = join(packageRoot(), 'test', 'fixtures', 'phases-v1-report.parprof');
  // 'pool 1' is thread 1 here; the number a user reads in the summary is not always the id (ids count every thread).
  const r = spawnSync(process.execPath, [cli, 'export', report, '--format', '0x', '--thread', '99'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'parprof: thread 99 has no CPU profile in this report (threads with one, by id: 0 (main), 1 (pool 1), 2 (pool 2))\n');
  assert.throws(() => parseArgs(['export', 'r.parprof', '--format', '0x']), { message: '--format 0x draws one thread: give --thread N, the id of a thread (parprof report --json lists them: threads[].id and .name)' });
});

test('record\'s help names every script kind it runs (.mts and .cts run as .ts does)', () => {
  assert.match(commandHelp(USAGE, 'record'), /runs a Node\.js script \(\.js, \.mjs, \.cjs, \.ts, \.mts, \.cts\)/);
});

test('record options after the script go to the script, and record says so in a note; none when they come before it', () => {
  assert.deepEqual(recordOptionsAfterScript(['--threads', '1', '--schedule=static', '--threads', '2', 'x']), ['--threads', '--schedule']);
  assert.deepEqual(recordOptionsAfterScript(['--size', '3', '--', '--threads', '1']), []);
  const dir = mkdtempSync(join(tmpdir(), 'parprof-cli-'));
  const after = parprof('record', '--out', join(dir, 'a.parprof'), 'rec-raw.js', '--threads', '1');
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stderr, /^parprof: note: --threads comes after the script, so the script gets it, not parprof; parprof's own options go before the script \(parprof record --threads … script\.js\)$/m);
  const before = parprof('record', '--threads', '1', '--out', join(dir, 'b.parprof'), 'rec-raw.js');
  assert.equal(before.code, 0, before.stderr);
  assert.doesNotMatch(before.stderr, /note:/);
});
