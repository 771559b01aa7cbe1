// Call trees over (transformed) samples: top-down, inverted (bottom-up) and the sandwich of one
// function (its callers above, its callees below), per thread or merged. Pure; every build is
// linear in stacks × depth plus samples.
import type { FunctionIdentity } from './profile-index';
import type { FlameNode, FunctionStat } from './flame';
import { DROPPED, ROOT_STACK, applyTransform, type CallSamples, type StackTable, type ThreadSamples } from './transforms';

/** Which samples count: threads (undefined = every thread, merged) and a time range, µs from origin. */
export interface SampleSelection {
  threads?: number[];
  from?: number;
  to?: number;
  /** Only these sample indices (per thread, ascending: selection.ts SampleSets); threads it lacks count nothing. */
  samples?: ReadonlyMap<number, Int32Array>;
}

export interface CallTree {
  functions: FunctionIdentity[];
  /** Function of each node: index into `functions`. */
  func: Int32Array;
  /** Parent node; -1 for roots. */
  parent: Int32Array;
  /** 0 for roots. */
  depth: Int32Array;
  /** µs with this node's frame innermost. In an inverted tree only roots have self time (their function's self time). */
  self: Float64Array;
  /** µs of the samples under the node (self included). */
  total: Float64Array;
  /** Children by node, heaviest first, only nodes with time; undefined for leaves. */
  children: (number[] | undefined)[];
  /** Outermost nodes (innermost frames when inverted), heaviest first. */
  roots: number[];
  /** µs of every selected sample, those on the root itself included. */
  totalUs: number;
}

function wanted(samples: CallSamples, sel?: SampleSelection) {
  const set = sel?.threads ? new Set(sel.threads) : undefined;
  return samples.threads.filter((t) => !set || set.has(t.thread));
}

/** The part of [start, start + weight) inside [from, to), µs (the whole weight without a range). */
function clipped(start: number, weight: number, from: number, to: number): number {
  if (from === -Infinity && to === Infinity) return weight;
  return Math.min(start + weight, to) - Math.max(start, from);
}

/** Self µs of every stack over the selection, and the µs of samples on the root itself. */
export function stackSelf(samples: CallSamples, sel?: SampleSelection): { self: Float64Array; rootSelf: number } {
  const self = new Float64Array(samples.stacks.func.length);
  let rootSelf = 0;
  const from = sel?.from ?? -Infinity;
  const to = sel?.to ?? Infinity;
  for (const t of wanted(samples, sel)) {
    const only = sel?.samples ? sel.samples.get(t.thread) ?? new Int32Array(0) : undefined;
    rootSelf = addSelf(t.stack, t.times, t.weights, only, from, to, self, rootSelf);
    // A late sample's excess ('(not sampled)', unsampled.ts) counts where its sample does, and not
    // when its sample is left out (a selection, a dropped function).
    if (t.late) rootSelf = addLateSelf(t, t.late, only, from, to, self, rootSelf);
  }
  return { self, rootSelf };
}

// The per-sample passes are functions of their own that add into arrays given to them and return
// a number: run once per thread, V8 optimizes each loop while it runs, and the code it made for one
// loop gave up (and was thrown away) on reaching the next one, not run yet (profile-index.ts sampleColumns).

/** Adds each sample's µs inside [from, to) to its stack's self (`only`: these samples alone); returns `rootSelf` plus the µs on the root itself. */
function addSelf(stack: Int32Array, times: Float64Array, weights: Float64Array, only: Int32Array | undefined, from: number, to: number, self: Float64Array, rootSelf: number): number {
  const n = only ? only.length : stack.length;
  for (let j = 0; j < n; j++) {
    const k = only ? only[j] : j;
    // A sample stands for [time, time + weight): only its part inside the range counts (a range
    // holds at most its own length of each thread's time).
    const w = clipped(times[k], weights[k], from, to);
    if (w <= 0) continue;
    const s = stack[k];
    if (s >= 0) self[s] += w;
    else if (s === ROOT_STACK) rootSelf += w;
  }
  return rootSelf;
}

