// Validation of the fields report format 2 added (startup, cpu, waits, regions[].called,
// dropped.waits). load.ts checks the version-1 shape and then asks this function, which returns
// the first problem (a JSON path and what is wrong) rather than throwing. Every field is
// optional, so a version-1 report passes.
import type { Problem } from './validate-values';
import { processesProblem } from './processes';

type Obj = Record<string, unknown>;

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'number') return `number ${x}`;
  return typeof x;
}
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);

/** A column of `count` finite numbers (JSON array or typed array). */
function columnProblem(x: unknown, count: number, path: string, integers: boolean): Problem | undefined {
  const ok = Array.isArray(x) || ArrayBuffer.isView(x);
  if (!ok) return { path, problem: `expected an array, found ${kind(x)}` };
  const a = x as ArrayLike<unknown>;
  if (a.length !== count) return { path, problem: `expected ${count} numbers, found ${a.length}` };
  for (let i = 0; i < count; i++) {
    const v = a[i];
    if (!(integers ? isInt(v) : isNum(v))) return { path: `${path}[${i}]`, problem: `expected ${integers ? 'an integer' : 'a number'}, found ${kind(v)}` };
  }
  return undefined;
}

/** The first problem in the format-2 fields of a report whose version-1 fields are valid. */
export function format2Problem(r: Obj): Problem | undefined {
  const threads = new Set((r.threads as { id: number }[]).map((t) => t.id));
  const pools = new Set((r.regions as { pool: number }[]).map((g) => g.pool));
  const regions = r.regions as Obj[];
  for (let i = 0; i < regions.length; i++) {
    const c = regions[i].called;
    if (c === undefined) continue;
    if (!isNum(c)) return { path: `regions[${i}].called`, problem: `expected a number, found ${kind(c)}` };
    if (c > (regions[i].start as number)) return { path: `regions[${i}].called`, problem: `${c} is after start ${regions[i].start}` };
  }
  const dropped = r.dropped as Obj;
  if (dropped.waits !== undefined && !(isInt(dropped.waits) && dropped.waits >= 0)) {
    return { path: 'dropped.waits', problem: `expected an integer ≥ 0, found ${kind(dropped.waits)}` };
  }
  const gaps = sampleGapsProblem(dropped.sampleGaps, threads);
  if (gaps) return gaps;
  return startupProblem(r.startup, threads, pools) ?? cpuProblem(r.cpu, threads) ?? waitsProblem(r.waits, threads) ?? processesProblem(r);
}

function sampleGapsProblem(x: unknown, threads: Set<number>): Problem | undefined {
  if (x === undefined) return undefined;
  if (!Array.isArray(x)) return { path: 'dropped.sampleGaps', problem: `expected an array, found ${kind(x)}` };
  for (let i = 0; i < x.length; i++) {
    const g = x[i] as Obj;
    const path = `dropped.sampleGaps[${i}]`;
    if (!isObj(g)) return { path, problem: `expected an object, found ${kind(g)}` };
    if (!threads.has(g.thread as number)) return { path: `${path}.thread`, problem: `${String(g.thread)} is not a thread of the report` };
    if (!isNum(g.from) || !isNum(g.to)) return { path, problem: 'from and to must be numbers' };
    if (g.to < g.from) return { path, problem: `to ${g.to} is before from ${g.from}` };
  }
  return undefined;
}

function startupProblem(x: unknown, threads: Set<number>, pools: Set<number>): Problem | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) return { path: 'startup', problem: `expected an object, found ${kind(x)}` };
  for (const k of ['spawn', 'preload', 'script'] as const) {
    if (!isNum(x[k])) return { path: `startup.${k}`, problem: `expected a number, found ${kind(x[k])}` };
  }
  if ((x.preload as number) < (x.spawn as number)) return { path: 'startup.preload', problem: `${x.preload} is before spawn ${x.spawn}` };
  if ((x.script as number) < (x.preload as number)) return { path: 'startup.script', problem: `${x.script} is before preload ${x.preload}` };
  if (!Array.isArray(x.workers)) return { path: 'startup.workers', problem: `expected an array, found ${kind(x.workers)}` };
  for (let i = 0; i < x.workers.length; i++) {
    const p = `startup.workers[${i}]`;
    const w = x.workers[i] as unknown;
    if (!isObj(w)) return { path: p, problem: `expected an object, found ${kind(w)}` };
    if (!isInt(w.thread)) return { path: `${p}.thread`, problem: `expected an integer, found ${kind(w.thread)}` };
    if (!threads.has(w.thread)) return { path: `${p}.thread`, problem: `thread ${w.thread} is not in threads` };
    if (!isInt(w.pool)) return { path: `${p}.pool`, problem: `expected an integer, found ${kind(w.pool)}` };
    if (!pools.has(w.pool) && pools.size > 0) return { path: `${p}.pool`, problem: `pool ${w.pool} is the pool of no region` };
    if (!isNum(w.created)) return { path: `${p}.created`, problem: `expected a number, found ${kind(w.created)}` };
    if (w.ready !== undefined) {
      if (!isNum(w.ready)) return { path: `${p}.ready`, problem: `expected a number, found ${kind(w.ready)}` };
      if (w.ready < w.created) return { path: `${p}.ready`, problem: `${w.ready} is before created ${w.created}` };
    }
    if (w.readyBy !== 'module-loaded' && w.readyBy !== 'first-message') {
      return { path: `${p}.readyBy`, problem: `expected one of 'module-loaded', 'first-message', found ${kind(w.readyBy)}` };
    }
  }
  return undefined;
}

