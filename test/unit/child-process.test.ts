// Child processes of the script (fork, cluster) are recorded into the script's report: each
// process with its own threads, spans and regions, on the one clock all processes share. Real
// processes, real workers; the fixtures print what only they know (pids, when fork() was called,
// when the child's exit was seen) for the checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis';
import { formatSummary, verdicts } from '../../src/model/summary';
import { parseReport, serializeReport } from '../../src/model/load';
import type { CpuProfile, ProcessInfo, Report } from '../../src/model/report';
import { SPAN_NO_ENQUEUE } from '../../src/model/report';
import { checkSpans, fixtures, record } from './record-helpers';

/** Items of a region's spans, each item index counted: every one of 0..n−1 exactly once. */
function itemsCovered(report: Report, region: number): number[] {
  const s = report.spans;
  const seen: number[] = [];
  for (let k = 0; k < s.count; k++) {
    if (s.region[k] !== region) continue;
    for (let i = s.first[k]; i < s.first[k] + s.items[k]; i++) seen[i] = (seen[i] ?? 0) + 1;
  }
  return seen;
}

/** Functions on the stack of at least one sample (self or below it): a spin's samples mostly land in performance.now(). */
function onSampledStacks(profile: CpuProfile): Set<string> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  for (const id of new Set(profile.samples)) {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) out.add(byId.get(at)!.callFrame.functionName);
  }
  return out;
}

function threadsOf(report: Report, pid: number): Report['threads'] {
  return report.threads.filter((t) => t.process === pid);
}

test('a forked child with its own 2 workers: 2 processes, 6 threads, each span on its own process, the child on the parent\'s clock', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-fork.js'), { sampleIntervalUs: 0 });
  const m = /parent done, child (\d+), fork at ([\d.]+) us, child exit seen at ([\d.]+) us/.exec(stdout);
  assert.ok(m, stdout);
  const [childPid, forkAt, exitAt] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.match(stdout, new RegExp(`child ${childPid} done`));

  assert.equal(report.processes?.length, 2, JSON.stringify(report.processes));
  const [parent, child] = report.processes!;
  assert.equal(parent.startedBy, 'main');
  assert.equal(parent.ppid, undefined);
  assert.deepEqual([child.pid, child.ppid, child.startedBy, child.args, child.title], [childPid, parent.pid, 'fork', ['child'], 'fork of child-fork.js']);
  assert.equal(child.script, join(fixtures(), 'child-fork.js'));
  assert.deepEqual(child.exit, { code: 0, signal: null });
  assert.equal(child.died, undefined);

  // 6 threads, ids unique; the child's keep their own threadIds.
  assert.equal(report.threads.length, 6);
  assert.equal(new Set(report.threads.map((t) => t.id)).size, 6);
  assert.deepEqual(threadsOf(report, parent.pid).map((t) => t.name).sort(), ['main', 'parent 1', 'parent 2']);
  const childThreads = threadsOf(report, childPid);
  // A child's threads carry its pid in their names: tables and menus list every process's 'main'.
  assert.deepEqual(childThreads.map((t) => t.name).sort(), ['child 1', 'child 2', 'main'].map((n) => `${n} (pid ${childPid})`));
  assert.deepEqual(childThreads.map((t) => t.threadId ?? t.id).sort(), [0, 1, 2]);

  // Each process's region: 100 items, each exactly once, run only by that process's workers.
  assert.deepEqual(report.regions.map((r) => r.name).sort(), ['child job', 'parent job']);
  const processOf = new Map(report.threads.map((t) => [t.id, t.process]));
  for (const [name, pid, workers] of [['parent job', parent.pid, ['parent 1', 'parent 2']], ['child job', childPid, [`child 1 (pid ${childPid})`, `child 2 (pid ${childPid})`]]] as const) {
    const region = report.regions.find((r) => r.name === name)!;
    assert.deepEqual(itemsCovered(report, region.id), new Array(100).fill(1), name);
    const names = new Set<string>();
    for (let k = 0; k < report.spans.count; k++) {
      if (report.spans.region[k] !== region.id) continue;
      assert.equal(processOf.get(report.spans.thread[k]), pid, `${name}: span ${k} on another process's thread`);
      names.add(report.threads.find((t) => t.id === report.spans.thread[k])!.name);
    }
    assert.deepEqual([...names].sort(), [...workers]);
    // The pool is the process's own: its workers are in the region's pool, no other process's are.
    const pools = new Set(report.threads.filter((t) => t.kind === 'worker' && t.process === pid).map((t) => t.pool));
    assert.deepEqual([...pools], [region.pool]);
  }
  assert.notEqual(report.regions[0].pool, report.regions[1].pool);

  // One clock: fork() was called, then the child was spawned, started, ran its spans, and exited
  // before the parent saw its exit. Times of the child come from the child, the bounds from the parent.
  assert.ok(child.spawned !== undefined && child.spawned >= forkAt, `spawned ${child.spawned} before fork() at ${forkAt}`);
  assert.ok(child.start > child.spawned, `started ${child.start}, spawned ${child.spawned}`);
  const childIds = new Set(childThreads.map((t) => t.id));
  let childSpans = 0;
  for (let k = 0; k < report.spans.count; k++) {
    if (!childIds.has(report.spans.thread[k])) continue;
    childSpans++;
    assert.ok(report.spans.start[k] > child.start && report.spans.end[k] < exitAt, `child span ${k} [${report.spans.start[k]}, ${report.spans.end[k]}] outside (${child.start}, ${exitAt})`);
  }
  assert.ok(childSpans > 0);
  assert.ok(child.end !== undefined && child.end <= exitAt && child.end > child.start, `child end ${child.end}, exit seen ${exitAt}`);
  checkSpans(report);

  // The file says the same after a write and a read.
  const again = parseReport(serializeReport(report));
  assert.deepEqual(again.processes, report.processes);
  assert.deepEqual(again.threads, report.threads);

  const summary = formatSummary(report, analyze(report));
  assert.match(summary, new RegExp(`process ${childPid} \\(fork of child-fork\\.js\\): main \\+ 2 workers`));
  assert.match(summary, new RegExp(`process ${parent.pid} \\(main process child-fork\\.js\\): main \\+ 2 workers`));
});

