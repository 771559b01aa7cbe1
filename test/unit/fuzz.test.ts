// Issue 13, item 5: a seeded fuzz of every loader and importer. Each input either loads and then
// survives everything the CLI and the views do with a report (analysis, summary, flame tree, top
// functions, line hotness, flame chart and its layout, timeline lanes), or is refused with a
// ReportError (or an importer's "not my format"). Anything else is a crash; an input that keeps
// the process busy for more than 2 s of CPU (or blocks it for 60 s) is a hang. The batch runs in a child process, so that even a V8 abort (what a
// cyclic profile used to cause) is reported with the input that did it, and a watchdog in this
// process times each input.
//   PARPROF_FUZZ_SEED=<n> PARPROF_FUZZ_COUNT=<n> node --test out/test/unit/fuzz.test.js
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { analyze } from '../../src/model/analysis';
import { importCpuProfile, parseAnyReport, toChromeTrace } from '../../src/model/export';
import { toSpeedscope } from '../../src/model/export-speedscope';
import { buildFlameTree, flameChart, topFunctions } from '../../src/model/flame';
import { lineHotness } from '../../src/model/lines';
import { ReportError, parseJson, parseReport, serializeReport, validateReport } from '../../src/model/load';
import { packReport, unpackReport } from '../../src/model/packed-report';
import type { CpuProfile, Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { syntheticReport } from '../../src/model/synthetic';
import { chartRects, flameRects } from '../../webview/layout-flame';
import { buildCoverage, buildLaneIndexes } from '../../webview/layout-timeline';

const SEED = Number(process.env.PARPROF_FUZZ_SEED ?? 20261302);
const COUNT = Number(process.env.PARPROF_FUZZ_COUNT ?? 10_000);
/** An input that keeps the fuzz process busy this long (its CPU time, all its threads) is a hang. */
const INPUT_LIMIT_MS = 2000;
/**
 * An input that takes this long in wall time is a hang whatever its CPU time (one that blocks).
 * CPU time, not wall time, judges the busy ones: on a loaded 2-core machine a 0 ms input was seen
 * to take over 2 s of wall time waiting for a core.
 */
const INPUT_WALL_LIMIT_MS = 60_000;

/** CPU time a process has used so far (user + system), ms; undefined where /proc cannot say. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** mulberry32, as in synthetic.ts: the same seed gives the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'report' | 'report-text' | 'report-gzip' | 'cpuprofile' | 'cpuprofile-text' | 'chrome' | 'speedscope' | 'packed' | 'huge';
const KINDS: Kind[] = ['report', 'report', 'report', 'report-text', 'report-text', 'report-gzip', 'cpuprofile', 'cpuprofile', 'cpuprofile-text', 'chrome', 'speedscope', 'packed'];

interface Input { kind: Kind; data: Uint8Array | string }

const LONG = 'A'.repeat(20_000);
const HOSTILE: unknown[] = [null, true, false, 0, -0, -1, 1, 0.5, -0.5, 7, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 5e-324, '', 'x', LONG,
  '\u001b]0;t\u0007', '\u202e', [], {}, [1, 2, 3], [-1], { a: 1 }, [null], ['x']];
const TEXT_NUMBERS = ['1e309', '-1e309', '1E400', '123456789012345678901234567890', '-0', '0.0000001', '9007199254740993', '-9007199254740993'];

/** Every container and key path of a JSON value, at most `limit`, breadth-first (iterative). */
function paths(root: unknown, limit: number): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const queue: unknown[] = [root];
  for (let q = 0; q < queue.length && out.length < limit; q++) {
    const v = queue[q];
    if (Array.isArray(v)) v.forEach((x, i) => { out.push({ parent: v, key: i }); if (x && typeof x === 'object') queue.push(x); });
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push({ parent: v as Record<string, unknown>, key: k }); const x = (v as Record<string, unknown>)[k]; if (x && typeof x === 'object') queue.push(x); }
  }
  return out;
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

