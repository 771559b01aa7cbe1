// `parprof` end to end: the built CLI (dist/cli.js) in real processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from '../../src/cli/args';
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
    [['record', '--threads', '0', 'rec-raw.js'], /^parprof: --threads must be a positive integer, got 0\n$/],
    [['record', '--schedule', 'fast', 'rec-raw.js'], /^parprof: --schedule must be static, dynamic or steal, got fast\n$/],
    [['record', '--bogus', 'rec-raw.js'], /^parprof: unknown option --bogus for record/],
    [['record'], /^parprof: record needs a script/],
    [['frobnicate'], /^parprof: unknown command 'frobnicate'/],
    [['report', 'missing.parprof'], /^parprof: cannot read missing\.parprof: ENOENT\n$/],
    [['report', 'rec-raw.js'], /^parprof: rec-raw\.js: /],
  ];
  for (const [args, expected] of cases) {
    const r = parprof(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, expected, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
  }
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
