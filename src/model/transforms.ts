// Call-tree transforms (after Firefox Profiler's src/profile-logic/transforms.ts): the samples of
// every profiled thread share one stack table, a stack being (prefix stack, function), and each
// transform maps that table to a new one. Samples follow their stack through the map, so one
// transform costs O(stacks + samples), whatever the depth.
//
// By default the pool's and recorder's own frames (this package's dist/runtime or src/runtime) are
// taken out of the way so the user's task function sits right under the root: runtime frames with
// user code below them are merged into their caller, together with the Node frames that only lead
// to them (message dispatch, module loading); runtime frames with no user code below (span flushes,
// spawning workers) collapse into one 'parprof runtime' frame, so their time stays visible, with
// what they call (Node internals) below it under its own names.
import type { Report } from './report';
import { ROOT_FRAME, indexProfile, type FunctionIdentity } from './profile-index';
import { NOT_SAMPLED_FRAME, sampleCapUs, unsampledTime } from './unsampled';

export type Transform =
  /** Keep only the samples under one call path (function keys from the outermost frame down); it becomes the root. */
  | { type: 'focus-subtree'; path: string[] }
  /** Keep only the samples with the function on the stack, cut above its outermost call; all calls merge. */
  | { type: 'focus-function'; key: string }
  /** Remove the function's frames; their time goes to the caller. */
  | { type: 'merge-function'; key: string }
  /** Remove every sample with the function on the stack. */
  | { type: 'drop-function'; key: string }
  /** Consecutive frames of one resource (see resourceOf) become one frame named after it. */
  | { type: 'collapse-resource'; resource: string }
  /** A function calling itself directly becomes one frame. */
  | { type: 'collapse-recursion'; key: string };

/** A sample's stack index meaning "on the root itself" (a '(root)' sample, or the focused frame's caller). */
export const ROOT_STACK = -1;
/** A sample's stack index meaning "left out" (idle, dropped, outside a focus). */
export const DROPPED = -2;

export interface StackTable {
  /** Function of each stack's innermost frame: index into `functions`. */
  func: Int32Array;
  /** The stack one frame shorter; ROOT_STACK for outermost frames. Always lower than the stack's own index. */
  prefix: Int32Array;
  /** 0 for outermost frames. */
  depth: Int32Array;
  functions: FunctionIdentity[];
}

export interface ThreadSamples {
  thread: number;
  /** Stack of each sample: an index into the table, ROOT_STACK or DROPPED. */
  stack: Int32Array;
  /** µs from origin, ascending. */
  times: Float64Array;
  /** µs each sample stands for, at most the cap of unsampled.ts. */
  weights: Float64Array;
  /**
   * Late samples (unsampled.ts): their indices (ascending), each one's '(not sampled)' stack (a
   * child of the frame both it and the next sample have) and µs beyond the cap. Absent when none.
   */
  late?: { sample: Int32Array; stack: Int32Array; weight: Float64Array };
}

export interface CallSamples {
  stacks: StackTable;
  threads: ThreadSamples[];
}

/** A group of files collapsed together: Node's own modules, one npm package, or this package's runtime. */
export interface Resource { id: string; label: string }

export const RUNTIME_RESOURCE: Resource = { id: 'parprof', label: 'parprof runtime' };
const RUNTIME_FILE = /[\\/](?:dist|src)[\\/]runtime[\\/](?:index|worker|preload|esm-hooks|pool[\w-]*|recorder[\w-]*|schedule[\w-]*|terminate-save|instrument-workers|interop-[\w-]+|contract)\.[cm]?[jt]s$/;
const PACKAGE = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)(?=[\\/])/g;

export function isRuntimeFile(file: string): boolean {
  return RUNTIME_FILE.test(file);
}

/** Node's and V8's own frames: node: URLs, native frames (no file) and Node's internal scripts (no path). */
function isEngineFile(file: string): boolean {
  return file === '' || file.startsWith('node:') || !/[\\/]/.test(file);
}

