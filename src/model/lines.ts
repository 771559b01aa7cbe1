// Per-line CPU time for the editor's hot-line decorations, from the profiles' positionTicks.
//
// selfUs of a line: samples whose innermost frame was on that line. V8 records, per call-tree
// node, how many of its own samples fell on each line (positionTicks); a node's self time is
// split over its lines in proportion. A node without positionTicks puts its self time on the
// function's first line.
// totalUs of a line: V8 does not record the line a caller was on when it called, so the time
// spent in callees can only be placed on the callee's declaration line. totalUs is therefore
// the larger of the line's self time and the total time (recursion-safe, once per stack) of
// the functions declared on that line.
import type { Report } from './report';
import { functionTimes } from './flame';
import { ROOT_FRAME, indexProfile, isHidden } from './profile-index';
import { cappedSelfWeights, sampleCapUs } from './unsampled';

export interface LineHotness {
  /** 1-based. */
  line: number;
  selfUs: number;
  totalUs: number;
  perThread: { thread: number; selfUs: number }[];
}

export interface FileHotness {
  /** Absolute path, from the frame URL (file:// URLs converted). */
  file: string;
  /** Sorted by line. Only lines with time on them. */
  lines: LineHotness[];
}

interface LineAcc {
  self: number;
  declaredTotal: number;
  perThread: Map<number, number>;
}

function isAbsolutePath(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file);
}

/** Hot lines of every source file with samples, hottest file (by self time) first. */
export function lineHotness(report: Report, options?: { thread?: number }): FileHotness[] {
  const files = new Map<string, Map<number, LineAcc>>();
  const acc = (file: string, line: number): LineAcc => {
    let lines = files.get(file);
    if (!lines) files.set(file, (lines = new Map()));
    let a = lines.get(line);
    if (!a) lines.set(line, (a = { self: 0, declaredTotal: 0, perThread: new Map() }));
    return a;
  };
  const capUs = sampleCapUs(report);
  for (const tp of report.profiles) {
    if (options?.thread !== undefined && tp.thread !== options.thread) continue;
    const index = indexProfile(tp.profile);
    // Late samples capped as in the flame trees (unsampled.ts): a line gets no time nothing saw.
    const capped = cappedSelfWeights(index, capUs);
    const self = capped.self;
    for (let i = 0; i < index.nodes.length; i++) {
      if (self[i] <= 0 || isHidden(index, i)) continue;
      const f = index.functions[index.fn[i]];
      if (!isAbsolutePath(f.file)) continue;
      const ticks = index.nodes[i].positionTicks?.filter((t) => t.ticks > 0 && t.line > 0);
      const sum = ticks?.reduce((a, t) => a + t.ticks, 0) ?? 0;
      const parts = sum > 0 ? ticks!.map((t) => [t.line, (self[i] * t.ticks) / sum] as const) : f.line > 0 ? [[f.line, self[i]] as const] : [];
      for (const [line, us] of parts) {
        const a = acc(f.file, line);
        a.self += us;
        a.perThread.set(tp.thread, (a.perThread.get(tp.thread) ?? 0) + us);
      }
    }
    const times = functionTimes(index, self, capped.unsampled);
    index.functions.forEach((f, k) => {
      if (times.total[k] <= 0 || f.line <= 0 || !isAbsolutePath(f.file) || f.name === ROOT_FRAME) return;
      acc(f.file, f.line).declaredTotal += times.total[k];
    });
  }
  const out: (FileHotness & { weight: number })[] = [];
  for (const [file, lines] of files) {
    const rows: LineHotness[] = [...lines].map(([line, a]) => ({
      line, selfUs: a.self, totalUs: Math.max(a.self, a.declaredTotal),
      perThread: [...a.perThread].map(([thread, selfUs]) => ({ thread, selfUs })).sort((x, y) => x.thread - y.thread),
    }));
    rows.sort((a, b) => a.line - b.line);
    out.push({ file, lines: rows, weight: rows.reduce((s, r) => s + r.selfUs, 0) });
  }
  out.sort((a, b) => b.weight - a.weight || (a.file < b.file ? -1 : 1));
  return out.map(({ file, lines }) => ({ file, lines }));
}
