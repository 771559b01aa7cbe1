// Export to speedscope's file format (https://www.speedscope.app/file-format-schema.json):
// `shared.frames` and one 'sampled' profile per profiled thread, all on the report's clock. Pure.
// import-speedscope.ts reads it back.
import { threadNameWithProcess } from './processes';
import type { Report } from './report';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  /** 1-based, as speedscope shows it. */
  line?: number;
  col?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  /** '<thread name> (thread <id>)': import-speedscope reads the id back. */
  name: string;
  unit: 'microseconds';
  /** µs from the report origin: the profile's start and end. */
  startValue: number;
  endValue: number;
  /** Each sample's stack as indexes into shared.frames, outermost first. */
  samples: number[][];
  /** µs each sample stands for: the time since the previous sample (or since startValue). */
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/** `meta.recorder` of a speedscope import; `<it> of parprof <recorder>` when the file is our export. */
export const SPEEDSCOPE_IMPORT = 'import:speedscope';

/**
 * The `exporter` a report's speedscope file names: the one an import of our export read (so
 * export -> import -> export is stable), else this tool with the report's recorder.
 */
function exporterOf(recorder: string): string {
  const prefix = `${SPEEDSCOPE_IMPORT} of `;
  return recorder.startsWith(`${prefix}parprof `) ? recorder.slice(prefix.length) : `parprof ${recorder}`;
}

/** V8's root node, which is no function: stacks start below it. */
const ROOT = '(root)';

/**
 * The report's CPU profiles as a speedscope file. Frames are numbered in the order samples first
 * reach them, so only sampled frames are listed and a re-export of an import is identical.
 * Weights are the deltas V8 recorded, so startValue + Σ weights puts each sample back at its time.
 */
export function toSpeedscope(report: Report): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const frameIndex = new Map<string, number>();
  // A thread of a child process says whose it is: speedscope lists the profiles of every process in one list.
  const names = new Map(report.threads.map((t) => [t.id, threadNameWithProcess(report, t)]));
  const profiles = report.profiles.map((tp): SpeedscopeSampledProfile => {
    const p = tp.profile;
    const parent = new Map<number, number>();
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const frameOf = (id: number): number | undefined => {
      const node = byId.get(id)!;
      const cf = node.callFrame;
      if (parent.get(id) === undefined && cf.functionName === ROOT) return undefined;
      const key = `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
      let f = frameIndex.get(key);
      if (f === undefined) {
        f = frames.length;
        frameIndex.set(key, f);
        frames.push({
          name: cf.functionName || '(anonymous)', ...(cf.url ? { file: cf.url } : {}),
          ...(cf.lineNumber >= 0 ? { line: cf.lineNumber + 1 } : {}), ...(cf.columnNumber >= 0 ? { col: cf.columnNumber + 1 } : {}),
        });
      }
      return f;
    };
    // One stack per sampled node, walked once from the node up: the file holds each sample's
    // whole stack anyway, so this costs no more than the output (a stack per unsampled node
    // would cost depth² on a deep recursion).
    const stacks = new Map<number, number[]>();
    const stackOf = (id: number): number[] => {
      let stack = stacks.get(id);
      if (stack) return stack;
      const chain: number[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(at);
      stack = [];
      for (let k = chain.length - 1; k >= 0; k--) {
        const f = frameOf(chain[k]);
        if (f !== undefined) stack.push(f);
      }
      stacks.set(id, stack);
      return stack;
    };
    return {
      type: 'sampled', name: `${names.get(tp.thread) ?? 'thread'} (thread ${tp.thread})`, unit: 'microseconds',
      startValue: p.startTime, endValue: p.endTime,
      samples: Array.from(p.samples, (s) => stackOf(s)), weights: Array.from(p.timeDeltas),
    };
  });
  return {
    $schema: SPEEDSCOPE_SCHEMA, shared: { frames }, profiles, name: report.meta.script,
    activeProfileIndex: 0, exporter: exporterOf(report.meta.recorder),
  };
}
