// The headline leads with the cause the program can fix, and the machine's load second (a tryout's
// static skew came after 'pool 1 was descheduled' in the Summary and the Timeline's headline,
// which show the first finding). Planted (test/fixtures/f3-headline.js): a static skew under 4
// busy-loops on the cores; its twin has even items under the same load. Real threads, recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { leadOrder } from '../../src/model/headline';
import { verdicts } from '../../src/model/summary';
import { record } from './record-helpers';

async function findings(mode: string) {
  const { report, stderr } = await record('f3-headline.js', { args: [mode] });
  assert.equal(report.exit.code, 0, stderr);
  const metrics = analyze(report);
  const advice = advise(report, metrics);
  return { v: verdicts(metrics, report), advice };
}

test('static skew under load: the skew leads the findings, the load comes second', async () => {
  const { v, advice } = await findings('skew');
  const skew = advice.find((a) => a.rule === 'static-skew' && a.text.includes("'planted'"));
  const load = advice.find((a) => a.rule === 'descheduled');
  assert.ok(skew, `static-skew in:\n${v.join('\n')}`);
  assert.ok(load, `descheduled in:\n${v.join('\n')}`);
  assert.equal(v[0], skew.text, v.join('\n'));
  assert.equal(v[1], load.text, v.join('\n'));
});

test('even items under load: the load is the only cause, and it leads', async () => {
  const { v, advice } = await findings('even');
  assert.deepEqual(advice.filter((a) => a.rule !== 'descheduled').map((a) => a.text), [], v.join('\n'));
  const load = advice.find((a) => a.rule === 'descheduled');
  assert.ok(load, `descheduled in:\n${v.join('\n')}`);
  assert.equal(v[0], load.text, v.join('\n'));
});

test('leadOrder: the largest fixable cause first, the load second, the rest by saving; only load: unchanged', () => {
  const a = (rule: 'descheduled' | 'static-skew' | 'gc', savingMs: number) => ({ rule, savingMs, text: `${rule} ${savingMs}`, evidence: {} });
  assert.deepEqual(leadOrder([a('descheduled', 400), a('static-skew', 100), a('gc', 20)]).map((x) => x.text), ['static-skew 100', 'descheduled 400', 'gc 20']);
  assert.deepEqual(leadOrder([a('descheduled', 400)]).map((x) => x.text), ['descheduled 400']);
  assert.deepEqual(leadOrder([a('static-skew', 100), a('descheduled', 50)]).map((x) => x.text), ['static-skew 100', 'descheduled 50']);
});
