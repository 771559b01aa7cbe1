// Advice 'many-calls' on real runs (the CLI's runner, real worker threads): a loop of 200 pool
// calls of 2 trivial items each is told at its call site, with the calls' count and the tasks'
// share of their thread time, and a saving no more than those calls' wall time less their tasks;
// it stays silent on a loop of 60 calls whose items are 10 ms each, and on the same items in one call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { advise, MANY_CALLS_BUSY_SHARE } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { formatSummary, verdicts } from '../../src/model/summary';
import { fixtures, record } from './record-helpers';

function callLine(marker: string): number {
  const lines = readFileSync(join(fixtures(), 'many-calls.js'), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, marker);
  return i + 1;
}

async function run(mode: string) {
  const { report, stderr } = await record('many-calls.js', { args: [mode] });
  assert.equal(report.exit.code, 0, stderr);
  const metrics = analyze(report);
  return { report, metrics, advice: advise(report, metrics), findings: verdicts(metrics, report) };
}

test('a loop of 200 calls of 2 trivial items: many-calls at the loop\'s call, its count, and a saving within the calls\' time', async () => {
  const { report, metrics, advice, findings } = await run('tiny');
  const hits = advice.filter((a) => a.rule === 'many-calls');
  assert.equal(hits.length, 1, advice.map((a) => `${a.rule}: ${a.text}`).join('\n'));
  const a = hits[0];
  assert.equal(a.callSite?.line, callLine('// CALL tiny'));
  assert.equal(a.evidence.calls, 200);
  assert.equal(metrics.regions.length, 200);
  const wall = metrics.regions.reduce((s, r) => s + r.wallMs, 0);
  const busy = metrics.regions.reduce((s, r) => s + r.threads.reduce((x, t) => x + t.busyMs, 0), 0);
  assert.ok(Math.abs(a.evidence.wallMs - wall) < 1e-6 && Math.abs(a.evidence.busyMs - busy) < 1e-6);
  assert.ok(a.evidence.busyShare <= MANY_CALLS_BUSY_SHARE);
  assert.ok(a.savingMs > 0 && a.savingMs <= wall - busy / 2, `saving ${a.savingMs} ms of ${wall} ms of calls`);
  assert.match(a.text, /^the pool's map\(sq\) call at many-calls\.js:\d+ ran 200 times \('map sq #1' and on\), .* each at the median, its threads in tasks .* would save ~/);
  // The summary's findings say it.
  assert.ok(findings.some((f) => f.includes('ran 200 times')), findings.join('\n'));
  // Its tables show the 20 longest of the 200 regions, in run order, and say what they left out.
  const text = formatSummary(report, metrics);
  const section = text.slice(text.indexOf('\nRegions\n'), text.indexOf('\nWhere thread time went'));
  const rows = section.split('\n').filter((l) => /^ {2}map sq #\d+ /.test(l)).map((l) => Number(/#(\d+)/.exec(l)![1]));
  assert.equal(rows.length, 20, section);
  assert.deepEqual(rows, [...rows].sort((x, y) => x - y), 'in run order');
  const wallOf = (n: number) => metrics.regions[n - 1].wallMs;
  const shortestShown = Math.min(...rows.map(wallOf));
  assert.ok(metrics.regions.every((r, i) => rows.includes(i + 1) || r.wallMs <= shortestShown), 'no region left out is longer than one shown');
  assert.match(section, /\(the 20 regions with the longest wall time of 200, in run order; the other 180: .* of wall time together; `--json` lists every region\)/);
});

test('silent on 60 calls of 10 ms items, and on the tiny loop\'s items in one call', async () => {
  for (const mode of ['heavy', 'batched']) {
    const { advice } = await run(mode);
    assert.deepEqual(advice.filter((a) => a.rule === 'many-calls').map((a) => a.text), [], mode);
  }
});
