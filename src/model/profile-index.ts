// Dense, array-based view of a V8 CPU profile shared by flame trees, flame charts and line
// hotness. Built once per profile object and cached (profiles in a loaded report are not mutated).
import type { CpuProfile, CpuProfileNode } from './report';

/** Frames that are not code the user can act on and that the views leave out. */
export const HIDDEN_FRAMES = new Set(['(idle)', '(program)']);
export const IDLE_FRAME = '(idle)';
/**
 * The pool's own waits for work (src/runtime/pool-run.ts): a worker sampled there is blocked in
 * Atomics.wait with nothing to run, which V8 shows as the waiting function's stack, not '(idle)'.
 */
export const POOL_IDLE_WAITS = new Set(['backoff', 'sleepUntilPushed']);
/** The files the pool's schedules are bundled into (dist/runtime/worker.js) or written in. */
const POOL_SCHEDULE_FILE = /[\\/](?:dist|src)[\\/]runtime[\\/](?:worker|index|pool-run)\.[cm]?[jt]s$/;
/**
 * A third-party pool's worker blocked between tasks (src/runtime/recorder-waits.ts): the leaf
 * frame of its samples while piscina waits for its next task in Atomics.wait.
 */
const WAIT_FOR_WORK = 'waitForWork';
const RECORDER_WAITS_FILE = /[\\/](?:dist|src)[\\/]runtime[\\/](?:preload|recorder-waits)\.[cm]?[jt]s$/;

/**
 * Whether samples on this frame (their leaf) are a thread with nothing to run: '(idle)', one
 * of the pool's waits for work, or a third-party pool's worker waiting for its next task. Such samples are idle wherever samples are split busy/idle, get no
 * CPU time and are left out of trees, as '(idle)' is.
 */
export function isIdleFrame(cf: { functionName: string; url: string }): boolean {
  return cf.functionName === IDLE_FRAME || (POOL_IDLE_WAITS.has(cf.functionName) && POOL_SCHEDULE_FILE.test(cf.url))
    || (cf.functionName === WAIT_FOR_WORK && RECORDER_WAITS_FILE.test(cf.url));
}
export const ROOT_FRAME = '(root)';

export interface ProfileIndex {
  nodes: CpuProfileNode[];
  /** Index of each node's parent, -1 for roots. */
  parent: Int32Array;
  depth: Int32Array;
  /** Node indices with every parent before its children (pre-order). */
  order: Int32Array;
  /** Node index of each sample (-1 if the id is unknown). */
  sampleNode: Int32Array;
  /** Absolute time of each sample, µs from origin. */
  times: Float64Array;
  /** Weight of each sample, µs: the time until the next sample (the last one: until endTime). */
  weights: Float64Array;
  /** 1 when the node or an ancestor is '(idle)' / '(program)' / a pool wait (isIdleFrame): its samples are not code. */
  hidden: Uint8Array;
  /** Depth below the '(root)' frame (its children are 0); -1 for the root itself. */
  chartDepth: Int32Array;
  /** Function identity of each node (see functionKey) as an index into `functions`. */
  fn: Int32Array;
  functions: FunctionIdentity[];
}

/** What frames are merged by: name + file + line. */
export interface FunctionIdentity {
  key: string;
  name: string;
  /** Absolute path for file:// URLs, else the URL as V8 gave it ('' for native frames). */
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  /** 1-based; 0 unknown. */
  column: number;
}

/** Converts a file:// URL to a path (posix, or 'C:/...' on Windows); other URLs are returned unchanged. */
export function urlToPath(url: string): string {
  if (!url.startsWith('file://')) return url;
  let rest = url.slice('file://'.length);
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  rest = slash < 0 ? '/' : rest.slice(slash);
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    path = rest;
  }
  if (/^\/[A-Za-z]:[/\\]/.test(path)) path = path.slice(1);
  return host && host !== 'localhost' ? `//${host}${path}` : path;
}

export function functionKey(name: string, file: string, line: number): string {
  return `${name}\u0001${file}\u0001${line}`;
}

const cache = new WeakMap<CpuProfile, ProfileIndex>();

