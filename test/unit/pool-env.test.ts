// The pool as seen from outside its process: defaults from the environment, workload(), and
// what it tells a recorder (a fixture recorder preloaded into every thread of a child process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fixture, runNode } from './pool-helpers';

function defaults(env: Record<string, string>): { threads: number; schedule: string; defaultThreads: number; defaultSchedule: string; r: number[] } {
  const r = runNode(fixture('pool-defaults.js'), env);
  assert.equal(r.code, 0, r.stderr);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

test('PARPROF_THREADS and PARPROF_SCHEDULE set the defaults; an idle pool does not keep the process alive', () => {
  assert.deepEqual(defaults({ PARPROF_THREADS: '3', PARPROF_SCHEDULE: 'static' }),
    { threads: 3, schedule: 'static', defaultThreads: 3, defaultSchedule: 'static', r: [1, 4, 9], stderr: '' });
  const plain = defaults({});
  assert.equal(plain.threads, availableParallelism());
  assert.equal(plain.schedule, 'steal');
});

test('a pool that was never used or closed lets the process exit', () => {
  const r = runNode(fixture('pool-idle.js'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'created\n');
});

test('invalid PARPROF_THREADS / PARPROF_SCHEDULE fall back with one [parprof] warning each', () => {
  const r = runNode(fixture('pool-defaults.js'), { PARPROF_THREADS: 'many', PARPROF_SCHEDULE: 'fifo' });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.threads, availableParallelism());
  assert.equal(out.schedule, 'steal');
  assert.match(r.stderr, /\[parprof\] PARPROF_THREADS must be a non-negative integer \(0 = sequential\), got 'many'/);
  assert.match(r.stderr, /\[parprof\] PARPROF_SCHEDULE must be one of static, dynamic, steal, got 'fifo'/);
});

test('workload(): all in declaration order when PARPROF_WORKLOAD is unset, else only the named one', () => {
  const all = runNode(fixture('pool-workloads.js'));
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, 'ran first\nran second\nran third\n');
  const one = runNode(fixture('pool-workloads.js'), { PARPROF_WORKLOAD: 'second' });
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, 'ran second\n');
  const none = runNode(fixture('pool-workloads.js'), { PARPROF_WORKLOAD: 'fourth' });
  assert.equal(none.code, 1);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, "[parprof] no workload named 'fourth' (declared: 'first', 'second', 'third')\n");
});

interface Line { thread: number; call: string; [k: string]: unknown }

test('with a recorder: regions with call sites, one span per task covering every item once, workers joined, steals and parents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-pool-'));
  try {
    const outFile = join(dir, 'calls.jsonl');
    const script = fixture('pool-record-run.js');
    const r = runNode(script, { NODE_OPTIONS: `--require ${fixture('pool-fake-recorder.js')}`, PARPROF_FAKE_OUT: outFile });
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    const of = (call: string): Line[] => lines.filter((l) => l.call === call);

    assert.deepEqual(of('marker').map((m) => [m.thread, m.kind, m.message]), [[0, 'note', 'workload recorded']]);
    const joined = of('workerJoined');
    assert.equal(joined.length, 2);
    assert.deepEqual(joined.map((j) => j.name), ['rec 1', 'rec 2']);
    assert.ok(joined.every((j) => j.thread === 0 && j.pool === joined[0].pool));

    const begins = of('beginRegion');
    const info = begins.map((b) => b.info as Record<string, unknown>);
    assert.deepEqual(info.map((i) => [i.name, i.kind, i.schedule, i.items]), [
      ['map indexOf', 'map', 'static', 1000], ['map indexOf', 'map', 'dynamic', 1000], ['map indexOf', 'map', 'steal', 1000],
      ['skewed steal', 'forEach', 'steal', 400], ['join sumRange', 'join', 'steal', 1000], ['map throwAt', 'map', 'dynamic', 100],
    ]);
    assert.deepEqual(info[0].callSite, { file: script, line: 8, column: 16 });
    assert.ok(info.every((i) => i.pool === joined[0].pool && i.threads === 2 && i.fn !== undefined));
    const ends = of('endRegion');
    assert.deepEqual(ends.map((e) => e.outcome), ['ok', 'ok', 'ok', 'ok', 'ok', 'error']);
    assert.deepEqual(ends.map((e) => e.key), begins.map((b) => b.key));

    const workerIds = new Set(joined.map((j) => j.worker));
    const spans = of('span');
    assert.ok(spans.every((s) => workerIds.has(s.thread)), 'spans are recorded on the worker threads');
    for (const [k, b] of begins.entries()) {
      const mine = spans.filter((s) => s.region === b.key);
      const items = (info[k].items as number);
      const indices = mine.map((s) => s.index as number);
      assert.equal(new Set(indices).size, indices.length, `task indices unique in ${info[k].name}`);
      for (const s of mine) {
        assert.ok((s.enqueue as number) <= (s.start as number) && (s.start as number) <= (s.end as number), 'enqueue <= start <= end');
      }
      if (info[k].kind === 'join') continue;
      if (ends[k].outcome === 'error') {
        assert.ok(mine.some((s) => s.failed === 1), 'the throwing task is marked failed');
        continue;
      }
      // Chunks tile [0, items) exactly.
      const covered = new Array<number>(items).fill(0);
      for (const s of mine) for (let i = s.first as number; i < (s.first as number) + (s.items as number); i++) covered[i]++;
      assert.ok(covered.every((c) => c === 1), `every item in exactly one span of ${info[k].name} (${info[k].schedule})`);
      if (info[k].schedule !== 'steal') assert.ok(mine.every((s) => s.stolenFrom === -1 && s.parent === -1));
    }
    const skewed = spans.filter((s) => s.region === begins[3].key);
    assert.ok(skewed.some((s) => workerIds.has(s.stolenFrom as number)), 'skewed work under steal records at least one steal');

    const joinSpans = spans.filter((s) => s.region === begins[4].key).sort((a, b) => (a.index as number) - (b.index as number));
    assert.equal(joinSpans[0].parent, -1);
    assert.deepEqual([joinSpans[0].first, joinSpans[0].items], [0, 1000]);
    const byIndex = new Map(joinSpans.map((s) => [s.index as number, s]));
    for (const s of joinSpans.slice(1)) assert.ok(byIndex.has(s.parent as number), `spawned task ${s.index} has a recorded parent`);
    const leaves = joinSpans.filter((s) => (s.items as number) <= 8);
    assert.equal(leaves.reduce((a, s) => a + (s.items as number), 0), 1000, 'leaves cover the range once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
