// A thread's CPU profile arrives in chunks (src/runtime/recorder-profile.ts): one line of
// profile-<threadId>.ndjson each, {seq, final, profile}, every profile on V8's clock (µs, the
// monotonic clock hrtime reads). Chunk n+1 starts before chunk n ends, so the samples taken in
// that overlap are in both: here they are kept once. Node ids restart in every chunk: nodes are
// merged by their call-frame path from the root.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { CpuProfile, CpuProfileNode, SampleGap, ThreadInfo } from '../model/report';
import { isRuntimeFile } from '../model/transforms';
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

/** The chunks of one text (the unit tests' way in; the runner streams the file: readProfileChunksFile). */
export function readProfileChunks(text: string): ProfileChunks {
  const reader = new ChunkReader();
  for (const line of text.split('\n')) reader.line(line);
  return reader.result();
}

/**
 * The chunks of a thread's file, read 1 MiB at a time: a long run writes more chunk text than
 * one string can hold (every chunk repeats the call frames it sampled), and only the stitched
 * profile is kept.
 */
export function readProfileChunksFile(path: string): ProfileChunks {
  const reader = new ChunkReader();
  const fd = openSync(path, 'r');
  try {
    // No larger than the file (most are tens of kB) and not zero-filled: a fresh zeroed 1 MiB per
    // thread was 40 % of reading a short run's spool, on the way to every `parprof record` summary.
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(1 << 20, fstatSync(fd).size)));
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const lines = (pending + decoder.write(buf.subarray(0, n))).split('\n');
      pending = lines.pop()!;
      for (const line of lines) reader.line(line);
    }
    reader.line(pending + decoder.end());
  } finally {
    closeSync(fd);
  }
  return reader.result();
}

/** Lines in, in the order the thread wrote them (seq order); one stitcher keeps the profile. */
class ChunkReader {
  private readonly stitcher = new ChunkStitcher();
  private readonly gaps: ProfileChunks['gaps'] = [];
  private last: ChunkLine | undefined;
  private badLines = 0;

  line(text: string): void {
    if (!text) return;
    let x: unknown;
    try {
      x = JSON.parse(text);
    } catch {
      this.badLines++;
      return;
    }
    // Written in order by one thread: a seq at or before the last one is not a chunk of this file.
    if (!isChunk(x) || (this.last && x.seq <= this.last.seq)) {
      this.badLines++;
      return;
    }
    if (this.last && x.seq !== this.last.seq + 1) this.gaps.push({ from: this.last.profile.endTime, to: x.profile.startTime });
    this.stitcher.add(x.profile);
    this.last = { seq: x.seq, final: x.final, profile: { ...x.profile, nodes: [], samples: [], timeDeltas: [] } };
  }

  result(): ProfileChunks {
    if (!this.last) return { final: false, gaps: [], badLines: this.badLines };
    return { profile: this.stitcher.result(), final: this.last.final, lastEnd: this.last.profile.endTime, gaps: this.gaps, badLines: this.badLines };
  }
}

/**
 * Whether a chunk's first sample is the one V8 takes when a profile starts (console.profile adds
 * the current stack: the recorder's `begin`, cutting a chunk), not a tick of the sampler. Kept, it
 * weighed until the next tick: on a loaded machine whose sampler fell behind, 100–300 ms of the
 * user's loop that the cut had interrupted read as the recorder's (a planted 100 ms serial loop
 * read 73). Dropped, the tick before it runs on to the tick after, as for any other moment no
 * tick saw; the cut's own work after it is sampled as usual.
 */
function isChunkStart(frame: { functionName: string; url: string }): boolean {
  return frame.functionName === 'begin' && isRuntimeFile(frame.url);
}

/**
 * One profile from consecutive chunks of one thread: nodes merged by call-frame path, samples
 * in chunk order, a sample at or before the previous chunk's last sample dropped (it is that
 * chunk's, taken while both profiles ran). hitCount counts the samples kept; positionTicks are
 * summed (a line may count an overlap sample twice).
 */
class ChunkStitcher {
  private readonly nodes: CpuProfileNode[] = [];
  private readonly childByKey = new Map<string, number>();
  private readonly samples: number[] = [];
  private readonly timeDeltas: number[] = [];
  private startTime: number | undefined;
  private endTime = 0;
  private prevTime = 0;
  private keptUntil = -Infinity;

  private addNode(parent: CpuProfileNode | undefined, from: CpuProfileNode): CpuProfileNode {
    const f = from.callFrame;
    const key = `${parent ? parent.id : 0}\u0000${f.functionName}\u0000${f.scriptId}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
    const id = this.childByKey.get(key);
    if (id !== undefined) return this.nodes[id - 1];
    const node: CpuProfileNode = { id: this.nodes.length + 1, callFrame: { ...f }, hitCount: 0, children: [] };
    this.childByKey.set(key, node.id);
    this.nodes.push(node);
    if (parent) parent.children!.push(node.id);
    return node;
  }

  add(chunk: CpuProfile): void {
    const later = this.startTime !== undefined;
    if (this.startTime === undefined) this.prevTime = this.startTime = chunk.startTime;
    this.endTime = Math.max(this.endTime, chunk.endTime);
    const byId = new Map(chunk.nodes.map((n) => [n.id, n]));
    const hasParent = new Set<number>();
    for (const n of chunk.nodes) for (const c of n.children ?? []) hasParent.add(c);
    const mapped = new Map<number, CpuProfileNode>();
    // Iterative walk from each root (V8 gives one, '(root)'): a deep stack must not overflow ours.
    const stack: [CpuProfileNode, CpuProfileNode | undefined][] = chunk.nodes.filter((n) => !hasParent.has(n.id)).map((n) => [n, undefined]);
    while (stack.length > 0) {
      const [n, parent] = stack.pop()!;
      if (mapped.has(n.id)) continue; // a malformed chunk (two parents): first path wins
      const into = this.addNode(parent, n);
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
    let chunkLast = this.keptUntil;
    for (let k = 0; k < chunk.samples.length; k++) {
      t += chunk.timeDeltas[k];
      if (t <= this.keptUntil) continue;
      const node = mapped.get(chunk.samples[k]);
      if (!node) continue;
      if (k === 0 && later && isChunkStart(node.callFrame)) continue;
      this.samples.push(node.id);
      this.timeDeltas.push(t - this.prevTime);
      this.prevTime = t;
      node.hitCount!++;
      if (t > chunkLast) chunkLast = t;
    }
    this.keptUntil = chunkLast;
  }

  /** The profile so far; call once, at the end. */
  result(): CpuProfile {
    for (const n of this.nodes) if (n.children!.length === 0) delete n.children;
    return { nodes: this.nodes, samples: this.samples, timeDeltas: this.timeDeltas, startTime: this.startTime ?? 0, endTime: this.endTime };
  }
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
    // An empty interval loses nothing (a thread seen to end where its last chunk ended, or a
    // child still running past the script's exit, whose end is not known): not a gap.
    for (const g of chunks.gaps) if (g.to > g.from) out.push({ thread: t.tid, from: g.from - facts.originUs, to: g.to - facts.originUs });
    if (chunks.final) continue;
    const from = chunks.lastEnd !== undefined ? chunks.lastEnd - facts.originUs : thread.start;
    const to = thread.end ?? facts.endUs;
    if (to > from) out.push({ thread: t.tid, from, to });
  }
  return out;
}
