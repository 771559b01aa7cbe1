// Shared by the '0x' mode tests: a profile's samples with their times and stacks.
import type { CpuProfile } from '../../src/model/report';

/** Each sample's time (µs from origin) and its stack of function names, outermost first. */
export function samplesOf(p: CpuProfile): { t: number; stack: string[] }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out: { t: number; stack: string[] }[] = [];
  let t = p.startTime;
  p.samples.forEach((id, k) => {
    t += p.timeDeltas[k];
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame.functionName);
    out.push({ t, stack: stack.reverse().slice(1) });
  });
  return out;
}

/** A frame name without the tier or kind suffix the tick profile gives it. */
export const bare = (name: string): string => name.replace(/ \[[^\]]+\]$/, '');