/** 1-4 structural changes to a JSON value (in place): delete, replace, duplicate, drop, truncate, cyclic children, huge counts. */
function mutateValue(rand: () => number, root: unknown): void {
  const all = paths(root, 20_000);
  if (!all.length) return;
  for (let m = 1 + Math.floor(rand() * 4); m > 0; m--) {
    const { parent, key } = pick(rand, all);
    const p = parent as Record<string | number, unknown>;
    const cur = p[key];
    const op = Math.floor(rand() * 11);
    if (op === 0) { if (Array.isArray(parent)) parent.splice(key as number, 1); else delete p[key]; }
    else if (op <= 3) p[key] = structuredClone(pick(rand, HOSTILE));
    else if (op === 4 && typeof cur === 'number') p[key] = pick(rand, [cur + 1, cur - 1, -cur, cur * 1e6, cur / 3, Math.round(cur * 1e12)]);
    else if (op === 5 && Array.isArray(cur) && cur.length) cur.push(structuredClone(cur[Math.floor(rand() * cur.length)]));
    else if (op === 6 && Array.isArray(cur)) cur.length = Math.floor(rand() * cur.length);
    else if (op === 7 && Array.isArray(cur) && cur.length > 1) { const i = Math.floor(rand() * cur.length), j = Math.floor(rand() * cur.length); [cur[i], cur[j]] = [cur[j], cur[i]]; }
    else if (op === 8 && cur && typeof cur === 'object' && Array.isArray((cur as { nodes?: unknown }).nodes)) {
      // A profile: make a node's children point back up (a cycle) or at itself, or give a node two parents.
      const nodes = (cur as { nodes: { id: unknown; children?: unknown[] }[] }).nodes;
      if (nodes.length) {
        const a = pick(rand, nodes), b = pick(rand, nodes);
        if (a && typeof a === 'object' && b && typeof b === 'object') (b.children ??= []).push(a.id);
      }
    } else if (op === 9 && typeof cur === 'number') p[key] = pick(rand, [1e6, 5e6, 2 ** 31 - 1, 1e9]);
    else if (op === 10 && typeof cur === 'string') p[key] = pick(rand, [cur + LONG, `${cur}\u0000\u009b`, '']);
    else p[key] = structuredClone(pick(rand, HOSTILE));
  }
}

/** Makes a profile's children form a cycle: a node lists its own ancestor (or the root) as a child. */
function loopBack(rand: () => number, profile: unknown): void {
  const nodes = (profile as { nodes?: { id: number; children?: number[] }[] })?.nodes;
  if (!Array.isArray(nodes) || nodes.length < 2) return;
  const parent = new Map<number, { id: number; children?: number[] }>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n);
  const node = nodes[1 + Math.floor(rand() * (nodes.length - 1))];
  let ancestor = parent.get(node.id);
  while (ancestor && rand() < 0.5 && parent.get(ancestor.id)) ancestor = parent.get(ancestor.id);
  (node.children ??= []).push((ancestor ?? nodes[0]).id);
}

/** A change to the text: truncation, a flipped or dropped character, an overflowing number, deep nesting. */
function mutateText(rand: () => number, text: string): string {
  const at = Math.floor(rand() * text.length);
  switch (Math.floor(rand() * 6)) {
    case 0: return text.slice(0, at);
    case 1: return text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(at + 1);
    case 2: return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20));
    case 3: {
      // Replace the number at or after `at` with one JSON.parse turns into Infinity, -0, or an inexact integer.
      const re = /-?\d+(\.\d+)?([eE][-+]?\d+)?/g;
      re.lastIndex = at;
      const m = re.exec(text) ?? /-?\d+/.exec(text);
      return m ? text.slice(0, m.index) + pick(rand, TEXT_NUMBERS) + text.slice(m.index + m[0].length) : text;
    }
    case 4: {
      // Deep nesting in place of a value: after a colon.
      const colon = text.indexOf(':', at);
      if (colon < 0) return text;
      const depth = pick(rand, [100, 5_000, 100_000]);
      const end = text.slice(colon + 1).search(/[,}\]]/);
      return text.slice(0, colon + 1) + '['.repeat(depth) + ']'.repeat(depth) + (end < 0 ? '' : text.slice(colon + 1 + end));
    }
    default: return text.slice(0, at) + text.slice(at, at + Math.floor(rand() * 200)) + text.slice(at);
  }
}

