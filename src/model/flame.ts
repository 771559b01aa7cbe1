// Flame trees (aggregated call trees), top-function tables and flame charts (time-ordered stacks)
// from the per-thread V8 CPU profiles of a report. Pure data in, data out.
//
// Sample weight: a sample stands for the time until the next sample of its profile (the last one:
// until the profile's endTime), as Chrome DevTools counts it. A sample belongs to a time range
// [from, to) when its timestamp does; its whole weight counts.
// '(idle)' and '(program)' samples are left out of trees, tables and charts (they are not code);
// '(garbage collector)' is kept as a frame under the root, since GC time is work the user caused.
// A sample's wall weight is capped at a few sampling intervals and the excess of a late sample is
// a '(not sampled)' frame (unsampled.ts), in trees and tables; flame charts keep the raw weights.
import type { CpuProfile, Report } from './report';
import { ROOT_FRAME, indexProfile, isHidden } from './profile-index';
import { NOT_SAMPLED_FRAME, cappedSelfWeights, sampleCapUs } from './unsampled';
import type { ProfileIndex } from './profile-index';
import { DROPPED, type StackTable, type ThreadSamples } from './transforms';

export interface FlameNode {
  /** Stable identity of the merged frame (name + file + line); 'all' for the root. */
  key: string;
  name: string;
  /** Absolute path (file:// URLs converted), else the URL as V8 gave it; '' for native frames. */
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  /** 1-based; 0 unknown. */
  column: number;
  /** Time with this frame on top of the stack, µs. */
  self: number;
  /** Time with this frame anywhere below on the stack (self + children), µs. */
  total: number;
  /** Sorted left-heavy: by total, descending. */
  children: FlameNode[];
}

export interface SampleFilter {
  /** Thread ids to include; undefined = every profiled thread, merged. */
  threads?: number[];
  /** Only samples with from ≤ t < to, µs from origin. */
  from?: number;
  to?: number;
}

export interface FunctionStat {
  key: string;
  name: string;
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  /** µs on top of the stack. */
  self: number;
  /** µs anywhere on the stack, counted once per stack (recursion does not double it). */
  total: number;
  perThread: { thread: number; self: number; total: number }[];
}

/** One bar of a flame chart: `name` was on the stack at `depth` (0 = outermost) from start to end, µs from origin. */
export interface ChartFrame {
  name: string;
  file: string;
  line: number;
  /** The function's key in the stack table (transforms name functions by it), when built from one. */
  key?: string;
  depth: number;
  start: number;
  end: number;
}

function selected(report: Report, filter?: SampleFilter) {
  const want = filter?.threads ? new Set(filter.threads) : undefined;
  return report.profiles.filter((p) => !want || want.has(p.thread));
}

/** The aggregated call tree of the selected threads and time range; the root is named 'all'. */
export function buildFlameTree(report: Report, options?: SampleFilter): FlameNode {
  const root: FlameNode = { key: 'all', name: 'all', file: '', line: 0, column: 0, self: 0, total: 0, children: [] };
  const childMaps = new Map<FlameNode, Map<string, FlameNode>>();
  const child = (parent: FlameNode, f: Omit<FlameNode, 'self' | 'total' | 'children'>): FlameNode => {
    let children = childMaps.get(parent);
    if (!children) childMaps.set(parent, (children = new Map()));
    let node = children.get(f.key);
    if (!node) {
      node = { key: f.key, name: f.name, file: f.file, line: f.line, column: f.column, self: 0, total: 0, children: [] };
      children.set(f.key, node);
      parent.children.push(node);
    }
    return node;
  };
  const capUs = sampleCapUs(report);
  for (const tp of selected(report, options)) {
    const index = indexProfile(tp.profile);
    const { self, unsampled } = cappedSelfWeights(index, capUs, options?.from, options?.to);
    const merged: (FlameNode | undefined)[] = new Array(index.nodes.length);
    for (const i of index.order) {
      const p = index.parent[i];
      if (p < 0 && index.nodes[i].callFrame.functionName === ROOT_FRAME) {
        merged[i] = root;
        root.self += self[i];
        continue;
      }
      const parent = p < 0 ? root : merged[p];
      if (!parent || isHidden(index, i)) continue;
      const node = child(parent, index.functions[index.fn[i]]);
      node.self += self[i];
      merged[i] = node;
    }
    for (const [under, us] of unsampled) child((under >= 0 ? merged[under] : undefined) ?? root, NOT_SAMPLED_FRAME).self += us;
  }
  finish(root);
  return root;
}

