// The CPU samples of a Chrome trace: Profile and ProfileChunk events (the shape Chrome and our
// export write) gathered into one V8 CPU profile per profiled thread. Pure.
import type { CpuProfile, CpuProfileNode } from './report';
import { ReportError } from './load';
import { MAX_TIME_US } from './limits';
import { profileInOrder } from './import-common';

/** A profile being gathered from its chunks: nodes with parent links, samples, deltas (µs). */
export interface ProfileParts {
  thread: string;
  startTime: number;
  endTime?: number;
  partial: boolean;
  nodes: RawNode[];
  samples: number[];
  deltas: number[];
  /** Index of its Profile event in the file: our export's profile order. */
  order: number;
}

interface RawNode { id: number; parent?: number; children?: number[]; callFrame: CpuProfileNode['callFrame']; positionTicks?: CpuProfileNode['positionTicks'] }

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : undefined;
}

function fail(k: number, problem: string): never {
  throw new ReportError(`traceEvents[${k}]: ${problem}`);
}

/** Adds a ProfileChunk's `args.data` (event k) to `p`. Nodes name their parent (Chrome) or their children (older traces). */
export function addChunk(p: ProfileParts, data: Record<string, unknown> | undefined, k: number): void {
  const cpu = record(data?.cpuProfile);
  const nodes = cpu?.nodes;
  if (nodes !== undefined && !Array.isArray(nodes)) fail(k, 'args.data.cpuProfile.nodes: expected an array');
  for (const raw of (nodes ?? []) as unknown[]) {
    const n = record(raw);
    const cf = record(n?.callFrame);
    if (!n || !cf || typeof n.id !== 'number') fail(k, 'args.data.cpuProfile.nodes: a node without id or callFrame');
    p.nodes.push({
      id: n.id, ...(typeof n.parent === 'number' ? { parent: n.parent } : {}),
      ...(Array.isArray(n.children) && n.children.every((c) => typeof c === 'number') ? { children: n.children as number[] } : {}),
      callFrame: {
        functionName: typeof cf.functionName === 'string' ? cf.functionName : '', scriptId: String(cf.scriptId ?? '0'), url: typeof cf.url === 'string' ? cf.url : '',
        lineNumber: typeof cf.lineNumber === 'number' ? cf.lineNumber : -1, columnNumber: typeof cf.columnNumber === 'number' ? cf.columnNumber : -1,
      },
      ...(Array.isArray(n.positionTicks) ? { positionTicks: n.positionTicks as CpuProfileNode['positionTicks'] } : {}),
    });
  }
  const samples = cpu?.samples ?? [];
  const deltas = data?.timeDeltas ?? [];
  if (!Array.isArray(samples) || !Array.isArray(deltas) || samples.length !== deltas.length) {
    fail(k, `ProfileChunk: expected as many timeDeltas as samples, found ${Array.isArray(deltas) ? deltas.length : 'none'} for ${Array.isArray(samples) ? samples.length : 'none'}`);
  }
  for (let i = 0; i < samples.length; i++) {
    if (typeof samples[i] !== 'number' || typeof deltas[i] !== 'number') fail(k, `ProfileChunk sample ${i}: expected numbers`);
    if (!(Math.abs(deltas[i] as number) <= MAX_TIME_US)) fail(k, `args.data.timeDeltas[${i}]: expected a number within ±2^53, found ${deltas[i]}`);
    p.samples.push(samples[i] as number);
    p.deltas.push(deltas[i] as number);
  }
  if (data?.partial === true) p.partial = true;
  if (typeof data?.endTime === 'number') {
    if (!(Math.abs(data.endTime) <= MAX_TIME_US)) fail(k, `args.data.endTime: expected a number within ±2^53, found ${data.endTime}`);
    p.endTime = data.endTime;
  }
}

/** The gathered parts as a CPU profile (children lists), times rebased to the origin. */
export function toProfile(p: ProfileParts, origin: number): CpuProfile {
  const byId = new Map<number, CpuProfileNode>();
  const nodes: CpuProfileNode[] = p.nodes.map((n) => {
    const node: CpuProfileNode = { id: n.id, callFrame: n.callFrame, ...(n.positionTicks ? { positionTicks: n.positionTicks } : {}) };
    byId.set(n.id, node);
    return node;
  });
  // Chrome's nodes name their parent; older traces' nodes list their children instead.
  const byParent = p.nodes.some((n) => n.parent !== undefined);
  for (const n of p.nodes) {
    if (!byParent) {
      if (n.children) byId.get(n.id)!.children = [...n.children];
      continue;
    }
    if (n.parent === undefined) continue;
    const up = byId.get(n.parent);
    if (!up) throw new ReportError(`ProfileChunk: node ${n.id} names parent ${n.parent}, which is not in the profile`);
    (up.children ??= []).push(n.id);
  }
  let t = p.startTime;
  for (const d of p.deltas) t += d;
  const profile = { nodes, startTime: p.startTime - origin, endTime: Math.max(p.endTime ?? t, p.startTime) - origin, samples: p.samples, timeDeltas: p.deltas };
  return profileInOrder(profile, 'ProfileChunk');
}
