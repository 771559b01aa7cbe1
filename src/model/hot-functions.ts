// The hottest functions of one thread's profile for the CLI summary, with this package's own
// frames (the pool, the recorder, the preload: src/runtime) folded into one 'parprof runtime'
// entry, as the views' default call tree does (transforms.ts): profiler overhead is not listed
// as if it were the user's code, and its time stays visible as one line.
import { functionTimes } from './flame';
import type { ProfileIndex } from './profile-index';
import { RUNTIME_RESOURCE, isRuntimeFile } from './transforms';
import { NOT_SAMPLED, type CappedSelf } from './unsampled';

/** A hot function's identity and times, µs. */
export interface HotFunction { name: string; file: string; line: number; self: number; total: number }

/** The folded entry's name; its file is '' and its line 0. */
export const RUNTIME_ENTRY = RUNTIME_RESOURCE.label;

/**
 * Self and total µs of the runtime's frames taken together: self is the weight of samples whose
 * innermost frame is the runtime's; total of those with a runtime frame anywhere on the stack.
 */
export function runtimeTimes(index: ProfileIndex, nodeSelf: Float64Array): { self: number; total: number } {
  const n = index.nodes.length;
  const mine = new Uint8Array(n), under = new Uint8Array(n);
  for (let k = 0; k < n; k++) mine[k] = isRuntimeFile(index.nodes[k].callFrame.url) ? 1 : 0;
  let self = 0, total = 0;
  for (const i of index.order) {
    // A hidden node's samples are not code ('(program)', or the pool waiting for work: idle).
    if (index.hidden[i]) continue;
    const p = index.parent[i];
    under[i] = mine[i] || (p >= 0 && under[p]) ? 1 : 0;
    if (mine[i]) self += nodeSelf[i];
    if (under[i]) total += nodeSelf[i];
  }
  return { self, total };
}

/**
 * The `limit` functions with the most self time (cappedSelfWeights: late samples capped), the
 * runtime's folded into one entry and the late samples' excess into one '(not sampled)' entry.
 */
export function hotFunctions(index: ProfileIndex, capped: CappedSelf, limit: number): HotFunction[] {
  const times = functionTimes(index, capped.self, capped.unsampled);
  const out: HotFunction[] = [];
  index.functions.forEach((f, k) => {
    if (times.self[k] > 0 && !isRuntimeFile(f.file)) out.push({ name: f.name, file: f.file, line: f.line, self: times.self[k], total: times.total[k] });
  });
  const runtime = runtimeTimes(index, capped.self);
  if (runtime.self > 0) out.push({ name: RUNTIME_ENTRY, file: '', line: 0, ...runtime });
  if (capped.unsampledUs > 0) out.push({ name: NOT_SAMPLED, file: '', line: 0, self: capped.unsampledUs, total: capped.unsampledUs });
  return out.sort((a, b) => b.self - a.self).slice(0, limit);
}
