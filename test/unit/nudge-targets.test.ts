// nudge-targets.ts: which workers the main thread may ask (to cut a profile chunk, to save). A
// worker that stops being askable (its exit begins) waits while the main thread is posting, so
// no ask is posted into it once it goes on to its teardown (Node aborts on a post into a worker
// being torn down). Real threads: the worker branch of this file runs in a Worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker, isMainThread, setEnvironmentData, threadId, workerData } from 'node:worker_threads';
import { CONTROL_KEY, CONTROL_WORDS, postAsks, setControl, startNudging, workerEnding } from '../../src/runtime/nudge-targets';

function spinMs(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* hold the posting section */ }
}

/** A worker that creates a worker of its own and posts into it as its saver would (terminate-save.ts). */
async function nestedCreator(out: Int32Array): Promise<void> {
  const go = new Int32Array(new SharedArrayBuffer(12));
  const child = new Worker(__filename, { workerData: { go } });
  const tid = child.threadId;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  while (Atomics.load(go, 0) === 0) await new Promise((r) => setTimeout(r, 5));
  let before: boolean | undefined;
  assert.ok(postAsks((targets) => { before = targets?.ending.has(tid); }));
  // out[0]: 1 when the child was not marked ending before its exit (and targets were given at all).
  Atomics.store(out, 0, before === false ? 1 : 2);
  let returnedInside = true;
  postAsks(() => {
    Atomics.store(go, 1, 1);
    Atomics.notify(go, 1);
    spinMs(150);
    returnedInside = Atomics.load(go, 2) === 1;
  });
  // out[1]: 1 when the child's workerEnding waited for this thread's posting section.
  Atomics.store(out, 1, returnedInside ? 2 : 1);
  await exited;
  let after: boolean | undefined;
  postAsks((targets) => { after = targets?.ending.has(tid); });
  // out[2]: 1 when the child reads as ending once its exit began.
  Atomics.store(out, 2, after === true ? 1 : 2);
}

if (!isMainThread) {
  const data = workerData as { go?: Int32Array; nested?: Int32Array };
  if (data.nested) void nestedCreator(data.nested);
  else {
    // Registers, says so, then stops when told and reports when stopNudging returned.
    const go = data.go!;
    startNudging(threadId);
    Atomics.store(go, 0, 1);
    Atomics.notify(go, 0);
    Atomics.wait(go, 1, 0);
    workerEnding(threadId);
    Atomics.store(go, 2, 1);
  }
} else {
  const words = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  setControl(words);
  setEnvironmentData(CONTROL_KEY, words.buffer);

  test('a worker is askable from its start; its stop waits for a posting section under way and takes effect at the next one', async () => {
    const go = new Int32Array(new SharedArrayBuffer(12));
    const worker = new Worker(__filename, { workerData: { go } });
    const tid = worker.threadId; // -1 once it has exited
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    while (Atomics.load(go, 0) === 0) await new Promise((r) => setTimeout(r, 5));
    let seen: number[] = [];
    assert.ok(postAsks((targets) => { seen = [...(targets?.askable ?? [])]; }));
    assert.deepEqual(seen, [tid], 'registered at its start');
    // The worker stops while the main thread is inside a posting section: it may not return
    // before the section ends (else a post could land in its teardown).
    let stopReturnedInside = true;
    postAsks(() => {
      Atomics.store(go, 1, 1);
      Atomics.notify(go, 1);
      spinMs(150);
      stopReturnedInside = Atomics.load(go, 2) === 1;
    });
    assert.equal(stopReturnedInside, false, 'stopNudging returned while a post was under way');
    await exited;
    assert.equal(Atomics.load(go, 2), 1, 'stopNudging returned once the section ended');
    assert.ok(postAsks((targets) => { seen = [...(targets?.askable ?? [])]; }));
    assert.deepEqual(seen, [], 'not askable after its stop');
    let ending: boolean | undefined;
    postAsks((targets) => { ending = targets?.ending.has(tid); });
    assert.equal(ending, true, 'its own exit began: nothing more is posted into it, save requests included');
  });

  test('a worker that created workers of its own sees their exits too, and an ending child waits for its posting section', async () => {
    const nested = new Int32Array(new SharedArrayBuffer(12));
    const creator = new Worker(__filename, { workerData: { nested } });
    await new Promise((resolve, reject) => { creator.once('exit', resolve); creator.once('error', reject); });
    assert.equal(Atomics.load(nested, 0), 1, 'the creator was given the ending marks, its child not ending yet');
    assert.equal(Atomics.load(nested, 1), 1, 'the child\'s workerEnding returned while its creator was posting');
    assert.equal(Atomics.load(nested, 2), 1, 'the creator does not see its child\'s exit: a save request could land in its teardown');
  });

  test('a posting section does not run inside another (an ask that interrupts one is not passed on)', () => {
    let inner: boolean | undefined;
    postAsks(() => { inner = postAsks(() => undefined); });
    assert.equal(inner, false);
  });
}
