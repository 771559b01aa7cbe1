// Raw worker_threads messages get their real queue wait: the creating thread stamps each
// worker.postMessage, the worker counts the messages its parentPort listeners receive, and
// messages on one port arrive in the order they were posted. Planted truth: 200 messages posted
// at once to one slow worker, whose waits the fixture measured itself; around them, a post that
// throws (nothing sent), a transferred MessagePort and 20 messages on it (waits not known).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { SPAN_NO_ENQUEUE } from '../../src/model/report';
import { checkSpans, record } from './record-helpers';
import { assertQueueWaits, regionSpans, result } from './interop-pools-helpers';

test('raw worker: 200 messages posted at once to a slow worker: exactly 220 spans, the 200 with the queue waits the fixture measured, the 20 on another port not known', { timeout: 180_000 }, async () => {
  const { report, stdout } = await record('interop-raw-waits.js', { args: ['200'] });
  assert.equal(report.exit.code, 0, stdout);
  const { waits } = result<{ waits: number[] }>(stdout);
  assert.equal(waits.length, 200);
  const region = report.regions.find((r) => r.name.startsWith('worker_threads interop-raw-waits.js'));
  assert.ok(region, report.regions.map((r) => r.name).join(', '));
  const spans = regionSpans(report, region.id);
  assert.equal(spans.length, 220, 'one span per message received, none for the post that threw');
  const unknown = spans.filter((k) => report.spans.flags![k] & SPAN_NO_ENQUEUE);
  assert.equal(unknown.length, 20, 'messages on a transferred port: wait not known');
  // p50 and p95 within 10 % of the fixture's own numbers; every parentPort message paired.
  assertQueueWaits(report, region.id, waits);
  // Paired in order, not just in distribution: the k-th span's wait is the k-th message's. One
  // message later would differ by a whole message's handling (≥ 1 ms) nearly everywhere; a thread
  // descheduled between the two clock reads (the recorder's and the fixture's) moves a few by more.
  const paired = spans.filter((k) => !(report.spans.flags![k] & SPAN_NO_ENQUEUE)).sort((a, b) => report.spans.start[a] - report.spans.start[b]);
  const diffs = paired.map((k, i) => Math.abs((report.spans.start[k] - report.spans.enqueue[k]) / 1000 - waits[i])).sort((a, b) => a - b);
  assert.ok(diffs[diffs.length >> 1] < 0.25, `median difference per message ${diffs[diffs.length >> 1].toFixed(3)} ms`);
  assert.ok(diffs[Math.floor(diffs.length * 0.9)] < 1, `90th percentile of the difference per message ${diffs[Math.floor(diffs.length * 0.9)].toFixed(3)} ms`);
  assert.equal(analyze(report).regions.find((r) => r.id === region.id)!.queuedTasks, 200);
  checkSpans(report);
});

test('raw worker with two parentPort listeners: one task per message, with its wait', { timeout: 180_000 }, async () => {
  const { report, stdout } = await record('interop-raw-waits.js', { args: ['100', 'two'] });
  assert.equal(report.exit.code, 0, stdout);
  const { waits } = result<{ waits: number[] }>(stdout);
  const region = report.regions.find((r) => r.name.startsWith('worker_threads interop-raw-waits.js'))!;
  const spans = regionSpans(report, region.id);
  // Before, each listener of a message was a task of its own: 2 × 100 + 20 spans.
  assert.equal(spans.length, 100 + 20, 'one span per message, however many listeners it has');
  const paired = spans.filter((k) => !(report.spans.flags![k] & SPAN_NO_ENQUEUE)).sort((a, b) => report.spans.start[a] - report.spans.start[b]);
  assert.equal(paired.length, 100);
  assert.equal(new Set(paired.map((k) => report.spans.enqueue[k])).size, 100, 'one submit per task');
  assertQueueWaits(report, region.id, waits);
  const diffs = waits.map((w, i) => Math.abs((report.spans.start[paired[i]] - report.spans.enqueue[paired[i]]) / 1000 - w)).sort((a, b) => a - b);
  assert.ok(diffs[50] < 0.25, `median difference per message ${diffs[50].toFixed(3)} ms`);
  checkSpans(report);
});
