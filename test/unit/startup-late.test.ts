// A tinypool worker that starts late gets the start-up finding ('late-start'), not the imbalance
// advice to sort items and split long tasks. Planted (test/fixtures/startup-late.js, tinypool
// unmodified, 24 tasks of 25 ms of CPU on 2 workers): 'late' makes one worker's module load spin
// 400 ms of CPU first, so the other takes the tasks meanwhile; 'none' starts both on time: no
// late-start finding. Work is CPU time, so the plant holds on a loaded machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { record } from './record-helpers';

async function findings(mode: string) {
  const { report, stdout, stderr } = await record('startup-late.js', { args: [mode] });
  assert.match(stdout, /done/, stderr);
  return { report, advice: advise(report, analyze(report)) };
}

test('one tinypool worker loading for 400 ms of CPU: the late-start finding names it, and no imbalance advice', async () => {
  const { report, advice } = await findings('late');
  const texts = advice.map((a) => a.text).join('\n');
  const late = advice.filter((a) => a.rule === 'late-start');
  assert.equal(late.length, 1, texts);
  const a = late[0];
  const name = report.threads.find((t) => t.id === a.evidence.lateThread)!.name;
  assert.match(a.text, new RegExp(`^${name} was still starting up during [\\d.]+ ms of region 'tinypool' \\(\\d+ % of its [\\d.]+ ms\\); tinypool \\d took the tasks meanwhile: its idle time there is its start-up`));
  // Planted: 400 ms of CPU before the late worker was ready; its part inside the region is some of that, stretched by the load.
  assert.ok(a.evidence.startupInRegionMs > 0 && a.savingMs > 0 && a.savingMs <= a.evidence.startupInRegionMs, texts);
  assert.deepEqual(advice.filter((x) => x.rule === 'imbalance' || x.rule === 'large-chunks').map((x) => x.text), []);
});

test('both tinypool workers on time: no late-start finding', async () => {
  const { advice } = await findings('none');
  assert.deepEqual(advice.filter((a) => a.rule === 'late-start').map((a) => a.text), []);
});