/** The resource a frame's file belongs to, if any. */
export function resourceOf(file: string): Resource | undefined {
  if (isRuntimeFile(file)) return RUNTIME_RESOURCE;
  if (file.startsWith('node:internal/')) return { id: 'node:internal', label: 'node:internal' };
  if (file.startsWith('node:')) return { id: file, label: file };
  let pkg: string | undefined;
  for (const m of file.matchAll(PACKAGE)) pkg = m[1].replace(/\\/g, '/');
  return pkg ? { id: `npm:${pkg}`, label: pkg } : undefined;
}

/** The one frame a collapsed resource becomes; its key reads like a function's (name first) so labels show the name. */
function resourceFunction(r: Resource): FunctionIdentity {
  return { key: `${r.label}\u0001resource:${r.id}\u00010`, name: r.label, file: '', line: 0, column: 0 };
}

/** Appends stacks, reusing an existing (prefix, func) pair so the table stays a tree. */
class StackBuilder {
  func: number[] = [];
  prefix: number[] = [];
  depth: number[] = [];
  private readonly children = new Map<number, Map<number, number>>();
  constructor(readonly functions: FunctionIdentity[]) {}

  intern(prefix: number, func: number): number {
    if (prefix === DROPPED) return DROPPED;
    let kids = this.children.get(prefix);
    if (!kids) this.children.set(prefix, (kids = new Map()));
    let s = kids.get(func);
    if (s === undefined) {
      s = this.func.length;
      kids.set(func, s);
      this.func.push(func);
      this.prefix.push(prefix);
      this.depth.push(prefix < 0 ? 0 : this.depth[prefix] + 1);
    }
    return s;
  }

  /** Index of a function, added when the table does not have it yet. */
  functionIndex(f: FunctionIdentity, byKey: Map<string, number>): number {
    let i = byKey.get(f.key);
    if (i === undefined) {
      i = this.functions.length;
      this.functions.push(f);
      byKey.set(f.key, i);
    }
    return i;
  }

  table(): StackTable {
    return { func: Int32Array.from(this.func), prefix: Int32Array.from(this.prefix), depth: Int32Array.from(this.depth), functions: this.functions };
  }
}

const baseCache = new WeakMap<Report, CallSamples>();

/** Every profiled thread's samples on one stack table, untransformed ('(idle)' and '(program)' dropped). */
export function baseSamples(report: Report): CallSamples {
  const cached = baseCache.get(report);
  if (cached) return cached;
  const builder = new StackBuilder([]);
  const byKey = new Map<string, number>();
  const threads: ThreadSamples[] = [];
  const capUs = sampleCapUs(report);
  let notSampled = -1;
  for (const { thread, profile } of report.profiles) {
    const index = indexProfile(profile);
    const fnMap = index.functions.map((f) => builder.functionIndex(f, byKey));
    // Nodes the walk never reached (cycles in a malformed profile) stay DROPPED, as in flame.ts.
    const nodeStack = new Int32Array(index.nodes.length).fill(DROPPED);
    for (const i of index.order) {
      const p = index.parent[i];
      if (p < 0 && index.nodes[i].callFrame.functionName === ROOT_FRAME) nodeStack[i] = ROOT_STACK;
      else if (index.hidden[i]) nodeStack[i] = DROPPED;
      else nodeStack[i] = builder.intern(p < 0 ? ROOT_STACK : nodeStack[p], fnMap[index.fn[i]]);
    }
    const stack = new Int32Array(index.sampleNode.length);
    stacksOfSamples(index.sampleNode, nodeStack, stack);
    const late = unsampledTime(index, capUs);
    if (late.samples.length === 0) {
      threads.push({ thread, stack, times: index.times, weights: index.weights });
      continue;
    }
    const weights = index.weights.slice();
    const lateStack = new Int32Array(late.samples.length);
    late.samples.forEach((i, k) => {
      weights[i] -= late.excess[k];
      const under = late.under[k] >= 0 ? nodeStack[late.under[k]] : ROOT_STACK;
      if (notSampled < 0) notSampled = builder.functionIndex(NOT_SAMPLED_FRAME, byKey);
      lateStack[k] = builder.intern(under >= 0 ? under : ROOT_STACK, notSampled);
    });
    threads.push({ thread, stack, times: index.times, weights, late: { sample: late.samples, stack: lateStack, weight: late.excess } });
  }
  const out = { stacks: builder.table(), threads };
  baseCache.set(report, out);
  return out;
}