export function indexProfile(profile: CpuProfile): ProfileIndex {
  const cached = cache.get(profile);
  if (cached) return cached;
  const nodes = profile.nodes;
  const n = nodes.length;
  const byId = new Map<number, number>();
  let maxId = 0;
  for (let i = 0; i < n; i++) {
    byId.set(nodes[i].id, i);
    maxId = Math.max(maxId, nodes[i].id);
  }
  // V8 numbers nodes 1..n: a table makes the per-sample lookup a load instead of a hash.
  const table = maxId < 4 * n + 1024 ? new Int32Array(maxId + 1).fill(-1) : undefined;
  if (table) for (let i = 0; i < n; i++) if (nodes[i].id >= 0) table[nodes[i].id] = i;
  // Roots are the nodes nobody lists as a child. Parent links are set by the walk below, never
  // from the children lists directly: a malformed profile (validation is skipped by callers that
  // build profiles themselves) may list a node under two parents or in a cycle, and a parent taken
  // from the walk is always visited before its child, so every walk up the parents ends.
  const isChild = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const children = nodes[i].children;
    if (!children) continue;
    for (const c of children) {
      const k = byId.get(c);
      if (k !== undefined) isChild[k] = 1;
    }
  }
  // Iterative pre-order: recursive code can make stacks thousands of frames deep. The stack holds
  // (node, parent) pairs; each node is visited once, so the walk is bounded by the edge count.
  const parent = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  const depth = new Int32Array(n);
  let w = 0;
  const stack: number[] = [];
  for (let i = n - 1; i >= 0; i--) if (!isChild[i]) stack.push(i, -1);
  const seen = new Uint8Array(n);
  while (stack.length) {
    const from = stack.pop()!;
    const i = stack.pop()!;
    if (seen[i]) continue;
    seen[i] = 1;
    parent[i] = from;
    depth[i] = from < 0 ? 0 : depth[from] + 1;
    order[w++] = i;
    const children = nodes[i].children;
    if (!children) continue;
    for (let c = children.length - 1; c >= 0; c--) {
      const k = byId.get(children[c]);
      if (k !== undefined && !seen[k]) stack.push(k, i);
    }
  }
  const fnByKey = new Map<string, number>();
  const functions: FunctionIdentity[] = [];
  const fn = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cf = nodes[i].callFrame;
    const file = urlToPath(cf.url);
    const line = cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
    const key = functionKey(cf.functionName || '(anonymous)', file, line);
    let f = fnByKey.get(key);
    if (f === undefined) {
      f = functions.length;
      fnByKey.set(key, f);
      functions.push({ key, name: cf.functionName || '(anonymous)', file, line, column: cf.columnNumber >= 0 ? cf.columnNumber + 1 : 0 });
    }
    fn[i] = f;
  }
  const m = profile.samples.length;
  const sampleNode = new Int32Array(m);
  const times = new Float64Array(m);
  const weights = new Float64Array(m);
  sampleColumns(profile, table, byId, sampleNode, times);
  sampleWeights(times, profile.endTime, weights);
  // Nodes the walk never reached (only in a cycle) stay hidden, out of every view.
  const hidden = new Uint8Array(n).fill(1);
  const chartDepth = new Int32Array(n).fill(-1);
  for (let k = 0; k < w; k++) {
    const i = order[k];
    const p = parent[i];
    const name = nodes[i].callFrame.functionName;
    hidden[i] = HIDDEN_FRAMES.has(name) || isIdleFrame(nodes[i].callFrame) || (p >= 0 && hidden[p]) ? 1 : 0;
    chartDepth[i] = p < 0 ? (name === ROOT_FRAME ? -1 : 0) : chartDepth[p] + 1;
  }
  const index: ProfileIndex = {
    nodes, parent, depth, order: order.subarray(0, w), sampleNode, times, weights, hidden, chartDepth, fn, functions,
  };
  cache.set(profile, index);
  return index;
}

// The per-sample passes are functions of their own: a function runs here once per profile, and
// V8 optimizes a long loop while it runs (on-stack replacement); with several such loops in one
// function, the code made for the first gave up on reaching the next (no type feedback there
// yet), every time: 10 ms a profile of 100k samples instead of 1. They fill arrays given to them and
// return nothing: code made for the loop also gave up on making an object after it, and the next
// call started over unoptimized.

/** Fills in the node index (-1: unknown id) and absolute time of each sample. */
function sampleColumns(profile: CpuProfile, table: Int32Array | undefined, byId: Map<number, number>, sampleNode: Int32Array, times: Float64Array): void {
  const samples = profile.samples;
  const deltas = profile.timeDeltas;
  const m = samples.length;
  const maxId = table ? table.length - 1 : 0;
  let t = profile.startTime;
  for (let i = 0; i < m; i++) {
    t += deltas[i];
    times[i] = t;
    const id = samples[i];
    const k = table ? (id >= 0 && id <= maxId ? table[id] : -1) : byId.get(id);
    sampleNode[i] = k === undefined ? -1 : k;
  }
}

/** Fills in each sample's weight: the time until the next sample (the last one: until `endTime`), never negative. */
function sampleWeights(times: Float64Array, endTime: number, weights: Float64Array): void {
  const m = times.length;
  for (let i = 0; i < m; i++) {
    const next = i + 1 < m ? times[i + 1] : Math.max(endTime, times[i]);
    weights[i] = Math.max(0, next - times[i]);
  }
}

/**
 * Self weight of every node (µs) within [from, to): a sample stands for [time, time + weight), and
 * only its part inside the range counts (a range holds at most its own length of a thread's time).
 */
export function selfWeights(index: ProfileIndex, from = -Infinity, to = Infinity): Float64Array {
  const self = new Float64Array(index.nodes.length);
  const { sampleNode, times, weights } = index;
  const whole = from === -Infinity && to === Infinity;
  for (let i = 0; i < sampleNode.length; i++) {
    const t = times[i];
    const w = whole ? weights[i] : overlapUs(t, t + weights[i], from, to);
    if (w <= 0) continue;
    const k = sampleNode[i];
    if (k >= 0) self[k] += w;
  }
  return self;
}

/** Length of [a, b) ∩ [from, to), µs (0 when they do not meet). */
export function overlapUs(a: number, b: number, from: number, to: number): number {
  return Math.max(0, Math.min(b, to) - Math.max(a, from));
}

/** True for nodes whose samples are dropped from trees: '(idle)', '(program)', the pool's waits for work. */
export function isHidden(index: ProfileIndex, node: number): boolean {
  const cf = index.nodes[node].callFrame;
  return HIDDEN_FRAMES.has(cf.functionName) || isIdleFrame(cf);
}
