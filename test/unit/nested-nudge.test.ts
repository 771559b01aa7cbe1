// Workers of workers that never yield get their CPU profile chunks cut too (issue 13 item 3):
// the profile nudger asks every worker of the process, however deep, through the main thread's
// NodeWorker domain (profile-nudger.ts). A worker spinning from its start runs no timer, so every
// chunk announced for it was cut on the nudger's ask; SIGKILL or Ctrl-C then keep all of them,
// and the loss is one exact gap per thread. A worker that terminate()s its own spinning worker
// tells the nudger first, from its own thread, so no ask is running in the worker when the
// termination comes (a termination that lands inside an inspector ask is lost, and the process
// would then wait for that worker forever at exit).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../../src/model/load';
import type { Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { checkAnnouncedKept, checkSavedOrTailLost, checkTailLost, chunkWatcher } from './chunk-helpers';
import { fixtures, record } from './record-helpers';

const FIXTURE = 'nested-nudge.js';

/** The `depth <threadId> <level>` lines: each worker's nesting level (1: created by main). */
function levels(stdout: string): Map<number, number> {
  return new Map([...stdout.matchAll(/^depth (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]));
}

/**
 * Each spinning worker, three levels deep, announced chunks and kept them; `saved`: each either
 * saved a last chunk or lost exactly its tail, else each lost exactly its tail.
 */
function checkAllLevels(report: Report, stdout: string, chunks: ReturnType<typeof chunkWatcher>['chunks'], saved: boolean): void {
  const depth = levels(stdout);
  assert.deepEqual([...depth.values()].sort(), [1, 2, 3], 'a worker, its worker and that one\'s worker ran');
  assert.deepEqual([...chunks.keys()].sort(), [...depth.keys()].sort(), 'each of them announced chunks');
  for (const [tid, announced] of chunks) {
    assert.ok(announced.length >= 2, `worker ${tid} (level ${depth.get(tid)}): ${announced.length} chunks`);
    if (saved) checkSavedOrTailLost(report, tid, announced);
    else checkTailLost(report, tid, checkAnnouncedKept(report, tid, announced));
  }
}

test('SIGKILL of a script whose workers of workers spin: each keeps the chunks the nudger cut, the lost tail one exact gap', async () => {
  let pid = 0;
  let stdout = '';
  const watch = chunkWatcher(3, 2, () => process.kill(pid, 'SIGKILL'));
  const { report } = await record(FIXTURE, {
    args: ['spin'],
    onOutput: (text, stream) => {
      if (stream !== 'stdout') return;
      stdout += text;
      pid ||= Number(/^pid (\d+)$/m.exec(stdout)?.[1] ?? 0);
      watch.onText(text);
    },
  });
  assert.equal(report.exit.signal, 'SIGKILL');
  checkAllLevels(report, stdout, watch.chunks, false);
});

test('Ctrl-C on parprof record while workers of workers spin: every level keeps its chunks and saves its last one (or its loss is one exact gap)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-nested-'));
  const out = join(dir, 'run.parprof');
  const cli = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'record', '--out', out, join(fixtures(), FIXTURE), 'spin'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  cli.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const watch = chunkWatcher(3, 2, () => cli.kill('SIGINT'));
  cli.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; watch.onText(s); });
  const code = await new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
  assert.notEqual(code, 0, stderr);
  const report = parseReport(readFileSync(out));
  assert.ok(report.markers.some((m) => m.kind === 'cancelled'));
  // Main is idle, so the runner's SIGTERM ends it and its exit ends the workers: asked to save
  // first, they may or may not get a core in time.
  checkAllLevels(report, stdout, watch.chunks, true);
  assert.doesNotMatch(stderr, /Waiting for the debugger/);
  rmSync(dir, { recursive: true, force: true });
});

test('a worker terminate()s its own spinning worker: the script ends, and that worker saved its last chunk (or its loss is one exact gap)', async () => {
  let stdout = '';
  const watch = chunkWatcher(1, 2, () => undefined);
  const { report } = await record(FIXTURE, { args: ['terminate'], onOutput: (text, stream) => { if (stream === 'stdout') { stdout += text; watch.onText(text); } } });
  assert.match(stdout, /^terminated$/m);
  assert.equal(report.exit.code, 0);
  const [[tid, chunks]] = [...watch.chunks];
  assert.equal(levels(stdout).get(tid), 2, 'the spinning worker is a worker\'s worker');
  const stopped = report.threads.find((t) => t.id === tid);
  assert.ok(stopped?.terminated && stopped.died === undefined, 'terminated by its owner, not died');
  checkSavedOrTailLost(report, tid, chunks);
});