test('a child killed with SIGKILL and one that crashed keep what they spooled and are marked', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-killed.js'), { sampleIntervalUs: 0 });
  const childPid = Number(/child (\d+) ended by SIGKILL/.exec(stdout)?.[1]);
  assert.ok(childPid > 0, stdout);
  const child = report.processes?.find((p) => p.pid === childPid);
  assert.ok(child, JSON.stringify(report.processes));
  assert.deepEqual(child.exit, { code: null, signal: 'SIGKILL' });
  assert.equal(child.died?.reason, 'killed by SIGKILL');
  // Its finished operation is whole: 100 items on its 2 'finished' workers, which ended normally.
  const kept = report.regions.find((r) => r.name === 'kept job');
  assert.ok(kept, JSON.stringify(report.regions.map((r) => r.name)));
  assert.equal(kept.outcome, 'ok');
  assert.deepEqual(itemsCovered(report, kept.id), new Array(100).fill(1));
  const finished = threadsOf(report, childPid).filter((t) => t.name.startsWith('finished'));
  assert.equal(finished.length, 2);
  for (let k = 0; k < report.spans.count; k++) {
    if (report.spans.region[k] === kept.id) assert.ok(finished.some((t) => t.id === report.spans.thread[k]));
  }
  // Nothing of the child after its death is invented: the operation it was killed in did not finish.
  const killed = report.regions.find((r) => r.name === 'killed job');
  if (killed) assert.equal(killed.outcome, 'unfinished');
  assert.equal(report.exit.code, 0, 'the parent itself ended normally');
  checkSpans(report);
  const summary = formatSummary(report, analyze(report));
  assert.match(summary, new RegExp(`process ${childPid} \\(fork of child-killed\\.js\\) died: killed by SIGKILL`));

  // The child that crashed: its uncaught error, its exit code, and its finished operation whole.
  const crashPid = Number(/crash (\d+) exit 1/.exec(stdout)?.[1]);
  assert.ok(crashPid > 0, stdout);
  const crashed = report.processes?.find((p) => p.pid === crashPid);
  assert.ok(crashed, JSON.stringify(report.processes));
  assert.deepEqual(crashed.exit, { code: 1, signal: null });
  assert.equal(crashed.died?.reason, 'uncaught error: planted crash');
  const crashedJob = report.regions.find((r) => r.name === 'crashed job');
  assert.ok(crashedJob);
  assert.equal(crashedJob.process, crashPid);
  assert.deepEqual(itemsCovered(report, crashedJob.id), new Array(100).fill(1));
  assert.match(summary, new RegExp(`process ${crashPid} \\(fork of child-killed\\.js\\) died: uncaught error: planted crash`));
});

