// V8 tick-profiler logs (node --prof, one per isolate) as CPU profiles of the report. The log is
// first turned into JSON by V8's own tick processor (`node --prof-process --preprocess`, as 0x
// runs it); this module reads that JSON, keeps every tick with its time (0x keeps only stacks),
// and names frames so the views show what the tick profiler sees and an inspector profile does
// not: native (C++) frames, shared libraries, V8 builtins, GC, and the tier a JS frame ran in.
import { IDLE_FRAME } from './cpu-time';
import type { CpuProfile, CpuProfileNode } from './report';

/** One code object of the preprocessed log: a JS function in one tier, a builtin, a C++ symbol, a library. */
export interface V8LogCode {
  name: string;
  /** 'JS', 'CODE' (builtins, bytecode handlers, regexps, stubs), 'CPP', 'SHARED_LIB'. */
  type: string;
  /** For JS: the tier ('Unopt', 'Sparkplug', 'Maglev', 'Opt'); for CODE: 'Builtin', 'BytecodeHandler', 'RegExp', ... */
  kind?: string;
  source?: { script?: number };
}

/** What `node --prof-process --preprocess` writes for one isolate log (the parts read here). */
export interface V8TickLog {
  code: (V8LogCode | null)[];
  /** tm: µs since the isolate's log opened; vm: V8's state (VM_STATE); s: [code index or -1, offset] pairs, innermost first. */
  ticks: { tm: number; vm: number; s: number[] }[];
  scripts?: ({ url?: string } | null)[];
}

/** V8's StateTag (include/v8-unwinder.h), the `vm` field of a tick. */
export const VM_STATE = { JS: 0, GC: 1, PARSER: 2, BYTECODE_COMPILER: 3, COMPILER: 4, OTHER: 5, EXTERNAL: 6, ATOMICS_WAIT: 7, IDLE: 8 } as const;

/** Frame-name suffix of each JS tier, V8's names for them (its log writes ~ ^ + * for these). */
export const JS_TIERS: Record<string, string> = { Unopt: 'Ignition', Sparkplug: 'Sparkplug', Baseline: 'Sparkplug', Maglev: 'Maglev', Opt: 'TurboFan', Turbofan: 'TurboFan' };
/** Frame-name suffix of each kind of native frame. */
export const NATIVE_LABELS: Record<string, string> = { CPP: 'C++', SHARED_LIB: 'shared lib', 'CODE:Builtin': 'builtin', 'CODE:BytecodeHandler': 'bytecode handler', 'CODE:RegExp': 'regexp' };

export const GC_FRAME = '(garbage collector)';
export const PROGRAM_FRAME = '(program)';

type Frame = CpuProfileNode['callFrame'];

