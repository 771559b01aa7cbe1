// A thread's CPU profile arrives in chunks (src/runtime/recorder-profile.ts): one line of
// profile-<threadId>.ndjson each, {seq, final, profile}, every profile on V8's clock (µs, the
// monotonic clock hrtime reads). Chunk n+1 starts before chunk n ends, so the samples taken in
// that overlap are in both: here they are kept once. Node ids restart in every chunk: nodes are
// merged by their call-frame path from the root. Pure: text in, profile and losses out.
import type { CpuProfile, CpuProfileNode, SampleGap, ThreadInfo } from '../model/report';
import type { ThreadSpool } from './spool';

/** What a thread's chunk file says. Times on V8's clock, µs. */
export interface ProfileChunks {
  /** The chunks stitched into one profile; undefined when no chunk could be read. */
  profile?: CpuProfile;
  /** Whether the last chunk is the thread's final one (it ended, or saved before termination). */
  final: boolean;
  /** End of the last chunk read: samples after it are lost unless `final`. */
  lastEnd?: number;
  /** Intervals with no samples kept between chunks read (a chunk missing from the sequence or cut short). */
  gaps: { from: number; to: number }[];
  /** Lines that could not be read (the one a kill cut short). */
  badLines: number;
}

interface ChunkLine { seq: number; final: boolean; profile: CpuProfile }

function isChunk(x: unknown): x is ChunkLine {
  const c = x as ChunkLine;
  return typeof c === 'object' && c !== null && Number.isInteger(c.seq) && typeof c.final === 'boolean' && typeof c.profile === 'object' && c.profile !== null
    && Array.isArray(c.profile.nodes) && Array.isArray(c.profile.samples) && Array.isArray(c.profile.timeDeltas)
    && c.profile.samples.length === c.profile.timeDeltas.length && Number.isFinite(c.profile.startTime) && Number.isFinite(c.profile.endTime);
}

export function readProfileChunks(text: string): ProfileChunks {
  const chunks: ChunkLine[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    let x: unknown;
    try {
      x = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    if (isChunk(x)) chunks.push(x);
    else badLines++;
  }
  chunks.sort((a, b) => a.seq - b.seq);
  if (chunks.length === 0) return { final: false, gaps: [], badLines };
  const gaps: ProfileChunks['gaps'] = [];
  for (let k = 1; k < chunks.length; k++) {
    if (chunks[k].seq !== chunks[k - 1].seq + 1) gaps.push({ from: chunks[k - 1].profile.endTime, to: chunks[k].profile.startTime });
  }
  const last = chunks[chunks.length - 1];
  return { profile: stitchChunks(chunks.map((c) => c.profile)), final: last.final, lastEnd: last.profile.endTime, gaps, badLines };
}

/**
 * One profile from consecutive chunks of one thread: nodes merged by call-frame path, samples
 * in chunk order, a sample at or before the previous chunk's last sample dropped (it is that
 * chunk's, taken while both profiles ran). hitCount counts the samples kept; positionTicks are
 * summed (a line may count an overlap sample twice).
 */
export function stitchChunks(chunks: CpuProfile[]): CpuProfile {
  const nodes: CpuProfileNode[] = [];
  const childByKey = new Map<string, number>();
  const index = new Map<number, CpuProfileNode>();
  const addNode = (parent: CpuProfileNode | undefined, from: CpuProfileNode): CpuProfileNode => {
    const f = from.callFrame;
    const key = `${parent ? parent.id : 0}\u0000${f.functionName}\u0000${f.scriptId}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
    const id = childByKey.get(key);
    if (id !== undefined) return index.get(id)!;
    const node: CpuProfileNode = { id: nodes.length + 1, callFrame: { ...f }, hitCount: 0, children: [] };
    childByKey.set(key, node.id);
    index.set(node.id, node);
    nodes.push(node);
    if (parent) parent.children!.push(node.id);
    return node;
  };
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let prevTime = chunks.length > 0 ? chunks[0].startTime : 0;
  let keptUntil = -Infinity;
  for (const chunk of chunks) {
    const byId = new Map(chunk.nodes.map((n) => [n.id, n]));
    const hasParent = new Set<number>();
    for (const n of chunk.nodes) for (const c of n.children ?? []) hasParent.add(c);
    const mapped = new Map<number, CpuProfileNode>();
    // Iterative walk from each root (V8 gives one, '(root)'): a deep stack must not overflow ours.
    const stack: [CpuProfileNode, CpuProfileNode | undefined][] = chunk.nodes.filter((n) => !hasParent.has(n.id)).map((n) => [n, undefined]);
    while (stack.length > 0) {
      const [n, parent] = stack.pop()!;
      if (mapped.has(n.id)) continue; // a malformed chunk (two parents): first path wins
      const into = addNode(parent, n);
      mapped.set(n.id, into);
      if (n.positionTicks?.length) {
        const ticks = new Map((into.positionTicks ?? []).map((p) => [p.line, p.ticks]));
        for (const p of n.positionTicks) ticks.set(p.line, (ticks.get(p.line) ?? 0) + p.ticks);
        into.positionTicks = [...ticks].map(([line, t]) => ({ line, ticks: t })).sort((a, b) => a.line - b.line);
      }
      for (const c of n.children ?? []) {
        const child = byId.get(c);
        if (child) stack.push([child, into]);
      }
    }
    let t = chunk.startTime;
    let chunkLast = keptUntil;
    for (let k = 0; k < chunk.samples.length; k++) {
      t += chunk.timeDeltas[k];
      if (t <= keptUntil) continue;
      const node = mapped.get(chunk.samples[k]);
      if (!node) continue;
      samples.push(node.id);
      timeDeltas.push(t - prevTime);
      prevTime = t;
      node.hitCount!++;
      if (t > chunkLast) chunkLast = t;
    }
    keptUntil = chunkLast;
  }
  for (const n of nodes) if (n.children!.length === 0) delete n.children;
  return {
    nodes, samples, timeDeltas,
    startTime: chunks.length > 0 ? chunks[0].startTime : 0,
    endTime: chunks.length > 0 ? Math.max(...chunks.map((c) => c.endTime)) : 0,
  };
}

/**
 * Where each thread's samples were lost (µs from origin): the gaps between its chunks, and, when
 * its last chunk is not the final one (killed, or terminated without saving), everything after
 * that chunk until the thread ended as the runner knows it (its exit, else the process's). A
 * thread that wrote no chunk at all lost its whole life. Threads without a chunk file (CPU
 * profiling off, or another profiler) are left out.
 */
export function lostSamples(threads: Pick<ThreadSpool, 'tid' | 'profileChunks'>[], info: Map<number, ThreadInfo>, facts: { originUs: number; endUs: number }): SampleGap[] {
  const out: SampleGap[] = [];
  for (const t of threads) {
    const chunks = t.profileChunks;
    const thread = info.get(t.tid);
    if (!chunks || !thread) continue;
    for (const g of chunks.gaps) out.push({ thread: t.tid, from: g.from - facts.originUs, to: Math.max(g.from, g.to) - facts.originUs });
    if (chunks.final) continue;
    const from = chunks.lastEnd !== undefined ? chunks.lastEnd - facts.originUs : thread.start;
    out.push({ thread: t.tid, from, to: Math.max(from, thread.end ?? facts.endUs) });
  }
  return out;
}
