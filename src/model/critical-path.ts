// The critical path of a run in work, not wall time: what compare and sweep judge by, because a
// loaded machine stretches wall time (threads wait for a core) but not the work, and the sum of
// every thread's CPU time cannot see a balance fix (moving work from the busiest thread to an
// idle one leaves the sum unchanged). Times in MILLISECONDS; "work" is time on a core: inside a
// thread's tasks (RegionThreadMetrics.busyOnCpuMs), or the main thread's own code outside operations. Not
// busy time less the wait for a core: at load that kept 100-130 ms of a 300 ms spinning chunk that
// was neither on a core nor runnable (the profiler's own writes), and unchanged code read ±7 %.
import type { RegionMetrics, RunMetrics } from './analysis';
import { busySplit, cpuSeriesOf } from './cpu-time';
import { mainThreadWork, SAMPLE_USER, workWithin } from './main-thread-work';
import type { Report } from './report';

const MS = 1 / 1000;

/**
 * A region's critical path: its busiest thread's work, which bounds its wall time when cores are
 * free. Under a static schedule the split of the work is fixed, so that is the max over threads.
 * Under the others (dynamic, steal, join, external pools) the split follows the threads' speed: on
 * a loaded machine a thread that waits for a core takes fewer chunks and the others do more work,
 * yet every thread stays busy to the end — with free cores the split would have been even, and
 * unchanged code must not read as slower. There an imbalance of the work only counts as far as
 * the wall time shows it too: mean work × min(wall imbalance, work imbalance). A coarse split the
 * schedule could not even out (3 items on 2 threads) shows in both. undefined when a thread's
 * work is unknown.
 */
export function regionCriticalMs(m: RegionMetrics): number | undefined {
  if (m.tasks === 0) return 0;
  const p = m.threadTime.threads;
  if (p <= 0 || m.threads.some((t) => t.busyMs > 0 && t.busyOnCpuMs === undefined)) return undefined;
  const work = m.threads.map((t) => t.busyOnCpuMs ?? 0);
  const mean = work.reduce((a, b) => a + b, 0) / p;
  if (mean <= 0) return 0;
  const workImbalance = Math.max(...work) / mean;
  return mean * (m.schedule === 'static' ? workImbalance : Math.min(m.imbalance, workImbalance));
}

/**
 * The whole run's critical path over [start, end] (µs from origin, the whole-run window less the
 * `excluded` intervals, e.g. waiting for pool start-up): the main thread's time on a core outside
 * every operation, plus the operations' critical paths. Operations that overlap
 * in time count as one stretch with the largest of their critical paths (a lower bound there).
 * undefined when the main thread or a region lacks CPU times.
 */
export function runCriticalMs(report: Report, metrics: RunMetrics, start: number, end: number, excluded: [number, number][] = []): number | undefined {
  const main = cpuSeriesOf(report, 0);
  if (!main) return undefined;
  const windows = report.regions.map((r, i) => ({ from: Math.max(start, r.start), to: Math.min(end, r.start + metrics.regions[i].wallMs / MS), i }))
    .filter((w) => w.to > w.from).sort((a, b) => a.from - b.from);
  let critical = 0;
  const serial: [number, number][] = [];
  let cursor = start;
  for (let k = 0; k < windows.length;) {
    // One stretch of overlapping operations.
    let to = windows[k].to, most = 0;
    const from = windows[k].from;
    for (; k < windows.length && windows[k].from < to; k++) {
      const c = regionCriticalMs(metrics.regions[windows[k].i]);
      if (c === undefined) return undefined;
      most = Math.max(most, c);
      to = Math.max(to, windows[k].to);
    }
    critical += most;
    if (from > cursor) serial.push([cursor, from]);
    cursor = Math.max(cursor, to);
  }
  if (end > cursor) serial.push([cursor, end]);
  const outside = subtract(serial, excluded);
  // Outside operations, the user's own code on a core (main-thread-work.ts): not Node's start-up,
  // module loading by Node alone, the recorder or the pool runtime, whose CPU time moves between
  // two runs of unchanged code (it read +6.6 % on a whole run whose own code was 5 ms).
  const w = mainThreadWork(report);
  if (w && w.source === 'cpu') return critical + outside.reduce((a, [s, e]) => a + workWithin(w, SAMPLE_USER, s, e), 0) * MS;
  return critical + busySplit(main, toIntervals(outside)).onCpu * MS;
}

/** `from` less `cut` (both sorted or not; small lists): linear in their lengths after sorting. */
function subtract(from: [number, number][], cut: [number, number][]): [number, number][] {
  const cuts = [...cut].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of from) {
    let at = s;
    for (const [cs, ce] of cuts) {
      if (ce <= at || cs >= e) continue;
      if (cs > at) out.push([at, cs]);
      at = Math.max(at, ce);
    }
    if (at < e) out.push([at, e]);
  }
  return out;
}

function toIntervals(list: [number, number][]): Float64Array {
  const out = new Float64Array(list.length * 2);
  list.forEach(([s, e], k) => { out[2 * k] = s; out[2 * k + 1] = e; });
  return out;
}