/** Computes totals, drops empty frames and sorts children left-heavy, without recursion. */
function finish(root: FlameNode): void {
  const post: FlameNode[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    post.push(n);
    for (const c of n.children) stack.push(c);
  }
  for (let i = post.length - 1; i >= 0; i--) {
    const n = post[i];
    let total = n.self;
    for (const c of n.children) total += c.total;
    n.total = total;
    if (n.children.length) {
      n.children = n.children.filter((c) => c.total > 0);
      n.children.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
  }
}

/** Self and total time per function (merged by name + file + line), sorted by self, descending. */
export function topFunctions(report: Report, options?: SampleFilter): FunctionStat[] {
  const stats = new Map<string, FunctionStat>();
  const capUs = sampleCapUs(report);
  const notSampled: FunctionStat = { ...NOT_SAMPLED_FRAME, self: 0, total: 0, perThread: [] };
  for (const tp of selected(report, options)) {
    const index = indexProfile(tp.profile);
    const capped = cappedSelfWeights(index, capUs, options?.from, options?.to);
    const { self: fnSelf, total: fnTotal } = functionTimes(index, capped.self, capped.unsampled);
    if (capped.unsampledUs > 0) {
      notSampled.self += capped.unsampledUs;
      notSampled.total += capped.unsampledUs;
      notSampled.perThread.push({ thread: tp.thread, self: capped.unsampledUs, total: capped.unsampledUs });
    }
    for (let f = 0; f < index.functions.length; f++) {
      if (fnTotal[f] <= 0) continue;
      const id = index.functions[f];
      let s = stats.get(id.key);
      if (!s) stats.set(id.key, (s = { key: id.key, name: id.name, file: id.file, line: id.line, self: 0, total: 0, perThread: [] }));
      s.self += fnSelf[f];
      s.total += fnTotal[f];
      // A thread has one profile (validation), so its entry, if any, is the last one: no scan.
      const entry = s.perThread.length ? s.perThread[s.perThread.length - 1] : undefined;
      if (entry && entry.thread === tp.thread) {
        entry.self += fnSelf[f];
        entry.total += fnTotal[f];
      } else s.perThread.push({ thread: tp.thread, self: fnSelf[f], total: fnTotal[f] });
    }
  }
  if (notSampled.self > 0) stats.set(notSampled.key, notSampled);
  return [...stats.values()].sort((a, b) => b.self - a.self || b.total - a.total || (a.key < b.key ? -1 : 1));
}

/**
 * Self and total µs per function identity of one profile. A node adds its subtree time to its
 * function's total only when the function is not already on the path above it (recursion-safe).
 * `unsampled` (node → '(not sampled)' µs under it, cappedSelfWeights) counts in its ancestors' totals.
 */
export function functionTimes(index: ProfileIndex, self: Float64Array, unsampled?: ReadonlyMap<number, number>): { self: Float64Array; total: Float64Array } {
  const n = index.nodes.length;
  const nodeTotal = new Float64Array(n);
  const hidden = new Uint8Array(n);
  for (const i of index.order) {
    const p = index.parent[i];
    if (isHidden(index, i) || (p >= 0 && hidden[p])) hidden[i] = 1;
  }
  for (let k = index.order.length - 1; k >= 0; k--) {
    const i = index.order[k];
    if (hidden[i]) continue;
    nodeTotal[i] += self[i] + (unsampled?.get(i) ?? 0);
    const p = index.parent[i];
    if (p >= 0) nodeTotal[p] += nodeTotal[i];
  }
  const fnSelf = new Float64Array(index.functions.length);
  const fnTotal = new Float64Array(index.functions.length);
  const onPath = new Int32Array(index.functions.length);
  const path: number[] = [];
  for (const i of index.order) {
    while (path.length && path[path.length - 1] !== index.parent[i]) onPath[index.fn[path.pop()!]]--;
    if (hidden[i] || (index.parent[i] < 0 && index.nodes[i].callFrame.functionName === ROOT_FRAME)) {
      // Roots and hidden frames are not functions, but stay on the path so that the walk stays aligned.
      path.push(i);
      onPath[index.fn[i]]++;
      continue;
    }
    const f = index.fn[i];
    fnSelf[f] += self[i];
    if (onPath[f] === 0) fnTotal[f] += nodeTotal[i];
    path.push(i);
    onPath[f]++;
  }
  return { self: fnSelf, total: fnTotal };
}

/** Absolute timestamp of each sample of a profile, µs from origin. */
export function sampleTimes(profile: CpuProfile): Float64Array {
  return indexProfile(profile).times.slice();
}

/**
 * The flame chart of one profile between from and to (µs from origin): consecutive samples with
 * the same call path prefix merge into one bar per depth. Bars are clipped to [from, to); bars
 * deeper than maxDepth or narrower than minWidthUs (default 0) are left out. Ordered by start, then depth.
 */
export function flameChart(profile: CpuProfile, from: number, to: number, options?: { maxDepth?: number; minWidthUs?: number }): ChartFrame[] {
  const index = indexProfile(profile);
  const maxDepth = options?.maxDepth ?? Infinity;
  const minWidth = options?.minWidthUs ?? 0;
  // Bars are recorded when they open, which is already start-then-depth order: no sort needed.
  // Typed columns keep the millions of short bars of a busy profile cheap until they are filtered.
  let capacity = 1024;
  let barNode = new Int32Array(capacity), barDepth = new Int32Array(capacity);
  let barStart = new Float64Array(capacity), barEnd = new Float64Array(capacity);
  let bars = 0;
  const openBars: number[] = [];
  const openNodes: number[] = [];
  const open = (node: number, t: number) => {
    if (bars === capacity) {
      capacity *= 2;
      const grow = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
        const b = make(capacity);
        b.set(a);
        return b;
      };
      barNode = grow(barNode, (k) => new Int32Array(k));
      barDepth = grow(barDepth, (k) => new Int32Array(k));
      barStart = grow(barStart, (k) => new Float64Array(k));
      barEnd = grow(barEnd, (k) => new Float64Array(k));
    }
    barNode[bars] = node;
    barDepth[bars] = openBars.length;
    barStart[bars] = t;
    openBars.push(bars++);
    openNodes.push(node);
  };
  const close = (keep: number, t: number) => {
    while (openBars.length > keep) {
      barEnd[openBars.pop()!] = t;
      openNodes.pop();
    }
  };
  const path: number[] = [];
  let previous = -2;
  let lastEnd = from;
  for (let i = 0; i < index.times.length; i++) {
    const t = index.times[i];
    if (t >= to) break;
    const end = t + index.weights[i];
    if (end <= from) continue;
    lastEnd = end;
    const node = index.sampleNode[i];
    if (node === previous) continue;
    previous = node;
    // Walk up from the new leaf only until the path meets the open stack: in a tree, a shared
    // node at some depth means every frame above it is shared too.
    // indexProfile's parents come from its walk, so each step up lowers chartDepth and a walk up
    // ends within the node count; `steps` bounds it anyway, should that ever stop being true.
    let k = node;
    if (k < 0 || index.hidden[k]) k = -1;
    let steps = index.nodes.length;
    while (k >= 0 && index.chartDepth[k] >= maxDepth && steps-- > 0) k = index.parent[k];
    path.length = 0;
    while (k >= 0 && index.chartDepth[k] >= 0 && steps-- > 0) {
      const d = index.chartDepth[k];
      if (d < openNodes.length && openNodes[d] === k) break;
      path.push(k);
      k = index.parent[k];
    }
    close(k >= 0 && index.chartDepth[k] >= 0 ? index.chartDepth[k] + 1 : 0, t);
    for (let d = path.length - 1; d >= 0; d--) open(path[d], t);
  }
  close(0, lastEnd);
  const out: ChartFrame[] = [];
  for (let b = 0; b < bars; b++) {
    const s = barStart[b] > from ? barStart[b] : from;
    const e = barEnd[b] < to ? barEnd[b] : to;
    if (e <= s || e - s < minWidth) continue;
    const f = index.functions[index.fn[barNode[b]]];
    out.push({ name: f.name, file: f.file, line: f.line, depth: barDepth[b], start: s, end: e });
  }
  return out;
}