/** addSelf for the late samples' excess: both lists are ascending, so one forward walk pairs them. */
function addLateSelf(t: ThreadSamples, late: NonNullable<ThreadSamples['late']>, only: Int32Array | undefined, from: number, to: number, self: Float64Array, rootSelf: number): number {
  let j = 0;
  for (let q = 0; q < late.sample.length; q++) {
    const k = late.sample[q];
    if (only) {
      while (j < only.length && only[j] < k) j++;
      if (j === only.length || only[j] !== k) continue;
    }
    if (t.stack[k] === DROPPED) continue;
    // The excess follows its sample's own part: [time + weight, time + weight + excess).
    const w = clipped(t.times[k] + t.weights[k], late.weight[q], from, to);
    if (w <= 0) continue;
    const s = late.stack[q];
    if (s >= 0) self[s] += w;
    else if (s === ROOT_STACK) rootSelf += w;
  }
  return rootSelf;
}

function sortChildren(tree: CallTree): void {
  const byTotal = (a: number, b: number) => tree.total[b] - tree.total[a] || a - b;
  tree.roots.sort(byTotal);
  for (const c of tree.children) c?.sort(byTotal);
}

/** The top-down call tree: node i is stack i of the table (nodes without time are left out of children/roots). */
export function topDownTree(samples: CallSamples, sel?: SampleSelection): CallTree {
  const { func, prefix, depth, functions } = samples.stacks;
  const { self, rootSelf } = stackSelf(samples, sel);
  const n = func.length;
  const total = self.slice();
  for (let s = n - 1; s >= 0; s--) if (prefix[s] >= 0) total[prefix[s]] += total[s];
  const children: (number[] | undefined)[] = new Array(n);
  const roots: number[] = [];
  let totalUs = rootSelf;
  for (let s = 0; s < n; s++) {
    if (total[s] <= 0) continue;
    const p = prefix[s];
    if (p < 0) { roots.push(s); totalUs += total[s]; } else (children[p] ??= []).push(s);
  }
  const tree: CallTree = { functions, func, parent: prefix, depth, self, total, children, roots, totalUs };
  sortChildren(tree);
  return tree;
}

/** Builds a tree of paths walked from given stacks towards the outermost frame, each adding its weight. */
class InvertedBuilder {
  func: number[] = [];
  parent: number[] = [];
  depth: number[] = [];
  total: number[] = [];
  private readonly kids = new Map<number, Map<number, number>>();

  add(stacks: StackTable, from: number, weight: number): void {
    let at = -1;
    for (let s = from; s >= 0; s = stacks.prefix[s]) {
      const f = stacks.func[s];
      let m = this.kids.get(at);
      if (!m) this.kids.set(at, (m = new Map()));
      let node = m.get(f);
      if (node === undefined) {
        node = this.func.length;
        m.set(f, node);
        this.func.push(f);
        this.parent.push(at);
        this.depth.push(at < 0 ? 0 : this.depth[at] + 1);
        this.total.push(0);
      }
      this.total[node] += weight;
      at = node;
    }
  }

  tree(functions: FunctionIdentity[], totalUs: number): CallTree {
    const n = this.func.length;
    const total = Float64Array.from(this.total);
    const self = new Float64Array(n);
    const children: (number[] | undefined)[] = new Array(n);
    const roots: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = this.parent[i];
      if (p < 0) { roots.push(i); self[i] = total[i]; } else (children[p] ??= []).push(i);
    }
    const tree: CallTree = { functions, func: Int32Array.from(this.func), parent: Int32Array.from(this.parent), depth: Int32Array.from(this.depth), self, total, children, roots, totalUs };
    sortChildren(tree);
    return tree;
  }
}

/** The inverted (bottom-up) tree: roots are the functions with self time, children their callers. */
export function invertedTree(samples: CallSamples, sel?: SampleSelection): CallTree {
  const { self, rootSelf } = stackSelf(samples, sel);
  const b = new InvertedBuilder();
  let totalUs = rootSelf;
  for (let s = 0; s < self.length; s++) {
    if (self[s] <= 0) continue;
    b.add(samples.stacks, s, self[s]);
    totalUs += self[s];
  }
  return b.tree(samples.stacks.functions, totalUs);
}

export interface Sandwich {
  /** The function's callers: the root is the function (its total), children its callers, inverted. */
  callers: CallTree;
  /** The function's callees: the root is the function with every call merged (focus-function). */
  callees: CallTree;
  /** µs with the function innermost. */
  self: number;
  /** µs with the function anywhere on the stack (recursion counted once). */
  total: number;
}