/**
 * Fills in each sample's stack (DROPPED for an unknown node). A function of its own, as every
 * per-sample pass run once per profile (profile-index.ts sampleColumns says why).
 */
function stacksOfSamples(sampleNode: Int32Array, nodeStack: Int32Array, stack: Int32Array): void {
  for (let k = 0; k < stack.length; k++) {
    const node = sampleNode[k];
    stack[k] = node < 0 ? DROPPED : nodeStack[node];
  }
}

/** What a transform does to one input stack, given its prefix's new stack (`at`). */
type StackRule = (s: number, at: number, map: Int32Array) => number;

/** Runs a rule over the stacks in order (prefixes first), then moves every sample to its new stack. */
function remap(input: CallSamples, builder: StackBuilder, rule: StackRule, rootTo: number, leafRule?: (s: number, mapped: number) => number): CallSamples {
  const { prefix } = input.stacks;
  const map = new Int32Array(prefix.length);
  for (let s = 0; s < prefix.length; s++) {
    const p = prefix[s];
    map[s] = rule(s, p < 0 ? ROOT_STACK : map[p], map);
  }
  // Where a sample's own stack goes, when that differs from where its callees' stacks hang (leafRule).
  // Computed for the stacks samples use only (a stack no sample ends on gets no new stack).
  const UNSET = -3;
  const leaf = leafRule ? new Int32Array(map.length).fill(UNSET) : map;
  const move = (stacks: Int32Array) => {
    const out = new Int32Array(stacks.length);
    for (let k = 0; k < out.length; k++) {
      const old = stacks[k];
      if (old >= 0 && leaf[old] === UNSET) leaf[old] = leafRule!(old, map[old]);
      out[k] = old >= 0 ? leaf[old] : old === ROOT_STACK ? rootTo : DROPPED;
    }
    return out;
  };
  const threads = input.threads.map((t) => ({ ...t, stack: move(t.stack), ...(t.late ? { late: { ...t.late, stack: move(t.late.stack) } } : {}) }));
  return { stacks: builder.table(), threads };
}

function keyIndex(functions: FunctionIdentity[]): Map<string, number> {
  const m = new Map<string, number>();
  functions.forEach((f, i) => m.set(f.key, i));
  return m;
}

