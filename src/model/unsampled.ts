// Wall time no CPU sample saw. V8 weighs a sample by the time until the next one, so when the next
// sample comes late (the thread, or V8's sampler thread, was descheduled; a long native call; a
// chunk of the profile lost), the whole stretch is charged to the earlier sample's frame: a tryout
// read `begin` 170 ms self on 23 ms of CPU. Nothing saw where the thread was in that stretch.
//
// So a sample stands for at most SAMPLE_CAP_INTERVALS sampling intervals of wall time; the rest of
// its weight (its excess) goes to a '(not sampled)' frame placed under the deepest frame that both
// the sample and the next one have on their stacks: the frame that was plausibly running all
// along (a spin loop sampled late stays in its spin loop; a call that returned to the root puts
// the excess at the root). Totals still add up to the thread's wall time and nothing is dropped;
// a frame's self time is never more than what its samples cover. Samples that come on time (the
// usual case) are untouched. '(idle)' and '(program)' samples are left out of trees whole, as
// before, so their excess is not counted either. CPU-time columns (cpu-time.ts) do not use this:
// they divide measured CPU time, which a late sample cannot inflate.
import type { Report } from './report';
import { ROOT_FRAME, functionKey, overlapUs, selfWeights, type FunctionIdentity, type ProfileIndex } from './profile-index';

/** The pseudo-frame's name. */
export const NOT_SAMPLED = '(not sampled)';
/** A sample's wall weight is capped at this many sampling intervals. */
export const SAMPLE_CAP_INTERVALS = 10;
/** What the pseudo-frame stands for, for tooltips. */
export const NOT_SAMPLED_MEANING = `wall time no CPU sample saw: the next sample came over ${SAMPLE_CAP_INTERVALS} sampling intervals late ` +
  '(the thread, or V8\'s sampler, was descheduled, or a chunk of samples was lost); the frames above it were on the stack before and after';
/** The pseudo-frame's identity: no file, no line. */
export const NOT_SAMPLED_FRAME: FunctionIdentity = { key: functionKey(NOT_SAMPLED, '', 0), name: NOT_SAMPLED, file: '', line: 0, column: 0 };

/** The cap of a report's samples, µs; Infinity when its sampling interval is unknown (0). */
export function sampleCapUs(report: Pick<Report, 'meta'>): number {
  const interval = report.meta.sampleIntervalUs;
  return interval > 0 ? SAMPLE_CAP_INTERVALS * interval : Infinity;
}

/** The late samples of one profile. */
export interface UnsampledTime {
  /** Indices of the samples whose weight passes the cap, ascending. */
  samples: Int32Array;
  /** Each one's weight beyond the cap, µs. */
  excess: Float64Array;
  /** Node under which each one's excess goes; -1 for the tree's root. */
  under: Int32Array;
}

const NONE: UnsampledTime = { samples: new Int32Array(0), excess: new Float64Array(0), under: new Int32Array(0) };
const cache = new WeakMap<ProfileIndex, { capUs: number; value: UnsampledTime }>();

/** A node that trees show: walked from a root, not '(idle)'/'(program)' nor under them. */
function shown(index: ProfileIndex, node: number): boolean {
  return node >= 0 && index.hidden[node] === 0;
}

/** The deepest node on both a's and b's paths, -1 when only the root is (or b is not shown). */
function sharedFrame(index: ProfileIndex, a: number, b: number): number {
  if (!shown(index, b)) return -1;
  const { depth, parent } = index;
  // Parents come from indexProfile's walk, so each step lowers the depth: the walk ends.
  while (depth[a] > depth[b]) a = parent[a];
  while (depth[b] > depth[a]) b = parent[b];
  while (a !== b && a >= 0 && b >= 0) { a = parent[a]; b = parent[b]; }
  if (a < 0 || a !== b) return -1;
  return index.parent[a] < 0 && index.nodes[a].callFrame.functionName === ROOT_FRAME ? -1 : a;
}

/** The samples of a profile whose wall weight passes capUs (cached per index and cap). */
export function unsampledTime(index: ProfileIndex, capUs: number): UnsampledTime {
  const hit = cache.get(index);
  if (hit && hit.capUs === capUs) return hit.value;
  const { weights, sampleNode } = index;
  const picked: number[] = [];
  if (capUs < Infinity) {
    for (let i = 0; i < weights.length; i++) if (weights[i] > capUs && shown(index, sampleNode[i])) picked.push(i);
  }
  let value = NONE;
  if (picked.length > 0) {
    const samples = Int32Array.from(picked);
    const excess = new Float64Array(samples.length);
    const under = new Int32Array(samples.length);
    samples.forEach((i, k) => {
      excess[k] = weights[i] - capUs;
      under[k] = i + 1 < sampleNode.length ? sharedFrame(index, sampleNode[i], sampleNode[i + 1]) : -1;
    });
    value = { samples, excess, under };
  }
  cache.set(index, { capUs, value });
  return value;
}

/** Node self weights with the cap applied, and the '(not sampled)' µs under each node (-1: the root). */
export interface CappedSelf {
  self: Float64Array;
  /** Node (-1 = root) → µs of '(not sampled)' under it. */
  unsampled: Map<number, number>;
  /** Sum of `unsampled`, µs. */
  unsampledUs: number;
}

/** selfWeights with every late sample capped (samples whose time is in [from, to)). */
export function cappedSelfWeights(index: ProfileIndex, capUs: number, from = -Infinity, to = Infinity): CappedSelf {
  const self = selfWeights(index, from, to);
  const late = unsampledTime(index, capUs);
  const unsampled = new Map<number, number>();
  let unsampledUs = 0;
  for (let k = 0; k < late.samples.length; k++) {
    const i = late.samples[k];
    // The excess is the sample's late tail: [time + weight − excess, time + weight), clipped to the range as selfWeights clips.
    const end = index.times[i] + index.weights[i];
    const e = from === -Infinity && to === Infinity ? late.excess[k] : overlapUs(end - late.excess[k], end, from, to);
    if (e <= 0) continue;
    self[index.sampleNode[i]] -= e;
    unsampled.set(late.under[k], (unsampled.get(late.under[k]) ?? 0) + e);
    unsampledUs += e;
  }
  return { self, unsampled, unsampledUs };
}