/** Callers and callees of the function with this key (its outermost call on each stack). */
export function sandwich(samples: CallSamples, key: string, sel?: SampleSelection): Sandwich {
  const { func, prefix, functions } = samples.stacks;
  const f = functions.findIndex((x) => x.key === key);
  const { self } = stackSelf(samples, sel);
  const n = func.length;
  // outer[s]: the outermost stack on s's path whose frame is f, -1 if none.
  const outer = new Int32Array(n).fill(-1);
  const weight = new Float64Array(n);
  let fnSelf = 0;
  for (let s = 0; s < n; s++) {
    const p = prefix[s];
    outer[s] = p >= 0 && outer[p] >= 0 ? outer[p] : func[s] === f ? s : -1;
    if (outer[s] >= 0) weight[outer[s]] += self[s];
    if (func[s] === f) fnSelf += self[s];
  }
  const b = new InvertedBuilder();
  let total = 0;
  for (let s = 0; s < n; s++) if (weight[s] > 0) { b.add(samples.stacks, s, weight[s]); total += weight[s]; }
  const callees = topDownTree(applyTransform(samples, { type: 'focus-function', key }), sel);
  return { callers: b.tree(functions, total), callees, self: fnSelf, total };
}

/** The path of function keys from the outermost frame to this top-down node. */
export function keyPath(tree: CallTree, node: number): string[] {
  const out: string[] = [];
  for (let i = node; i >= 0; i = tree.parent[i]) out.push(tree.functions[tree.func[i]].key);
  return out.reverse();
}

/** Self and total µs per function over the selection, per thread too, sorted by self (as flame.ts topFunctions). */
export function functionStats(samples: CallSamples, sel?: SampleSelection): FunctionStat[] {
  const { func, prefix, functions } = samples.stacks;
  const n = func.length;
  // recursive[s]: the stack's function is also on the path above it, so its total is already counted there.
  const recursive = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    for (let p = prefix[s]; p >= 0; p = prefix[p]) if (func[p] === func[s]) { recursive[s] = 1; break; }
  }
  const stats = new Map<number, FunctionStat>();
  for (const t of wanted(samples, sel)) {
    const { self } = stackSelf({ stacks: samples.stacks, threads: [t] }, { from: sel?.from, to: sel?.to, samples: sel?.samples });
    const total = self.slice();
    for (let s = n - 1; s >= 0; s--) if (prefix[s] >= 0) total[prefix[s]] += total[s];
    const fnSelf = new Map<number, number>();
    const fnTotal = new Map<number, number>();
    for (let s = 0; s < n; s++) {
      if (total[s] <= 0) continue;
      fnSelf.set(func[s], (fnSelf.get(func[s]) ?? 0) + self[s]);
      if (!recursive[s]) fnTotal.set(func[s], (fnTotal.get(func[s]) ?? 0) + total[s]);
    }
    for (const [f, tot] of fnTotal) {
      const id = functions[f];
      let st = stats.get(f);
      if (!st) stats.set(f, (st = { key: id.key, name: id.name, file: id.file, line: id.line, self: 0, total: 0, perThread: [] }));
      const sf = fnSelf.get(f) ?? 0;
      st.self += sf;
      st.total += tot;
      st.perThread.push({ thread: t.thread, self: sf, total: tot });
    }
  }
  return [...stats.values()].sort((a, b) => b.self - a.self || b.total - a.total || (a.key < b.key ? -1 : 1));
}

/** The top-down tree as flame nodes under a root named 'all' (the shape the flamegraph lays out). */
export function toFlameTree(tree: CallTree): FlameNode {
  const root: FlameNode = { key: 'all', name: 'all', file: '', line: 0, column: 0, self: tree.totalUs, total: tree.totalUs, children: [] };
  const stack: [number, FlameNode][] = [];
  const make = (i: number): FlameNode => {
    const f = tree.functions[tree.func[i]];
    return { key: f.key, name: f.name, file: f.file, line: f.line, column: f.column, self: tree.self[i], total: tree.total[i], children: [] };
  };
  for (const r of tree.roots) {
    const node = make(r);
    root.children.push(node);
    root.self -= node.total;
    stack.push([r, node]);
  }
  while (stack.length) {
    const [i, node] = stack.pop()!;
    for (const c of tree.children[i] ?? []) {
      const child = make(c);
      node.children.push(child);
      stack.push([c, child]);
    }
  }
  root.self = Math.max(0, root.self);
  return root;
}