/** Applies one transform. Unknown function keys match nothing (a focus on one keeps nothing). */
export function applyTransform(input: CallSamples, t: Transform): CallSamples {
  const { func, prefix } = input.stacks;
  const functions = input.stacks.functions.slice();
  const byKey = keyIndex(functions);
  const b = new StackBuilder(functions);
  const f = 'key' in t ? byKey.get(t.key) ?? -1 : -1;
  switch (t.type) {
    case 'merge-function':
      return remap(input, b, (s, at) => (func[s] === f ? at : b.intern(at, func[s])), ROOT_STACK);
    case 'drop-function':
      return remap(input, b, (s, at) => (func[s] === f ? DROPPED : b.intern(at, func[s])), ROOT_STACK);
    case 'collapse-recursion':
      return remap(input, b, (s, at, map) => (func[s] === f && prefix[s] >= 0 && func[prefix[s]] === f ? map[prefix[s]] : b.intern(at, func[s])), ROOT_STACK);
    case 'focus-function':
      return remap(input, b, focusFunctionRule(input.stacks, f, b), DROPPED);
    case 'focus-subtree': {
      const path = t.path.map((k) => byKey.get(k) ?? -1);
      const L = path.length;
      if (L === 0) return input;
      // matched[s]: how many path frames the stack's outermost frames match (L = inside the focus), -1 = off the path.
      const matched = new Int32Array(func.length);
      return remap(input, b, (s, at) => {
        const p = prefix[s];
        const m = p < 0 ? 0 : matched[p];
        if (m === L) { matched[s] = L; return b.intern(at, func[s]); }
        if (m < 0 || m >= L || func[s] !== path[m]) { matched[s] = -1; return DROPPED; }
        matched[s] = m + 1;
        return m + 1 === L ? b.intern(ROOT_STACK, func[s]) : DROPPED;
      }, DROPPED);
    }
    case 'collapse-resource': {
      const r = input.stacks.functions.map((fn) => resourceOf(fn.file)?.id === t.resource);
      const label = input.stacks.functions.map((fn) => resourceOf(fn.file)).find((x) => x?.id === t.resource) ?? { id: t.resource, label: t.resource };
      const synth = b.functionIndex(resourceFunction(label), byKey);
      const collapsed = new Uint8Array(func.length);
      return remap(input, b, (s, at, map) => {
        if (!r[func[s]]) return b.intern(at, func[s]);
        collapsed[s] = 1;
        const p = prefix[s];
        return p >= 0 && collapsed[p] ? map[p] : b.intern(at, synth);
      }, ROOT_STACK);
    }
  }
}

function focusFunctionRule(stacks: StackTable, f: number, b: StackBuilder): StackRule {
  const { func, prefix } = stacks;
  const inside = new Uint8Array(func.length);
  return (s, at) => {
    const p = prefix[s];
    if (p >= 0 && inside[p]) { inside[s] = 1; return b.intern(at, func[s]); }
    if (func[s] === f) { inside[s] = 1; return b.intern(ROOT_STACK, f); }
    return DROPPED;
  };
}

/** The default view: the pool's and recorder's frames out of the way (see the file comment). */
export function hideRuntime(input: CallSamples): CallSamples {
  const { func, prefix } = input.stacks;
  const functions = input.stacks.functions.slice();
  const byKey = keyIndex(functions);
  const b = new StackBuilder(functions);
  const USER = 0, RUNTIME = 1, ENGINE = 2;
  const kind = functions.map((fn) => (isRuntimeFile(fn.file) ? RUNTIME : fn.name === '(garbage collector)' ? USER : isEngineFile(fn.file) ? ENGINE : USER));
  if (!kind.includes(RUNTIME)) return input;
  const n = func.length;
  const userBelow = new Uint8Array(n);
  const runtimeBelow = new Uint8Array(n);
  for (let s = n - 1; s >= 0; s--) {
    const p = prefix[s];
    if (p < 0) continue;
    const k = kind[func[s]];
    if (userBelow[s] || k === USER) userBelow[p] = 1;
    if (runtimeBelow[s] || k === RUNTIME) runtimeBelow[p] = 1;
  }
  const synth = b.functionIndex(resourceFunction(RUNTIME_RESOURCE), byKey);
  const collapsed = new Uint8Array(n);
  // Frames merged into their caller because user code runs below them: their callees hang from the
  // caller, but their own time (a sample with such a frame innermost: the pool's loop between
  // tasks, its message dispatch) is the runtime's, shown as the 'parprof runtime' frame there (it
  // landed on the caller, often the root, where no row shows it: the rows did not add up to the total).
  const merged = new Uint8Array(n);
  return remap(input, b, (s, at, map) => {
    const p = prefix[s];
    const k = kind[func[s]];
    // Consecutive runtime frames are one 'parprof runtime' frame; what they call (Node's module
    // loading, a MessageChannel, '(not sampled)') stays below it under its own name, as the
    // terminal's top functions count it: the frame's self time is the runtime's own.
    if (p >= 0 && collapsed[p] && k === RUNTIME) { collapsed[s] = 1; return map[p]; }
    if (k === RUNTIME) {
      if (userBelow[s]) { merged[s] = 1; return at; }
      collapsed[s] = 1;
      return b.intern(at, synth);
    }
    if (k === ENGINE && runtimeBelow[s]) { merged[s] = 1; return at; }
    return b.intern(at, func[s]);
  }, ROOT_STACK, (s, mapped) => (merged[s] ? b.intern(mapped, synth) : mapped));
}