/** `/a b/c.js` → `file:///a%20b/c.js`, as the inspector names CommonJS files; URLs and `node:` names unchanged. */
function fileUrl(path: string): string {
  return path.startsWith('/') ? 'file://' + encodeURI(path).replace(/[?#]/g, encodeURIComponent) : path;
}

/** The suffix naming what a non-JS code object is: `[C++]`, `[builtin]`, ... */
function nativeLabel(c: V8LogCode): string {
  const key = c.kind ? `${c.type}:${c.kind}` : c.type;
  return NATIVE_LABELS[key] ?? NATIVE_LABELS[c.type] ?? key;
}

/**
 * The call frame of one code object. A JS code object is named `<function> <script>:<line>:<column>`
 * (1-based; the function part may be empty); its tier goes into the name, `spinA [TurboFan]`, so
 * a function's time in each tier shows as its own frame, as in 0x's flamegraph.
 */
export function codeFrame(c: V8LogCode, scripts: V8TickLog['scripts']): Frame {
  if (c.type !== 'JS') {
    return { functionName: `${c.name} [${nativeLabel(c)}]`, scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };
  }
  const tier = c.kind ? JS_TIERS[c.kind] ?? c.kind : undefined;
  const named = (fn: string): string => `${fn || '(anonymous)'}${tier ? ` [${tier}]` : ''}`;
  const script = c.source?.script;
  const url = script !== undefined ? scripts?.[script]?.url : undefined;
  const at = /:(\d+):(\d+)$/.exec(c.name);
  let fn: string | undefined;
  let file: string | undefined;
  // The script's URL, when the log has it, splits names whose path holds spaces.
  if (at && url && c.name.slice(at.index - url.length, at.index) === url) {
    fn = c.name.slice(0, Math.max(0, at.index - url.length - 1));
    file = url;
  } else if (at) {
    const space = c.name.lastIndexOf(' ', at.index);
    fn = space >= 0 ? c.name.slice(0, space) : '';
    file = c.name.slice(space + 1, at.index);
  }
  if (!at || fn === undefined || file === undefined) return { functionName: named(c.name), scriptId: String(script ?? 0), url: '', lineNumber: -1, columnNumber: -1 };
  return { functionName: named(fn), scriptId: String(script ?? 0), url: fileUrl(file), lineNumber: Number(at[1]) - 1, columnNumber: Number(at[2]) - 1 };
}

const special = (functionName: string): Frame => ({ functionName, scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 });

/**
 * The thread's CPU profile from its preprocessed isolate log. `offsetUs` is added to a tick's
 * `tm` to put it on the profile's clock. Ticks in the IDLE or ATOMICS_WAIT state (nothing to run)
 * are '(idle)'; a GC tick is its JS stack, then '(garbage collector)', then the native frames
 * the collector was in; a tick with no known frame is '(program)'. Linear in the ticks' frames.
 */
export function tickLogToProfile(log: V8TickLog, offsetUs: number): CpuProfile {
  const frames = new Map<number, Frame>();
  const frameOf = (k: number): Frame | undefined => {
    let f = frames.get(k);
    if (f === undefined) {
      const c = log.code[k];
      if (!c) return undefined;
      f = codeFrame(c, log.scripts);
      frames.set(k, f);
    }
    return f;
  };
  const nodes: CpuProfileNode[] = [{ id: 1, callFrame: special('(root)'), hitCount: 0, children: [] }];
  const childIds = new Map<string, number>();
  const child = (parent: number, f: Frame): number => {
    const key = `${parent}\u0000${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
    let id = childIds.get(key);
    if (id === undefined) {
      id = nodes.length + 1;
      nodes.push({ id, callFrame: f, hitCount: 0, children: [] });
      nodes[parent - 1].children!.push(id);
      childIds.set(key, id);
    }
    return id;
  };
  const idle = special(IDLE_FRAME), gc = special(GC_FRAME), program = special(PROGRAM_FRAME);
  const order = log.ticks.map((_, i) => i).sort((a, b) => log.ticks[a].tm - log.ticks[b].tm || a - b);
  const samples: number[] = [];
  const times: number[] = [];
  const stack: Frame[] = [];
  for (const i of order) {
    const tick = log.ticks[i];
    stack.length = 0;
    if (tick.vm === VM_STATE.IDLE || tick.vm === VM_STATE.ATOMICS_WAIT) stack.push(idle);
    else {
      // s holds [code, offset] pairs from the innermost frame out.
      for (let p = tick.s.length - 2; p >= 0; p -= 2) {
        const f = tick.s[p] >= 0 ? frameOf(tick.s[p]) : undefined;
        if (f) stack.push(f);
      }
      if (tick.vm === VM_STATE.GC) {
        let at = stack.length;
        while (at > 0 && stack[at - 1].url === '') at--;
        stack.splice(at, 0, gc);
      }
      if (stack.length === 0) stack.push(program);
    }
    let id = 1;
    for (const f of stack) id = child(id, f);
    nodes[id - 1].hitCount! += 1;
    samples.push(id);
    times.push(tick.tm + offsetUs);
  }
  const startTime = times.length > 0 ? times[0] : offsetUs;
  const timeDeltas = times.map((t, k) => t - (k === 0 ? startTime : times[k - 1]));
  return { nodes, startTime, endTime: times.length > 0 ? times[times.length - 1] : startTime, samples, timeDeltas };
}

/** Where a thread's marker (src/runtime/tick-marker.ts) sits in its raw isolate log. */
export interface IsolateMarker {
  pid: number;
  thread: number;
  /** When V8 logged the marker: µs from the run's origin (the middle of the thread's bracket), and µs on the log's clock. */
  originUs: number;
  logUs: number;
  /** Bound on the error of `originUs`: half the bracket, µs (the bracket's start alone when the end marker is missing: then Infinity). */
  errorUs: number;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * Finds the marker's code-creation line in (a part of) a raw isolate log,
 * `code-creation,Script,<kind>,<log µs>,<address>,<size>, <marker>:<pid>:<thread>:<t>:1:1,...`,
 * and its end marker `...:<thread>:<t'>:end:1:1`. Only code-creation lines count: the log also
 * holds the source of the user's files, which may contain the marker's text.
 */
export function findIsolateMarker(text: string, marker: string): IsolateMarker | undefined {
  const m = new RegExp(`^code-creation,Script,\\d+,(\\d+),[^,\\n]*,\\d+, ${escapeRegExp(marker)}:(\\d+):(\\d+):(-?[\\d.]+):1:1`, 'm').exec(text);
  if (!m) return undefined;
  const before = Number(m[4]);
  const end = new RegExp(`^code-creation,Script,\\d+,\\d+,[^,\\n]*,\\d+, ${escapeRegExp(marker)}:${m[2]}:${m[3]}:(-?[\\d.]+):end:1:1`, 'm').exec(text);
  const after = end ? Number(end[1]) : undefined;
  return {
    logUs: Number(m[1]), pid: Number(m[2]), thread: Number(m[3]),
    originUs: after !== undefined ? (before + after) / 2 : before,
    errorUs: after !== undefined ? (after - before) / 2 : Infinity,
  };
}
