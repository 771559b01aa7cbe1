// Maps CPU profile frames of transpiled files (.ts run through esbuild by the preload) back to
// their sources. Stands in until src/model/sourcemap.ts provides applySourceMaps(profile, maps);
// the runner's single call site is in report-build.ts.
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CpuProfile } from '../model/report';
import type { RecordedSourceMap } from './spool';

function lookup(map: TraceMap, line1: number, column0: number): { source: string; line: number; column: number } | undefined {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND]) {
    const p = originalPositionFor(map, { line: line1, column: column0, bias });
    if (p.source !== null && p.line !== null) return { source: p.source, line: p.line, column: p.column ?? 0 };
  }
  return undefined;
}

/** Rewrites, in place, frames whose script has a recorded source map: url, 0-based line/column, positionTicks lines. */
export function mapProfileFrames(profile: CpuProfile, maps: RecordedSourceMap[]): number {
  if (maps.length === 0) return 0;
  const byUrl = new Map<string, TraceMap>();
  for (const m of maps) {
    const traced = new TraceMap(m.map as ConstructorParameters<typeof TraceMap>[0], m.url);
    byUrl.set(m.url, traced);
    byUrl.set(m.file, traced);
  }
  let mapped = 0;
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const map = byUrl.get(frame.url);
    if (!map) continue;
    const generatedLine0 = frame.lineNumber;
    const pos = generatedLine0 >= 0 ? lookup(map, generatedLine0 + 1, Math.max(0, frame.columnNumber)) : undefined;
    if (pos) {
      frame.url = toUrl(pos.source, frame.url);
      frame.lineNumber = pos.line - 1;
      frame.columnNumber = pos.column;
      mapped++;
    }
    if (node.positionTicks) {
      for (const tick of node.positionTicks) {
        const p = lookup(map, tick.line, 0);
        if (p) tick.line = p.line;
      }
    }
  }
  return mapped;
}

/** Sources come back resolved against the map's url; keep the file:// form V8 used. */
function toUrl(source: string, original: string): string {
  if (source.startsWith('file:')) return source;
  if (source.startsWith('/')) return original.startsWith('file:') ? pathToFileURL(source).href : source;
  try {
    return original.startsWith('file:') ? new URL(source, original).href : fileURLToPath(new URL(source, pathToFileURL(original)));
  } catch {
    return source;
  }
}
