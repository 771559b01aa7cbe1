// Issue 13, item 4: names from a report cannot drive the terminal. Every control character
// (C0 but the newlines we print, DEL, C1) and every bidi override in what `parprof report` prints
// is shown as a visible escape, and a newline in a name cannot start a forged line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serializeReport } from '../../src/model/load';
import { syntheticReport } from '../../src/model/synthetic';
import { terminalSafe } from '../../src/model/terminal-text';
import { packageRoot } from '../../src/runner/paths';

const dir = mkdtempSync(join(tmpdir(), 'parprof-hardening-term-'));
/** Any byte a terminal acts on, other than the newline: C0 (tab too), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const LINK = '\u001b]8;;https://evil.example/\u001b\\click me\u001b]8;;\u001b\\';
const FORGED = '\n  - forged: everything is fine';

function hostileReport(): string {
  const r = syntheticReport({ threads: 3, spans: 600, profiles: 2, samplesPerProfile: 300, seed: 4 });
  r.meta.script = `/app/${TITLE}main\u202e.js`;
  r.meta.args = [CLEAR, '\u009b31m'];
  r.threads[1].name = `worker ${TITLE}${FORGED}`;
  r.threads[2].died = { at: 10, reason: `oom${FORGED}\r${CLEAR}` };
  r.regions[0].name = `map ${CLEAR}${FORGED}`;
  r.regions[0].outcome = 'error';
  for (const tp of r.profiles) for (const n of tp.profile.nodes) {
    if (n.callFrame.functionName.startsWith('(')) continue;
    n.callFrame.functionName = `${n.callFrame.functionName}${LINK}\u007f\u2066`;
    n.callFrame.url = `file:///app/${TITLE}x.js`;
  }
  r.markers.push({ t: 5, thread: 0, kind: 'note', message: `note${FORGED}${TITLE}` });
  r.exit = { code: 1, signal: null, error: { message: `boom${FORGED}${CLEAR}`, stack: `at x${TITLE}` } };
  return serializeReport(r);
}

function parprof(...args: string[]) {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('terminalSafe escapes controls and bidi overrides visibly, and leaves other text alone', () => {
  assert.equal(terminalSafe(`a${TITLE}b`), 'a\\x1b]0;pwned\\x07b');
  assert.equal(terminalSafe('x\ny\rz\t\u007f\u0085\u009b\u202e\u2066\u2028'), 'x\\x0ay\\x0dz\\x09\\x7f\\x85\\x9b\\u202e\\u2066\\u2028');
  assert.equal(terminalSafe('naïve 名前 → µs \\x1b'), 'naïve 名前 → µs \\x1b');
});

test('parprof report on a hostile report prints no raw control byte and no forged line', () => {
  const file = join(dir, 'hostile.parprof');
  writeFileSync(file, hostileReport());
  const r = parprof('report', file);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, RAW_CONTROL, `raw control in: ${JSON.stringify(r.stdout.match(RAW_CONTROL))}`);
  for (const line of r.stdout.split('\n')) assert.ok(!line.startsWith('  - forged'), `a forged line: ${line}`);
  // What the names said is still shown, escaped: the reader can see the attack.
  assert.match(r.stdout, /worker \\x1b\]0;pwned\\x07\\x0a {2}- forged/);
  assert.match(r.stdout, /map \\x1b\[2J\\x1b\[H\\x0a/);
  assert.match(r.stdout, /\\x1b\]8;;https:\/\/evil\.example\/\\x1b\\click me/);
  assert.match(r.stdout, /Findings/);

  const json = parprof('report', file, '--json');
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, RAW_CONTROL);
  const metrics = JSON.parse(json.stdout);
  assert.equal(metrics.threads[1].name, `worker ${TITLE}${FORGED}`, 'JSON keeps the exact name, as escapes JSON decodes');
});

test('error lines quote hostile text escaped: a bad field, and a file name', () => {
  const bad = JSON.parse(hostileReport());
  bad.threads[1].kind = `\u009b2J\u202eevil${TITLE}`;
  const file = join(dir, 'bad.parprof');
  writeFileSync(file, JSON.stringify(bad));
  const r = parprof('report', file);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^parprof: .*bad\.parprof: threads\[1\]\.kind: expected one of 'main', 'worker', found string ".*\\x9b2J\\u202eevil/);
  assert.doesNotMatch(r.stderr, RAW_CONTROL);
  assert.equal(r.stderr.split('\n').length, 2, 'one line');
  const missing = parprof('report', join(dir, `no${CLEAR}${FORGED}.parprof`));
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, RAW_CONTROL);
  assert.equal(missing.stderr.split('\n').length, 2, `one line: ${JSON.stringify(missing.stderr)}`);
});

test('parprof export to the terminal (markdown, and a JSON format with --out -) prints no raw control byte', () => {
  const file = join(dir, 'hostile-export.parprof');
  writeFileSync(file, hostileReport());
  const md = parprof('export', file, '--format', 'markdown');
  assert.equal(md.code, 0, md.stderr);
  assert.doesNotMatch(md.stdout, RAW_CONTROL, `raw control in: ${JSON.stringify(md.stdout.match(RAW_CONTROL))}`);
  for (const line of md.stdout.split('\n')) assert.ok(!line.startsWith('  - forged'), `a forged line: ${line}`);
  assert.match(md.stdout, /\\x1b\\?\[2J/, 'the region name is shown, escaped');
  // Written to a file (for a pull request): escaped the same, not raw bytes an editor or a terminal's `cat` would act on.
  const mdFile = join(dir, 'hostile.md');
  const written = parprof('export', file, '--format', 'markdown', '--out', mdFile);
  assert.equal(written.code, 0, written.stderr);
  const text = readFileSync(mdFile, 'utf8');
  assert.doesNotMatch(text, RAW_CONTROL, `raw control in: ${JSON.stringify(text.match(RAW_CONTROL))}`);
  assert.equal(text, md.stdout, 'the file holds what the terminal was shown');
  const chrome = parprof('export', file, '--format', 'chrome', '--out', '-');
  assert.equal(chrome.code, 0, chrome.stderr);
  assert.doesNotMatch(chrome.stdout, RAW_CONTROL);
  const trace = JSON.parse(chrome.stdout) as { traceEvents: { name?: string; args?: { name?: string } }[] };
  assert.ok(trace.traceEvents.some((e) => e.args?.name === `worker ${TITLE}${FORGED}`), 'the JSON still decodes to the exact thread name');
});

test('parprof compare (text and --markdown) and a sweep report printed: a name cannot forge a line, a link, an image or a tag', () => {
  const base = join(dir, 'compare-base.parprof');
  writeFileSync(base, serializeReport(syntheticReport({ threads: 3, spans: 600, profiles: 2, samplesPerProfile: 300, seed: 4 })));
  const hostile = join(dir, 'compare-hostile.parprof');
  const h = JSON.parse(hostileReport());
  h.regions[0].name = `map ${CLEAR}<img src="https://evil.example/x.png"> [link](https://evil.example) \`code\` | col${FORGED}`;
  writeFileSync(hostile, JSON.stringify(h));
  const text = parprof('compare', base, hostile);
  assert.ok(text.code === 0 || text.code === 1, text.stderr);
  assert.doesNotMatch(text.stdout, RAW_CONTROL, `raw control in: ${JSON.stringify(text.stdout.match(RAW_CONTROL))}`);
  for (const line of text.stdout.split('\n')) assert.ok(!line.trimStart().startsWith('- forged'), `a forged line: ${line}`);
  assert.match(text.stdout, /map \\x1b\[2J\\x1b\[H<img src/, 'the region name is shown, escaped');
  assert.match(text.stdout, /\| col\\x0a {2}- forged/);

  const md = parprof('compare', base, hostile, '--markdown');
  assert.doesNotMatch(md.stdout, RAW_CONTROL);
  for (const line of md.stdout.split('\n')) assert.ok(!line.trimStart().startsWith('- forged'), `a forged line: ${line}`);
  assert.doesNotMatch(md.stdout, /(?<!\\)<img|(?<!\\)\[link\]\(|(?<!\\)`code/, 'raw Markdown or HTML from a name');
  assert.match(md.stdout, /\\<img src="https:\/\/evil\.example\/x\.png"\\> \\\[link\\\]\(https:\/\/evil\.example\) \\`code\\` \\\| col/);
  // The table keeps its columns: every row of the subjects' table has as many cells as its header.
  const rows = md.stdout.split('\n').filter((l) => l.startsWith('| '));
  const cells = (l: string) => l.split(/(?<!\\)\|/).length;
  const header = rows.find((l) => l.includes('base wall'))!;
  for (const l of rows.slice(rows.indexOf(header), rows.indexOf(header) + 4)) assert.equal(cells(l), cells(header), l);

  // A sweep report whose script, labels and names say more than they should.
  const sweep = {
    format: 'parprof-sweep', version: 1, kind: 'sweep', createdAt: 0, script: `/app/free.js${FORGED}`, args: [], cwd: '/', cores: 2, repeat: 1,
    variants: [0, 2].map((threads) => ({ label: `${threads === 0 ? 'sequential' : '2 threads'}${FORGED}`, threads, schedule: 'dynamic', chunkSize: null,
      runs: [{ file: 'x.parprof', exitCode: 0, wholeMs: threads ? 60 : 100, wholeCovers: 'script', poolStartupMs: 0, descheduledShare: null,
        regions: [{ key: `map a${FORGED} @ a.js:1:1`, name: `map a${FORGED}`, calls: 1, wallMs: threads ? 50 : 90, utilization: 0.9, imbalance: 1, tasks: 4 }],
        functions: [{ name: `f${FORGED}`, file: 'a.js', line: 1, selfMs: 10 }] }] })),
  };
  const sweepFile = join(dir, 'hostile.parprof-sweep.json');
  writeFileSync(sweepFile, JSON.stringify(sweep));
  const printed = parprof('report', sweepFile);
  assert.equal(printed.code, 0, printed.stderr);
  assert.doesNotMatch(printed.stdout, RAW_CONTROL);
  for (const line of printed.stdout.split('\n')) assert.ok(!line.trimStart().startsWith('- forged'), `a forged line: ${line}`);
  assert.match(printed.stdout, /free\.js\\x0a {2}- forged/);
  const sweepCompare = parprof('compare', sweepFile, sweepFile);
  for (const line of sweepCompare.stdout.split('\n')) assert.ok(!line.trimStart().startsWith('- forged'), `a forged line: ${line}`);
});
