// The report fields added in format version 2, from the spool: start-up times (process,
// recorder, every pool worker), per-thread CPU time series, and the user's blocking waits.
import type { CpuTimeSeries, Region, SpanColumns, Startup, WaitColumns, WorkerStartup } from '../model/report';
import type { SpoolEvent } from '../runtime/recorder-events';
import type { Spool, ThreadSpool } from './spool';

type Ev<K extends SpoolEvent['e']> = Extract<SpoolEvent, { e: K }>;

export interface V2Context {
  /** Recorded threads of the report (the user's), sorted by id. */
  threads: ThreadSpool[];
  regions: Region[];
  /** Dense region id of a recorder region key. */
  regionId: Map<number, number>;
  /** Dense pool id of a recorder pool id. */
  poolId: (raw: number) => number;
  spans: SpanColumns;
  /** When the runner spawned the process, µs from origin. */
  spawnUs: number;
}

export interface V2Fields {
  startup?: Startup;
  cpu: CpuTimeSeries[];
  waits: WaitColumns;
  droppedWaits: number;
}

export function buildV2Fields(spool: Spool, c: V2Context): V2Fields {
  const ids = new Set(c.threads.map((t) => t.tid));
  const main = c.threads.find((t) => t.events.some((e) => e.e === 'start' && e.main));
  const mainStart = main?.events.find((e): e is Ev<'start'> => e.e === 'start');
  const installed = main?.events.find((e): e is Ev<'installed'> => e.e === 'installed');

  // First span start of each thread: when an external pool's worker began its first message.
  const firstSpan = new Map<number, number>();
  for (let k = 0; k < c.spans.count; k++) {
    const t = c.spans.thread[k];
    const s = c.spans.start[k];
    const f = firstSpan.get(t);
    if (f === undefined || s < f) firstSpan.set(t, s);
  }
  const workers: WorkerStartup[] = [];
  let droppedWaits = 0;
  for (const t of spool.threads.values()) {
    for (const e of t.events) {
      if (e.e === 'workerReady' && ids.has(e.tid)) {
        workers.push({ thread: e.tid, pool: c.poolId(e.pool), created: e.created, ready: Math.max(e.created, e.ready), readyBy: 'module-loaded' });
      } else if (e.e === 'worker' && ids.has(e.tid) && e.lib !== 'parallel-profiler' && e.lib !== 'internal') {
        const id = c.regionId.get(e.region);
        if (id === undefined) continue;
        const ready = firstSpan.get(e.tid);
        workers.push({ thread: e.tid, pool: c.regions[id].pool, created: e.t, ...(ready !== undefined ? { ready: Math.max(e.t, ready) } : {}), readyBy: 'first-message' });
      } else if (e.e === 'dropped' && e.waits) {
        droppedWaits += e.waits;
      }
    }
  }
  workers.sort((a, b) => a.created - b.created || a.thread - b.thread);
  const startup: Startup | undefined = mainStart
    ? { spawn: Math.min(c.spawnUs, mainStart.t), preload: mainStart.t, script: Math.max(mainStart.t, installed?.t ?? mainStart.t), workers }
    : undefined;

  const cpu: CpuTimeSeries[] = [];
  for (const t of c.threads) {
    let series: CpuTimeSeries | undefined;
    for (const e of t.events) {
      if (e.e !== 'cpu') continue;
      series ??= { thread: t.tid, source: e.source, t: [], onCpu: [], ...(e.source === 'schedstat' ? { runnable: [] } : {}) };
      for (let k = 0; k < e.t.length; k++) {
        // Readings in time order, cumulative counters never going back (a lost line cannot reorder them).
        const last = series.t.length - 1;
        if (last >= 0 && (e.t[k] < series.t[last] || e.on[k] < series.onCpu[last])) continue;
        series.t.push(e.t[k]);
        series.onCpu.push(e.on[k]);
        series.runnable?.push(Math.max(e.wait?.[k] ?? 0, last >= 0 ? series.runnable[last] : 0));
      }
    }
    if (series && series.t.length > 0) cpu.push(series);
  }

  const waits: WaitColumns = { count: 0, thread: [], start: [], end: [] };
  const rows: [number, number, number][] = [];
  for (const t of c.threads) {
    const w = t.waits;
    if (!w) continue;
    for (let k = 0; k + 1 < w.length; k += 2) if (w[k + 1] >= w[k]) rows.push([t.tid, w[k], w[k + 1]]);
  }
  rows.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  for (const [thread, start, end] of rows) {
    waits.thread.push(thread);
    waits.start.push(start);
    waits.end.push(end);
  }
  waits.count = rows.length;
  return { startup, cpu, waits, droppedWaits };
}
