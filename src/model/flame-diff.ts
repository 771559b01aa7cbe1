// Differential flamegraph of two selections (slow tasks against fast ones, thread A against
// thread B): their flame trees merged by call path, each side normalised to its own total so a
// selection of 10 tasks compares with one of 100. A frame's `delta` is its self share in B minus
// its self share in A: > 0 where B spends a larger part of its time there.
//
// parprof compare (compare.ts functionDeltas) diffs mean self ms per function between two runs;
// here the two sides come from one run and differ in size, so shares, not ms, are compared.
import type { FlameNode } from './flame';
import { toFlameTree, topDownTree } from './calltree';
import type { Report } from './report';
import { applyTransforms, baseSamples } from './transforms';

export interface DiffNode {
  key: string;
  name: string;
  file: string;
  line: number;
  column: number;
  /** Self and total share of side A's total (0..1); 0 where the frame is only in B. */
  selfA: number;
  totalA: number;
  /** Self and total share of side B's total (0..1). */
  selfB: number;
  totalB: number;
  /** selfB − selfA. */
  delta: number;
  /** Width used by the layout: the mean of the two sides' total shares (children fit inside). */
  self: number;
  total: number;
  children: DiffNode[];
}

/** Merges two flame trees into one diff tree (roots merge whatever their names). Iterative. */
export function diffTrees(a: FlameNode, b: FlameNode): DiffNode {
  const na = a.total > 0 ? 1 / a.total : 0;
  const nb = b.total > 0 ? 1 / b.total : 0;
  const make = (x: FlameNode | undefined, y: FlameNode | undefined): DiffNode => {
    const f = (x ?? y)!;
    const selfA = x ? x.self * na : 0, totalA = x ? x.total * na : 0;
    const selfB = y ? y.self * nb : 0, totalB = y ? y.total * nb : 0;
    return { key: f.key, name: f.name, file: f.file, line: f.line, column: f.column, selfA, totalA, selfB, totalB,
      delta: selfB - selfA, self: (selfA + selfB) / 2, total: (totalA + totalB) / 2, children: [] };
  };
  const root = make(a, b);
  const stack: [DiffNode, FlameNode | undefined, FlameNode | undefined][] = [[root, a, b]];
  while (stack.length) {
    const [out, x, y] = stack.pop()!;
    const ys = new Map((y?.children ?? []).map((c) => [c.key, c]));
    for (const cx of x?.children ?? []) {
      const cy = ys.get(cx.key);
      ys.delete(cx.key);
      const node = make(cx, cy);
      out.children.push(node);
      stack.push([node, cx, cy]);
    }
    for (const cy of ys.values()) {
      const node = make(undefined, cy);
      out.children.push(node);
      stack.push([node, undefined, cy]);
    }
    out.children.sort((p, q) => q.total - p.total || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
  }
  return root;
}

/** Largest |delta| in the tree (for a colour scale); 0 when the sides match everywhere. */
export function maxDelta(root: DiffNode): number {
  let max = 0;
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    max = Math.max(max, Math.abs(n.delta));
    for (const c of n.children) stack.push(c);
  }
  return max;
}

/** Functions whose self share differs most between the sides, summed over call paths, largest |Δ| first. */
export function diffFunctions(root: DiffNode, top = 20): { key: string; name: string; file: string; line: number; selfA: number; selfB: number; delta: number }[] {
  const by = new Map<string, { key: string; name: string; file: string; line: number; selfA: number; selfB: number; delta: number }>();
  const stack = [...root.children];
  while (stack.length) {
    const n = stack.pop()!;
    let e = by.get(n.key);
    if (!e) by.set(n.key, (e = { key: n.key, name: n.name, file: n.file, line: n.line, selfA: 0, selfB: 0, delta: 0 }));
    e.selfA += n.selfA;
    e.selfB += n.selfB;
    e.delta += n.delta;
    for (const c of n.children) stack.push(c);
  }
  return [...by.values()].sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || (p.key < q.key ? -1 : 1)).slice(0, top);
}

/** Frames deeper than this, or under this share of both runs, are left out of a two-run diff (the view draws 24 rows). */
const RUNS_DIFF_DEPTH = 24;
const RUNS_DIFF_MIN_SHARE = 0.001;

/**
 * The differential flamegraph of two recorded runs (`parprof compare`, Compare with…): each run's
 * CPU samples of every thread merged into one tree, the profiler's own frames merged away as in
 * the views' default, each side as shares of its own total; pruned to what the view draws.
 */
export function runsFlameDiff(base: Report, next: Report): DiffNode {
  const tree = (r: Report): FlameNode => toFlameTree(topDownTree(applyTransforms(baseSamples(r), [], { showRuntime: false })));
  const root = diffTrees(tree(base), tree(next));
  const stack: [DiffNode, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    node.children = depth + 1 >= RUNS_DIFF_DEPTH ? [] : node.children.filter((c) => Math.max(c.totalA, c.totalB) >= RUNS_DIFF_MIN_SHARE);
    for (const c of node.children) stack.push([c, depth + 1]);
  }
  return root;
}
