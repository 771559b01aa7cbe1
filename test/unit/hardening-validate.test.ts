// Issue 13, items 1 and 2: a malformed report is one ReportError naming the bad field, never an
// abort or a hang; the profile walkers stay bounded on profiles nobody validated.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { importCpuProfile } from '../../src/model/export';
import { buildFlameTree, flameChart, topFunctions } from '../../src/model/flame';
import { MAX_THREAD_REGION_CELLS } from '../../src/model/limits';
import { ReportError, parseReport, serializeReport } from '../../src/model/load';
import type { CpuProfile, Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { syntheticReport } from '../../src/model/synthetic';
import { packageRoot } from '../../src/runner/paths';

const base = () => JSON.parse(serializeReport(syntheticReport({ threads: 3, spans: 300, profiles: 2, samplesPerProfile: 200, seed: 13 })));

function rejects(mutate: (r: Record<string, any>) => void, message: string | RegExp, what: string) {
  const r = base();
  mutate(r);
  assert.throws(() => parseReport(JSON.stringify(r)), (e: unknown) => {
    assert.ok(e instanceof ReportError, `${what}: a ReportError, got ${e}`);
    if (typeof message === 'string') assert.equal(e.message, message, what);
    else assert.match(e.message, message, what);
    return true;
  }, what);
}

/** A (root) -> a -> b -> c profile whose c lists a as its child: three nodes in a cycle under the root. */
function cyclicProfile(): CpuProfile {
  const frame = (functionName: string) => ({ functionName, scriptId: '1', url: 'file:///app/x.js', lineNumber: 1, columnNumber: 1 });
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2] },
      { id: 2, callFrame: frame('a'), children: [3] },
      { id: 3, callFrame: frame('b'), children: [4] },
      { id: 4, callFrame: frame('c'), children: [2] },
    ],
    startTime: 0, endTime: 400, samples: [2, 3, 4, 4], timeDeltas: [0, 100, 100, 100],
  };
}

/** The 3-node file of the issue: every node is someone's child, so there is no root at all. */
function rootlessCycle(): CpuProfile {
  const frame = (functionName: string) => ({ functionName, scriptId: '1', url: 'file:///app/x.js', lineNumber: 1, columnNumber: 1 });
  return {
    nodes: [{ id: 1, callFrame: frame('a'), children: [2] }, { id: 2, callFrame: frame('b'), children: [3] }, { id: 3, callFrame: frame('c'), children: [1] }],
    startTime: 0, endTime: 300, samples: [1, 2, 3], timeDeltas: [0, 100, 100],
  };
}

test('a CPU profile whose children form a cycle is refused with the node that closes it', () => {
  rejects((r) => (r.profiles[0].profile = cyclicProfile()), 'profiles[0].profile.nodes[3].children[0]: node 2 already has a parent (node 1)', 'cycle under the root');
  rejects((r) => (r.profiles[0].profile = rootlessCycle()), 'profiles[0].profile.nodes: no root: every node is a child, so children form a cycle', 'cycle without a root');
  // The committed fixture is the 3-node file of the issue, as a .cpuprofile.
  const fixture = JSON.parse(readFileSync(join(packageRoot(), 'test', 'fixtures', 'hostile-cycle.cpuprofile'), 'utf8'));
  assert.throws(() => importCpuProfile(fixture), /^ReportError: cpuprofile\.nodes: no root/);
});

