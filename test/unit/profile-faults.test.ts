// CPU samples survive every fault (issue 13 item 3): each thread's profile is written in chunks,
// so SIGKILL of the script, process.exit() on main while workers spin, terminate() of a spinning
// worker and a cancelled infinite loop (main and worker) keep every chunk written before, and the
// report says exactly which stretch of which thread lost its samples. The fixture announces each
// chunk once it is on disk; the tests act on those announcements, never on elapsed time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import type { CpuProfile, ThreadInfo } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { lostSamples, readProfileChunks, readProfileChunksFile } from '../../src/runner/profile-chunks';
import { DEFAULT_CHUNK_MS } from '../../src/runtime/recorder-profile';
import type { ThreadSpool } from '../../src/runner/spool';
import { fixtures, record } from './record-helpers';
import { checkAnnouncedKept, checkSavedOrTailLost, checkTailLost, chunkWatcher, sampleTimes } from './chunk-helpers';

const FIXTURE = 'profile-faults.js';

test('chunks: overlapping chunks stitch into one tree, the overlap kept once; a missing chunk is a gap; a cut-short line is counted', () => {
  const frame = (functionName: string): CpuProfile['nodes'][number]['callFrame'] => ({ functionName, scriptId: '1', url: 'file:///x.js', lineNumber: 0, columnNumber: 0 });
  // Chunk 0: root > a > b, samples a@110 b@120 b@130; chunk 1 (ids renumbered) starts at 125,
  // so its sample at 130 is chunk 0's again: root > a > c, samples b@130 c@140.
  const c0: CpuProfile = {
    nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('a'), children: [3] }, { id: 3, callFrame: frame('b') }],
    startTime: 100, endTime: 131, samples: [2, 3, 3], timeDeltas: [10, 10, 10],
  };
  const c1: CpuProfile = {
    nodes: [{ id: 7, callFrame: frame('(root)'), children: [5] }, { id: 5, callFrame: frame('a'), children: [6, 4] }, { id: 6, callFrame: frame('c') }, { id: 4, callFrame: frame('b') }],
    startTime: 125, endTime: 150, samples: [4, 6], timeDeltas: [5, 10],
  };
  const c3 = { ...c1, startTime: 200, endTime: 240, samples: [6], timeDeltas: [20] };
  const line = (seq: number, final: boolean, profile: CpuProfile): string => JSON.stringify({ seq, final, profile });
  const text = [line(0, false, c0), line(1, false, c1), line(3, false, c3), '{"seq":4,"final":true,"prof'].join('\n');
  const read = readProfileChunks(text);
  assert.equal(read.badLines, 1);
  assert.equal(read.final, false);
  assert.equal(read.lastEnd, 240);
  assert.deepEqual(read.gaps, [{ from: 150, to: 200 }]);
  const p = read.profile!;
  const names = (id: number): string => p.nodes.find((n) => n.id === id)!.callFrame.functionName;
  assert.deepEqual(p.samples.map(names), ['a', 'b', 'b', 'c', 'c']);
  let t = p.startTime;
  assert.deepEqual(p.timeDeltas.map((d) => (t += d)), [110, 120, 130, 140, 220]);
  assert.deepEqual(p.nodes.map((n) => [n.callFrame.functionName, n.hitCount]), [['(root)', 0], ['a', 1], ['b', 2], ['c', 2]]);
  assert.equal(p.nodes.find((n) => n.callFrame.functionName === 'a')!.children!.length, 2, 'a has b and c, once each');
});

test('chunks: a file of several MiB is read in pieces to the same profile as its whole text (lines and UTF-8 cut at piece edges)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-chunks-'));
  const path = join(dir, 'profile-1.ndjson');
  const lines: string[] = [];
  for (let seq = 0; seq < 100; seq++) {
    // Names with 2- and 3-byte characters, long enough that lines and characters cross 1 MiB edges.
    const nodes = [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [] as number[] }];
    for (let i = 2; i < 200; i++) {
      nodes[0].children.push(i);
      nodes.push({ id: i, callFrame: { functionName: `fé函${i % 50}`, scriptId: '7', url: `file:///${'é'.repeat(40)}/m.js`, lineNumber: i, columnNumber: 0 }, children: [] });
    }
    const samples = Array.from({ length: 250 }, (_, k) => 2 + ((k * 7 + seq) % 198));
    lines.push(JSON.stringify({ seq, final: seq === 99, profile: { nodes, startTime: seq * 250_000, endTime: seq * 250_000 + 250_500, samples, timeDeltas: samples.map(() => 1000) } }));
  }
  const text = lines.join('\n') + '\n';
  writeFileSync(path, text);
  assert.ok(Buffer.byteLength(text) > 3 * 2 ** 20, 'the file spans several pieces');
  const whole = readProfileChunks(text);
  assert.deepEqual(readProfileChunksFile(path), whole);
  assert.equal(whole.final, true);
  assert.equal(whole.badLines, 0);
  assert.equal(whole.profile!.nodes.length, 199, 'the same frames in every chunk merge into one tree');
  assert.equal(whole.profile!.samples.length, 100 * 250, 'no overlap here: every sample kept');
  rmSync(dir, { recursive: true, force: true });
});