/** The profile cut at `maxDepth` below the root, samples moved to their ancestor at that depth: small, still valid. */
function pruned(profile: CpuProfile, maxDepth: number): CpuProfile {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const depth = (id: number) => { let d = 0; for (let k = parent.get(id); k !== undefined; k = parent.get(k)) d++; return d; };
  const keep = new Set(profile.nodes.filter((n) => depth(n.id) <= maxDepth).map((n) => n.id));
  const up = (id: number) => { let k = id; while (!keep.has(k)) k = parent.get(k)!; return k; };
  const nodes = profile.nodes.filter((n) => keep.has(n.id)).map((n) => ({ ...n, children: (n.children ?? []).filter((c) => keep.has(c)) }));
  void byId;
  return { ...profile, nodes, samples: profile.samples.map(up) };
}

/** The corpus: a few small, valid files of every format the loaders read. */
function corpus(seed: number) {
  const reports = [
    syntheticReport({ threads: 3, spans: 40, profiles: 2, samplesPerProfile: 60, seed }),
    syntheticReport({ threads: 1, spans: 5, profiles: 2, samplesPerProfile: 10, seed: seed + 1 }),
  ];
  for (const x of reports) for (const tp of x.profiles) tp.profile = pruned(tp.profile, 4);
  const r = reports[1];
  r.regions.push({ ...r.regions[0], id: 7, kind: 'external', schedule: 'external', end: undefined, outcome: 'unfinished' });
  r.threads[1].died = { at: 50, reason: 'boom' };
  r.markers.push({ t: 3, thread: 1, kind: 'worker-error', message: 'x', stack: 'at y' });
  return {
    reports: reports.map((x) => serializeReport(x)),
    cpuprofiles: reports.flatMap((x) => x.profiles.map((p) => JSON.stringify(p.profile))),
    chrome: reports.map((x) => JSON.stringify(toChromeTrace(x, { profiles: true }))),
    speedscope: reports.map((x) => JSON.stringify(toSpeedscope(x))),
    packed: reports.map((x) => packReport(x)),
  };
}

function makeInput(rand: () => number, c: ReturnType<typeof corpus>, i: number): Input {
  // A few inputs with 101,000 threads present: refused by the limit before they are checked one by one.
  if (i % 2500 === 1250) {
    const r = JSON.parse(pick(rand, c.reports));
    const t = r.threads[1];
    r.threads = Array.from({ length: 101_000 }, (_, k) => ({ ...t, id: k }));
    return { kind: 'huge', data: JSON.stringify(r) };
  }
  const kind = pick(rand, KINDS);
  const structural = (text: string) => {
    const v = JSON.parse(text);
    // One input in 20 gets a profile whose children loop back (the 3-node file of the issue).
    if (rand() < 0.05) for (const profile of [v, ...(Array.isArray(v.profiles) ? v.profiles.map((p: { profile: unknown }) => p.profile) : [])]) loopBack(rand, profile);
    else mutateValue(rand, v);
    return JSON.stringify(v);
  };
  switch (kind) {
    case 'report': return { kind, data: structural(pick(rand, c.reports)) };
    case 'report-text': return { kind, data: mutateText(rand, rand() < 0.5 ? pick(rand, c.reports) : structural(pick(rand, c.reports))) };
    case 'report-gzip': {
      const gz = gzipSync(rand() < 0.5 ? structural(pick(rand, c.reports)) : mutateText(rand, pick(rand, c.reports)));
      const r = rand();
      if (r < 0.25) return { kind, data: gz.subarray(0, Math.floor(rand() * gz.length)) };
      if (r < 0.5) { gz[2 + Math.floor(rand() * (gz.length - 2))] ^= 1 << Math.floor(rand() * 8); }
      if (r > 0.95) return { kind, data: gzipSync(Buffer.alloc(3 * 2 ** 20)) };
      return { kind, data: new Uint8Array(gz) };
    }
    case 'cpuprofile': return { kind, data: structural(pick(rand, c.cpuprofiles)) };
    case 'cpuprofile-text': return { kind, data: mutateText(rand, pick(rand, c.cpuprofiles)) };
    case 'chrome': return { kind, data: rand() < 0.7 ? structural(pick(rand, c.chrome)) : mutateText(rand, pick(rand, c.chrome)) };
    case 'speedscope': return { kind, data: rand() < 0.7 ? structural(pick(rand, c.speedscope)) : mutateText(rand, pick(rand, c.speedscope)) };
    default: {
      const p = new Uint8Array(pick(rand, c.packed));
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) p[Math.floor(rand() * p.length)] = Math.floor(rand() * 256);
      return { kind: 'packed', data: rand() < 0.2 ? p.subarray(0, Math.floor(rand() * p.length)) : p };
    }
  }
}