function cpuProblem(x: unknown, threads: Set<number>): Problem | undefined {
  if (x === undefined) return undefined;
  if (!Array.isArray(x)) return { path: 'cpu', problem: `expected an array, found ${kind(x)}` };
  const seen = new Set<number>();
  for (let i = 0; i < x.length; i++) {
    const p = `cpu[${i}]`;
    const c = x[i] as unknown;
    if (!isObj(c)) return { path: p, problem: `expected an object, found ${kind(c)}` };
    if (!isInt(c.thread) || !threads.has(c.thread)) return { path: `${p}.thread`, problem: `thread ${String(c.thread)} is not in threads` };
    if (seen.has(c.thread)) return { path: `${p}.thread`, problem: `thread ${c.thread} has two series` };
    seen.add(c.thread);
    if (c.source !== 'schedstat' && c.source !== 'threadCpuUsage') {
      return { path: `${p}.source`, problem: `expected one of 'schedstat', 'threadCpuUsage', found ${kind(c.source)}` };
    }
    const n = Array.isArray(c.t) || ArrayBuffer.isView(c.t) ? (c.t as ArrayLike<number>).length : -1;
    const bad = columnProblem(c.t, Math.max(0, n), `${p}.t`, false) ?? columnProblem(c.onCpu, n, `${p}.onCpu`, false)
      ?? (c.runnable !== undefined ? columnProblem(c.runnable, n, `${p}.runnable`, false) : undefined);
    if (bad) return bad;
    const t = c.t as ArrayLike<number>, on = c.onCpu as ArrayLike<number>, rq = c.runnable as ArrayLike<number> | undefined;
    for (let k = 1; k < n; k++) {
      if (t[k] < t[k - 1]) return { path: `${p}.t[${k}]`, problem: `${t[k]} is before ${t[k - 1]}: readings must be in time order` };
      if (on[k] < on[k - 1]) return { path: `${p}.onCpu[${k}]`, problem: `${on[k]} is less than ${on[k - 1]}: the counter is cumulative` };
      if (rq && rq[k] < rq[k - 1]) return { path: `${p}.runnable[${k}]`, problem: `${rq[k]} is less than ${rq[k - 1]}: the counter is cumulative` };
    }
    for (let k = 0; k < n; k++) {
      if (on[k] < 0) return { path: `${p}.onCpu[${k}]`, problem: `expected at least 0, found ${on[k]}` };
      if (rq && rq[k] < 0) return { path: `${p}.runnable[${k}]`, problem: `expected at least 0, found ${rq[k]}` };
    }
  }
  return undefined;
}

function waitsProblem(x: unknown, threads: Set<number>): Problem | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) return { path: 'waits', problem: `expected an object, found ${kind(x)}` };
  if (!(isInt(x.count) && x.count >= 0)) return { path: 'waits.count', problem: `expected an integer ≥ 0, found ${kind(x.count)}` };
  const n = x.count;
  const bad = columnProblem(x.thread, n, 'waits.thread', true) ?? columnProblem(x.start, n, 'waits.start', false) ?? columnProblem(x.end, n, 'waits.end', false);
  if (bad) return bad;
  const th = x.thread as ArrayLike<number>, start = x.start as ArrayLike<number>, end = x.end as ArrayLike<number>;
  for (let k = 0; k < n; k++) {
    if (!threads.has(th[k])) return { path: `waits.thread[${k}]`, problem: `thread ${th[k]} is not in threads` };
    if (end[k] < start[k]) return { path: `waits.end[${k}]`, problem: `${end[k]} is before start ${start[k]}` };
    if (k > 0 && start[k] < start[k - 1]) return { path: `waits.start[${k}]`, problem: `${start[k]} is before ${start[k - 1]}: waits must be sorted by start` };
  }
  return undefined;
}