test('chunks: the sample V8 takes as a chunk starts (the recorder\'s begin) is not a tick: the tick before it runs on to the tick after', () => {
  const frame = (functionName: string, url = 'file:///app/loop.js'): CpuProfile['nodes'][number]['callFrame'] => ({ functionName, scriptId: '1', url, lineNumber: 0, columnNumber: 0 });
  const RECORDER = 'file:///x/node_modules/parallel-profiler/dist/runtime/preload.js';
  // The user's loop is cut at 1000; the sampler, starved, ticks next at 300 000 (in the loop again).
  // Chunk 1's first sample is V8's own, at the start: loop > cut > begin.
  const c0: CpuProfile = {
    nodes: [{ id: 1, callFrame: frame('(root)', ''), children: [2] }, { id: 2, callFrame: frame('loop') }],
    startTime: 0, endTime: 1001, samples: [2, 2], timeDeltas: [500, 500],
  };
  const cutChunk = (first: string, url: string): CpuProfile => ({
    nodes: [{ id: 1, callFrame: frame('(root)', ''), children: [2] }, { id: 2, callFrame: frame('loop'), children: [3] }, { id: 3, callFrame: frame('cut', RECORDER), children: [4] }, { id: 4, callFrame: frame(first, url) }],
    startTime: 1000, endTime: 300_500, samples: [4, 2], timeDeltas: [13, 298_987],
  });
  const line = (seq: number, final: boolean, profile: CpuProfile): string => JSON.stringify({ seq, final, profile });
  const stitched = (c1: CpuProfile): [string, number][] => {
    const p = readProfileChunks([line(0, false, c0), line(1, true, c1)].join('\n')).profile!;
    const name = (id: number): string => p.nodes.find((n) => n.id === id)!.callFrame.functionName;
    let t = p.startTime;
    return p.samples.map((id, k) => [name(id), (t += p.timeDeltas[k])]);
  };
  assert.deepEqual(stitched(cutChunk('begin', RECORDER)), [['loop', 500], ['loop', 1000], ['loop', 300_000]], 'the loop\'s tick at 1000 weighs until the next tick');
  // A chunk's first sample that is not the recorder's begin is a tick, kept; so is a user's function named begin.
  assert.deepEqual(stitched(cutChunk('work', 'file:///app/work.js')), [['loop', 500], ['loop', 1000], ['work', 1013], ['loop', 300_000]]);
  assert.deepEqual(stitched(cutChunk('begin', 'file:///app/begin.js')), [['loop', 500], ['loop', 1000], ['begin', 1013], ['loop', 300_000]]);
});

test('lost samples: a thread whose last chunk is not final loses the rest of its life, one with no chunk all of it, one with no chunk file nothing', () => {
  const chunk = (seq: number, final: boolean, start: number, end: number): string =>
    JSON.stringify({ seq, final, profile: { nodes: [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } }], startTime: start, endTime: end, samples: [1], timeDeltas: [1] } });
  const origin = 1_000_000;
  const spool = (tid: number, text?: string): Pick<ThreadSpool, 'tid' | 'profileChunks'> => ({ tid, ...(text === undefined ? {} : { profileChunks: readProfileChunks(text) }) });
  const threads = [
    spool(0, [chunk(0, false, origin + 10, origin + 250), chunk(1, true, origin + 240, origin + 500)].join('\n')),
    spool(2, [chunk(0, false, origin + 100, origin + 350), chunk(1, false, origin + 340, origin + 600)].join('\n')),
    spool(3, ''),
    spool(4),
    // A child still running past the script's exit (its end unknown): its last chunk ends after
    // the run's end, so nothing within the run is lost and no empty gap is listed.
    spool(5, chunk(0, false, origin + 200, origin + 950)),
  ];
  const info = new Map<number, ThreadInfo>([
    [0, { id: 0, name: 'main', kind: 'main', start: 5 }],
    [2, { id: 2, name: 'w2', kind: 'worker', start: 90, end: 700 }],
    [3, { id: 3, name: 'w3', kind: 'worker', start: 120 }],
    [4, { id: 4, name: 'w4', kind: 'worker', start: 130 }],
    [5, { id: 5, name: 'child main', kind: 'main', start: 190 }],
  ]);
  assert.deepEqual(lostSamples(threads, info, { originUs: origin, endUs: 900 }), [
    { thread: 2, from: 600, to: 700 },
    { thread: 3, from: 120, to: 900 },
  ]);
});

