// Flamegraph and flame chart layout, apart from drawing: a call tree (or time-ordered frames)
// in, rectangles out. Rows run top-down (root on top, as speedscope's left-heavy view); children
// are ordered heaviest first.

/** The shape of a call-tree node this layout needs (src/model/flame.ts FlameNode fits it). Times in µs. */
export interface FlameNodeShape {
  key: string;
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
  children: FlameNodeShape[];
}

export interface FlameRect<N extends FlameNodeShape = FlameNodeShape> {
  node: N;
  /** Path of the node from the root: the root's child indices (in heaviest-first order). */
  path: number[];
  x: number;
  width: number;
  depth: number;
  /** True for the frames above the zoomed-in one (drawn full width, dimmed). */
  ancestor: boolean;
}

/** Children heaviest first; ties keep the tree's order so the layout is stable. */
export function heaviestFirst<N extends FlameNodeShape>(node: N): N[] {
  return (node.children as N[]).map((c, i) => ({ c, i })).sort((a, b) => b.c.total - a.c.total || a.i - b.i).map((e) => e.c);
}

/** The node at `path` (heaviest-first child indices), with every node on the way; undefined when the path is stale. */
export function nodeAtPath<N extends FlameNodeShape>(root: N, path: number[]): N[] | undefined {
  const chain = [root];
  let node = root;
  for (const i of path) {
    const next = heaviestFirst(node)[i];
    if (!next) return undefined;
    chain.push(next);
    node = next;
  }
  return chain;
}

/**
 * Rectangles of the tree zoomed into the node at `focus` over `width` px: the focus and its
 * ancestors span the whole width, the focus's descendants share it by total time. Frames
 * narrower than `minPx` are left out with their subtrees; at most `maxDepth` rows.
 */
export function flameRects<N extends FlameNodeShape>(root: N, focus: number[], width: number, minPx = 0.5, maxDepth = 256): FlameRect<N>[] {
  const chain = nodeAtPath(root, focus) ?? [root];
  const path = focus.slice(0, chain.length - 1);
  const out: FlameRect<N>[] = [];
  for (let d = 0; d < chain.length - 1; d++) {
    out.push({ node: chain[d], path: path.slice(0, d), x: 0, width, depth: d, ancestor: true });
  }
  const top = chain[chain.length - 1];
  if (top.total <= 0) return out;
  const scale = width / top.total;
  const walk = (node: N, nodePath: number[], x: number, depth: number): void => {
    const w = node.total * scale;
    if (w < minPx || depth >= maxDepth) return;
    out.push({ node, path: nodePath, x, width: w, depth, ancestor: false });
    let cx = x;
    heaviestFirst(node).forEach((child, i) => {
      walk(child, [...nodePath, i], cx, depth + 1);
      cx += child.total * scale;
    });
  };
  walk(top, path, 0, chain.length - 1);
  return out;
}

/** True when the frame's name or file contains `query` (case-insensitive); an empty query matches nothing. */
export function frameMatches(node: { name: string; file: string }, query: string): boolean {
  if (!query) return false;
  const q = query.toLowerCase();
  return node.name.toLowerCase().includes(q) || node.file.toLowerCase().includes(q);
}

/** Matching frames in the whole tree and the time they account for (µs, nested matches counted once). */
export function searchTree(root: FlameNodeShape, query: string): { frames: number; totalUs: number } {
  let frames = 0;
  let totalUs = 0;
  const walk = (node: FlameNodeShape, insideMatch: boolean): void => {
    const hit = frameMatches(node, query);
    if (hit) frames++;
    if (hit && !insideMatch) totalUs += node.total;
    for (const c of node.children) walk(c, insideMatch || hit);
  };
  if (query) walk(root, false);
  return { frames, totalUs };
}

/** A frame of a flame chart (src/model/flame.ts ChartFrame fits it). Times in µs from origin. */
export interface ChartFrameShape { name: string; file: string; line: number; depth: number; start: number; end: number }

/** Flame chart rectangles over [from, to] -> [0, width]; frames narrower than `minPx` are dropped. */
export function chartRects<F extends ChartFrameShape>(frames: F[], from: number, to: number, width: number, minPx = 0.5): { frame: F; x: number; width: number; depth: number }[] {
  const scale = width / Math.max(1e-9, to - from);
  const out: { frame: F; x: number; width: number; depth: number }[] = [];
  for (const f of frames) {
    if (f.end < from || f.start > to) continue;
    const x0 = Math.max(0, (f.start - from) * scale);
    const x1 = Math.min(width, (f.end - from) * scale);
    if (x1 - x0 < minPx) continue;
    out.push({ frame: f, x: x0, width: x1 - x0, depth: f.depth });
  }
  return out;
}