test('profiles must be trees: one root, one parent each, no self-loop, children exist', () => {
  const p = (r: Record<string, any>) => r.profiles[0].profile;
  rejects((r) => p(r).nodes[1].children = [...(p(r).nodes[1].children ?? []), p(r).nodes[1].id], /^profiles\[0\]\.profile\.nodes\[1\]\.children\[\d+\]: node 2 is its own child$/, 'self-loop');
  rejects((r) => p(r).nodes[2].children = [...(p(r).nodes[2].children ?? []), 999], /^profiles\[0\]\.profile\.nodes\[2\]\.children\[\d+\]: node 999 is not in nodes$/, 'missing child');
  rejects((r) => p(r).nodes.push({ id: 5000, callFrame: p(r).nodes[0].callFrame }), /^profiles\[0\]\.profile\.nodes\[\d+\]: a second root \(node 5000; node 1 is the first\)/, 'two roots');
  rejects((r) => p(r).nodes[0].children.push(p(r).nodes[0].children[0]), /^profiles\[0\]\.profile\.nodes\[0\]\.children\[\d+\]: node 2 already has a parent \(node 1\)$/, 'listed twice');
  rejects((r) => (p(r).nodes[3].id = p(r).nodes[2].id), /^profiles\[0\]\.profile\.nodes\[3\]\.id: node id 3 appears twice$/, 'duplicate id');
  rejects((r) => (p(r).samples[7] = 12345), /^profiles\[0\]\.profile\.samples\[7\]: node 12345 is not in nodes$/, 'sample of no node');
});

test('times are finite, within ±2^53 µs and in order; ELU 0..1; cores ≥ 1; one profile per thread', () => {
  rejects((r) => (r.profiles[1].profile.startTime = r.profiles[1].profile.endTime + 1), /^profiles\[1\]\.profile\.endTime: .* is before startTime/, 'profile start after end');
  rejects((r) => (r.threads[2].end = r.threads[2].start - 1), /^threads\[2\]\.end: .* is before start/, 'thread ends before it starts');
  rejects((r) => (r.elu[1] = { thread: 1, t: [100, 200], u: [0.5, 1.5] }), 'elu[1].u[1]: expected a utilization from 0 to 1, found 1.5', 'ELU above 1');
  rejects((r) => (r.elu[1] = { thread: 1, t: [100], u: [-0.1] }), 'elu[1].u[0]: expected a utilization from 0 to 1, found -0.1', 'ELU below 0');
  rejects((r) => (r.meta.cores = -1), 'meta.cores: expected 1 to 1048576, found -1', 'negative cores');
  rejects((r) => (r.meta.cores = 0), 'meta.cores: expected 1 to 1048576, found 0', 'no cores');
  rejects((r) => r.profiles.push(structuredClone(r.profiles[0])), `profiles[2].thread: thread 1 has a second profile`, 'duplicate profile');
  rejects((r) => (r.spans.start[4] = 1e308), 'spans.start[4]: expected a number within ±2^53, found number 1e+308', 'huge span start');
  rejects((r) => (r.spans.enqueue[9] = -1e308), 'spans.enqueue[9]: expected a number within ±2^53, found number -1e+308', 'huge enqueue');
  rejects((r) => (r.regions[0].start = -1e308), 'regions[0].start: expected a number within ±2^53, found number -1e+308', 'huge region start');
  rejects((r) => (r.meta.durationUs = -5), 'meta.durationUs: expected at least 0, found -5', 'negative duration');
  rejects((r) => (r.threads[1].id = 2 ** 60), /^threads\[1\]\.id: expected an integer within ±2\^53/, 'id beyond 2^53');
  rejects((r) => (r.regions[0].threads = 1e9), 'regions[0].threads: expected 0 to 100000, found 1000000000', 'a region on a billion threads');
  rejects((r) => (r.dropped.spans = -1), 'dropped.spans: expected at least 0, found -1', 'negative dropped count');
});

test('counts within the stated limits: threads × regions', () => {
  const r = base();
  const side = Math.ceil(Math.sqrt(MAX_THREAD_REGION_CELLS)) + 1;
  r.regions = Array.from({ length: side }, (_, i) => ({ ...r.regions[0], id: i }));
  for (let t = r.threads.length; t < side; t++) r.threads.push({ id: 1000 + t, name: `w${t}`, kind: 'worker', start: 0 });
  assert.throws(() => parseReport(JSON.stringify(r)), /^ReportError: regions: \d+ threads × \d+ regions is more than the limit of 16777216/);
});

