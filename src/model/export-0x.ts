// One thread's CPU profile as the ticks 0x draws its flamegraph from: per sample, the stack from
// the outermost frame in, each frame named and typed the way 0x's v8-log-to-ticks hands them to
// its ticks-to-tree (`<function> <file>:<line>:<column>`, type 'JS' with the tier as kind, or
// 'CPP', 'SHARED_LIB', 'CODE'). Frames of a '0x' recording carry their type and tier in their
// names (import-v8log.ts), which this reads back, so 0x colours optimised and unoptimised code;
// an inspector profile's JS frames go as JS of unknown tier.
import { GC_FRAME, JS_TIERS, NATIVE_LABELS } from './import-v8log';
import type { CpuProfile, CpuProfileNode } from './report';

/** A frame as 0x's ticks-to-tree reads it. */
export interface ZeroXFrame {
  name: string;
  type: string;
  kind?: string;
}

const TIER_KIND: Record<string, string> = Object.fromEntries(Object.entries(JS_TIERS).reverse().map(([kind, tier]) => [tier, kind]));
const NATIVE_TYPE: Record<string, { type: string; kind?: string }> = Object.fromEntries(Object.entries(NATIVE_LABELS).map(([key, label]) => {
  const [type, kind] = key.split(':');
  return [label, kind ? { type, kind } : { type }];
}));

/** `file:///a%20b/c.js` → `/a b/c.js`, as V8's log names a CommonJS file; other URLs unchanged. */
function logPath(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return decodeURIComponent(url.slice('file://'.length));
  } catch {
    return url;
  }
}

/** The 0x frame of one call frame; undefined for the frames 0x leaves out ('(root)', '(idle)', '(program)'). */
export function zeroXFrame(cf: CpuProfileNode['callFrame']): ZeroXFrame | undefined {
  if (cf.functionName === GC_FRAME) return { name: GC_FRAME, type: 'GC' };
  if (/^\(.*\)$/.test(cf.functionName)) return undefined;
  const suffix = / \[([^\]]+)\]$/.exec(cf.functionName);
  const bare = suffix ? cf.functionName.slice(0, suffix.index) : cf.functionName;
  if (suffix && NATIVE_TYPE[suffix[1]] && !cf.url) return { name: bare, ...NATIVE_TYPE[suffix[1]] };
  const kind = suffix ? TIER_KIND[suffix[1]] : undefined;
  const fn = kind ? bare : cf.functionName;
  // 0x labels a JS frame without a location as WASM: give every JS frame one.
  const where = cf.url ? `${logPath(cf.url)}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : '[unknown]:0:0';
  return { name: `${fn === '(anonymous)' ? '' : fn} ${where}`, type: 'JS', ...(kind ? { kind } : {}) };
}

/** Every sample of `profile` as a 0x tick (outermost frame first); idle and unattributed samples are left out, as 0x leaves them. */
export function zeroXTicks(profile: CpuProfile): ZeroXFrame[][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, ZeroXFrame[] | null>();
  const stackOf = (id: number): ZeroXFrame[] | null => {
    let s = stacks.get(id);
    if (s !== undefined) return s;
    const node = byId.get(id);
    const p = parent.get(id);
    const up = p === undefined ? [] : stackOf(p);
    if (!node || up === null || node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(program)') s = null;
    else {
      const f = p === undefined ? undefined : zeroXFrame(node.callFrame);
      s = f ? [...up, f] : up;
    }
    stacks.set(id, s);
    return s;
  };
  const ticks: ZeroXFrame[][] = [];
  for (const id of profile.samples) {
    const s = stackOf(id);
    if (s && s.length > 0) ticks.push(s);
  }
  return ticks;
}