test('cluster: the primary and 2 workers each get a process and a lane with their own CPU samples', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-cluster.js'));
  assert.match(stdout, /primary done/);
  const workers = [...stdout.matchAll(/worker (\d+) pid (\d+) exit 0/g)].map((x) => ({ id: Number(x[1]), pid: Number(x[2]) })).sort((a, b) => a.id - b.id);
  assert.equal(workers.length, 2, stdout);
  assert.equal(report.processes?.length, 3, JSON.stringify(report.processes));
  const primary = report.processes![0];
  assert.equal(primary.startedBy, 'main');
  for (const w of workers) {
    const proc: ProcessInfo | undefined = report.processes!.find((x) => x.pid === w.pid);
    assert.ok(proc, `cluster worker ${w.id} (pid ${w.pid}) missing`);
    assert.deepEqual([proc.startedBy, proc.ppid, proc.title, proc.exit], ['cluster', primary.pid, `cluster worker ${w.id} of child-cluster.js`, { code: 0, signal: null }]);
    const lanes = threadsOf(report, w.pid);
    assert.deepEqual(lanes.map((t) => t.kind), ['main']);
    // Its one request spun in clusterWork for 300 ms: its own samples show it, on its own lane.
    const profile = report.profiles.find((x) => x.thread === lanes[0].id);
    assert.ok(profile, `no profile for cluster worker ${w.id}`);
    assert.ok(onSampledStacks(profile.profile).has('clusterWork'), `cluster worker ${w.id}: clusterWork not sampled`);
  }
  const primaryProfile = report.profiles.find((x) => x.thread === 0);
  assert.ok(!primaryProfile || !onSampledStacks(primaryProfile.profile).has('clusterWork'), 'the primary never ran clusterWork');
  // No spans, so no finding about cores: threads that ran no tasks did not compete.
  assert.ok(!verdicts(analyze(report), report).some((v) => /competed for cores/.test(v)));
});

test('jest-style process workers (a forked worker script driven by messages): a process, a lane with samples and a span per message each', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-jest-workers.js'));
  const m = /tasks 10, workers (\d+) (\d+)/.exec(stdout);
  assert.ok(m, stdout);
  // One span per task message, 10 in all, each in its own process's region, on its main thread,
  // its wait marked not known (the child cannot tell when the parent sent it), not counted as 0.
  const s = report.spans;
  assert.equal(s.count, 10);
  for (let k = 0; k < s.count; k++) {
    const region = report.regions[s.region[k]];
    const thread = report.threads.find((t) => t.id === s.thread[k])!;
    assert.equal(region.name, `messages from parent (pid ${thread.process})`);
    assert.equal(region.process, thread.process);
    assert.equal(thread.kind, 'main');
    assert.equal(s.flags![k] & SPAN_NO_ENQUEUE, SPAN_NO_ENQUEUE);
  }
  assert.equal(analyze(report).extra.queuedTasks, 0);
  for (const pid of [Number(m[1]), Number(m[2])]) {
    const proc = report.processes?.find((p) => p.pid === pid);
    assert.ok(proc, `worker process ${pid} missing: ${JSON.stringify(report.processes)}`);
    assert.deepEqual([proc.startedBy, proc.args, proc.title, proc.exit], ['fork', ['worker'], 'fork of child-jest-workers.js', { code: 0, signal: null }]);
    const lanes = threadsOf(report, pid);
    assert.deepEqual(lanes.map((t) => t.kind), ['main']);
    const profile = report.profiles.find((x) => x.thread === lanes[0].id);
    assert.ok(profile && onSampledStacks(profile.profile).has('jestTask'), `worker process ${pid}: jestTask not sampled`);
  }
});

test('jest-style process workers with two \'message\' listeners (as vitest\'s forks): still one span per message', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-jest-workers.js'), { args: ['two'] });
  assert.match(stdout, /tasks 10, workers/);
  // Before, each listener of a message was a task of its own: 20 spans.
  assert.equal(report.spans.count, 10);
  checkSpans(report);
});

test('grandchildren and a node started by a shell (execSync) are recorded, each with its parent', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-grandchild.js'), { sampleIntervalUs: 0 });
  const seen = new Map([...stdout.matchAll(/^(script|child|grandchild|shell) (\d+) (\d+)$/gm)].map((x) => [x[1], { pid: Number(x[2]), ppid: Number(x[3]) }]));
  assert.equal(seen.size, 4, stdout);
  const proc = (role: string): ProcessInfo => {
    const p = report.processes?.find((x) => x.pid === seen.get(role)!.pid);
    assert.ok(p, `${role} missing: ${JSON.stringify(report.processes)}`);
    return p;
  };
  assert.equal(report.processes?.length, 4);
  assert.equal(proc('script').startedBy, 'main');
  assert.deepEqual([proc('child').ppid, proc('child').startedBy, proc('child').args], [seen.get('script')!.pid, 'fork', ['child']]);
  assert.deepEqual([proc('grandchild').ppid, proc('grandchild').startedBy, proc('grandchild').args], [seen.get('child')!.pid, 'fork', ['grandchild']]);
  assert.ok(proc('grandchild').spawned! >= proc('child').start, 'the grandchild was spawned after its parent started');
  // The shell is not node: it is not in the report; the node it ran is, its parent the shell, with no spawn time of ours.
  const shell = proc('shell');
  assert.deepEqual([shell.ppid, shell.startedBy, shell.args, shell.spawned], [seen.get('shell')!.ppid, 'spawn', ['shell'], undefined]);
  assert.ok(!report.processes!.some((p) => p.pid === shell.ppid));
  for (const p of report.processes!) assert.equal(threadsOf(report, p.pid).filter((t) => t.kind === 'main').length, 1, `process ${p.pid}`);
});
