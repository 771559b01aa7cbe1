// Maps the frames of a V8 CPU profile back to original sources (TypeScript, bundles) with
// source maps. Pure: the caller reads the maps; this returns a new profile.
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { CpuProfile, CpuProfileNode } from './report';
import { urlToPath } from './profile-index';

/** A source map as JSON (version 3), as read from a .map file or an inline data URL. */
export type RawSourceMap = {
  version: number;
  sources: (string | null)[];
  mappings: string;
  names?: string[];
  sourceRoot?: string;
  sourcesContent?: (string | null)[];
  file?: string;
};

interface Original {
  file: string;
  /** 1-based. */
  line: number;
  /** 0-based. */
  column: number;
}

/**
 * Returns a copy of `profile` whose call frames from scripts with a map point to the original
 * source: lineNumber/columnNumber (0-based) mapped, positionTicks lines (1-based) mapped, and
 * url replaced by the original source (an absolute path when the generated URL was a file://
 * URL or a path) when it differs. `maps[].url` is the generated script's URL as in the profile;
 * relative `sources` resolve against it. Frames without a mapping are left as they were.
 */
export function applySourceMaps(profile: CpuProfile, maps: { url: string; map: RawSourceMap }[]): CpuProfile {
  const traces = new Map<string, TraceMap>();
  for (const { url, map } of maps) {
    try {
      traces.set(url, new TraceMap(map as ConstructorParameters<typeof TraceMap>[0], url));
    } catch {
      // A broken map leaves that script unmapped rather than failing the whole profile.
    }
  }
  const lookup = (trace: TraceMap, line: number, column: number, bias: number): Original | undefined => {
    const pos = originalPositionFor(trace, { line, column, bias: bias as 1 | -1 });
    if (pos.source === null || pos.line === null) return undefined;
    return { file: pos.source, line: pos.line, column: pos.column ?? 0 };
  };
  const firstSource = (trace: TraceMap): Original | undefined =>
    trace.resolvedSources[0] ? { file: trace.resolvedSources[0], line: 1, column: 0 } : undefined;
  const nodes = profile.nodes.map((node): CpuProfileNode => {
    const cf = node.callFrame;
    const trace = traces.get(cf.url);
    if (!trace || cf.lineNumber < 0) return structuredClone(node);
    // The module's own top-level function starts at 0:0 of the generated file, where usually no
    // mapping begins; the nearest one is some declaration further down (a function, a closing
    // brace), which would pin the whole module's time to that line. It starts at the top of the
    // original file instead.
    const moduleTop = cf.lineNumber === 0 && cf.columnNumber === 0;
    const start = moduleTop ? firstSource(trace)
      : lookup(trace, cf.lineNumber + 1, Math.max(0, cf.columnNumber), GREATEST_LOWER_BOUND)
        ?? lookup(trace, cf.lineNumber + 1, Math.max(0, cf.columnNumber), LEAST_UPPER_BOUND);
    if (!start) return structuredClone(node);
    let positionTicks: CpuProfileNode['positionTicks'];
    if (node.positionTicks) {
      // Several generated lines can map to one original line: merge their ticks.
      const byLine = new Map<number, number>();
      for (const t of node.positionTicks) {
        const pos = lookup(trace, t.line, 0, LEAST_UPPER_BOUND);
        const line = pos && pos.file === start.file ? pos.line : start.line;
        byLine.set(line, (byLine.get(line) ?? 0) + t.ticks);
      }
      positionTicks = [...byLine].map(([line, ticks]) => ({ line, ticks })).sort((a, b) => a.line - b.line);
    }
    const generated = urlToPath(cf.url);
    const original = cf.url.startsWith('file://') ? urlToPath(start.file) : start.file;
    return {
      ...node,
      callFrame: { ...cf, url: original !== generated ? original : cf.url, lineNumber: start.line - 1, columnNumber: start.column },
      children: node.children?.slice(),
      ...(positionTicks ? { positionTicks } : {}),
    };
  });
  return { ...profile, nodes, samples: profile.samples.slice(), timeDeltas: profile.timeDeltas.slice() };
}

/**
 * Maps one position of a generated script (a pool call site from a stack trace: `line` and
 * `column` 1-based) to the original source, the way applySourceMaps maps a profile's frames, so
 * a TypeScript call site names the line of the .ts file that the hot lines also point into.
 * A position without a map or a mapping is returned as it was.
 */
export function mapSourcePosition<P extends { file: string; line: number; column: number }>(site: P,
  maps: { url: string; map: RawSourceMap }[]): P {
  const entry = maps.find((m) => m.url === site.file);
  if (!entry || site.line < 1) return site;
  let trace: TraceMap;
  try {
    trace = new TraceMap(entry.map as ConstructorParameters<typeof TraceMap>[0], entry.url);
  } catch {
    return site;
  }
  const column = Math.max(0, site.column - 1);
  const pos = [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND]
    .map((bias) => originalPositionFor(trace, { line: site.line, column, bias: bias as 1 | -1 }))
    .find((p) => p.source !== null && p.line !== null);
  if (!pos || pos.source === null || pos.line === null) return site;
  return { ...site, file: urlToPath(pos.source), line: pos.line, column: (pos.column ?? 0) + 1 };
}
