// The checks of a report's values that its shape cannot express: ranges, order of times, limits
// on counts, and that every CPU profile is a tree. load.ts checks types first and then asks these
// functions, which return the first problem (a JSON path and what is wrong) instead of throwing,
// so they need nothing from load.ts. Each check keeps a later step safe: a cycle in a profile
// made the flame chart walk parent links forever; ±1e308 times made metrics NaN.
import type { CpuProfileNode, Report } from './report';
import { MAX_CORES, MAX_JSON_DEPTH, MAX_REGIONS, MAX_THREADS, MAX_THREAD_REGION_CELLS } from './limits';

export interface Problem {
  path: string;
  problem: string;
}

function outside(x: number, min: number, max: number): boolean {
  return !(x >= min && x <= max);
}

function rangeProblem(x: number, min: number, max: number, path: string): Problem | undefined {
  if (!outside(x, min, max)) return undefined;
  return { path, problem: max === Infinity ? `expected at least ${min}, found ${x}` : `expected ${min} to ${max}, found ${x}` };
}

/** Too many threads or regions for the analysis (limits.ts says why). */
export function countProblem(threads: number, regions: number): Problem | undefined {
  if (threads > MAX_THREADS) return { path: 'threads', problem: `${threads} threads, the limit is ${MAX_THREADS}` };
  if (regions > MAX_REGIONS) return { path: 'regions', problem: `${regions} regions, the limit is ${MAX_REGIONS}` };
  if ((threads + 1) * (regions + 1) > MAX_THREAD_REGION_CELLS) {
    return { path: 'regions', problem: `${threads} threads × ${regions} regions is more than the limit of ${MAX_THREAD_REGION_CELLS} (threads + 1) × (regions + 1)` };
  }
  return undefined;
}

/** The first value of an already type-checked report that is out of range or out of order. */
export function reportValueProblem(r: Report): Problem | undefined {
  const m = r.meta;
  const first = rangeProblem(m.cores, 1, MAX_CORES, 'meta.cores')
    ?? rangeProblem(m.durationUs, 0, Infinity, 'meta.durationUs')
    ?? rangeProblem(m.sampleIntervalUs, 0, Infinity, 'meta.sampleIntervalUs')
    ?? rangeProblem(m.pool.threads, 0, MAX_THREADS, 'meta.pool.threads');
  if (first) return first;
  const tooMany = countProblem(r.threads.length, r.regions.length);
  if (tooMany) return tooMany;
  for (let i = 0; i < r.threads.length; i++) {
    const t = r.threads[i];
    if (t.end !== undefined && t.end < t.start) return { path: `threads[${i}].end`, problem: `${t.end} is before start ${t.start}` };
  }
  for (let i = 0; i < r.regions.length; i++) {
    const g = r.regions[i], p = `regions[${i}]`;
    const bad = rangeProblem(g.threads, 0, MAX_THREADS, `${p}.threads`) ?? rangeProblem(g.items, 0, Infinity, `${p}.items`)
      ?? rangeProblem(g.chunkSize, 0, Infinity, `${p}.chunkSize`);
    if (bad) return bad;
  }
  const profiled = new Set<number>();
  for (let i = 0; i < r.profiles.length; i++) {
    const thread = r.profiles[i].thread;
    if (profiled.has(thread)) return { path: `profiles[${i}].thread`, problem: `thread ${thread} has a second profile` };
    profiled.add(thread);
  }
  for (let i = 0; i < r.elu.length; i++) {
    const u = r.elu[i].u;
    for (let k = 0; k < u.length; k++) if (outside(u[k], 0, 1)) return { path: `elu[${i}].u[${k}]`, problem: `expected a utilization from 0 to 1, found ${u[k]}` };
  }
  const d = r.dropped;
  return rangeProblem(d.spans, 0, Infinity, 'dropped.spans') ?? rangeProblem(d.samples, 0, Infinity, 'dropped.samples')
    ?? rangeProblem(d.profiles, 0, Infinity, 'dropped.profiles');
}

/**
 * The first reason why a CPU profile's nodes are not one tree: a child id that is no node, a node
 * with two parents (or listed twice as a child), no root or several, or nodes unreachable from the
 * root (a cycle). `byId` maps node id to index (ids already unique). Iterative: no recursion.
 */
export function profileTreeProblem(nodes: CpuProfileNode[], byId: Map<number, number>, path: string): Problem | undefined {
  const n = nodes.length;
  if (n === 0) return undefined;
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const children = nodes[i].children;
    if (!children) continue;
    for (let k = 0; k < children.length; k++) {
      const c = byId.get(children[k]);
      const where = `${path}.nodes[${i}].children[${k}]`;
      if (c === undefined) return { path: where, problem: `node ${children[k]} is not in nodes` };
      if (c === i) return { path: where, problem: `node ${children[k]} is its own child` };
      if (parent[c] >= 0) return { path: where, problem: `node ${children[k]} already has a parent (node ${nodes[parent[c]].id})` };
      parent[c] = i;
    }
  }
  let root = -1;
  for (let i = 0; i < n; i++) {
    if (parent[i] >= 0) continue;
    if (root >= 0) return { path: `${path}.nodes[${i}]`, problem: `a second root (node ${nodes[i].id}; node ${nodes[root].id} is the first): a profile is one tree` };
    root = i;
  }
  if (root < 0) return { path: `${path}.nodes`, problem: 'no root: every node is a child, so children form a cycle' };
  // One root and one parent per other node: the nodes are a tree exactly when all are reachable.
  const seen = new Uint8Array(n);
  const stack = [root];
  let reached = 0;
  while (stack.length) {
    const i = stack.pop()!;
    seen[i] = 1;
    reached++;
    const children = nodes[i].children;
    if (children) for (let k = 0; k < children.length; k++) stack.push(byId.get(children[k])!);
  }
  if (reached < n) {
    let i = 0;
    while (seen[i]) i++;
    return { path: `${path}.nodes[${i}]`, problem: `node ${nodes[i].id} is not reachable from the root: children form a cycle` };
  }
  return undefined;
}

/**
 * Where JSON text nests arrays and objects deeper than `max`, as a problem, else undefined. It runs
 * before JSON.parse, so nothing downstream ever sees a value deep enough to overflow a recursive
 * walk. Native searches (a one-class regex for brackets and quotes, indexOf for the end of each
 * string) keep it ~4x faster than a loop over every character: a 67 MB report scans in ~60 ms.
 */
export function jsonNestingProblem(text: string, max = MAX_JSON_DEPTH): string | undefined {
  const special = /["[\]{}]/g;
  let depth = 0;
  for (let m = special.exec(text); m; m = special.exec(text)) {
    const c = m[0];
    if (c === '"') {
      // The closing quote is the next one preceded by an even number of backslashes.
      let end = text.indexOf('"', special.lastIndex);
      for (;;) {
        if (end < 0) return undefined; // an unterminated string: JSON.parse says so
        let backslashes = 0;
        for (let b = end - 1; text.charCodeAt(b) === 0x5c; b--) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      special.lastIndex = end + 1;
    } else if (c === '[' || c === '{') {
      if (++depth > max) return `JSON nests deeper than ${max} levels (at character ${m.index})`;
    } else depth--;
  }
  return undefined;
}