/**
 * The flame chart of one thread's (transformed) samples between from and to, as flameChart does
 * for a raw profile: consecutive samples sharing a stack prefix merge into one bar per depth.
 */
export function flameChartOfSamples(stacks: StackTable, samples: ThreadSamples, from: number, to: number, options?: { maxDepth?: number; minWidthUs?: number }): ChartFrame[] {
  const maxDepth = options?.maxDepth ?? Infinity;
  const minWidth = options?.minWidthUs ?? 0;
  const out: ChartFrame[] = [];
  const openStack: number[] = [];
  const openStart: number[] = [];
  const close = (keep: number, t: number) => {
    while (openStack.length > keep) {
      const s = openStack.pop()!;
      const start = Math.max(from, openStart.pop()!);
      const end = Math.min(to, t);
      if (end > start && end - start >= minWidth) {
        const f = stacks.functions[stacks.func[s]];
        out.push({ name: f.name, file: f.file, line: f.line, key: f.key, depth: openStack.length, start, end });
      }
    }
  };
  const path: number[] = [];
  let lastEnd = from;
  const step = (t: number, weight: number, stack: number): void => {
    const end = t + weight;
    if (end <= from) return;
    lastEnd = end;
    let k = stack;
    while (k >= 0 && stacks.depth[k] >= maxDepth) k = stacks.prefix[k];
    path.length = 0;
    // Walk up only until the path meets the open bars: a shared stack means its prefixes are shared too.
    while (k >= 0 && !(stacks.depth[k] < openStack.length && openStack[stacks.depth[k]] === k)) {
      path.push(k);
      k = stacks.prefix[k];
    }
    close(k >= 0 ? stacks.depth[k] + 1 : 0, t);
    for (let d = path.length - 1; d >= 0; d--) { openStack.push(path[d]); openStart.push(t); }
  };
  // A late sample's excess is a '(not sampled)' bar after its capped weight (unsampled.ts), unless
  // the sample is left out (restrictToSelection, a dropped function).
  const late = samples.late;
  let q = 0;
  for (let i = 0; i < samples.times.length; i++) {
    const t = samples.times[i];
    if (t >= to) break;
    step(t, samples.weights[i], samples.stack[i]);
    while (late && q < late.sample.length && late.sample[q] < i) q++;
    if (late && q < late.sample.length && late.sample[q] === i && samples.stack[i] !== DROPPED && t + samples.weights[i] < to) {
      step(t + samples.weights[i], late.weight[q], late.stack[q]);
    }
  }
  close(0, lastEnd);
  // Bars close innermost first; the views expect start-then-depth order.
  return out.sort((a, b) => a.start - b.start || a.depth - b.depth);
}