/** Everything the CLI and the views do with a loaded report. */
function useReport(report: Report): void {
  const metrics = analyze(report);
  formatSummary(report, metrics);
  const tree = buildFlameTree(report);
  flameRects(tree, [], 1200);
  topFunctions(report);
  lineHotness(report);
  for (const tp of report.profiles) {
    const { startTime, endTime } = tp.profile;
    const frames = flameChart(tp.profile, startTime, endTime, { maxDepth: 256, minWidthUs: (endTime - startTime) / 2400 });
    chartRects(frames, startTime, endTime, 1200);
  }
  const lanes = buildLaneIndexes(report.spans, report.threads.map((t) => t.id));
  for (const lane of lanes.slice(0, 8)) buildCoverage(lane, report.meta.durationUs, 1024);
}

const GUNZIP = { gunzip: (b: Uint8Array, max: number) => gunzipSync(b, { maxOutputLength: max }), maxBytes: 2 ** 20 };

/** Name and message; with PARPROF_FUZZ_STACKS=1 the top of the stack too, to find the line. */
function describeError(err: unknown): string {
  const e = err as Error;
  const stack = process.env.PARPROF_FUZZ_STACKS ? `\n${String(e?.stack).split('\n').slice(1, 8).join('\n')}` : '';
  return `${e?.name}: ${String(e?.message).slice(0, 160)}${stack}`;
}

/** Runs one input through each loader that reads its kind; returns the outcomes. */
function runInput(input: Input): string[] {
  const loaders: [string, () => Report | undefined][] = [];
  const { data } = input;
  if (input.kind === 'packed') loaders.push(['unpackReport', () => validateReport(unpackReport(data as Uint8Array))]);
  else {
    // A huge input goes through one loader only: it is about the limit, and each parse of it takes a while.
    if (input.kind !== 'huge') loaders.push(['parseAnyReport', () => parseAnyReport(data, GUNZIP)]);
    if (input.kind.startsWith('report') || input.kind === 'huge') loaders.push(['parseReport', () => parseReport(data, GUNZIP)]);
    if (input.kind.startsWith('cpuprofile')) loaders.push(['importCpuProfile', () => importCpuProfile(parseJson(data as string))]);
  }
  return loaders.map(([name, load]) => {
    let report: Report | undefined;
    try {
      report = load();
    } catch (err) {
      // unpackReport too (the blob the HTML page embeds): a corrupt blob is a ReportError naming the field.
      if (err instanceof ReportError) return 'rejected';
      return `crash in ${name}: ${describeError(err)}`;
    }
    if (!report) return 'not-my-format';
    try {
      useReport(report);
      return 'accepted';
    } catch (err) {
      return `crash after ${name} accepted: ${describeError(err)}`;
    }
  });
}

interface ChildMessage { type: 'start'; i: number; kind: Kind }
interface ChildDone { type: 'done'; counts: Record<string, number>; crashes: { i: number; kind: Kind; outcome: string }[]; slowestMs: number; slowestInput: number }