test('the walkers are bounded on profiles nobody validated: cycles are left out, not followed', () => {
  // Built in code, as an importer or a test would: no validation in the way.
  for (const profile of [cyclicProfile(), rootlessCycle()]) {
    const chart = flameChart(profile, 0, 1000);
    const report = { ...syntheticReport({ threads: 1, spans: 0, profiles: 0, samplesPerProfile: 0 }) } as Report;
    report.profiles = [{ thread: 0, profile }];
    const tree = buildFlameTree(report);
    const top = topFunctions(report);
    for (const f of chart) assert.ok(f.end > f.start && f.depth >= 0 && f.depth < 4, JSON.stringify(f));
    assert.ok(Number.isFinite(tree.total));
    assert.ok(top.every((f) => Number.isFinite(f.total)));
    assert.match(formatSummary(report, analyze(report)), /Threads/);
  }
  // Under the (root), a -> b -> c is a path; the edge back to a is ignored, so the chart draws a, b, c once each.
  assert.deepEqual(flameChart(cyclicProfile(), 0, 1000).map((f) => `${f.name}@${f.depth}`), ['a@0', 'b@1', 'c@2']);
  // Without a root nothing is reachable: nothing is drawn.
  assert.deepEqual(flameChart(rootlessCycle(), 0, 1000), []);
});

test('importCpuProfile accepts V8 negative deltas by sorting samples by time', () => {
  const frame = (functionName: string) => ({ functionName, scriptId: '1', url: '', lineNumber: 0, columnNumber: 0 });
  const profile = {
    nodes: [{ id: 1, callFrame: frame('(root)'), children: [2, 3] }, { id: 2, callFrame: frame('a') }, { id: 3, callFrame: frame('b') }],
    startTime: 1000, endTime: 1400, samples: [2, 3, 2], timeDeltas: [100, 200, -50],
  };
  const r = importCpuProfile(profile)!;
  const p = r.profiles[0].profile;
  // Times 1100, 1300, 1250 -> sorted 1100 (a), 1250 (a), 1300 (b), rebased to the start.
  assert.deepEqual(p.samples, [2, 2, 3]);
  assert.deepEqual(p.timeDeltas, [100, 150, 50]);
  assert.ok(parseReport(serializeReport(r)));
});

test('JSON nested deeper than 128 levels is refused before parsing; brackets inside strings do not count', () => {
  const deep = `{"format":"parprof","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  assert.throws(() => parseReport(deep), /^ReportError: JSON nests deeper than 128 levels \(at character 151\)$/);
  const r = base();
  r.threads[1].name = `${'['.repeat(500)}\\"{{{`;
  assert.equal(parseReport(JSON.stringify(r)).threads[1].name, r.threads[1].name);
});

test('a report with V8\'s negative deltas (as real recordings had) loads with its samples in time order', () => {
  const r = base();
  const p = r.profiles[0].profile;
  // Swap two samples' times: sample 5 was written after sample 6 but taken before it.
  const d5 = p.timeDeltas[5], d6 = p.timeDeltas[6];
  p.timeDeltas[5] = d5 + d6 + 7;
  p.timeDeltas[6] = -7;
  const s5 = p.samples[5], s6 = p.samples[6];
  const loaded = parseReport(JSON.stringify(r));
  const q = loaded.profiles[0].profile;
  assert.ok(q.timeDeltas.every((d: number) => d >= 0), 'no negative delta after loading');
  assert.equal(q.samples.length, p.samples.length);
  assert.deepEqual([q.samples[5], q.samples[6]], [s6, s5], 'the earlier sample first');
  const end = (x: CpuProfile) => x.timeDeltas.reduce((t, d) => t + d, x.startTime);
  assert.equal(end(q), end(p as CpuProfile), 'the last sample keeps its time');
});
