// Tryout finding 14: with two 'map evenItem' regions the findings said "before region 'map
// evenItem'" and no reader could tell which. regionLabels (region-labels.ts) names them apart;
// the findings, the summary's tables and its call lines use it. Planted: the operation twice from one call site, serial work between.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { regionLabels } from '../../src/model/region-labels';
import { packageRoot } from '../../src/runner/paths';

const root = packageRoot();

test('labels: a unique name stays; same names at other call sites get the site; from one site, their place', () => {
  const at = (file: string, line: number) => ({ file, line, column: 3 });
  assert.deepEqual(regionLabels([
    { name: 'map evenItem', callSite: at('/w/a.js', 14) },
    { name: 'reduce sum', callSite: at('/w/a.js', 20) },
    { name: 'map evenItem', callSite: at('/w/a.js', 14) },
    { name: 'forEach row', callSite: at('/w/a.js', 30) },
    { name: 'forEach row', callSite: at('/w/lib/b.js', 7) },
    { name: 'join', callSite: undefined },
    { name: 'join', callSite: undefined },
  ]), ['map evenItem #1', 'reduce sum', 'map evenItem #2', 'forEach row (a.js:30)', 'forEach row (b.js:7)', 'join #1', 'join #2']);
  // A region alone with its name keeps it: nothing added to the texts of ordinary runs.
  assert.deepEqual(regionLabels([{ name: 'map evenItem', callSite: at('/w/a.js', 14) }]), ['map evenItem']);
});

test('findings name the second of two same-named operations: "before region \'map evenItem #2\'"', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'parprof-f2-labels-')), 'twice.parprof');
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'record', '--threads', '2', '--out', file, 'f2-split.js'], {
    cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 120_000, env: { ...process.env, TWICE: '1', SERIAL: '300', EVEN: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  // Planted: 300 ms of serial CPU work right before the second call.
  assert.match(r.stdout, /the main thread ran \S+ ms of serial code [^\n]*\(before region 'map evenItem #2'\)/, r.stdout);
  assert.doesNotMatch(r.stdout, /region 'map evenItem'/, r.stdout);
  // The summary's tables and call lines name them the same way, each once.
  for (const table of ['Regions', 'Where thread time went', 'Operation calls']) {
    const section = r.stdout.slice(r.stdout.indexOf(`\n${table}`) + 1).split('\n\n')[0];
    const rows = section.split('\n').filter((l) => /^\s+map evenItem/.test(l)).map((l) => /map evenItem( #\d)?/.exec(l)![0]);
    assert.deepEqual(rows, ['map evenItem #1', 'map evenItem #2'], `${table}:\n${section}`);
  }
});
