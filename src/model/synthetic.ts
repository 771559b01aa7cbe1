// Deterministic synthetic reports for tests and benchmarks: realistic shapes (back-to-back spans
// with gaps, several regions, deep stacks from a pool of functions) at any size, no recording.
import type { CpuProfile, CpuProfileNode, Region, Report, ThreadInfo, ThreadProfile } from './report';
import { REPORT_FORMAT, REPORT_VERSION, SCHEDULES } from './report';

export interface SyntheticOptions {
  /** Worker threads (ids 1..threads); the main thread 0 is always present. */
  threads: number;
  /** Total task spans, spread over the workers and the regions. */
  spans: number;
  /** CPU profiles: workers 1..profiles first, then the main thread. */
  profiles: number;
  samplesPerProfile: number;
  /** PRNG seed; the same seed gives the same report. Default 1. */
  seed?: number;
}

/** mulberry32: small, fast, good enough for shapes (not for cryptography). */
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

const FUNCTIONS = ['mandelRow', 'escapeTime', 'multiplyRow', 'dot', 'sumSquares', 'parseChunk', 'hashBlock',
  'compress', 'render', 'sortRun', 'mergeRuns', 'walk', 'visit', 'reduceChunk', 'runTask', 'processMessage',
  'handle', 'step', 'kernel', 'inner'];
const FILES = ['/work/app/mandel.js', '/work/app/matrix.js', '/work/app/text.js', '/work/app/hash.js',
  '/work/app/lib/util.js', '/work/app/lib/sort.js'];


const ns = (us: number) => Math.round(us * 1000) / 1000;

function check(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

/** A deterministic pseudo-random report; every time in it is consistent (spans inside regions, samples inside threads). */
export function syntheticReport(options: SyntheticOptions): Report {
  const { threads, spans, profiles, samplesPerProfile } = options;
  check('threads', threads, 1);
  check('spans', spans, 0);
  check('profiles', profiles, 0);
  check('samplesPerProfile', samplesPerProfile, 0);
  if (profiles > threads + 1) throw new RangeError(`profiles must be at most threads + 1 (${threads + 1}), got ${profiles}`);
  const rand = prng(options.seed ?? 1);

  const regionCount = Math.max(1, Math.min(8, Math.ceil(spans / 1000)));
  const n = spans;
  // Filled as typed arrays, returned as plain arrays: `new Array(n)` beyond 100k entries would be
  // a slow dictionary-mode array, unlike the packed arrays JSON.parse makes of a real report.
  const col = () => new Float64Array(n);
  const thread = col(), region = col(), index = col(), first = col(), items = col(), enqueue = col(), start = col(),
    end = col(), stolenFrom = col(), parent = col(), failed = col();
  const regions: Region[] = [];
  const cursor = new Float64Array(threads + 1);
  let t = 1000 + Math.floor(rand() * 1000);
  let k = 0;
  for (let r = 0; r < regionCount; r++) {
    const regionStart = t;
    const perRegion = Math.floor(n / regionCount) + (r < n % regionCount ? 1 : 0);
    // Each region has its own skew: some threads get slower tasks, so imbalance varies per region.
    const slow = 1 + Math.floor(rand() * threads);
    cursor.fill(regionStart);
    for (let i = 0; i < perRegion; i++, k++) {
      const th = 1 + (i % threads);
      const gap = rand() < 0.1 ? rand() * 50 : rand() * 3;
      const dur = 20 + rand() * 160 * (th === slow ? 2 : 1);
      // Nanosecond precision, as a recorder would keep: full doubles would bloat the JSON.
      const s = ns(cursor[th] + gap);
      thread[k] = th; region[k] = r; index[k] = i; first[k] = i * 16; items[k] = 16;
      enqueue[k] = Math.max(regionStart, ns(s - rand() * 40));
      start[k] = s; end[k] = ns(s + dur); cursor[th] = end[k];
      stolenFrom[k] = rand() < 0.02 ? 1 + ((th + Math.floor(rand() * (threads - 1))) % threads) : -1;
      if (stolenFrom[k] === th) stolenFrom[k] = -1;
      parent[k] = -1; failed[k] = rand() < 0.0005 ? 1 : 0;
    }
    let regionEnd = regionStart;
    for (let th = 1; th <= threads; th++) regionEnd = Math.max(regionEnd, cursor[th]);
    regionEnd += 5;
    const schedule = SCHEDULES[r % SCHEDULES.length];
    const fn = FUNCTIONS[r % FUNCTIONS.length];
    regions.push({ id: r, name: `map ${fn}`, kind: 'map', pool: 0, fn, callSite: { file: '/work/app/main.js', line: 10 + r, column: 3 },
      schedule, threads, items: perRegion * 16, chunkSize: 16, start: regionStart, end: regionEnd, outcome: 'ok' });
    t = ns(regionEnd + 200 + rand() * 2000);
  }
  const durationUs = Math.round(t + 1000);

  const threadInfos: ThreadInfo[] = [{ id: 0, name: 'main', kind: 'main', start: 0, end: durationUs }];
  for (let th = 1; th <= threads; th++) {
    threadInfos.push({ id: th, name: `worker ${th}`, kind: 'worker', pool: 0, start: 200 + th * 10, end: durationUs - 100 });
  }

  const threadProfiles: ThreadProfile[] = [];
  for (let p = 0; p < profiles; p++) {
    const id = p < threads ? p + 1 : 0;
    const info = threadInfos.find((x) => x.id === id)!;
    threadProfiles.push({ thread: id, profile: syntheticProfile(rand, samplesPerProfile, info.start, info.end ?? durationUs) });
  }

  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    meta: {
      script: '/work/app/main.js', args: [], cwd: '/work/app', nodeVersion: 'v20.0.0', nodePath: '/usr/bin/node', cores: threads,
      platform: 'linux', startedAt: 1_700_000_000_000, originUs: 5_000_000, durationUs,
      pool: { threads, schedule: 'dynamic' },
      sampleIntervalUs: samplesPerProfile > 0 ? Math.max(1, Math.round(durationUs / samplesPerProfile)) : 0,
      recorder: 'synthetic',
    },
    threads: threadInfos,
    regions,
    spans: {
      count: n, thread: Array.from(thread), region: Array.from(region), index: Array.from(index), first: Array.from(first),
      items: Array.from(items), enqueue: Array.from(enqueue), start: Array.from(start), end: Array.from(end),
      stolenFrom: Array.from(stolenFrom), parent: Array.from(parent), failed: Array.from(failed),
    },
    profiles: threadProfiles,
    elu: threadInfos.map((x) => {
      const ts: number[] = [], us: number[] = [];
      for (let w = 100_000; w < durationUs; w += 100_000) { ts.push(w); us.push(x.kind === 'main' ? 0.05 : 0.5 + rand() * 0.5); }
      return { thread: x.id, t: ts, u: us };
    }),
    markers: [{ t: durationUs - 50, thread: 0, kind: 'exit', message: 'process exited with code 0' }],
    dropped: { spans: 0, samples: 0, profiles: 0 },
    exit: { code: 0, signal: null, error: null },
  };
}

