// V8 writes a few negative `timeDeltas` in real profiles (samples taken out of order, seen in
// ordinary recorded runs of this project). Every reader and writer here puts samples in time
// order with this one function, so a delta is never negative after it. Pure; n log n only when
// something is out of order.
import type { CpuProfile } from './report';

/** The profile with its samples in time order (stable: equal times keep their order); the same object when already in order. */
export function inTimeOrder(p: CpuProfile): CpuProfile {
  const deltas = p.timeDeltas;
  let sorted = true;
  for (let i = 0; i < deltas.length; i++) if (deltas[i] < 0) { sorted = false; break; }
  if (sorted) return p;
  const times = new Float64Array(deltas.length);
  let t = p.startTime;
  for (let i = 0; i < deltas.length; i++) times[i] = t += deltas[i];
  const order = Array.from({ length: deltas.length }, (_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  const samples = order.map((i) => p.samples[i]);
  let last = p.startTime;
  const timeDeltas = order.map((i) => { const d = Math.max(0, times[i] - last); last = Math.max(last, times[i]); return d; });
  return { ...p, samples, timeDeltas, endTime: Math.max(p.endTime, last) };
}