test('SIGKILL of the script: every thread keeps its chunks up to the kill, and the lost tail is one exact gap per thread', async () => {
  let pid = 0;
  const watch = chunkWatcher(3, 2, () => process.kill(pid, 'SIGKILL'));
  const { report } = await record(FIXTURE, {
    args: ['spin'],
    onOutput: (text, stream) => {
      if (stream !== 'stdout') return;
      pid ||= Number(/^pid (\d+)$/m.exec(text)?.[1] ?? 0);
      watch.onText(text);
    },
  });
  assert.equal(report.exit.signal, 'SIGKILL');
  assert.equal(watch.chunks.size, 3, 'main and both workers announced chunks');
  for (const [tid, chunks] of watch.chunks) checkTailLost(report, tid, checkAnnouncedKept(report, tid, chunks));
});

test('SIGKILL of a worker blocked in Atomics.wait: what it sampled before the wait is on disk, to within half a chunk', async () => {
  let pid = 0;
  let waiting: { tid: number; at: number } | undefined;
  let text = '';
  const { report } = await record(FIXTURE, {
    args: ['wait'],
    onOutput: (s, stream) => {
      if (stream !== 'stdout') return;
      text += s;
      pid ||= Number(/^pid (\d+)$/m.exec(text)?.[1] ?? 0);
      const m = /^waiting (\d+) (\d+)$/m.exec(text);
      if (m && !waiting) {
        waiting = { tid: Number(m[1]), at: Number(m[2]) };
        process.kill(pid, 'SIGKILL');
      }
    },
  });
  assert.ok(waiting, 'the worker reached its wait');
  assert.equal(report.exit.signal, 'SIGKILL');
  const profile = report.profiles.find((p) => p.thread === waiting!.tid)?.profile;
  assert.ok(profile && sampleTimes(profile, 'plantedSpinUntil').length > 0, 'the loop before the wait is sampled');
  checkTailLost(report, waiting.tid, profile);
  // A chunk cannot be cut inside the wait, so the wrapper cuts before blocking unless a cut is
  // younger than half a chunk (DEFAULT_CHUNK_MS / 2): the loss before the wait is below that.
  const gap = report.dropped.sampleGaps!.find((g) => g.thread === waiting!.tid)!;
  const before = waiting.at - report.meta.originUs - gap.from;
  assert.ok(before < (DEFAULT_CHUNK_MS / 2) * 1000, `samples from ${before / 1000} ms before the wait were lost`);
});

test('process.exit(3) on main while workers spin: each worker saves its last chunk (or its loss is one exact gap)', async () => {
  const watch = chunkWatcher(2, 2, () => undefined);
  const { report } = await record(FIXTURE, { args: ['exit'], onOutput: (text, stream) => { if (stream === 'stdout') watch.onText(text); } });
  assert.equal(report.exit.code, 3);
  assert.equal(watch.chunks.size, 2);
  for (const [tid, chunks] of watch.chunks) checkSavedOrTailLost(report, tid, chunks);
  assert.equal(report.dropped.profiles, 0);
});

test('terminate() of a spinning worker: it saves its last chunk before it goes (or its loss is one exact gap)', async () => {
  const watch = chunkWatcher(1, 2, () => undefined);
  let stdout = '';
  const { report } = await record(FIXTURE, { args: ['terminate'], onOutput: (text, stream) => { if (stream === 'stdout') { stdout += text; watch.onText(text); } } });
  assert.match(stdout, /^terminated$/m);
  assert.equal(report.exit.code, 0);
  const [[tid, chunks]] = [...watch.chunks];
  const stopped = report.threads.find((t) => t.id === tid);
  assert.ok(stopped?.terminated && stopped.died === undefined, 'terminated by its owner, not died');
  checkSavedOrTailLost(report, tid, chunks);
});

test('Ctrl-C on parprof record of a script stuck in while (true) on main and in workers: every thread has its loop in its profile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-loop-'));
  const out = join(dir, 'run.parprof');
  const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out, join(fixtures(), FIXTURE), 'spin'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  cli.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const watch = chunkWatcher(3, 2, () => cli.kill('SIGINT'));
  cli.stdout.setEncoding('utf8').on('data', (s: string) => watch.onText(s));
  const code = await new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
  assert.notEqual(code, 0, stderr);
  const report = parseReport(readFileSync(out));
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'));
  // The main thread never returns to its event loop, so SIGTERM cannot end it: the runner's
  // SIGKILL does, and each thread's samples stop at its last chunk before that.
  assert.equal(report.exit.signal, 'SIGKILL');
  for (const [tid, chunks] of watch.chunks) checkTailLost(report, tid, checkAnnouncedKept(report, tid, chunks));
  assert.doesNotMatch(stderr, /Waiting for the debugger/);
  rmSync(dir, { recursive: true, force: true });
});
