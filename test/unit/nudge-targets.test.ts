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

if (!isMainThread) {
  // Registers, says so, then stops when told and reports when stopNudging returned.
  const { go } = workerData as { go: Int32Array };
  startNudging(threadId);
  Atomics.store(go, 0, 1);
  Atomics.notify(go, 0);
  Atomics.wait(go, 1, 0);
  workerEnding(threadId);
  Atomics.store(go, 2, 1);
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
    let ending: number[] = [];
    postAsks((targets) => { ending = [...(targets?.ending ?? [])]; });
    assert.deepEqual(ending, [tid], 'its own exit began: nothing more is posted into it, save requests included');
  });

  test('a posting section does not run inside another (an ask that interrupts one is not passed on)', () => {
    let inner: boolean | undefined;
    postAsks(() => { inner = postAsks(() => undefined); });
    assert.equal(inner, false);
  });
}
