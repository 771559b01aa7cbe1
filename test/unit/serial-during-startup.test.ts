// The serial finding says what the workers did while the main thread ran its serial code, from
// the workers' start-up windows (report.startup): serial code run while they were still starting
// cost the run nothing (it waited for them anyway) and is no saving; it read 'while the workers
// idled' and promised half of it back. Planted (test/fixtures/f4-serial.js): 'startup' runs 100 ms
// of CPU right after new ThreadPool (its workers are starting then: created before it, ready
// only after they load); 'between' runs it between two maps (the workers are ready and idle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { fixtures, record } from './record-helpers';

async function serialFinding(mode: string) {
  const { report, stderr } = await record(join(fixtures(), 'f4-serial.js'), { args: [mode] });
  assert.ok(report, stderr);
  const advice = advise(report, analyze(report));
  const serial = advice.filter((a) => a.rule === 'serial');
  assert.equal(serial.length, 1, advice.map((a) => a.text).join('\n'));
  return { report, a: serial[0] };
}

test('serial code while the workers start: the finding says so, and counts none of that part as a saving', async () => {
  const { report, a } = await serialFinding('startup');
  const e = a.evidence;
  // Workers were created before the stretch and none was ready at its start: some of it ran while they started.
  const workers = report.startup!.workers;
  assert.ok(workers.every((w) => w.created <= a.range!.from), 'workers created before the serial code');
  assert.ok(e.duringStartupMs > 0, a.text);
  assert.doesNotMatch(a.text, /while the workers idled \(before/);
  if (e.duringStartupMs >= 0.9 * e.serialMs) assert.match(a.text, /serial code on a CPU while the workers were still starting up \(before region 'after start-up'\)/);
  else assert.match(a.text, /\([\d.]+ ms while workers were starting up/);
  const expected = (e.serialMs - e.duringStartupMs) * (1 - 1 / e.cores);
  assert.ok(Math.abs(a.savingMs - expected) < 1e-6, `saving ${a.savingMs}, expected ${expected}`);
  assert.ok(a.savingMs < e.serialMs * (1 - 1 / e.cores), 'less than the whole stretch spread over the cores');
});

test('serial code between two maps: the workers were ready and idled, all of it is a saving', async () => {
  const { a } = await serialFinding('between');
  assert.equal(a.evidence.duringStartupMs, 0, a.text);
  assert.match(a.text, /serial code on a CPU while the workers idled \(before region 'second'\)/);
  assert.ok(Math.abs(a.savingMs - a.evidence.serialMs * (1 - 1 / a.evidence.cores)) < 1e-6);
});