if (process.env.PARPROF_FUZZ_CHILD) {
  const rand = prng(SEED);
  const c = corpus(SEED);
  const counts: Record<string, number> = {};
  const crashes: ChildDone['crashes'] = [];
  let slowestMs = 0, slowestInput = -1;
  for (let i = 0; i < COUNT; i++) {
    const input = makeInput(rand, c, i);
    process.send?.({ type: 'start', i, kind: input.kind } satisfies ChildMessage);
    const t0 = performance.now();
    for (const outcome of runInput(input)) {
      const key = outcome.startsWith('crash') ? 'crash' : outcome;
      counts[`${input.kind} ${key}`] = (counts[`${input.kind} ${key}`] ?? 0) + 1;
      if (key === 'crash' && crashes.length < 20) crashes.push({ i, kind: input.kind, outcome });
    }
    const ms = performance.now() - t0;
    if (process.env.PARPROF_FUZZ_PROFILE) { const k = `time ${input.kind}`; counts[k] = (counts[k] ?? 0) + Math.round(ms); }
    if (ms > slowestMs) { slowestMs = ms; slowestInput = i; }
  }
  const result: ChildDone = { type: 'done', counts, crashes, slowestMs, slowestInput };
  // Run by hand (no IPC channel): print the result instead.
  if (process.send) process.send(result, () => process.exit(0));
  else console.log(JSON.stringify(result, null, 1));
} else {
  test(`fuzz: ${COUNT} mutated inputs (seed ${SEED}) through every loader and importer: 0 crashes, 0 hangs`, async () => {
    console.log(`fuzz seed ${SEED}, ${COUNT} inputs (PARPROF_FUZZ_SEED / PARPROF_FUZZ_COUNT to repeat or change)`);
    const child = fork(__filename, [], { env: { ...process.env, PARPROF_FUZZ_CHILD: '1' }, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let current: ChildMessage | undefined;
    let startedAt = performance.now();
    let cpuAtStart = processCpuMs(child.pid);
    let done: ChildDone | undefined;
    let hung: ChildMessage | undefined;
    child.on('message', (m: ChildMessage | ChildDone) => {
      if (m.type === 'start') { current = m; startedAt = performance.now(); cpuAtStart = processCpuMs(child.pid); } else done = m;
    });
    // The watchdog: an input that runs longer than the limit is a hang; the child is killed.
    const watchdog = setInterval(() => {
      if (done) return;
      const wallMs = performance.now() - startedAt;
      const cpuNow = processCpuMs(child.pid);
      const busyMs = cpuNow !== undefined && cpuAtStart !== undefined ? cpuNow - cpuAtStart : wallMs;
      if (busyMs > INPUT_LIMIT_MS || wallMs > INPUT_WALL_LIMIT_MS) {
        hung = current ?? { type: 'start', i: -1, kind: 'report' };
        child.kill('SIGKILL');
      }
    }, 100);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearInterval(watchdog);
    assert.equal(hung, undefined, `input ${hung?.i} (${hung?.kind}) ran over ${INPUT_LIMIT_MS} ms of CPU (or ${INPUT_WALL_LIMIT_MS} ms of wall time): a hang (seed ${SEED})`);
    assert.ok(done, `the fuzz process died at input ${current?.i} (${current?.kind}): exit ${code}, signal ${signal} (seed ${SEED})`);
    const total = Object.values(done.counts).reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${total} loader runs; slowest input ${done.slowestInput} took ${done.slowestMs.toFixed(0)} ms`);
    for (const [k, n] of Object.entries(done.counts).sort()) console.log(`  ${k}: ${n}`);
    assert.deepEqual(done.crashes, [], `crashes (seed ${SEED}):\n${done.crashes.map((x) => `  input ${x.i} (${x.kind}): ${x.outcome}`).join('\n')}`);
    // The corpus is valid: some inputs must get through, or the test proves nothing.
    const accepted = Object.entries(done.counts).filter(([k]) => k.endsWith(' accepted')).reduce((a, [, n]) => a + n, 0);
    const rejected = Object.entries(done.counts).filter(([k]) => k.endsWith(' rejected')).reduce((a, [, n]) => a + n, 0);
    assert.ok(accepted >= COUNT / 20 && rejected >= COUNT / 5, `accepted ${accepted}, rejected ${rejected}`);
  });
}