export interface TransformOptions {
  /** Keep the pool's and recorder's frames (the default hides them: see hideRuntime). */
  showRuntime?: boolean;
}

/** The default view (unless showRuntime), then each transform in order. */
export function applyTransforms(input: CallSamples, transforms: readonly Transform[], options?: TransformOptions): CallSamples {
  let out = options?.showRuntime ? input : hideRuntime(input);
  for (const t of transforms) out = applyTransform(out, t);
  return out;
}

function shortName(key: string): string {
  return key.split('\u0001')[0] || '(anonymous)';
}

/** The breadcrumb text of a transform. */
export function transformLabel(t: Transform): string {
  switch (t.type) {
    case 'focus-subtree': return `Focus: ${t.path.map(shortName).join(' › ')}`;
    case 'focus-function': return `Focus: ${shortName(t.key)}`;
    case 'merge-function': return `Merge: ${shortName(t.key)}`;
    case 'drop-function': return `Drop: ${shortName(t.key)}`;
    case 'collapse-resource': return `Collapse: ${t.resource.replace(/^npm:/, '')}`;
    case 'collapse-recursion': return `Collapse recursion: ${shortName(t.key)}`;
  }
}

/** V8's and this tool's frames that stand for no code of their own (no file): they call nothing, so nothing recurses through them. */
const PSEUDO_FRAMES = new Set([NOT_SAMPLED_FRAME.name, '(garbage collector)', '(program)', '(idle)', ROOT_FRAME]);

function isPseudoFrame(key: string): boolean {
  const [name, file] = key.split('\u0001');
  return file === '' && PSEUDO_FRAMES.has(name);
}

/**
 * Whether a transform means something, so the menus offer it and a persisted state keeps it.
 * '(not sampled)' has no samples of its own (a late sample's excess counts where that sample does:
 * unsampled.ts), so a focus on it keeps nothing; it can be merged into the frame it hangs under or
 * dropped. A pseudo-frame calls nothing, so it has no recursion to collapse.
 */
export function transformFits(t: Transform): boolean {
  switch (t.type) {
    case 'focus-function': return t.key !== NOT_SAMPLED_FRAME.key;
    case 'focus-subtree': return t.path[t.path.length - 1] !== NOT_SAMPLED_FRAME.key;
    case 'collapse-recursion': return !isPseudoFrame(t.key);
    default: return true;
  }
}

/** The transforms in a persisted state that are well formed and mean something (transformFits); anything else is left out. */
export function validTransforms(value: unknown): Transform[] {
  if (!Array.isArray(value)) return [];
  const out: Transform[] = [];
  for (const t of value) {
    if (typeof t !== 'object' || t === null) continue;
    const { type, key, path, resource } = t as Record<string, unknown>;
    if (type === 'focus-subtree' && Array.isArray(path) && path.every((k) => typeof k === 'string')) out.push({ type, path: path as string[] });
    else if ((type === 'focus-function' || type === 'merge-function' || type === 'drop-function' || type === 'collapse-recursion') && typeof key === 'string') out.push({ type, key });
    else if (type === 'collapse-resource' && typeof resource === 'string') out.push({ type, resource });
  }
  return out.filter(transformFits);
}
