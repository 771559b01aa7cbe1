// Chunk and spread advice that adds up (a tryout read 'tail 2.90 ms … smaller chunks would save
// ~53.7 ms' on tinypool, the same advice on balanced one-item runs, and 'smaller chunks' for raw
// workers sent 3 messages against 1). Each rule fires on its planted cause with a saving near the
// planted answer and never above the tail it cures, and is silent on the balanced twin: real
// threads (test/fixtures/f3-chunks.js), work in CPU time of the thread, whatever the load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advise, type Advice } from '../../src/model/advice';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { record } from './record-helpers';

const BALANCE = new Set(['static-skew', 'imbalance', 'large-chunks']);

async function balanceAdvice(mode: string): Promise<Advice[]> {
  const { report, stderr } = await record('f3-chunks.js', { args: [mode] });
  assert.equal(report.exit.code, 0, stderr);
  const metrics = analyze(report);
  const advice = advise(report, metrics);
  // The findings print what advise says.
  const v = verdicts(metrics, report);
  for (const a of advice.slice(0, 8)) assert.ok(v.includes(a.text), a.text);
  // Every region but the warm-ups: 'planted', tinypool's, or the raw workers'.
  const picked = advice.filter((a) => BALANCE.has(a.rule) && !a.text.includes("'warm-up'"));
  everything.set(picked, advice);
  return picked;
}

/** All the advice of the run a balance list came from: a failure shows it. */
const everything = new WeakMap<Advice[], Advice[]>();

const list = (advice: Advice[]): string =>
  `${advice.map((a) => `${a.rule} (${a.savingMs.toFixed(1)} ms): ${a.text}`).join('\n')}\nall the run's advice:\n` +
  (everything.get(advice) ?? []).map((a) => `${a.rule} (${a.savingMs.toFixed(1)} ms): ${a.text} ${JSON.stringify(a.evidence)}`).join('\n');

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${what}: ${actual.toFixed(1)} ms, expected ${expected} ± ${(tolerance * 100).toFixed(0)} %`);
}

test('our pool, 3 chunks of 10 items of 10 ms on 2 threads: smaller chunks, saving ~50 ms, no more than the tail', async () => {
  const advice = await balanceAdvice('large');
  assert.equal(advice.length, 1, list(advice));
  const a = advice[0];
  assert.equal(a.rule, 'large-chunks');
  near(a.savingMs, 50, 0.3, 'saving');
  assert.ok(a.savingMs <= a.evidence.tailMs, `saving ${a.savingMs} above the tail ${a.evidence.tailMs}`);
  assert.match(a.text, /smaller chunks would save ~.*; try chunkSize 1 /);
});

for (const mode of ['one-item', 'even', 'even-steal']) {
  test(`our pool, one item per chunk (${mode}): no chunk advice (chunks of one item cannot be smaller)`, async () => {
    const advice = await balanceAdvice(mode);
    assert.deepEqual(advice.filter((a) => a.rule === 'large-chunks' || /smaller chunks/.test(a.text)).map((a) => a.text), []);
    if (mode !== 'one-item') assert.deepEqual(advice.map((a) => a.text), [], 'even items: no balance advice at all');
  });
}

test('our pool, one item per chunk, uneven items (150, 50, 50, 150 ms; dynamic): the imbalance rule speaks (chunks cannot be smaller), saving ~50 ms', async () => {
  const advice = await balanceAdvice('one-item-skew');
  assert.equal(advice.length, 1, list(advice));
  const a = advice[0];
  assert.equal(a.rule, 'imbalance', list(advice));
  // Dynamic hands out 150 | 50, 50, 150: one thread's 250 ms against the mean 200 (the costliest first: 200 each).
  near(a.savingMs, 50, 0.3, 'saving');
  assert.match(a.text, /a more even spread \(the costliest items first, long tasks split\) would save ~/);
  assert.doesNotMatch(a.text, /smaller chunks/);
});

test('tinypool, 3 tasks of 100 ms on 2 threads: smaller tasks (its chunking is the program\'s), ~50 ms, no more than the tail', async () => {
  const advice = await balanceAdvice('tiny-few');
  assert.equal(advice.length, 1, list(advice));
  const a = advice[0];
  assert.equal(a.rule, 'large-chunks');
  near(a.savingMs, 50, 0.3, 'saving');
  assert.ok(a.savingMs <= a.evidence.tailMs, `saving ${a.savingMs} above the tail ${a.evidence.tailMs}`);
  assert.match(a.text, /its last tasks make the tail .*; splitting the work into more, smaller tasks would save ~/);
  assert.doesNotMatch(a.text, /smaller chunks|chunkSize/);
});

test('tinypool, tasks of 4 x 80 and 4 x 20 ms on 2 threads: 200 ms each, no advice', async () => {
  assert.deepEqual((await balanceAdvice('tiny-even')).map((a) => a.text), []);
});

test('raw workers sent 3 messages of 60 ms against 1: spread the messages, saving ~60 ms; 2 against 2: nothing', async () => {
  const advice = await balanceAdvice('raw-skew');
  assert.equal(advice.length, 1, list(advice));
  const a = advice[0];
  assert.equal(a.rule, 'imbalance');
  near(a.savingMs, 60, 0.3, 'saving');
  assert.match(a.text, /was sent 3 of the 4 messages .*; posting them evenly, or each to a worker that is free, would save ~/);
  // Each message's work is its own: a CPU reading at its start keeps the worker's start-up out of
  // its first message (which read 88-105 ms of work for 60 planted).
  near(a.evidence.maxBusyMs, 180, 0.15, 'work of the busiest');
  near(Number(/against ([\d.]+) ms on worker/.exec(a.text)?.[1]), 60, 0.25, 'work of the other');
  assert.doesNotMatch(a.text, /smaller chunks|chunkSize/);
  assert.deepEqual((await balanceAdvice('raw-even')).map((x) => x.text), []);
});

test('raw workers sent 2 messages each, 60 ms each to one and nothing to the other: not "evenly" (they were), each to a free worker, ~60 ms', async () => {
  const advice = await balanceAdvice('raw-cost');
  assert.equal(advice.length, 1, list(advice));
  const a = advice[0];
  assert.equal(a.rule, 'imbalance');
  near(a.savingMs, 60, 0.3, 'saving');
  assert.match(a.text, /was sent 2 of the 4 messages, no more than an even share, but they held .* of work against .*; posting each message to a worker that is free, not in turn, would save ~/);
  assert.doesNotMatch(a.text, /evenly/);
});