/** A V8-shaped profile: (root) with (program), (idle), (garbage collector) and a trie of 5-20 deep stacks. */
function syntheticProfile(rand: () => number, samples: number, from: number, to: number): CpuProfile {
  const nodes: CpuProfileNode[] = [];
  const add = (name: string, url: string, line: number, parentNode?: CpuProfileNode): CpuProfileNode => {
    const node: CpuProfileNode = { id: nodes.length + 1, callFrame: { functionName: name, scriptId: String(url.length), url, lineNumber: line, columnNumber: 2 }, hitCount: 0 };
    nodes.push(node);
    if (parentNode) (parentNode.children ??= []).push(node.id);
    return node;
  };
  const root = add('(root)', '', -1);
  const special = [add('(program)', '', -1, root), add('(idle)', '', -1, root), add('(garbage collector)', '', -1, root)];
  // A fixed set of leaves; stacks share prefixes so the tree has realistic fan-out.
  const leaves: CpuProfileNode[] = [];
  for (let s = 0; s < 48; s++) {
    const depth = 5 + Math.floor(rand() * 16);
    let node = root;
    for (let d = 0; d < depth; d++) {
      const f = Math.floor(rand() * (d < 3 ? 3 : FUNCTIONS.length));
      const name = FUNCTIONS[f];
      const url = 'file://' + FILES[f % FILES.length];
      const existing = node.children?.map((id) => nodes[id - 1]).find((c) => c.callFrame.functionName === name);
      node = existing ?? add(name, url, f * 10, node);
    }
    leaves.push(node);
  }
  const sampleIds: number[] = [];
  const deltas: number[] = [];
  const interval = samples > 0 ? (to - from) / samples : 0;
  let elapsed = 0;
  const ticks = new Map<CpuProfileNode, Map<number, number>>();
  for (let i = 0; i < samples; i++) {
    const x = rand();
    const node = x < 0.03 ? special[0] : x < 0.1 ? special[1] : x < 0.12 ? special[2] : leaves[Math.floor(rand() * rand() * leaves.length)];
    sampleIds[i] = node.id;
    // Whole µs, as V8 writes timeDeltas (a recording's profiles too): the time is kept exact and each
    // delta is the step between its rounded values, so the samples stay within [from, to].
    const before = Math.round(elapsed);
    elapsed += i === 0 ? interval / 2 : interval * (0.8 + rand() * 0.4);
    deltas[i] = Math.round(elapsed) - before;
    node.hitCount = (node.hitCount ?? 0) + 1;
    if (node.callFrame.lineNumber >= 0) {
      const m = ticks.get(node) ?? new Map<number, number>();
      const line = node.callFrame.lineNumber + 2 + Math.floor(rand() * 3);
      m.set(line, (m.get(line) ?? 0) + 1);
      ticks.set(node, m);
    }
  }
  for (const [node, m] of ticks) node.positionTicks = [...m].map(([line, n]) => ({ line, ticks: n }));
  return { nodes, startTime: from, endTime: to, samples: sampleIds, timeDeltas: deltas };
}
